"""Evaluation of the judge, of timing (when to propose) and replays of real traces."""
