"""`proactive setup gnome`: install and enable the GNOME Shell extension the window collector needs there."""

from __future__ import annotations

import click

from collectors import gnome_shell


@click.group("setup")
def setup_group() -> None:
    """One-time desktop set-up the collectors need."""


@setup_group.command("gnome")
@click.option("--shell-version", type=int, help="GNOME Shell's major version (default: ask gnome-shell).")
def gnome(shell_version: int | None) -> None:
    """Install the small GNOME Shell extension that tells the assistant which window has focus."""
    major = shell_version or gnome_shell.shell_major()
    if major is not None and major < 42:
        raise click.ClickException(f"GNOME Shell {major} is too old: the extension needs 42 or later")
    folder, next_step = gnome_shell.install_extension(major)
    which = f"GNOME Shell {major}" if major else "GNOME Shell 45+ (version unknown; pass --shell-version)"
    click.echo(f"Installed the focused-window extension for {which} in {folder}.")
    click.echo(f"Next: {next_step}.")
