"""Consent before anything is collected: the terminal prompt, `proactive consent`, and how `proactive run` asks
(the first-run screen with a display, the prompt on a terminal, `--accept-defaults`, or nothing and a waiting app).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable

import click

from assistant.app import control
from assistant.cli.common import JSON_FLAG, emit_json, open_log_or_exit
from assistant.core import paths
from assistant.core.consent import OPT_IN_ITEMS, OPT_INS, Consent, consent_text, privacy_record
from assistant.log import Database

BETTER_MODEL = "qwen2.5-1.5b"


def prompt_consent(db: Database) -> Consent | None:
    """Ask on the terminal: the consent text, agree?, then which opt-ins (none unless named). None: declined."""
    click.echo(consent_text(str(paths.data_dir())))
    click.echo(f"A better model than the embedded one: `proactive model pull {BETTER_MODEL}`.")
    if not click.confirm("Agree and start collecting?", default=False):
        return None
    click.echo("Opt-ins, all off unless you name them:")
    for n, (key, text) in enumerate(OPT_IN_ITEMS, 1):
        click.echo(f"  {n}. {text} ({key})")
    answer = click.prompt("Numbers to turn on (Enter for none)", default="", show_default=False)
    picked = {int(x) for x in answer.replace(",", " ").split() if x.isdigit()}
    opt_ins = {key: n in picked for n, key in enumerate(OPT_INS, 1)}
    if opt_ins["collectors.clipboard.record_text"]:
        opt_ins["collectors.clipboard.enabled"] = True  # the text comes with the clipboard collector
    return control.give_consent(db, opt_ins, via="terminal")


OPT_IN_OPTION = click.option("--opt-in", "opt_ins", multiple=True, metavar="KEY", type=click.Choice(OPT_INS),
                             help="Agree to this opt-in too: with --accept-defaults, or alone to add it to the "
                                  "consent given (repeat for more).")


def _accept_defaults(db: Database, opt_ins: tuple[str, ...] = ()) -> Consent:
    return control.give_consent(db, dict.fromkeys(opt_ins, True), via="flag")


def resolve_for_run(db: Database, headless: bool, accept_defaults: bool, opt_ins: tuple[str, ...] = ()) -> str:
    """Before `run` starts: 'given' (consent in force), 'declined' (Not now: do not start) or 'waiting' (no way
    to ask: the app starts, collects nothing and says how to consent). Raises ConsentError."""
    if not control.consent_needed(db):
        return "given"
    if accept_defaults:
        _accept_defaults(db, opt_ins)
        click.echo("Consent recorded (--accept-defaults: the defaults, "
                   + (f"opt-ins: {', '.join(opt_ins)})." if opt_ins else "no opt-ins)."))
        return "given"
    if not headless:
        from ui.first_run import ask_consent

        consent = ask_consent(db)
        if consent is not None and consent.model not in ("", "embedded"):
            pull_in_background(consent.model, lambda text: click.echo(text))
        return "given" if consent is not None else "declined"
    if sys.stdin.isatty():
        return "given" if prompt_consent(db) is not None else "declined"
    return "waiting"


def pull_in_background(name: str, say: Callable[[str], None]) -> threading.Thread:
    """Fetch the model chosen on the first-run screen, then point the config at it (used from the next start)."""
    from models.manage import ModelChoiceError, use_changes
    from models.pull import PullError, pull

    def work() -> None:
        try:
            result = pull(name)
            from assistant.core import config, settings

            changes, what = use_changes(str(result.path), config.load())
            _, problems = settings.apply_changes(changes)
            if problems:
                say(f"Model {name} was fetched but the config was not changed: {problems[0]}")
                return
            say(f"Model {name} is ready at {result.path}; it is used from the next start ({what}).")
        except (PullError, ModelChoiceError, OSError) as exc:
            say(f"Model {name} could not be fetched ({exc}); the embedded model stays. Retry with "
                f"`proactive model pull {name}`.")
        except Exception as exc:  # noqa: BLE001 - a background fetch must never take the app down
            say(f"Model {name} could not be fetched ({type(exc).__name__}: {exc}); the embedded model stays.")

    say(f"Fetching model {name} in the background; the embedded model answers until it is ready.")
    thread = threading.Thread(target=work, name="model-pull", daemon=True)
    thread.start()
    return thread


def describe(consent: Consent | None) -> str:
    """One line for `proactive status`."""
    if consent is None:
        return "not given - nothing is collected; run `proactive consent`"
    import datetime as dt

    when = dt.datetime.fromtimestamp(consent.time).strftime("%Y-%m-%d %H:%M")
    on = [k for k, v in consent.opt_ins.items() if v]
    return (f"given {when} via {consent.via} (text v{consent.text_version}; opt-ins: "
            f"{', '.join(on) if on else 'none'})")


@click.command()
@click.option("--accept-defaults", is_flag=True, help="Agree to the defaults (no opt-ins) without a prompt.")
@click.option("--show", is_flag=True, help="Only print what is collected and whether consent is given.")
@OPT_IN_OPTION
@JSON_FLAG
def consent(accept_defaults: bool, show: bool, opt_ins: tuple[str, ...], as_json: bool) -> None:
    """Agree to what the assistant collects (a running app that waits for it starts collecting at once)."""
    db = open_log_or_exit(write=not (show or as_json))
    if show or as_json:
        state = control.consent_state(db)
        if as_json:
            from assistant.cli.common import load_config_or_exit

            emit_json({"given": state is not None, "consent": state.__dict__ if state else None,
                       "in_force": privacy_record(load_config_or_exit(), state),
                       "text": consent_text(str(paths.data_dir()))})
            return
        click.echo(consent_text(str(paths.data_dir())))
        click.echo(f"Consent: {describe(state)}")
        return
    try:
        if accept_defaults:
            given = _accept_defaults(db, opt_ins)
        elif opt_ins and control.consent_state(db) is not None:
            given = control.agree_to(db, list(opt_ins), via="terminal")
            from assistant.core import settings  # here: ruamel.yaml serves only a change of the file

            settings.apply_changes(dict.fromkeys(opt_ins, True))
        elif sys.stdin.isatty():
            given = prompt_consent(db)
        else:
            raise click.ClickException("no terminal to ask on: run `proactive consent` in a terminal, or "
                                       "`proactive consent --accept-defaults` for the defaults without opt-ins")
    except control.ConsentError as exc:
        raise click.ClickException(str(exc)) from exc
    if given is None:
        click.echo("Not now: nothing is collected.")
        return
    click.echo(f"Consent: {describe(given)}")


COMMANDS = [consent]
