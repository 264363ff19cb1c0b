"""Collectors: OS sources that turn desktop activity into `assistant.core.events.Event`s (no storage here).

Entry point for the runtime: `collectors.registry.build_collectors(cfg, sink, paused=None)`.
Every event passes `collectors.privacy` (exclusions + `assistant.core.redact`) before it reaches the sink.

Sources: window (active window, browser page titles), afk, input (counts, shortcut names, opt-in text),
processes (app launches/exits), clipboard (opt-in), browser_endpoint (opt-in loopback HTTP).
Platform libraries (python-xlib, pynput, pywinctl) are imported lazily inside each collector's start/run.
"""
