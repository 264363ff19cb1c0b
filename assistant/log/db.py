"""Opening the event log: private permissions, WAL, an integrity check, migrations."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import time
from pathlib import Path

import sqlite_utils

from assistant.core import paths
from assistant.log.migrations import migrate

log = logging.getLogger(__name__)


class CorruptDatabase(Exception):
    """Raised by `check_integrity` when SQLite reports damage."""


PAGE_SIZE = 1024  # small pages: a commit of a few rows writes ~4 KB to the WAL instead of ~14 KB


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=10)
    conn.execute(f"PRAGMA page_size={PAGE_SIZE}")  # only takes effect on a new, empty file
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=10000")
    return conn


def check_integrity(path: Path) -> None:
    """`PRAGMA quick_check`; raises CorruptDatabase with SQLite's own words."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            rows = [r[0] for r in conn.execute("PRAGMA quick_check")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise CorruptDatabase(str(exc)) from exc
    if rows != ["ok"]:
        raise CorruptDatabase("; ".join(rows[:5]))


def set_aside(path: Path) -> Path:
    """Move a damaged DB (and its -wal/-shm) next to itself under a dated name; nothing is deleted."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.corrupt-{stamp}{path.suffix}")
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(path) + suffix)
        if src.exists():
            shutil.move(str(src), str(target) + suffix)
    return target


def _private_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(path) + suffix)
        if p.exists():
            os.chmod(p, 0o600)


def open_db(path: Path | None = None, check: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the event log, migrated to the current schema.

    A damaged file is moved aside with a warning and a fresh DB is started; the returned Database then has
    `recovered_from` set to the path of the copy so callers can tell the user.
    """
    path = path or paths.db_path()
    paths.ensure_private_dir(path.parent)
    recovered_from: Path | None = None
    if check and path.exists() and path.stat().st_size > 0:
        try:
            check_integrity(path)
        except CorruptDatabase as exc:
            recovered_from = set_aside(path)
            log.warning("the event log %s is damaged (%s); it was moved to %s and a new one started",
                        path, exc, recovered_from)
    old_umask = os.umask(0o077)
    try:
        conn = _connect(path)
        migrate(conn)
    finally:
        os.umask(old_umask)
    _private_files(path)
    db = sqlite_utils.Database(conn)
    db.recovered_from = recovered_from  # type: ignore[attr-defined]
    db.path = path  # type: ignore[attr-defined]
    return db
