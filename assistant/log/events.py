"""Reading events back (any process). The writer thread is the only one that inserts them."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from assistant.core.events import Event
from assistant.log.db import Database
from assistant.log.own_rows import NOT_OWN, own_row
from assistant.log.spool import read_spool, spool_path
from assistant.log.transaction import transaction

_COLUMNS = "id, start, duration, source, kind, app, title, data"


def recent(db: Database, seconds: float, now: float | None = None,
           app: str | None = None, limit: int | None = None) -> list[tuple[int, Event]]:
    """Events that started in the last `seconds` (oldest first), as (id, Event) pairs."""
    now = time.time() if now is None else now
    return events_between(db, now - seconds, now, app=app, limit=limit)


def events_between(db: Database, start: float, end: float, app: str | None = None,
                   limit: int | None = None, search: str | None = None) -> list[tuple[int, Event]]:
    """Events with start in [start, end), oldest first; the newest `limit` when given; `search` matches app or
    title (case-insensitive substring). Rows a running writer has only spooled are included; rows about the app's
    own windows never are (`assistant.log.own_rows`)."""
    where = f"start >= ? AND start < ? AND {NOT_OWN}"
    params: list[Any] = [start, end]
    if app is not None:
        where += " AND app = ?"
        params.append(app)
    if search:
        where += " AND (instr(lower(title), ?) > 0 OR instr(lower(app), ?) > 0)"
        params += [search.lower(), search.lower()]
    if limit:
        sql = (f"SELECT * FROM (SELECT {_COLUMNS} FROM events WHERE {where} ORDER BY start DESC LIMIT ?) "
               "ORDER BY start")
        params.append(int(limit))
    else:
        sql = f"SELECT {_COLUMNS} FROM events WHERE {where} ORDER BY start"
    rows = db.conn.execute(sql, params).fetchall()
    rows = _with_spooled(db, rows, start, end, app, limit, search)
    return [(r[0], Event(source=r[3], kind=r[4], start=r[1], duration=r[2], app=r[5], title=r[6],
                         data=json.loads(r[7]) if r[7] else {})) for r in rows]


def pending(db: Database) -> tuple[list[list], dict[int, float]]:
    """What a running writer has made crash-safe in its spool but not committed yet: (rows, duration updates
    by id). Read once per query: the file holds at most a minute of events."""
    path = db.path
    return read_spool(spool_path(path)) if path is not None else ([], {})


def _with_spooled(db: Database, rows: list, start: float, end: float, app: str | None,
                  limit: int | None, search: str | None) -> list:
    """Add rows a running writer has made crash-safe in its spool but not committed yet."""
    spooled, updates = pending(db)
    if not spooled and not updates:
        return rows
    have = {r[0]: i for i, r in enumerate(rows)}
    rows = [list(r) for r in rows]
    for event_id, duration in updates.items():
        if event_id in have:
            rows[have[event_id]][2] = duration
    needle = search.lower() if search else None

    def wanted(r: list) -> bool:
        if r[0] in have or not start <= r[1] < end or (app is not None and r[5] != app) or own_row(r[5], r[6]):
            return False
        return needle is None or needle in (r[6] or "").lower() or needle in (r[5] or "").lower()

    merged = sorted(rows + [list(r[:8]) for r in spooled if wanted(r)], key=lambda r: r[1])
    return merged[-limit:] if limit else merged


def count_since(db: Database, since: float) -> int:
    """Events that started at or after `since`, spooled ones included."""
    committed = db.conn.execute("SELECT count(*) FROM events WHERE start >= ?", (since,)).fetchone()[0]
    spooled, _ = pending(db)
    if not spooled:
        return committed
    top = db.conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]  # spooled ids are above it
    return committed + sum(1 for r in spooled if r[1] >= since and r[0] > top)


def counts(db: Database) -> dict[str, int]:
    """Rows per table (what `proactive status` shows)."""
    return {t: db.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("events", "observations", "proposals", "labels")}


def events_by_ids(db: Database, ids: list[int]) -> list[tuple[int, Event]]:
    """The events with these ids (committed ones; oldest first)."""
    wanted = sorted({int(i) for i in ids})[:500]
    if not wanted:
        return []
    marks = ",".join("?" * len(wanted))
    rows = db.conn.execute(f"SELECT {_COLUMNS} FROM events WHERE id IN ({marks}) ORDER BY start", wanted).fetchall()
    return [(r[0], Event(source=r[3], kind=r[4], start=r[1], duration=r[2], app=r[5], title=r[6],
                         data=json.loads(r[7]) if r[7] else {})) for r in rows]


def newest_start(db: Database) -> float | None:
    """When the newest committed event started (None: no events yet)."""
    return db.conn.execute("SELECT max(start) FROM events").fetchone()[0]


def newest_end(db: Database, source: str) -> float | None:
    """Where the newest committed event of `source` ends (start + duration; None: none yet)."""
    row = db.conn.execute("SELECT start + duration FROM events WHERE source = ? ORDER BY start DESC LIMIT 1",
                          (source,)).fetchone()
    return float(row[0]) if row else None


def bulk_load(db: Database, rows: Sequence[tuple]) -> int:
    """Insert (id, start, duration, source, kind, app, title, data) rows in one transaction, past the writer:
    only for filling a benchmark's log. Returns the first id after them."""
    with transaction(db.conn):
        db.conn.executemany(f"INSERT INTO events ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)", rows)
    return next_event_id(db)


def next_event_id(db: Database) -> int:
    """One above the newest committed event's id (the id the writer gives its next event)."""
    return (db.conn.execute("SELECT max(id) FROM events").fetchone()[0] or 0) + 1
