"""The event log under bad luck, through real files: a full disk (a real tmpfs), a lock held by another process,
a damaged spool, a damaged page, file modes, and a flood that must not grow memory."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from assistant.core.config import default_config
from assistant.core.events import Event
from assistant.decide.build import build_chain
from assistant.decide.pipeline import WINDOW_EVENTS
from assistant.log import EventWriter, open_db
from assistant.log.events import counts, recent
from tests.conftest import REPO, run_cli
from tests.logsql import sql

DISK_FULL = textwrap.dedent("""
    import json, os, sys, time
    from pathlib import Path
    from assistant.app.runtime import writer_part
    from assistant.core.events import Event
    from assistant.log import EventWriter, open_db
    from assistant.log.events import counts
    from tests.logsql import sql
    mnt = Path(sys.argv[1]); sync = float(sys.argv[2]); max_pending = int(sys.argv[3])
    path = mnt / "events.db"
    writer = EventWriter(path, commit_interval=0.2, sync_interval=sync, max_pending=max_pending).start()
    for i in range(50):
        writer.put(Event("window", "focus", start=1000.0 + i, app="code", title=f"before {i}"))
    assert writer.flush()
    with open(mnt / "filler", "wb", buffering=0) as fh:  # fill the disk to the last byte
        try:
            while True:
                fh.write(b"x" * 65536)
                fh.flush()
        except OSError:
            pass
        try:
            while True:
                fh.write(b"x")
                fh.flush()
        except OSError:
            pass
    for i in range(280):
        writer.put(Event("window", "focus", start=2000.0 + i, app="code", title=f"during {i}"))
        time.sleep(0.005)
    writer.flush(timeout=3)
    time.sleep(1.5)
    during = writer.snapshot()
    alive = writer._thread.is_alive()
    part = writer_part(during)
    os.remove(mnt / "filler")  # space is freed
    time.sleep(2.5)
    flushed = writer.flush()
    writer.stop()
    db = open_db(path)
    titles = [r[0] for r in sql(db, "SELECT title FROM events ORDER BY id")]
    print(json.dumps({"error": during.error, "waiting": during.waiting, "not_stored": during.not_stored,
                      "alive": alive, "part": part, "flushed": flushed, "titles": titles}))
""")


def _in_tmpfs(script: str, *args: str, size: str = "1m") -> dict:
    """Run `script` with argv[1] = a fresh tmpfs of `size` (its own mount namespace; root or a user ns)."""
    mnt = "/tmp/proactive-tmpfs"
    inner = (f"mkdir -p {mnt} && mount -t tmpfs -o size={size},mode=0700 tmpfs {mnt} && "
             f"exec {sys.executable} -c \"$SCRIPT\" {mnt} {' '.join(args)}")
    flags = ["-m"] if os.geteuid() == 0 else ["-r", "-m"]
    proc = subprocess.run(["unshare", *flags, "sh", "-c", inner], capture_output=True, text=True, timeout=120,
                          cwd=REPO, env={**os.environ, "SCRIPT": script, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("sync", ["60", "0"], ids=["spool", "direct"])
def test_a_full_disk_never_kills_the_writer_and_nothing_is_lost(sync):
    out = _in_tmpfs(DISK_FULL, sync, "100000")
    assert out["alive"], "the writer thread died"
    assert out["error"] == "disk full"
    assert out["part"]["state"] == "failed" and out["part"]["reason"].startswith("disk full: ")
    assert "280 events kept in memory" in out["part"]["reason"]
    assert out["flushed"], "the writer did not catch up once space was freed"
    assert out["titles"] == [f"before {i}" for i in range(50)] + [f"during {i}" for i in range(280)]


def test_a_disk_full_for_long_counts_what_it_could_not_keep():
    out = _in_tmpfs(DISK_FULL, "60", "100")
    assert out["alive"] and out["not_stored"] == 180
    assert "180 events not stored" in out["part"]["reason"]
    assert out["titles"] == [f"before {i}" for i in range(50)] + [f"during {i}" for i in range(100)]


LOCKER = textwrap.dedent("""
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("PRAGMA locking_mode=EXCLUSIVE")
    conn.execute("BEGIN EXCLUSIVE")
    conn.execute("INSERT OR REPLACE INTO state (key, value, updated) VALUES ('other', '1', 0)")
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
""")


def test_a_log_locked_by_another_process_is_never_moved_aside(home):
    path = home / "data" / "events.db"
    writer = EventWriter(path).start()
    writer.put(Event("window", "focus", app="code", title="precious.py"))
    writer.flush()
    writer.stop()
    before = path.read_bytes()
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(path), "40"], stdout=subprocess.PIPE, text=True)
    try:
        assert locker.stdout.readline().strip() == "locked"
        status = run_cli("status", home=home, env={"DISPLAY": ""})
        started = run_cli("run", "--accept-defaults", "--headless", "--no-model", "--for", "2s", home=home, env={"DISPLAY": ""})
    finally:
        locker.kill()
        locker.wait()
    assert status.returncode == 1 and "locked by another process" in status.stderr
    assert "Traceback" not in status.stderr + started.stderr
    assert started.returncode == 1 and "locked by another process" in started.stderr
    assert sorted(p.name for p in path.parent.iterdir() if "corrupt" in p.name) == []
    assert path.read_bytes() == before
    assert [e.title for _, e in recent(open_db(path), 3600)] == ["precious.py"]


def test_spool_lines_of_the_wrong_shape_are_skipped(home):
    path = home / "data" / "events.db"
    open_db(path).close()
    good = ["i", 7, time.time() - 5, 1.5, "window", "focus", "code", "kept.py", None]
    lines = ["5", '{"a": 1}', '["i", "x"]', '["u", "a", "b"]', '["i", 8, "t", 0, "w", "f", null, null, null]',
             "[" * 5000, json.dumps(good), '["u", 7, 9.5]']
    Path(str(path) + "-spool").write_bytes(("\n".join(lines) + "\n").encode() + b"\xff\xfe garbage\n")
    shown = run_cli("events", "--since", "1m", "--json", home=home)
    assert shown.returncode == 0 and "Traceback" not in shown.stderr, shown.stderr
    assert [(e["id"], e["title"], e["duration"]) for e in json.loads(shown.stdout)] == [(7, "kept.py", 9.5)]
    EventWriter(path).start().stop()  # the app starting again replays what can be read
    assert [(i, e.title, e.duration) for i, e in recent(open_db(path), 60)] == [(7, "kept.py", 9.5)]


def test_one_bad_page_costs_only_its_rows(home):
    path = home / "data" / "events.db"
    writer = EventWriter(path).start()
    for i in range(3000):
        writer.put(Event("window", "focus", start=1_700_000_000.0 + i, app="code", title=f"row {i:04d}"))
    writer.flush()
    writer.stop()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    leaves = [r[0] for r in conn.execute("SELECT pageno FROM dbstat WHERE name = 'events' AND pagetype = 'leaf' "
                                         "ORDER BY pageno")]
    conn.close()
    with open(path, "r+b") as fh:  # scribble over one leaf page in the middle of the events table
        fh.seek(page_size * (leaves[len(leaves) // 2] - 1))
        fh.write(os.urandom(page_size))
    db = open_db(path, check=True)
    assert db.recovered_from is not None and db.recovered_from.exists()
    saved = counts(db)["events"]
    assert db.salvaged["events"] == saved
    assert 2900 <= saved < 3000, saved
    titles = [r[0] for r in sql(db, "SELECT title FROM events ORDER BY id")]
    assert titles[0] == "row 0000" and titles[-1] == "row 2999"


def test_lock_and_export_files_are_private(home, tmp_path):
    assert run_cli("run", "--accept-defaults", "--headless", "--no-model", "--for", "1s", home=home, env={"DISPLAY": ""}).returncode == 0
    assert oct((home / "data" / "run.lock").stat().st_mode & 0o777) == "0o600"
    out = tmp_path / "labels.jsonl"
    assert run_cli("export", "--out", str(out), home=home).returncode == 0
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    missing = run_cli("export", "--out", str(tmp_path / "no" / "such" / "labels.jsonl"), home=home)
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert missing.stderr.strip().count("\n") == 0 and "does not exist" in missing.stderr


def test_a_flood_of_events_keeps_the_decision_window_bounded():
    chain = build_chain(default_config())
    t = time.time() - 600
    for i in range(20 * WINDOW_EVENTS):
        chain.feed(i + 1, Event("browser", "tab", start=t + i * 0.01, app="firefox", title=f"page {i % 50}"))
    assert len(chain.window) == WINDOW_EVENTS
    assert len(chain.observations()) <= WINDOW_EVENTS

