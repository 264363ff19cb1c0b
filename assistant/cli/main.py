"""Entry point of the `proactive` command. Each command group lives in its own module, imported only when one
of its commands runs (or help lists them all): `proactive run` never loads what `proactive judge train` or
`proactive eval` need (numpy and the research code)."""

from __future__ import annotations

import importlib
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


# command -> the module that defines it (in its COMMANDS list, or as the group of that name)
MODULES = {
    **dict.fromkeys(("run", "status", "events", "forget", "pause", "resume"), "core_cmds"),
    "consent": "consent_cmds", "answer": "label_cmds", "export": "label_cmds", "replay": "label_cmds",
    "quiet": "quiet_cmds", "autostart": "desktop_cmds", "label": "research_cmds", "study": "research_cmds",
    "answers": "answers_cmds", "config": "config_cmds", "judge": "judge_cmds", "eval": "eval_cmds",
    "import": "import_cmds", "setup": "setup_cmds", "model": "model_cmds",
}


def _load(name: str) -> click.Command | None:
    """The command `name` from its module (imported now), its short help made whole."""
    if name not in MODULES:
        return None
    module = importlib.import_module(f"assistant.cli.{MODULES[name]}")
    found = [*getattr(module, "COMMANDS", []), *(v for v in vars(module).values() if isinstance(v, click.Group))]
    command = next(c for c in found if c.name == name)
    _whole_short_help(command)
    return command


class SectionedGroup(click.Group):
    """The `proactive` group: its help lists the commands by section, one unbroken line each; an error of the
    event log or of the disk that a command did not handle itself becomes one line and exit 1, never a
    traceback (a read-only or full data folder, a lock, a damaged file). Commands are loaded when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*MODULES, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            command = _load(cmd_name)
            if command is None:
                return None
            self.add_command(command)
        return self.commands[cmd_name]

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
            rows = [(name, text) for name, text in commands if name in MODULES or name in self.commands]
            listed.update(name for name, _ in rows)
            if rows:
                with formatter.section(f"{title} commands"):
                    formatter.write_dl(rows, col_spacing=3)
        others = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx) if name not in listed]
        rest = [(name, cmd.get_short_help_str(70)) for name, cmd in others if cmd is not None and not cmd.hidden]
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


def _first_sentence(text: str) -> str:
    """The first sentence of a command's help, whole (click would cut it at the terminal's width with '...')."""
    para = " ".join(text.strip().split("\n\n")[0].split())
    end = para.find(". ")
    return para if end < 0 else para[:end + 1]


def _whole_short_help(command: click.Command) -> None:
    """The first sentence of the help as the short help, for the command and its subcommands."""
    if command.help and not command.short_help:
        command.short_help = _first_sentence(command.help)
    for sub in getattr(command, "commands", {}).values():
        _whole_short_help(sub)
