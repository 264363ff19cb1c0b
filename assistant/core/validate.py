"""The one event validator: every door into the log (collectors, both loopback endpoints, `proactive import`,
the spool a killed writer left) asks it before an event is stored.

    problem(event, now=None) -> str | None     why `event` must be refused, or None when it may be stored

An event is refused (never repaired) when a number is not finite (NaN, infinity), a duration is negative or
longer than a year, it starts before 1970 or ends more than a day in the future (a year-9999 timestamp, a clock far
ahead), a text field is not a string or is longer than `MAX_TEXT` characters (a 10 MB title), `source` / `kind`
are empty or long, or `data` is not a small JSON object of finite values (at most `MAX_DATA_KEYS` keys a level,
`MAX_DATA_DEPTH` levels, `MAX_DATA_CHARS` characters in all). Strings shorter than the bound are cut later by the
privacy gate to what is kept (1,024 characters of a title). Ids of stored rows (the spool) must be positive
integers below `MAX_ID`, so no value can overflow SQLite's 64-bit integers. The checks are linear in the size
of the event and never raise.
"""

from __future__ import annotations

import math
import time
from typing import Any

EARLIEST = 0.0  # the Unix epoch: a negative time is no time at all
MAX_AHEAD_S = 86_400.0  # a clock a day ahead is still believable; a year-9999 timestamp is not
MAX_DURATION_S = 366 * 86_400.0
MAX_TEXT = 256 * 1024  # characters of one string field; the privacy gate keeps far less (1,024 of a title)
MAX_NAME = 64  # characters of `source` and `kind`
MAX_DATA_KEYS = 64
MAX_DATA_DEPTH = 4
MAX_DATA_CHARS = 256 * 1024  # characters of all keys and strings in `data` together
MAX_LIST = 256
MAX_ID = 1 << 53  # ids the log hands out; far below SQLite's 2**63 and exact as a JSON number
MAX_INT = 1 << 53  # integers inside `data`


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def number_problem(name: str, value: Any) -> str | None:
    """Why `value` is not a finite number (None when it is)."""
    if not _number(value):
        return f"'{name}' must be a number, got {type(value).__name__}"
    if isinstance(value, float) and not math.isfinite(value):
        return f"'{name}' must be a finite number, got {value!r}"
    if isinstance(value, int) and abs(value) >= MAX_INT:
        return f"'{name}' is out of range ({len(str(value))} digits)"
    return None


def time_problem(start: Any, duration: Any, now: float | None = None) -> str | None:
    """Why (start, duration) is not a believable span of desktop time."""
    for name, value in (("start", start), ("duration", duration)):
        if (why := number_problem(name, value)) is not None:
            return why
    now = time.time() if now is None else now
    if duration < 0:
        return f"'duration' must be >= 0 seconds, got {duration!r}"
    if duration > MAX_DURATION_S:
        return f"'duration' must be at most a year, got {duration:.0f} s"
    if start < EARLIEST:
        return f"'start' must be a Unix time after 1970, got {start!r}"
    if start + duration > now + MAX_AHEAD_S:
        return f"'start' + 'duration' must not be more than a day in the future (got {start + duration:.0f})"
    return None


def text_problem(name: str, value: Any, optional: bool = True, limit: int = MAX_TEXT) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        return f"'{name}' must be a string, got {type(value).__name__}"
    if len(value) > limit:
        return f"'{name}' is {len(value):,} characters; at most {limit:,} are accepted"
    return None


def data_problem(data: Any) -> str | None:
    """Why `data` is not a small JSON object of finite values."""
    if not isinstance(data, dict):
        return f"'data' must be an object, got {type(data).__name__}"
    budget = [MAX_DATA_CHARS]

    def walk(value: Any, depth: int, where: str) -> str | None:
        if isinstance(value, str):
            budget[0] -= len(value)
        elif isinstance(value, bool) or value is None:
            pass
        elif _number(value):
            return number_problem(where, value)
        elif isinstance(value, dict):
            if depth >= MAX_DATA_DEPTH:
                return f"'data' nests deeper than {MAX_DATA_DEPTH} levels"
            if len(value) > MAX_DATA_KEYS:
                return f"'{where}' has {len(value)} keys; at most {MAX_DATA_KEYS} are accepted"
            for key, item in value.items():
                if not isinstance(key, str):
                    return f"'{where}' keys must be strings"
                budget[0] -= len(key)
                if (why := walk(item, depth + 1, f"{where}.{key[:40]}")) is not None:
                    return why
        elif isinstance(value, (list, tuple)):
            if depth >= MAX_DATA_DEPTH:
                return f"'data' nests deeper than {MAX_DATA_DEPTH} levels"
            if len(value) > MAX_LIST:
                return f"'{where}' has {len(value)} items; at most {MAX_LIST} are accepted"
            for item in value:
                if (why := walk(item, depth + 1, where)) is not None:
                    return why
        else:
            return f"'{where}' holds a {type(value).__name__}; expected JSON values"
        if budget[0] < 0:
            return f"'data' holds more than {MAX_DATA_CHARS:,} characters"
        return None

    return walk(data, 0, "data")


def problem(event: Any, now: float | None = None) -> str | None:
    """Why `event` (an assistant.core.events.Event) must not be stored, or None. Never raises."""
    try:
        for name in ("source", "kind"):
            value = getattr(event, name, None)
            if (why := text_problem(name, value, optional=False, limit=MAX_NAME)) is not None:
                return why
            if not value:
                return f"'{name}' must not be empty"
        for name in ("app", "title"):
            if (why := text_problem(name, getattr(event, name, None))) is not None:
                return why
        if (why := time_problem(event.start, event.duration, now)) is not None:
            return why
        if (why := number_problem("pulsetime", event.pulsetime)) is not None:
            return why
        if not 0 <= event.pulsetime <= 86_400:
            return f"'pulsetime' must be between 0 and 86400 seconds, got {event.pulsetime!r}"
        return data_problem(event.data if event.data is not None else {})
    except Exception as exc:  # noqa: BLE001 - a value no check foresaw is refused, never stored
        return f"unreadable event ({type(exc).__name__})"


def id_problem(value: Any) -> str | None:
    """Why `value` cannot be a stored row's id."""
    if not isinstance(value, int) or isinstance(value, bool):
        return f"an id must be an integer, got {type(value).__name__}"
    if not 0 < value < MAX_ID:
        return f"an id must be between 1 and 2**53, got {len(str(value))} digits"
    return None


def row_problem(row: Any, now: float | None = None) -> str | None:
    """Why a stored row [id, start, duration, source, kind, app, title, data-as-JSON-text] (the spool's shape)
    must not be written back. Never raises."""
    try:
        if not isinstance(row, list) or len(row) != 8:
            return "a row must be a list of 8 fields"
        if (why := id_problem(row[0])) is not None:
            return why
        if (why := time_problem(row[1], row[2], now)) is not None:
            return why
        for name, value, limit in (("source", row[3], MAX_NAME), ("kind", row[4], MAX_NAME)):
            if (why := text_problem(name, value, optional=False, limit=limit)) is not None:
                return why
        for name, value, limit in (("app", row[5], MAX_TEXT), ("title", row[6], MAX_TEXT),
                                   ("data", row[7], 2 * MAX_DATA_CHARS)):
            if (why := text_problem(name, value, limit=limit)) is not None:
                return why
        return None
    except Exception as exc:  # noqa: BLE001
        return f"unreadable row ({type(exc).__name__})"
