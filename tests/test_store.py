"""The event log through the real SQLite file: round trips, heartbeats, migrations, forget, floods, crashes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from assistant.core.events import Event
from assistant.log import EventWriter, open_db
from assistant.log.db import check_integrity
from assistant.log.events import counts, events_between, recent
from assistant.log.housekeeping import apply_retention
from assistant.log.migrations import MIGRATIONS, migrate
from tests.conftest import REPO, run_cli
from tests.logsql import sql


def write_events(path: Path, events: list[Event], **kwargs) -> EventWriter:
    writer = EventWriter(path, **kwargs).start()
    for event in events:
        assert writer.put(event)
    assert writer.flush()
    return writer


def test_round_trip_through_the_file(tmp_path, sync_interval):
    path = tmp_path / "data" / "events.db"
    now = time.time()
    sent = Event("window", "focus", start=now - 30, duration=2.5, app="firefox",
                 title="Flask docs", data={"pid": 42, "browser": True})
    write_events(path, [sent], sync_interval=sync_interval).stop()
    db = open_db(path)
    [(event_id, got)] = recent(db, 60, now=now)
    assert event_id == 1
    assert (got.source, got.kind, got.app, got.title, got.data) == ("window", "focus", "firefox", "Flask docs",
                                                                     {"pid": 42, "browser": True})
    assert got.start == sent.start and got.duration == 2.5


def test_private_permissions(tmp_path):
    path = tmp_path / "data" / "events.db"
    write_events(path, [Event("app", "start")]).stop()
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(path) + suffix)
        if p.exists():
            assert oct(p.stat().st_mode & 0o777) == "0o600", p


def test_heartbeats_extend_the_last_event(tmp_path, sync_interval):
    path = tmp_path / "events.db"
    t = 1_700_000_000.0
    beats = [Event("window", "focus", start=t + i, app="code", title="main.py", pulsetime=2.0) for i in range(10)]
    other = Event("window", "focus", start=t + 10, app="code", title="test.py", pulsetime=2.0)
    late = Event("window", "focus", start=t + 20, app="code", title="test.py", pulsetime=2.0)  # outside pulse
    input_ev = Event("input", "counts", start=t + 5, app="code", data={"keys": 3})
    writer = write_events(path, [*beats, input_ev, other, late], sync_interval=sync_interval)
    # a heartbeat after the row was committed still extends it in place
    writer.put(Event("window", "focus", start=t + 21, app="code", title="test.py", pulsetime=2.0))
    writer.stop()
    rows = [(e.title, e.start - t, e.duration) for _, e in events_between(open_db(path), t, t + 100)
            if e.source == "window"]
    assert rows == [("main.py", 0.0, 9.0), ("test.py", 10.0, 0.0), ("test.py", 20.0, 1.0)]


def test_migrations_upgrade_an_old_db_in_place(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, upto=1)  # what version 0.0 of the app wrote: events only
    conn.execute("INSERT INTO events (start, duration, source, kind, app, title) "
                 "VALUES (1.0, 0, 'window', 'focus', 'vim', 'notes.txt')")
    conn.close()
    db = open_db(path)
    tables = {r[0] for r in sql(db, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"events", "observations", "proposals", "labels", "state"} <= tables
    assert [r[0] for r in sql(db, "SELECT name FROM _migrations")] == [m.__name__ for m in MIGRATIONS]
    assert [(e.app, e.title) for _, e in events_between(db, 0, 10)] == [("vim", "notes.txt")]
    assert ("events_app_start",) in sql(db, "SELECT name FROM sqlite_master WHERE type = 'index'")
    assert open_db(path) is not None  # opening again applies nothing twice


def test_forget_really_removes_rows(home, sync_interval):
    path = home / "data" / "events.db"
    now = time.time()
    old = Event("window", "focus", start=now - 7200, app="code", title="keep-this-old-title")
    new = Event("window", "focus", start=now - 600, app="code", title="SECRET-PROJECT-TITLE")
    write_events(path, [old, new], sync_interval=sync_interval).stop()
    result = run_cli("forget", "--last", "1h", "--yes", home=home)
    assert result.returncode == 0, result.stderr
    assert "1 events" in result.stdout
    titles = [e.title for _, e in events_between(open_db(path), 0, now + 1)]
    assert titles == ["keep-this-old-title"]
    raw = b"".join(Path(str(path) + s).read_bytes() for s in ("", "-wal") if Path(str(path) + s).exists())
    assert b"SECRET-PROJECT-TITLE" not in raw  # gone from the file, not just hidden
    assert run_cli("forget", "--all", "--yes", home=home).returncode == 0
    assert counts(open_db(path))["events"] == 0


def test_forget_needs_a_scope(home):
    result = run_cli("forget", home=home)
    assert result.returncode == 2 and "--last 1h or --all" in result.stderr


def test_retention_deletes_old_events(tmp_path):
    path = tmp_path / "events.db"
    now = time.time()
    write_events(path, [Event("app", "x", start=now - 40 * 86400), Event("app", "y", start=now)]).stop()
    db = open_db(path)
    assert apply_retention(db, 30, now=now) == 1
    assert [e.kind for _, e in events_between(db, 0, now + 1)] == ["y"]


def test_flood_is_bounded_and_drops_are_counted(home):
    import tracemalloc

    path = home / "data" / "events.db"
    writer = EventWriter(path, queue_size=1000).start()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    peak_queue = 0
    t = time.time()
    for i in range(200_000):
        writer.put(Event("input", "counts", start=t + i * 1e-3, app="flood", data={"i": i}))
        if i % 1000 == 0:
            peak_queue = max(peak_queue, writer.queue.qsize())
    grown = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    writer.flush()
    writer.stop()
    stats = writer.stats
    assert stats.dropped > 0, "the producer was not faster than the writer; the test proves nothing"
    assert stats.accepted + stats.dropped == 200_000
    assert peak_queue <= 1001
    assert grown < 20_000_000  # 200k queued events would need far more
    db = open_db(path)
    assert counts(db)["events"] == stats.accepted
    status = json.loads(run_cli("status", "--json", home=home).stdout)
    assert status["dropped_events"] == stats.dropped


CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from assistant.core.events import Event
    from assistant.log import EventWriter
    writer = EventWriter(Path(sys.argv[1]), commit_interval=0.5, sync_interval=float(sys.argv[2])).start()
    print("ready", flush=True)
    i, began = 0, time.time()
    while time.time() - began < 1.5:  # busy: new rows all the time
        writer.put(Event("input", "counts", start=time.time(), data={"seq": i}))
        i += 1
        time.sleep(0.0005)
    print("quiet", i - 1, flush=True)
    # then a window stays focused: its row is written once, later only heartbeats lengthen it
    start = time.time() - 50
    beat = lambda at: Event("window", "focus", start=at, app="code", title="long.py", pulsetime=2.0)
    writer.put(beat(start))
    time.sleep(1.0)
    for t in range(1, 51):  # the 50 s of heartbeats the collector sent, one a second
        writer.put(beat(start + t))
    while True:
        writer.put(beat(time.time()))
        time.sleep(0.2)
""")


def test_kill_9_keeps_everything_sent_a_second_before(tmp_path, sync_interval):
    """With the spool, the events live in events.db-spool until the next start replays them; heartbeat
    durations are as crash-safe as new rows."""
    path = tmp_path / "events.db"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), str(sync_interval)],
                             stdout=subprocess.PIPE, text=True, cwd=REPO)
    assert child.stdout.readline().strip() == "ready"
    last_seq = int(child.stdout.readline().split()[1])
    time.sleep(3.0)
    killed_at = time.time()
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    check_integrity(path)  # raises if damaged
    EventWriter(path).start().stop()  # the app starting again
    check_integrity(path)
    assert not Path(str(path) + "-spool").read_bytes().strip(), "the spool was not replayed and cleared"
    db = open_db(path)
    rows = sql(db, "SELECT json_extract(data, '$.seq'), start FROM events WHERE source = 'input' "
               "ORDER BY id")
    assert [r[0] for r in rows] == list(range(last_seq + 1)), "events sent 2 s before the kill are missing"
    [(start, duration)] = sql(db, "SELECT start, duration FROM events WHERE source = 'window'")
    assert start + duration >= killed_at - 2.5, f"the focused window lost {killed_at - start - duration:.1f} s"


def test_corrupt_db_is_set_aside_not_deleted(tmp_path):
    path = tmp_path / "events.db"
    junk = b"this is not a database" * 500
    path.write_bytes(junk)
    db = open_db(path, check=True)  # what the running app does at start
    aside = db.recovered_from
    assert aside is not None and aside.read_bytes() == junk
    assert counts(db)["events"] == 0


def test_events_command_filters_by_time_and_app(home):
    path = home / "data" / "events.db"
    now = time.time()
    write_events(path, [Event("window", "focus", start=now - 3600, app="code", title="old"),
                        Event("window", "focus", start=now - 60, app="code", title="recent code"),
                        Event("window", "focus", start=now - 30, app="firefox", title="recent web")]).stop()
    out = json.loads(run_cli("events", "--since", "10m", "--json", home=home).stdout)
    assert [e["title"] for e in out] == ["recent code", "recent web"]
    out = json.loads(run_cli("events", "--since", "2h", "--app", "code", "--json", home=home).stdout)
    assert [e["title"] for e in out] == ["old", "recent code"]
    bad = run_cli("events", "--since", "soon", home=home)
    assert bad.returncode == 2 and "expected a duration like" in bad.stderr


def test_pause_is_recorded_and_obeyed(home):
    assert run_cli("pause", "--for", "10m", home=home).returncode == 0
    status = json.loads(run_cli("status", "--json", home=home).stdout)
    assert status["paused"] is True
    result = run_cli("run", "--accept-defaults", "--headless", "--for", "2s", home=home)
    assert result.returncode == 0 and "Paused" in result.stdout
    kinds = [e.kind for _, e in recent(open_db(home / "data" / "events.db"), 60)]
    assert "pause" in kinds
    assert run_cli("resume", home=home).returncode == 0
    assert json.loads(run_cli("status", "--json", home=home).stdout)["paused"] is False


def test_spool_mode_batches_commits_but_flush_and_stop_commit(tmp_path):
    path = tmp_path / "events.db"
    writer = EventWriter(path, commit_interval=0.1, sync_interval=60).start()
    writer.put(Event("window", "focus", app="code", title="spooled.py"))
    time.sleep(0.6)
    assert b"spooled.py" in Path(str(path) + "-spool").read_bytes()  # crash-safe already
    assert counts(open_db(path))["events"] == 0  # not yet in SQLite
    assert [e.title for _, e in recent(open_db(path), 60)] == ["spooled.py"]  # but readers see it
    writer.stop()
    assert [e.title for _, e in recent(open_db(path), 60)] == ["spooled.py"]
    assert Path(str(path) + "-spool").read_bytes() == b""


def test_a_second_writer_on_the_same_log_is_refused(tmp_path):
    path = tmp_path / "events.db"
    first = EventWriter(path).start()
    try:
        with pytest.raises(RuntimeError, match="another writer is using"):
            EventWriter(path).start()
    finally:
        first.stop()


def test_forget_empties_the_spool_of_a_running_writer(home):  # the spool mode only has a spool
    path = home / "data" / "events.db"
    writer = EventWriter(path, commit_interval=0.1, sync_interval=600).start()
    writer.put(Event("window", "focus", app="code", title="FORGET-ME-NOW.md"))
    time.sleep(0.6)
    assert b"FORGET-ME-NOW" in Path(str(path) + "-spool").read_bytes()
    assert run_cli("forget", "--last", "10m", "--yes", home=home).returncode == 0
    writer.put(Event("window", "focus", app="code", title="after.md"))
    time.sleep(1.8)
    assert b"FORGET-ME-NOW" not in Path(str(path) + "-spool").read_bytes()
    writer.stop()
    assert [e.title for _, e in recent(open_db(path), 600)] == ["after.md"]
