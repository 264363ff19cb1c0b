"""Proactive desktop assistant: the core (config, event log, narrator, policy, pipeline, CLI, runtime)."""

__version__ = "0.1.0"
