"""run, status, events, forget, pause, resume, export: the everyday commands."""

from __future__ import annotations

import datetime as dt
import signal
import sys

import click

from assistant.app import control
from assistant.app.status import collect
from assistant.cli.common import JSON_FLAG, duration_option, emit_json, load_config_or_exit, open_log_or_exit
from assistant.cli.consent_cmds import OPT_IN_OPTION, describe, resolve_for_run
from assistant.core import paths
from assistant.log import LogError
from assistant.log.db import cannot_write
from assistant.log.events import recent


@click.command()
@click.option("--headless", is_flag=True, help="No tray or cards: proposals are printed to the terminal.")
@click.option("--for", "run_for", metavar="DURATION", help="Stop after this long (e.g. 20s, 10m).")
@click.option("--no-model", is_flag=True, help="Do not load the language model (templates and the judge only).")
@click.option("--accept-defaults", is_flag=True,
              help="Agree to what is collected by default (no opt-ins) without the first-run screen or prompt.")
@OPT_IN_OPTION
def run(headless: bool, run_for: str | None, no_model: bool, accept_defaults: bool, opt_ins: tuple[str, ...]) -> None:
    """Start collecting and proposing. Stops on Ctrl+C (or after --for).

    Nothing is collected before you agree: the first run shows what is collected (a window with a display, a
    prompt on a terminal); `--accept-defaults` agrees to the defaults."""
    import logging

    from assistant.app.runtime import Runtime, display_available

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    cfg = load_config_or_exit()
    seconds = duration_option(run_for, "--for")
    has_display, why = display_available()
    if not headless and (not has_display or not cfg["ui.tray"]):
        headless = True
        click.echo(f"No tray: {why or 'ui.tray is off'}; running headless.")
    if not headless:
        from assistant.app.instance import ask_running_to_show

        answer = ask_running_to_show()
        if answer is not None:
            click.echo(f"The assistant is already running ({answer.removeprefix('shown ')}): its dashboard was "
                       "brought forward.")
            return
    try:
        asked = resolve_for_run(open_log_or_exit(), headless, accept_defaults, opt_ins)
    except control.ConsentError as exc:
        click.echo(f"Consent not recorded: {exc}", err=True)
        sys.exit(2)
    except (LogError, OSError) as exc:  # a read-only or full data folder: start paused, say why, retry
        if not cannot_write(exc, paths.db_path().parent):
            raise
        asked = "later"
    if asked == "declined":
        click.echo("Not now: nothing was collected. " + control.HOW_TO_CONSENT)
        return
    if asked == "given":
        cfg = load_config_or_exit()  # the opt-ins just ticked are in it now
    runtime = Runtime(cfg, headless=headless, say=lambda text: click.echo(text), load_model=not no_model,
                      accept_defaults=accept_defaults)
    try:
        runtime.start()
    except Exception as exc:
        click.echo(f"Could not start: {exc}", err=True)
        sys.exit(1)
    if runtime.blocked and not headless:
        headless = True  # the tray reads and writes the log; it comes with the next start
        click.echo("No tray while the event log cannot be written; running headless.")
    click.echo(runtime.describe())
    why = {"how": f"after {run_for}" if run_for else ""}

    def on_term(*_: object) -> None:
        why["how"] = "on a stop signal"
        runtime.request_stop()

    signal.signal(signal.SIGTERM, on_term)
    try:
        if not headless:
            from ui.app import run_tray  # the tray owns the main thread while it runs

            run_tray(runtime, seconds)
        else:
            click.echo("Press Ctrl+C to stop.")
            runtime.run(seconds)
    except KeyboardInterrupt:
        why["how"] = "on Ctrl+C"
    finally:
        how = f" {why['how']}" if why["how"] else ""
        click.echo(f"Stopping{how}: nothing more is collected…")
        runtime.stop()
    click.echo("Stopped. Goodbye.")


@click.command()
@JSON_FLAG
def status(as_json: bool) -> None:
    """Is it running, what is collected, what was dropped, how big is the log."""
    db = open_log_or_exit()
    st = collect(db)
    given = control.consent_state(db)
    if as_json:
        emit_json({**st.as_dict(), "consent": {"given": given is not None, "text_version":
                                               given.text_version if given else None,
                                               "via": given.via if given else None}})
        return
    lines = [("Consent:", describe(given))]
    running = f"yes (pid {st.pid})" if st.running else "no"
    if st.paused:
        running += ", paused" + (f" until {_clock(st.paused_until)}" if st.paused_until else " until you resume")
    lines.append(("Running:", running))
    rows = st.rows
    spooled = f" (+{st.spooled_events:,} crash-safe in the spool, not committed yet)" if st.spooled_events else ""
    lines.append(("Stored:", f"{rows['events']:,} events{spooled}, {rows['observations']:,} narrated moments, "
                             f"{rows['proposals']:,} decisions, {rows['labels']:,} answers "
                             f"({st.db_bytes / 1e6:.1f} MB)"))
    not_stored = f"{st.dropped_events} events dropped (queue full)"
    if st.not_stored_events:
        not_stored += f", {st.not_stored_events} lost to write errors"
    if st.refused_events:
        not_stored += f", {st.refused_events} refused for invalid values (last: {st.refused_reason})"
    lines.append(("Not stored:", not_stored))
    lines += [("Data:", st.db_path), ("Config:", st.config_path)]
    for label, text in lines[:2]:
        click.echo(f"{label:>11} {text}")
    if st.warning:
        click.echo(f"{'Warning:':>11} {st.warning}")
    if st.log_problem:
        click.echo(f"{'Warning:':>11} {st.log_problem}: nothing can be committed until it is free"
                   + (" (new events wait in the running app's spool)" if st.running else ""))
    _echo_parts(st.parts)
    for i, text in enumerate(st.resting):  # five "Not useful" answers to one kind of task in one place
        click.echo(f"{'Resting:' if i == 0 else '':>11} {text}")
    for label, text in lines[2:]:
        click.echo(f"{label:>11} {text}")


def _echo_parts(parts: list) -> None:
    """One aligned line per part (name, state, reason); a long reason wraps under itself."""
    if not parts:
        return
    import shutil
    import textwrap

    name_w = max(len(p.name) for p in parts)
    state_w = max(len(p.state) for p in parts)
    indent = 2 + name_w + 2 + state_w + 2
    width = max(60, shutil.get_terminal_size((110, 24)).columns - 1)
    click.echo(f"{'Parts:':>11}")
    for part in parts:
        head = f"  {part.name:<{name_w}}  {part.state:<{state_w}}  "
        reason = "; ".join(r.strip().rstrip(".") for r in part.reason.split("; ") if r.strip())
        wrapped = textwrap.wrap(reason, width - indent) or [""]
        click.echo((head + wrapped[0]).rstrip())
        for more in wrapped[1:]:
            click.echo(" " * indent + more)


def _clock(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S")


@click.command()
@click.option("--since", default="10m", show_default=True, help="How far back (90s, 10m, 2h, 1d).")
@click.option("--app", help="Only events of this app (process name).")
@click.option("--limit", type=int, default=200, show_default=True, help="At most this many (newest).")
@JSON_FLAG
def events(since: str, app: str | None, limit: int, as_json: bool) -> None:
    """Show recent events from the log."""
    seconds = duration_option(since, "--since")
    pairs = recent(open_log_or_exit(), seconds, app=app, limit=limit)
    if as_json:
        emit_json([{"id": i, **e.to_row(), "data": e.data} for i, e in pairs])
        return
    if not pairs:
        click.echo(f"No events in the last {since}" + (f" for {app}" if app else "") + ".")
    for i, e in pairs:
        extra = f" {e.data}" if e.data else ""
        click.echo(f"{_clock(e.start)} {e.duration:7.1f}s {e.source:<9} {e.kind:<9} "
                   f"{e.app or '-':<16} {e.title or ''}{extra}")


@click.command()
@click.option("--last", "last", metavar="DURATION", help="Forget everything from this long ago until now.")
@click.option("--all", "everything", is_flag=True, help="Forget everything.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def forget(last: str | None, everything: bool, yes: bool) -> None:
    """Really delete collected data (rows are removed and the file is compacted)."""
    if not last and not everything:
        raise click.UsageError("say what to forget: --last 1h or --all")
    seconds = duration_option(last, "--last")
    what = "ALL collected data" if everything else f"everything from the last {last}"
    if not yes and not click.confirm(f"Delete {what}?", default=False):
        click.echo("Nothing deleted.")
        return
    removed = control.forget(open_log_or_exit(write=True), last_seconds=seconds, everything=everything)
    click.echo("Deleted: " + ", ".join(f"{n} {table}" for table, n in removed.items()))


@click.command()
@click.option("--for", "pause_for", metavar="DURATION", help="Resume by itself after this long.")
def pause(pause_for: str | None) -> None:
    """Stop all collection at once (the running app obeys within a second)."""
    state = control.pause(open_log_or_exit(write=True), duration_option(pause_for, "--for"))
    click.echo("Paused" + (f" until {_clock(state.until)}." if state.until else " until `proactive resume`."))


@click.command()
def resume() -> None:
    """Resume collection after `proactive pause`."""
    control.resume(open_log_or_exit(write=True))
    click.echo("Resumed.")


COMMANDS = [run, status, events, forget, pause, resume]
