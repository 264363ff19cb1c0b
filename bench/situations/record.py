"""Record situations: play each one on its own Xvfb + openbox with the real app running headless (real
collectors -> writer -> event log; consent given with --accept-defaults; no model), then store the events.

    python -m bench.situations.record [NAMES ...|--all|--stale] [--jobs N] [--out DIR]

The app runs with the default config except that the processes collector is off: it samples every process of
this user on the machine, so parallel recordings (and anything else running) would leak into each other.
Before the start the desktop is set up (the situation's `desk` windows), the app is started and the recorder
waits until the window and input collectors have both written an event; the situation's clock starts after
that. Events are clipped to the situation (a window focused before the start begins at 0).
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from assistant.core.events import Event
from assistant.log import open_db
from assistant.log.events import events_between
from bench.situations.desktop import Desktop, perform
from bench.situations.library import SITUATIONS, by_name
from bench.situations.recordings import RECORDINGS, event_line, problem, write
from bench.situations.script import Situation

REPO = Path(__file__).resolve().parents[2]
CONFIG = "collectors:\n  processes:\n    enabled: false\n"
READY_TIMEOUT_S = 90.0


def _wait_for(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise RuntimeError(f"timed out waiting for {what}")


def _events(db_path: Path) -> list[Event]:
    db = open_db(db_path)
    try:
        return [e for _, e in events_between(db, 0.0, 1e12)]
    finally:
        db.close()


def clip(events: list[Event], start: float, end: float) -> list[Event]:
    """The events of the stretch [start, end): the app's own events and input counted before the start are
    left out, state events that began before it (the focused window, not-afk) are cut to begin at it."""
    out = []
    for e in events:
        if e.source == "app" or e.end < start or e.start >= end:
            continue
        if e.start < start:
            if e.source == "input":
                continue
            e = Event(e.source, e.kind, start, e.end - start, e.app, e.title, dict(e.data))
        if e.end > end:
            e = Event(e.source, e.kind, e.start, end - e.start, e.app, e.title, dict(e.data))
        out.append(e)
    return out


def record(situation: Situation, out_dir: Path = RECORDINGS, say: Callable[[str], None] = print) -> dict:
    """Play and record one situation; returns what was recorded (the recording's `recorded` header)."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"situation-{situation.name}-") as tmp:
        home, bin_dir = Path(tmp) / "home", Path(tmp) / "bin"
        (home / "config").mkdir(parents=True)
        bin_dir.mkdir()
        (home / "config" / "config.yaml").write_text(CONFIG)
        db_path = home / "data" / "events.db"
        desktop = Desktop(bin_dir)
        app = None
        try:
            for step in situation.steps:
                if step.at < 0:
                    desktop.play(step, time.monotonic())
            log = open(Path(tmp) / "app.log", "w")  # noqa: SIM115 (closed below, after the app)
            env = {**desktop.env, "PROACTIVE_HOME": str(home), "PYTHONUNBUFFERED": "1"}
            app = subprocess.Popen([sys.executable, "-m", "assistant", "run", "--accept-defaults", "--headless",
                                    "--no-model"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
            _wait_for(lambda: "engine: running" in (Path(tmp) / "app.log").read_text(), READY_TIMEOUT_S,
                      "the app to start")
            _wait_for(lambda: any(e.source == "window" for e in _events(db_path)), READY_TIMEOUT_S,
                      "the window collector")
            pressed = [0.0]

            def input_seen() -> bool:  # a key now and then: one press can come before the listener is up
                if time.monotonic() - pressed[0] > 5.0:
                    desktop.xdotool("key", "shift")
                    pressed[0] = time.monotonic()
                return any(e.source == "input" for e in _events(db_path))

            _wait_for(input_seen, READY_TIMEOUT_S, "the input collector")
            t0_wall, t0 = time.time(), time.monotonic()
            late = perform(desktop, situation.steps, t0)
            time.sleep(max(0.0, t0 + situation.duration - time.monotonic()))
            app.terminate()
            app.wait(60)
            log.close()
        finally:
            if app is not None and app.poll() is None:
                app.kill()
            desktop.shutdown()
        events = clip(_events(db_path), t0_wall, t0_wall + situation.duration)
    recorded = {
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "wall_s": round(time.monotonic() - started, 1),
        "max_late_s": round(max(late, default=0.0), 2),
        "events": len(events),
        "how": "Xvfb + openbox, proactive run --headless --accept-defaults --no-model, processes collector off",
    }
    write(situation, recorded, [event_line(e, t0_wall) for e in events], out_dir)
    say(f"{situation.name}: {len(events)} events in {recorded['wall_s']:.0f} s "
        f"(desktop at most {recorded['max_late_s']:.1f} s behind the script)")
    return recorded


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help="situations to record (default: --stale)")
    ap.add_argument("--all", action="store_true", help="record every situation of the library")
    ap.add_argument("--stale", action="store_true", help="record the missing and outdated ones")
    ap.add_argument("--jobs", type=int, default=2, help="situations recorded at once (default 2)")
    ap.add_argument("--out", type=Path, default=RECORDINGS, help="where recordings go")
    args = ap.parse_args(argv)
    try:
        chosen = list(SITUATIONS) if args.all else [by_name(n) for n in args.names] if args.names else \
            [s for s in SITUATIONS if problem(s, args.out)]
    except KeyError as exc:
        print(exc.args[0], file=sys.stderr)
        return 2
    if not chosen:
        print("every recording is current")
        return 0
    started = time.monotonic()
    print(f"recording {len(chosen)} situations, {args.jobs} at a time "
          f"(about {sum(s.duration for s in chosen) / 60 / max(1, args.jobs):.0f} min)")
    failed = []

    def one(s: Situation) -> None:
        try:
            record(s, args.out)
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            failed.append(s.name)
            print(f"{s.name}: not recorded ({exc})", file=sys.stderr)

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        list(pool.map(one, chosen))
    print(f"recorded {len(chosen) - len(failed)} of {len(chosen)} in {(time.monotonic() - started) / 60:.1f} min"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
