"""Never locked out: a log truncated to half, a log whose header was overwritten, a read-only data folder and a
data folder on a full disk (tests/damaged_log.py makes them for real), and while the log is locked."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

COMMANDS = {"status": ["status"], "events": ["events", "--since", "2h"], "export": ["export", "--out", "OUT"],
            "pause": ["pause"], "consent": ["consent", "--show"], "label stats": ["label", "stats"],
            "run": ["run", "--headless", "--no-model", "--for", "3s"]}
OWN_STDERR = {"export": 1}
OURS = Path(__file__).resolve().parents[2]  # this checkout: its tests/damaged_log.py also damages older trees


def _damaged_log():
    import importlib.util

    spec = importlib.util.spec_from_file_location("damaged_log", OURS / "tests" / "damaged_log.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["damaged_log"] = module
    spec.loader.exec_module(module)
    return module


def _damaged(how: str) -> str:
    dl = _damaged_log()
    command, damage, prepare = dl.command, dl.damage, dl.prepare
    tree = Path.cwd()
    answered, tracebacks, locked_out, worst = 0, 0, [], ""
    run_line = ""
    for name, args in COMMANDS.items():
        home = Path(tempfile.mkdtemp())
        prepare(home, 50)
        damage(home, how)
        args = [str(home / "out.jsonl") if a == "OUT" else a for a in args]
        out = command(home, how, *args, tree=tree)
        text = out.stdout + out.stderr
        lines = [line for line in out.stderr.splitlines() if line.strip() and not line.startswith("INFO")]
        ok = "Traceback" not in text and out.returncode in (0, 1) and len(lines) <= 1 + OWN_STDERR.get(name, 0) \
            and "Start the app" not in text
        answered += ok
        tracebacks += "Traceback" in text
        if name == "run":
            started = "Stopped." in out.stdout
            paused = "collection: paused" in out.stdout
            run_line = "run started " + ("(collection paused, reason shown)" if paused else "collecting") \
                if started else "run did NOT start"
        elif out.returncode and not worst:
            worst = (lines[-1] if lines else "")[:70]
        if not ok:
            locked_out.append(name)
    return (f"{answered} of {len(COMMANDS)} commands answer in one line, {tracebacks} tracebacks; {run_line}"
            + (f"; failing: {', '.join(locked_out)}" if locked_out else ""))


def probe_lockout_truncated():
    return _damaged("truncated")


def probe_lockout_header():
    return _damaged("header")


def probe_lockout_readonly():
    return _damaged("read-only")


def probe_lockout_full():
    return _damaged("full")


LOCKER = textwrap.dedent("""
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    conn.execute("INSERT OR REPLACE INTO state (key, value, updated) VALUES ('other', '1', 0)")
    print("locked", flush=True)
    time.sleep(30)
""")


def probe_status_while_locked():
    prepare = _damaged_log().prepare
    home = Path(tempfile.mkdtemp())
    path = prepare(home, 10)
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        locker.stdout.readline()
        out = subprocess.run([sys.executable, "-m", "assistant", "status"], capture_output=True, text=True,
                             timeout=60, env={**os.environ, "PROACTIVE_HOME": str(home)})
    finally:
        locker.kill()
    said = "says locked" if "locked by another process" in out.stdout + out.stderr else "does NOT say locked"
    stored = next((line for line in out.stdout.splitlines() if line.startswith("Stored:")), "no Stored line")
    return f"status {said}; {stored[:40]}"
