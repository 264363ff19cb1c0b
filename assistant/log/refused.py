"""Rows SQLite refuses: found by bisection and set aside, so one bad value never stops the log from committing."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DATA_ERRORS = (sqlite3.IntegrityError, sqlite3.InterfaceError, sqlite3.ProgrammingError, OverflowError, TypeError,
               ValueError)  # a bad value in a row, as opposed to the disk or a lock (those are retried)
REFUSED_MAX_BYTES = 1 << 20


def bad_items(conn: Any, items: list, write: Callable[[Any, list], None]) -> list:
    """The items `write` fails on, found by bisection inside transactions that are always rolled back."""
    if not items:
        return []
    try:
        conn.execute("SAVEPOINT probe")
        try:
            write(conn, items)
        finally:
            conn.execute("ROLLBACK TO probe")
            conn.execute("RELEASE probe")
        return []
    except DATA_ERRORS:
        if len(items) == 1:
            return list(items)
        mid = len(items) // 2
        return bad_items(conn, items[:mid], write) + bad_items(conn, items[mid:], write)


def keep_aside(db_path: Path, items: list) -> None:
    """Append what was refused to `<log>-refused` (private, at most REFUSED_MAX_BYTES), for a person to look at."""
    path = Path(str(db_path) + "-refused")
    try:
        if path.exists() and path.stat().st_size > REFUSED_MAX_BYTES:
            return
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            for item in items:
                fh.write(json.dumps([time.time(), repr(item)[:4096]]) + "\n")
    except OSError as exc:
        log.warning("could not keep refused rows aside in %s: %s", path, exc)
