"""Entry point of the `proactive` command. Each command group lives in its own module."""

from __future__ import annotations

import click

from assistant import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="proactive")
def cli() -> None:
    """A local-first proactive desktop assistant.

    It watches what you do (locally), proposes one helpful task when you seem to need it, and learns from
    your answers. Data stays in a local SQLite file; see `proactive status`.
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
