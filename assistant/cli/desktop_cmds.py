"""`proactive autostart on|off|status`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from assistant.app import autostart as autostart_mod


@click.command()
@click.argument("action", type=click.Choice(["on", "off", "status"]))
def autostart(action: str) -> None:
    """Start the assistant with your desktop session (on), stop doing so (off), or show which."""
    if action == "on":
        import ui  # only here: the headless path never imports the UI package

        try:
            path = autostart_mod.enable(Path(ui.__file__).resolve().parent / "icons" / "assistant.svg")
        except RuntimeError as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)
        click.echo(f"Starts with your session: {path} (icon: {autostart_mod.icon_path()}); "
                   "`proactive autostart off` removes both.")
    elif action == "off":
        click.echo("Autostart entry and icon removed." if autostart_mod.disable() else "Autostart was not on.")
    else:
        path = autostart_mod.autostart_path()
        click.echo(f"on ({path})" if path.exists() else "off")


COMMANDS = [autostart]
