"""Helpers shared by CLI commands: loading config with clean errors, JSON output, durations."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from assistant.core import config, paths
from assistant.core.durations import parse_duration
from assistant.log import Database, LogError, open_db
from assistant.log.db import cannot_write, is_busy, is_damage, open_readonly


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


def open_log_or_exit(write: bool = False) -> Database:
    """The event log for a command, never a traceback and never a lock-out:

    - locked by another process: one line, exit 1, nothing moved;
    - damaged (truncated, header overwritten): set aside and every readable row salvaged into a new log, here
      and now (one line says where the copy is), unless the running app holds it (then the line says to stop it
      and run the same command again);
    - a read-only or full data folder: opened for reading (one line says nothing can be changed), or, for a
      command that must write (`write=True`: pause, forget, an answer), one line saying why it cannot, exit 1.
    """
    path = paths.db_path()
    try:
        return open_db()
    except (LogError, OSError) as exc:
        if isinstance(exc, LogError) and is_busy(exc):
            _fail(f"The event log {path} is locked by another process ({exc}); nothing was changed. "
                  "Try again when it is free.")
        if isinstance(exc, LogError) and is_damage(exc):
            return _recover(path)
        why = cannot_write(exc, path.parent)
        if not why:
            _fail(f"The event log {path} cannot be opened ({exc}).")
        if write:
            _fail(f"Nothing was changed: {why} ({path.parent}). Free it and run this command again.")
        try:
            db = open_readonly(path)
        except LogError as again:
            if is_damage(again):
                _fail(f"The event log {path} is damaged and {why}, so it cannot be set aside: free the folder "
                      f"{path.parent} and run `proactive status` (it keeps the damaged copy and saves every "
                      "readable row into a new log).")
            _fail(f"The event log {path} cannot be read and {why} ({again}).")
        click.echo(f"Note: {why} ({path.parent}): showing what is stored; nothing can be recorded or changed "
                   "until it is writable again.", err=True)
        return db


def _recover(path: Path) -> Database:
    from assistant.app.instance import running_pid

    pid = running_pid()
    if pid is not None:
        _fail(f"The event log {path} is damaged and the running app (pid {pid}) holds it: quit the app and run "
              "this command again; it keeps the damaged copy and saves every readable row into a new log.")
    try:
        db = open_db(path, check=True)
    except (LogError, OSError) as exc:
        _fail(f"The event log {path} is damaged and could not be set aside ({cannot_write(exc) or exc}): free "
              f"the folder {path.parent} and run `proactive status` again.")
    saved = sum(db.salvaged.values())
    click.echo(f"The event log was damaged: the damaged copy is kept at {db.recovered_from} and {saved} readable "
               "rows were saved into a new log.", err=True)
    return db


def _fail(line: str) -> NoReturn:
    click.echo(line, err=True)
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
