"""Reading, forgetting and housekeeping on the event log (any process; the writer thread only inserts)."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import sqlite_utils

from assistant.core.events import Event
from assistant.log.spool import read_spool, spool_path

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d|w)?\s*$", re.IGNORECASE)
_UNIT = {None: 1, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> float:
    """'10m' -> 600.0, '1h' -> 3600.0, '90' -> 90.0 seconds. Raises ValueError with the accepted forms."""
    match = _DURATION.match(text or "")
    if not match:
        raise ValueError(f"expected a duration like 90s, 10m, 1h or 2d, got {text!r}")
    return float(match.group(1)) * _UNIT[match.group(2).lower() if match.group(2) else None]


def recent(db: sqlite_utils.Database, seconds: float, now: float | None = None,
           app: str | None = None, limit: int | None = None) -> list[tuple[int, Event]]:
    """Events that started in the last `seconds` (oldest first), as (id, Event) pairs."""
    now = time.time() if now is None else now
    return events_between(db, now - seconds, now, app=app, limit=limit)


def events_between(db: sqlite_utils.Database, start: float, end: float, app: str | None = None,
                   limit: int | None = None) -> list[tuple[int, Event]]:
    sql = "SELECT id, start, duration, source, kind, app, title, data FROM events WHERE start >= ? AND start < ?"
    params: list[Any] = [start, end]
    if app is not None:
        sql += " AND app = ?"
        params.append(app)
    sql += " ORDER BY start"
    if limit:
        sql = f"SELECT * FROM ({sql[:-len(' ORDER BY start')]} ORDER BY start DESC LIMIT {int(limit)}) ORDER BY start"
    rows = db.conn.execute(sql, params).fetchall()
    rows = _with_spooled(db, rows, start, end, app, limit)
    return [(r[0], Event(source=r[3], kind=r[4], start=r[1], duration=r[2], app=r[5], title=r[6],
                         data=json.loads(r[7]) if r[7] else {})) for r in rows]


def _with_spooled(db: sqlite_utils.Database, rows: list, start: float, end: float, app: str | None,
                  limit: int | None) -> list:
    """Add rows a running writer has made crash-safe in its spool but not committed yet."""
    path = getattr(db, "path", None)
    if path is None:
        return rows
    spooled, updates = read_spool(spool_path(path))
    if not spooled and not updates:
        return rows
    have = {r[0]: i for i, r in enumerate(rows)}
    rows = [list(r) for r in rows]
    for event_id, duration in updates.items():
        if event_id in have:
            rows[have[event_id]][2] = duration
    extra = [r for r in spooled if r[0] not in have and start <= r[1] < end and (app is None or r[5] == app)]
    merged = sorted(rows + [[r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]] for r in extra], key=lambda r: r[1])
    return merged[-limit:] if limit else merged


def forget(db: sqlite_utils.Database, last_seconds: float | None = None, everything: bool = False,
           now: float | None = None) -> dict[str, int]:
    """Really delete events (and what was derived from them), then VACUUM. Returns rows removed per table."""
    if not everything and last_seconds is None:
        raise ValueError("say what to forget: a duration (--last 1h) or everything (--all)")
    now = time.time() if now is None else now
    since = 0.0 if everything else now - float(last_seconds or 0)
    removed: dict[str, int] = {}
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        for table, column in (("events", "start"), ("observations", "time"), ("proposals", "time")):
            if everything:
                cur = conn.execute(f"DELETE FROM {table}")
            else:
                # an event that started earlier but lasted into the stretch goes too: nothing of it survives
                extra = " OR start + duration >= ?" if table == "events" else ""
                params = (since, since) if extra else (since,)
                cur = conn.execute(f"DELETE FROM {table} WHERE {column} >= ?{extra}", params)
            removed[table] = cur.rowcount
        cur = conn.execute("DELETE FROM labels WHERE proposal_id NOT IN (SELECT id FROM proposals)")
        removed["labels"] = cur.rowcount
        # tell a running app: its writer drops staged rows and its engine drops what it remembers
        conn.execute("INSERT OR REPLACE INTO state (key, value, updated) VALUES ('forget', ?, ?)",
                     (json.dumps({"since": since, "at": now}), now))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    vacuum(db)
    return removed


def apply_retention(db: sqlite_utils.Database, days: int, now: float | None = None) -> int:
    """Delete events older than `days` (0 keeps everything). Returns the number of events removed."""
    if days <= 0:
        return 0
    cutoff = (time.time() if now is None else now) - days * 86400
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    n = conn.execute("DELETE FROM events WHERE start < ?", (cutoff,)).rowcount
    conn.execute("DELETE FROM observations WHERE time < ?", (cutoff,))
    conn.execute("COMMIT")
    return n


def vacuum(db: sqlite_utils.Database) -> None:
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.execute("VACUUM")
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def get_state(db: sqlite_utils.Database, key: str) -> tuple[Any, float] | None:
    row = db.conn.execute("SELECT value, updated FROM state WHERE key = ?", (key,)).fetchone()
    return (json.loads(row[0]), row[1]) if row else None


def set_state(db: sqlite_utils.Database, key: str, value: Any) -> None:
    db.conn.execute("INSERT OR REPLACE INTO state (key, value, updated) VALUES (?, ?, ?)",
                    (key, json.dumps(value), time.time()))


def counts(db: sqlite_utils.Database) -> dict[str, int]:
    return {t: db.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("events", "observations", "proposals", "labels")}
