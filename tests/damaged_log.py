"""A data dir in trouble, made for real: a log truncated to half, a log whose header was overwritten, a data
folder mounted read-only and a data folder on a full disk (a tmpfs filled to the last byte). The last two run
the command in its own mount namespace (`unshare -m`, or `-r -m` for a user without root), so nothing outside
the test sees the mounts. Used by tests/test_lockout.py and bench/attacks."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from assistant.core.events import Event

REPO = Path(__file__).resolve().parent.parent
DAMAGES = ("truncated", "header", "read-only", "full")


def prepare(home: Path, events: int = 200) -> Path:
    """A consented log with `events` window events in `home` (as `proactive run` would leave it)."""
    from assistant.app import control
    from assistant.log import EventWriter, open_db

    path = home / "data" / "events.db"
    env = os.environ.get("PROACTIVE_HOME")
    os.environ["PROACTIVE_HOME"] = str(home)
    try:
        writer = EventWriter(path, commit_interval=0.1).start()
        start = time.time() - 3600
        for i in range(events):
            writer.put(Event("window", "focus", start=start + i, duration=1.0, app="code", title=f"file {i}.py"))
        writer.flush()
        writer.stop()
        db = open_db(path)
        control.give_consent(db, {}, via="flag")
        db.close()
    finally:
        if env is None:
            os.environ.pop("PROACTIVE_HOME", None)
        else:
            os.environ["PROACTIVE_HOME"] = env
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


def damage(home: Path, how: str) -> None:
    """Damage the file itself ('truncated', 'header'); the folder cases happen in `command`."""
    path = home / "data" / "events.db"
    if how == "truncated":
        with open(path, "r+b") as fh:
            fh.truncate(path.stat().st_size // 2)
    elif how == "header":
        with open(path, "r+b") as fh:
            fh.write(os.urandom(100))


def command(home: Path, how: str, *args: str, timeout: float = 90, tree: Path = REPO) -> subprocess.CompletedProcess:
    """`proactive ARGS` (the code in `tree`) on `home`, with the data folder read-only or full when `how` says
    so."""
    env = {**os.environ, "PROACTIVE_HOME": str(home), "DISPLAY": "", "WAYLAND_DISPLAY": "",
           "PYTHONPATH": str(tree)}
    run = [sys.executable, "-m", "assistant", *args]
    if how not in ("read-only", "full"):
        return subprocess.run(run, capture_output=True, text=True, timeout=timeout, env=env, cwd=tree)
    data = home / "data"
    if how == "read-only":
        setup = f'mount --bind "{data}" "{data}" && mount -o remount,bind,ro "{data}" "{data}"'
    else:
        keep = home / "data-copy"
        setup = (f'rm -rf "{keep}" && cp -a "{data}" "{keep}" && mount -t tmpfs -o size=4m,mode=0700 tmpfs '
                 f'"{data}" && cp -a "{keep}/." "{data}/" && (dd if=/dev/zero of="{data}/filler" bs=4096 '
                 '2>/dev/null || true)')
    flags = ["-m"] if os.geteuid() == 0 else ["-r", "-m"]
    script = f'{setup} && exec "$@"'
    return subprocess.run(["unshare", *flags, "sh", "-c", script, "sh", *run], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=tree)
