"""Forgetting, retention and compaction: the deletes of the event log."""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from pathlib import Path

from assistant.log.db import Database
from assistant.log.state import write_forget_request
from assistant.log.transaction import transaction


def forget(db: Database, last_seconds: float | None = None, everything: bool = False,
           now: float | None = None) -> dict[str, int]:
    """Really delete events (and what was derived from them), then VACUUM. Returns rows removed per table.
    A running app is told too: its writer drops staged rows and its engine what it remembers."""
    if not everything and last_seconds is None:
        raise ValueError("say what to forget: a duration (--last 1h) or everything (--all)")
    now = time.time() if now is None else now
    since = 0.0 if everything else now - float(last_seconds or 0)
    removed: dict[str, int] = {}
    with transaction(db.conn) as conn:
        labels_before = conn.execute("SELECT count(*) FROM labels").fetchone()[0]
        for table, column in (("events", "start"), ("observations", "time"), ("proposals", "time")):
            if everything:
                cur = conn.execute(f"DELETE FROM {table}")
            else:
                # an event that started earlier but lasted into the stretch goes too: nothing of it survives
                extra = " OR start + duration >= ?" if table == "events" else ""
                params = (since, since) if extra else (since,)
                cur = conn.execute(f"DELETE FROM {table} WHERE {column} >= ?{extra}", params)
            removed[table] = cur.rowcount
        conn.execute("DELETE FROM labels WHERE proposal_id NOT IN (SELECT id FROM proposals)")
        # labels also go by ON DELETE CASCADE, which rowcount does not see: count what is gone
        removed["labels"] = labels_before - conn.execute("SELECT count(*) FROM labels").fetchone()[0]
        write_forget_request(db, since, now)
    vacuum(db)
    return removed


def apply_retention(db: Database, days: int, now: float | None = None) -> int:
    """Delete events older than `days` (0 keeps everything). Returns the number of events removed."""
    if days <= 0:
        return 0
    cutoff = (time.time() if now is None else now) - days * 86400
    with transaction(db.conn) as conn:
        n = conn.execute("DELETE FROM events WHERE start < ?", (cutoff,)).rowcount
        conn.execute("DELETE FROM observations WHERE time < ?", (cutoff,))
    return n


def checkpoint(db: Database) -> None:
    """Fold the WAL into the main file and truncate it (the file alone then holds everything committed)."""
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def vacuum(db: Database) -> None:
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.execute("VACUUM")
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def size_bytes(db: Database) -> int:
    """The log's size on disk: the file, its WAL and its spool."""
    base = str(db.path)
    return sum(os.path.getsize(base + s) for s in ("", "-wal", "-spool") if os.path.exists(base + s))


def consistent_size(path: Path) -> tuple[int, int]:
    """(events stored, bytes of a consistent copy of the log, WAL included), made read-only with SQLite's
    backup API while a writer may be running. (0, 0) when there is no log yet."""
    if not path.exists():
        return 0, 0
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        rows = src.execute("SELECT count(*) FROM events").fetchone()[0]
        with tempfile.TemporaryDirectory() as tmp:
            copy = sqlite3.connect(Path(tmp) / "copy.db")
            src.backup(copy)
            size = copy.execute("PRAGMA page_count").fetchone()[0] * copy.execute("PRAGMA page_size").fetchone()[0]
            copy.close()
    finally:
        src.close()
    return rows, size
