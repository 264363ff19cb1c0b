"""run, status, events, forget, pause, resume, export: the everyday commands."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys
import time

import click

from assistant.cli.common import JSON_FLAG, duration_option, emit_json, load_config_or_exit
from assistant.core import paths
from assistant.log import open_db, queries


@click.command()
@click.option("--headless", is_flag=True, help="No tray or cards: proposals are printed to the terminal.")
@click.option("--for", "run_for", metavar="DURATION", help="Stop after this long (e.g. 20s, 10m).")
@click.option("--no-model", is_flag=True, help="Do not load the language model (templates and the judge only).")
def run(headless: bool, run_for: str | None, no_model: bool) -> None:
    """Start collecting and proposing. Stops on Ctrl+C (or after --for)."""
    import logging

    from assistant.app.runtime import Runtime, display_available

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    cfg = load_config_or_exit()
    seconds = duration_option(run_for, "--for")
    has_display, why = display_available()
    if not headless and (not has_display or not cfg["ui.tray"]):
        headless = True
        click.echo(f"No tray: {why or 'ui.tray is off'}; running headless.")
    runtime = Runtime(cfg, headless=headless, say=lambda text: click.echo(text), load_model=not no_model)
    try:
        runtime.start()
    except Exception as exc:
        click.echo(f"Could not start: {exc}", err=True)
        sys.exit(1)
    click.echo(runtime.describe())
    signal.signal(signal.SIGTERM, lambda *_: runtime.request_stop())
    try:
        if not headless:
            from ui.app import run_tray  # the tray owns the main thread while it runs

            run_tray(runtime, seconds)
        else:
            runtime.run(seconds)
    except KeyboardInterrupt:
        pass
    finally:
        runtime.stop()
    click.echo("Stopped.")


def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@click.command()
@JSON_FLAG
def status(as_json: bool) -> None:
    """Is it running, what is collected, what was dropped, how big is the log."""
    db = open_db()
    runtime = queries.get_state(db, "runtime")
    writer = queries.get_state(db, "writer")
    pause = queries.get_state(db, "pause")
    info = runtime[0] if runtime else {}
    running = bool(info.get("running")) and _pid_alive(info.get("pid"))
    paused_until = pause[0].get("until") if pause and pause[0] else None
    paused = bool(pause and pause[0]) and (paused_until is None or paused_until > time.time())
    size = sum(os.path.getsize(str(db.path) + s) for s in ("", "-wal") if os.path.exists(str(db.path) + s))
    data = {
        "running": running,
        "pid": info.get("pid") if running else None,
        "headless": info.get("headless"),
        "paused": paused,
        "paused_until": paused_until,
        "collectors": info.get("collectors", []) if running else [],
        "parts": info.get("parts", {}) if running else {},
        "dropped_events": (writer[0] or {}).get("dropped", 0) if writer else 0,
        "writer": writer[0] if writer else None,
        "rows": queries.counts(db),
        "db_path": str(db.path),
        "db_bytes": size,
        "config_path": str(paths.config_path()),
    }
    if as_json:
        emit_json(data)
        return
    click.echo(f"Running: {'yes (pid %s)' % data['pid'] if running else 'no'}"
               + (" - paused" + (f" until {_clock(paused_until)}" if paused_until else "") if paused else ""))
    for st in data["collectors"]:
        reason = f" - {st['reason']}" if st.get("reason") else ""
        click.echo(f"  {st['name']:<12} {st['state']}{reason}")
    for name, st in data["parts"].items():
        reason = f" - {st.get('reason')}" if st.get("reason") else ""
        click.echo(f"  {name:<12} {st.get('state')}{reason}")
    click.echo(f"Dropped events (queue full): {data['dropped_events']}")
    rows = data["rows"]
    click.echo(f"Stored: {rows['events']} events, {rows['observations']} observations, "
               f"{rows['proposals']} proposals, {rows['labels']} labels ({size / 1e6:.1f} MB)")
    click.echo(f"Data: {data['db_path']}\nConfig: {data['config_path']}")


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
    db = open_db()
    pairs = queries.recent(db, seconds, app=app, limit=limit)
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
    db = open_db()
    removed = queries.forget(db, last_seconds=seconds, everything=everything)
    click.echo("Deleted: " + ", ".join(f"{n} {table}" for table, n in removed.items()))


@click.command()
@click.option("--for", "pause_for", metavar="DURATION", help="Resume by itself after this long.")
def pause(pause_for: str | None) -> None:
    """Stop all collection at once (the running app obeys within a second)."""
    seconds = duration_option(pause_for, "--for")
    until = time.time() + seconds if seconds else None
    queries.set_state(open_db(), "pause", {"until": until, "since": time.time()})
    click.echo("Paused" + (f" until {_clock(until)}." if until else " until `proactive resume`."))


@click.command()
def resume() -> None:
    """Resume collection after `proactive pause`."""
    queries.set_state(open_db(), "pause", None)
    click.echo("Resumed.")


COMMANDS = [run, status, events, forget, pause, resume]
