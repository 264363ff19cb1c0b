"""Helpers shared by CLI commands: loading config with clean errors, JSON output, durations."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from assistant.core import config, paths
from assistant.core.durations import parse_duration
from assistant.log import Database, LogError, open_db
from assistant.log.db import is_busy


def load_config_or_exit() -> config.Config:
    """Load the config; on problems print every one of them and exit 2 (the app never guesses)."""
    try:
        return config.load()
    except config.ConfigError as exc:
        click.echo(f"The config file {paths.config_path()} is invalid:", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        click.echo("Fix it (or delete the line to get the default) and run `proactive config check`.", err=True)
        sys.exit(2)


def open_log_or_exit() -> Database:
    """The event log for a command; a locked or unreadable file is one clear line (exit 1), never a traceback,
    and nothing is moved or changed."""
    try:
        return open_db()
    except LogError as exc:
        path = paths.db_path()
        if is_busy(exc):
            click.echo(f"The event log {path} is locked by another process ({exc}); nothing was changed. "
                       "Try again when it is free.", err=True)
        else:
            click.echo(f"The event log {path} cannot be read ({exc}). Start the app (`proactive run`): it sets a "
                       "damaged log aside, keeps the copy and saves every readable row into a new one.", err=True)
        sys.exit(1)


def duration_option(value: str | None, name: str) -> float | None:
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=name) from exc


JSON_FLAG = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
FOLDS = click.option("--folds", default=8, show_default=True, type=click.IntRange(2, 100),
                     help="Cross-validation folds over sessions (a session is never in train and validation).")


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


def require_training_libraries() -> None:
    """Training and evaluation need scikit-learn, which the desktop bundle leaves out to stay small: say so in
    one line instead of an ImportError."""
    import importlib.util

    if importlib.util.find_spec("sklearn") is None:
        click.echo("This command trains or evaluates the judge and needs scikit-learn, which the desktop bundle "
                   "leaves out: install the Python package (`pip install proactive-assistant`, see README) to "
                   "use it.", err=True)
        sys.exit(2)
