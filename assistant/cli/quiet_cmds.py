"""`proactive quiet 1h|30m|today|off`: no suggestion cards for a while (collection goes on)."""

from __future__ import annotations

import datetime as dt

import click

from assistant.app import control
from assistant.cli.common import open_log_or_exit


@click.command()
@click.argument("how_long", metavar="1h|30m|today|off")
def quiet(how_long: str) -> None:
    """No suggestions for a while: '1h', '30m', 'today' (until midnight) or 'off'. Collection goes on; use
    `proactive pause` to stop collecting."""
    try:
        until = control.quiet_until(how_long)
    except ValueError as exc:
        raise click.BadParameter(f"expected 1h, 30m, today or off ({exc})", param_hint="HOW_LONG") from exc
    control.quiet(open_log_or_exit(write=True), until)
    if until is None:
        click.echo("Suggestions are on again.")
    else:
        click.echo(f"Quiet until {dt.datetime.fromtimestamp(until).strftime('%Y-%m-%d %H:%M')}: no suggestions "
                   "until then (collection goes on).")


COMMANDS = [quiet]
