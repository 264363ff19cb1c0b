"""Helpers shared by CLI commands: loading config with clean errors, JSON output, durations."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from assistant.core import config, paths
from assistant.log import queries


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


def duration_option(value: str | None, name: str) -> float | None:
    if value is None:
        return None
    try:
        return queries.parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=name) from exc


JSON_FLAG = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
FOLDS = click.option("--folds", default=8, show_default=True, type=click.IntRange(2, 100),
                     help="Cross-validation folds over sessions (a session is never in train and validation).")


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))
