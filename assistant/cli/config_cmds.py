"""`proactive config check|path|show`."""

from __future__ import annotations

import sys

import click
import yaml

from assistant.cli.common import JSON_FLAG, emit_json
from assistant.core import config, paths


@click.group("config")
def config_group() -> None:
    """Inspect and check the settings file."""


@config_group.command("path")
def config_path() -> None:
    """Print where the config file is."""
    click.echo(str(paths.config_path()))


@config_group.command("check")
def config_check() -> None:
    """Report every problem in the config file at once (exit 2 if any)."""
    path = paths.config_path()
    if not path.exists() and not path.is_symlink():
        try:
            config.write_default(path)
        except OSError as exc:
            click.echo(f"{path}: (file): cannot write the default config ({exc.strerror or exc}); expected a "
                       "writable config directory", err=True)
            sys.exit(2)
        click.echo(f"Wrote the default config to {path}.")
    cfg, problems = config.check_file(path)
    problems = problems + config.missing_files(cfg)
    if problems:
        click.echo(f"{len(problems)} problem(s) in {path}:", err=True)
        for problem in problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(2)
    click.echo(f"{path}: OK")


@config_group.command("show")
@JSON_FLAG
def config_show(as_json: bool) -> None:
    """Print the effective settings (defaults merged with the file)."""
    path = paths.config_path()
    cfg, problems = config.check_file(path) if path.exists() else (config.default_config(), [])
    if problems:
        for problem in problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(2)
    if as_json:
        emit_json(cfg.data)
    else:
        click.echo(yaml.safe_dump(cfg.data, sort_keys=False), nl=False)
