"""Entry point of the `proactive` command. Each command group lives in its own module."""

from __future__ import annotations

import sys

import click

from assistant import __version__


# `proactive --help` lists the commands in these groups, each with one short line in plain words
SECTIONS = (
    ("Everyday", (("run", "Start the assistant (tray, or headless in a terminal)"),
                  ("status", "Is it running, what it collects, how big the log is"),
                  ("pause", "Stop collecting (for a while, or until resume)"),
                  ("resume", "Collect again after a pause"),
                  ("quiet", "No suggestions for a while; collecting goes on"),
                  ("answer", "Answer a suggestion (accept carries the task out)"),
                  ("answers", "List the answers to tasks you accepted, open or rate one"),
                  ("forget", "Delete what was collected (the last hour, or all)"),
                  ("events", "Show what was recorded recently"))),
    ("Set-up", (("consent", "Agree to what is collected, or show it"),
                ("config", "Show or check the settings file"),
                ("model", "See, download and choose a language model"),
                ("autostart", "Start with your desktop session, or not"),
                ("setup", "One-time desktop set-up (GNOME extension)"))),
    ("Your data and research", (("export", "Export your answers or raw events"),
                                ("import", "Import ActivityWatch history or an export"),
                                ("label", "Review and label past moments in the terminal"),
                                ("replay", "Replay your log: what it would have suggested"),
                                ("study", "Bundles for studies with several participants"),
                                ("judge", "Train and evaluate the judge (research)"),
                                ("eval", "Evaluate decisions on ProactiveBench data (research)"))),
)


class SectionedGroup(click.Group):
    """The `proactive` group: its help lists the commands by section, one unbroken line each; an error of the
    event log or of the disk that a command did not handle itself becomes one line and exit 1, never a
    traceback (a read-only or full data folder, a lock, a damaged file)."""

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

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        listed: set[str] = set()
        for title, commands in SECTIONS:
            rows = [(name, text) for name, text in commands if name in self.commands]
            listed.update(name for name, _ in rows)
            if rows:
                with formatter.section(f"{title} commands"):
                    formatter.write_dl(rows, col_spacing=3)
        rest = [(name, cmd.get_short_help_str(70)) for name, cmd in sorted(self.commands.items())
                if name not in listed and not cmd.hidden]
        if rest:
            with formatter.section("Other commands"):
                formatter.write_dl(rest, col_spacing=3)


@click.group(cls=SectionedGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="proactive")
def cli() -> None:
    """A local-first proactive desktop assistant.

    It watches what you do on this computer (the log stays here), suggests one helpful task when you seem to
    need it, and learns from your answers. `proactive run` starts it; `proactive COMMAND --help` says more.
    """


# ---- register command modules (one line each) ----
from assistant.cli.answers_cmds import COMMANDS as ANSWERS_COMMANDS  # noqa: E402
from assistant.cli.config_cmds import config_group  # noqa: E402
from assistant.cli.consent_cmds import COMMANDS as CONSENT_COMMANDS  # noqa: E402
from assistant.cli.core_cmds import COMMANDS as CORE_COMMANDS  # noqa: E402
from assistant.cli.desktop_cmds import COMMANDS as DESKTOP_COMMANDS  # noqa: E402
from assistant.cli.label_cmds import COMMANDS as LABEL_COMMANDS  # noqa: E402
from assistant.cli.quiet_cmds import COMMANDS as QUIET_COMMANDS  # noqa: E402
from assistant.cli.research_cmds import COMMANDS as RESEARCH_COMMANDS  # noqa: E402

for _command in (CORE_COMMANDS + CONSENT_COMMANDS + LABEL_COMMANDS + QUIET_COMMANDS + DESKTOP_COMMANDS
                 + RESEARCH_COMMANDS + ANSWERS_COMMANDS):
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


def _first_sentence(text: str) -> str:
    """The first sentence of a command's help, whole (click would cut it at the terminal's width with '...')."""
    para = " ".join(text.strip().split("\n\n")[0].split())
    end = para.find(". ")
    return para if end < 0 else para[:end + 1]


def _whole_short_help(group: click.Group) -> None:
    for command in group.commands.values():
        if command.help and not command.short_help:
            command.short_help = _first_sentence(command.help)
        if isinstance(command, click.Group):
            _whole_short_help(command)


_whole_short_help(cli)
