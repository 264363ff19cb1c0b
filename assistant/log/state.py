"""Typed messages between processes through the `state` table: pause, forget requests, runtime status, writer
statistics. Each has one reader and one writer here; nothing else reads the table or parses its JSON."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.log.db import Database

_PAUSE, _FORGET, _RUNTIME, _WRITER = "pause", "forget", "runtime", "writer"


def _get(db: Database, key: str) -> tuple[Any, float] | None:
    row = db.conn.execute("SELECT value, updated FROM state WHERE key = ?", (key,)).fetchone()
    if row is None:
        return None
    try:
        return json.loads(row[0]), row[1]
    except (TypeError, ValueError):
        return None  # a damaged value reads as absent


def _set(db: Database, key: str, value: Any, now: float | None = None) -> None:
    db.conn.execute("INSERT OR REPLACE INTO state (key, value, updated) VALUES (?, ?, ?)",
                    (key, json.dumps(value), time.time() if now is None else now))


# ------------------------------------------------------------------ pause

@dataclass(frozen=True)
class Pause:
    """The pause switch: `paused` with an optional end (`until`, epoch seconds)."""

    paused: bool
    until: float | None = None
    since: float | None = None


def read_pause(db: Database, now: float | None = None) -> Pause:
    """The pause switch as every part reads it; an expired pause counts as running."""
    now = time.time() if now is None else now
    state = _get(db, _PAUSE)
    value = state[0] if state else None
    if not isinstance(value, dict):
        return Pause(False)
    until = value.get("until")
    if until is not None and until <= now:
        return Pause(False)
    return Pause(True, until, value.get("since"))


def write_pause(db: Database, until: float | None, now: float | None = None) -> Pause:
    """Pause until `until` (None: until resumed)."""
    now = time.time() if now is None else now
    _set(db, _PAUSE, {"until": until, "since": now}, now)
    return Pause(True, until, now)


def clear_pause(db: Database) -> None:
    _set(db, _PAUSE, None)


# ------------------------------------------------------------------ forget requests

@dataclass(frozen=True)
class ForgetRequest:
    """`proactive forget` asked to drop everything in [since, at]; `updated` orders requests."""

    since: float
    at: float
    updated: float


def write_forget_request(db: Database, since: float, at: float) -> None:
    _set(db, _FORGET, {"since": since, "at": at}, at)


def read_forget_request(db: Database) -> ForgetRequest | None:
    state = _get(db, _FORGET)
    if not state or not isinstance(state[0], dict):
        return None
    value, updated = state
    try:
        return ForgetRequest(float(value["since"]), float(value["at"]), updated)
    except (KeyError, TypeError, ValueError):
        return None


# ------------------------------------------------------------------ runtime status and writer statistics

@dataclass
class WriterStats:
    """What the writer did; `not_stored` counts events lost to I/O errors, `dropped` to a full queue."""

    accepted: int = 0
    dropped: int = 0
    inserted: int = 0
    merged: int = 0
    not_stored: int = 0
    waiting: int = 0  # staged in memory, not yet on disk (grows while the disk refuses writes)
    error: str | None = None
    error_since: float | None = None
    queue_size: int = 0
    refused: int = 0  # events refused by the validator (NaN, a year-9999 time, a 10 MB title, ...)
    refused_reason: str = ""  # why the latest one was refused


def write_writer_stats(db: Database, stats: WriterStats) -> None:
    _set(db, _WRITER, asdict(stats))


def read_writer_stats(db: Database) -> WriterStats | None:
    state = _get(db, _WRITER)
    if not state or not isinstance(state[0], dict):
        return None
    known = WriterStats.__dataclass_fields__
    return WriterStats(**{k: v for k, v in state[0].items() if k in known})


@dataclass
class RuntimeSnapshot:
    """The running app's parts as it last wrote them, for other processes (see assistant.app.status)."""

    pid: int | None = None
    running: bool = False
    headless: bool = False
    paused: bool = False
    parts: list[dict[str, Any]] = field(default_factory=list)
    updated: float = 0.0


def write_runtime(db: Database, snapshot: RuntimeSnapshot) -> None:
    _set(db, _RUNTIME, {k: v for k, v in asdict(snapshot).items() if k != "updated"}, snapshot.updated or None)


def read_runtime(db: Database) -> RuntimeSnapshot | None:
    state = _get(db, _RUNTIME)
    if not state or not isinstance(state[0], dict):
        return None
    value, updated = state
    known = RuntimeSnapshot.__dataclass_fields__
    snap = RuntimeSnapshot(**{k: v for k, v in value.items() if k in known})
    snap.updated = updated
    if not isinstance(snap.parts, list):
        snap.parts = []
    return snap


# ------------------------------------------------------------------ imports

def read_import_marks(db: Database, fmt: str) -> dict[str, float]:
    """Per stream of an import format (e.g. an ActivityWatch bucket), the newest event time already imported."""
    state = _get(db, f"import:{fmt}")
    value = state[0] if state else None
    if not isinstance(value, dict):
        return {}
    return {str(k): float(v) for k, v in value.items() if isinstance(v, (int, float))}


def write_import_marks(db: Database, fmt: str, marks: dict[str, float]) -> None:
    _set(db, f"import:{fmt}", marks)


# ------------------------------------------------------------------ one-time notices

def first_notice(db: Database, key: str) -> bool:
    """True the first time a notice `key` is asked about (and records it), False ever after."""
    cur = db.conn.execute("INSERT OR IGNORE INTO state (key, value, updated) VALUES (?, 'true', ?)",
                          (f"notice:{key}", time.time()))
    return cur.rowcount == 1


# ------------------------------------------------------------------ quiet

def write_quiet(db: Database, until: float | None) -> None:
    """No cards until `until` (None: speak again); collection goes on (that is what pause is for)."""
    _set(db, "quiet", {"until": until})


def read_quiet(db: Database) -> float:
    """Until when the user asked for quiet (0.0: no quiet)."""
    state = _get(db, "quiet")
    value = state[0] if state else None
    until = value.get("until") if isinstance(value, dict) else None
    return float(until) if isinstance(until, (int, float)) else 0.0
