"""Opening the event log: private permissions, WAL, an integrity check, migrations, and one transaction helper.

Only real damage sets a file aside: a database that another process holds locked is waited for (and then
reported), never moved. When damage is found, the readable rows of the damaged copy are salvaged into the new
log, so one bad page does not cost the whole history.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from assistant.core import paths
from assistant.log.migrations import migrate
from assistant.log.transaction import transaction

log = logging.getLogger(__name__)

LogError = sqlite3.Error  # what a locked, full or damaged log raises to readers

FULL_BELOW = 1 << 20  # free bytes under which a disk counts as full
PAGE_SIZE = 1024  # small pages: a commit of a few rows writes ~4 KB to the WAL instead of ~14 KB
BUSY_TIMEOUT_S = 10.0
_BUSY_CODES = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED (and their extended codes, by their low byte)
_DAMAGE_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
_READ_ONLY_CODES = {8, 13, 14}  # SQLITE_READONLY, SQLITE_FULL, SQLITE_CANTOPEN
SALVAGE_TABLES = ("events", "observations", "proposals", "labels", "answers", "consent")


@dataclass(eq=False)
class Database:
    """The handle every function of this package takes: one SQLite connection to the log and what opening it
    found. Only `assistant.log` touches `conn`; everyone else calls the package's named functions.

    `recovered_from` is the damaged copy set aside at opening (None when the log was sound), `salvaged` the rows
    per table saved from it, `read_only` whether the log could only be opened for reading."""

    conn: sqlite3.Connection
    path: Path | None = None
    recovered_from: Path | None = None
    salvaged: dict[str, int] = field(default_factory=dict)
    read_only: bool = False

    def close(self) -> None:
        """Close the connection (idempotent); the handle cannot be used afterwards."""
        self.conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class CorruptDatabase(Exception):
    """Raised by `check_integrity` when SQLite reports damage."""


class DatabaseBusy(Exception):
    """Another process holds the event log locked for longer than we waited; nothing was moved."""


def is_busy(exc: BaseException) -> bool:
    """True when a sqlite3 error means 'locked by someone else', not damage."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in _BUSY_CODES
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def is_damage(exc: BaseException) -> bool:
    """True when a sqlite3 error means the file itself is damaged (truncated, header overwritten)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in _DAMAGE_CODES
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


def cannot_write(exc: BaseException, folder: Path | None = None) -> str:
    """'' unless the error says the log cannot be written here (read-only, full, folder not writable); then why,
    in a few words. SQLite reports a full disk during its first writes as a plain 'disk I/O error': with the
    log's `folder` given, such an error on a disk with (almost) no free space counts as full."""
    code = getattr(exc, "sqlite_errorcode", None)
    text = str(exc).lower()
    errno_ = getattr(exc, "errno", None)
    if errno_ == 28 or (code is not None and code & 0xFF == 13) or "full" in text or "no space" in text:
        return "the disk is full"
    if folder is not None and ("i/o error" in text or errno_ == 5 or (code is not None and code & 0xFF == 10)):
        try:
            if shutil.disk_usage(folder).free < FULL_BELOW:
                return "the disk is full"
        except OSError:
            pass
    if code is not None and code & 0xFF == 8 or "readonly database" in text:
        return "the event log is open for reading only (its folder is read-only or the disk is full)"
    if errno_ in (1, 13, 30) or (code is not None and code & 0xFF == 14) or "read-only" in text \
            or "unable to open" in text:
        return "the data folder is read-only"
    return ""


def describe_io_error(exc: BaseException) -> str:
    """The writer's words for an I/O error (disk full, read-only, locked, else SQLite's own)."""
    text = str(exc)
    if "No space left" in text or "disk is full" in text or "database or disk is full" in text:
        return "disk full"
    if "readonly" in text or "read-only" in text or "Read-only" in text:
        return "the event log is read-only"
    if "locked" in text or "busy" in text:
        return "the event log is locked by another process"
    return text or type(exc).__name__


def open_readonly(path: Path) -> Database:
    """The log opened for reading only (a read-only or full data folder): WAL content included where SQLite can
    read it, else the main file as it is (`immutable`). Raises LogError when it cannot be read at all."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False, timeout=BUSY_TIMEOUT_S)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        if is_busy(exc) or is_damage(exc):
            raise
        conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return Database(conn, path, read_only=True)


def write_probe(db: Database) -> str:
    """'' when a write transaction can be taken now (within half a second), else why not: another process holds
    the log locked, or the folder is read-only. Nothing is written."""
    conn = db.conn
    previous = conn.execute("PRAGMA busy_timeout").fetchone()[0]
    try:
        conn.execute("PRAGMA busy_timeout=500")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return ""
    except sqlite3.Error as exc:
        if is_busy(exc):
            return "the event log is locked by another process"
        return cannot_write(exc) or str(exc)
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.execute(f"PRAGMA busy_timeout={int(previous)}")


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_S)
    conn.execute(f"PRAGMA page_size={PAGE_SIZE}")  # only takes effect on a new, empty file
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    return conn


def check_integrity(path: Path, timeout: float = BUSY_TIMEOUT_S) -> None:
    """`PRAGMA quick_check`. Raises CorruptDatabase with SQLite's own words on damage, DatabaseBusy when
    another process keeps the file locked for longer than `timeout` seconds."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=timeout)
        try:
            rows = [r[0] for r in conn.execute("PRAGMA quick_check")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if is_busy(exc):
            raise DatabaseBusy(f"the event log {path} is locked by another process ({exc}); "
                               "nothing was changed; try again when it is free") from exc
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
            os.chmod(str(target) + suffix, 0o600)
    return target


def _readable_rows(damaged: sqlite3.Connection, table: str, lo: int, hi: int) -> Iterator[tuple]:
    """Rows with lo <= rowid < hi, bisecting around pages that cannot be read."""
    try:
        rows = damaged.execute(f"SELECT * FROM {table} WHERE rowid >= ? AND rowid < ?", (lo, hi)).fetchall()
    except sqlite3.DatabaseError:
        if hi - lo <= 1:
            return
        mid = (lo + hi) // 2
        yield from _readable_rows(damaged, table, lo, mid)
        yield from _readable_rows(damaged, table, mid, hi)
        return
    yield from rows


def _pad_to_header(path: Path) -> None:
    """A log cut short (truncated to half): grow the set-aside copy back to the size its header gives, with zero
    pages, so SQLite reads the pages that are left instead of refusing the whole file."""
    try:
        with open(path, "r+b") as fh:
            head = fh.read(100)
            if len(head) < 100 or not head.startswith(b"SQLite format 3\x00"):
                return
            page_size = int.from_bytes(head[16:18], "big")
            page_size = 65536 if page_size == 1 else page_size
            pages = int.from_bytes(head[28:32], "big")
            size = fh.seek(0, os.SEEK_END)
            if page_size >= 512 and 0 < pages and size < page_size * pages <= 64 * size + (1 << 20):
                fh.truncate(page_size * pages)
    except OSError as exc:
        log.info("could not pad %s: %s", path, exc)


def salvage(damaged_path: Path, conn: sqlite3.Connection, chunk: int = 512) -> dict[str, int]:
    """Copy every row that can still be read from a damaged log into the fresh one. Returns rows per table."""
    saved: dict[str, int] = {}
    _pad_to_header(damaged_path)
    try:
        damaged = sqlite3.connect(f"file:{damaged_path}?mode=ro", uri=True)
    except sqlite3.DatabaseError:
        return saved
    conn.execute("PRAGMA foreign_keys=OFF")  # a label may outlive its unreadable proposal
    try:
        for table in SALVAGE_TABLES:
            try:
                columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
                old_cols = [r[1] for r in damaged.execute(f"PRAGMA table_info({table})")]
                top = damaged.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0] or 0
            except sqlite3.DatabaseError:
                continue
            if not columns or old_cols[:len(columns)] != columns[:len(old_cols)]:
                continue
            shared = min(len(columns), len(old_cols))
            insert = (f"INSERT OR IGNORE INTO {table} ({', '.join(columns[:shared])}) "
                      f"VALUES ({', '.join('?' * shared)})")
            count = 0
            with transaction(conn):
                for lo in range(0, top + 1, chunk):
                    rows = [r[:shared] for r in _readable_rows(damaged, table, lo, lo + chunk)]
                    if rows:
                        conn.executemany(insert, rows)
                        count += len(rows)
            saved[table] = count
    finally:
        damaged.close()
        conn.execute("PRAGMA foreign_keys=ON")
    return saved


def _private_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(path) + suffix)
        if p.exists():
            os.chmod(p, 0o600)


def open_db(path: Path | None = None, check: bool = False) -> Database:
    """Open (creating if needed) the event log, migrated to the current schema.

    `check=True` (the running app, at start) runs an integrity check first: a damaged file is moved aside,
    a fresh log is started and every readable row is salvaged into it; the returned Database then has
    `recovered_from` (the damaged copy) and `salvaged` (rows per table) set so the caller can tell the user.
    A file locked by another process raises DatabaseBusy and is never moved. Commands that only read pass
    check=False (the default) and never judge the file.
    """
    path = path or paths.db_path()
    paths.ensure_private_dir(path.parent)
    recovered_from: Path | None = None
    if check and path.exists() and path.stat().st_size > 0:
        try:
            check_integrity(path)
        except CorruptDatabase as exc:
            recovered_from = set_aside(path)
            log.info("the event log %s is damaged (%s); it was moved to %s and a new one started",
                        path, exc, recovered_from)
    old_umask = os.umask(0o077)
    try:
        conn = _connect(path)
        migrate(conn)
    finally:
        os.umask(old_umask)
    _private_files(path)
    salvaged: dict[str, int] = {}
    if recovered_from is not None:
        salvaged = salvage(recovered_from, conn)
    return Database(conn, path, recovered_from, salvaged)
