"""Entry point of the `proactive` command. Each command group lives in its own module."""

from __future__ import annotations

import sys

import click

from assistant import __version__


class _Group(click.Group):
    """The `proactive` group: an error of the event log or of the disk that a command did not handle itself
    becomes one line and exit 1, never a traceback (a read-only or full data folder, a lock, a damaged file)."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        from assistant.log import LogError
        from assistant.log.db import cannot_write, is_busy, is_damage

        try:
            return super().invoke(ctx)
        except LogError as exc:
            why = ("it is locked by another process" if is_busy(exc) else
                   "it is damaged (run `proactive status` to set it aside and salvage it)" if is_damage(exc)
                   else cannot_write(exc) or str(exc))
            click.echo(f"The event log could not be used: {why}; nothing was changed.", err=True)
            sys.exit(1)
        except OSError as exc:
            why = cannot_write(exc)
            if not why:
                raise
            click.echo(f"Could not write {getattr(exc, 'filename', None) or 'a file'}: {why}; nothing was "
                       "changed.", err=True)
            sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="proactive")
def cli() -> None:
    """A local-first proactive desktop assistant.

    It watches what you do (locally), proposes one helpful task when you seem to need it, and learns from
    your answers. Data stays in a local SQLite file; see `proactive status`.
    """


# ---- register command modules (one line each) ----
from assistant.cli.config_cmds import config_group  # noqa: E402
from assistant.cli.consent_cmds import COMMANDS as CONSENT_COMMANDS  # noqa: E402
from assistant.cli.core_cmds import COMMANDS as CORE_COMMANDS  # noqa: E402
from assistant.cli.desktop_cmds import COMMANDS as DESKTOP_COMMANDS  # noqa: E402
from assistant.cli.label_cmds import COMMANDS as LABEL_COMMANDS  # noqa: E402
from assistant.cli.quiet_cmds import COMMANDS as QUIET_COMMANDS  # noqa: E402
from assistant.cli.research_cmds import COMMANDS as RESEARCH_COMMANDS  # noqa: E402

for _command in (CORE_COMMANDS + CONSENT_COMMANDS + LABEL_COMMANDS + QUIET_COMMANDS + DESKTOP_COMMANDS
                 + RESEARCH_COMMANDS):
    cli.add_command(_command)
cli.add_command(config_group)
from assistant.cli.judge_cmds import judge_group  # noqa: E402

cli.add_command(judge_group)
from assistant.cli.eval_cmds import eval_group  # noqa: E402

cli.add_command(eval_group)
from assistant.cli.import_cmds import import_command  # noqa: E402

cli.add_command(import_command)
from assistant.cli.setup_cmds import setup_group  # noqa: E402

cli.add_command(setup_group)
from assistant.cli.model_cmds import model_group  # noqa: E402

cli.add_command(model_group)
