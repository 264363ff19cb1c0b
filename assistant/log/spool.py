"""A small append-only file that makes new events crash-safe within a second without a SQLite commit.

SQLite in WAL mode writes whole pages for every commit (about 3-5 KB for a one-row commit), which is most of
the disk traffic of a desktop logger. So the writer appends each second's new rows to this spool (one `write`
of ~100 bytes a row, into the OS page cache: it survives the process being killed) and commits to SQLite
once a minute. On start, whatever a crashed writer left in the spool is replayed into the DB.
The spool also carries an exclusive lock: a second writer on the same DB is refused.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from pathlib import Path

from assistant.core.validate import MAX_DURATION_S, id_problem, number_problem, row_problem

log = logging.getLogger(__name__)
_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


class SpoolLocked(RuntimeError):
    """Another writer holds this event log."""


class Spool:
    def __init__(self, db_path: Path):
        self.path = spool_path(db_path)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self.fd)
            raise SpoolLocked(f"another writer is using {db_path}") from None
        os.chmod(self.path, 0o600)

    def append(self, rows: list[list], updates: dict[int, float]) -> None:
        lines = [_ENCODE(["i", *row]) for row in rows]
        lines += [_ENCODE(["u", event_id, duration]) for event_id, duration in updates.items()]
        if lines:  # the leading newline ends a line torn by an earlier failed write (a full disk)
            data = ("\n" + "\n".join(lines) + "\n").encode("utf-8")
            written = os.write(self.fd, data)
            if written != len(data):
                raise OSError(28, "No space left on device (short write to the spool)")

    def read(self) -> tuple[list[list], dict[int, float]]:
        return read_spool(self.path)

    def clear(self) -> None:
        os.ftruncate(self.fd, 0)

    def close(self) -> None:
        os.close(self.fd)


def spool_path(db_path: Path) -> Path:
    return Path(str(db_path) + "-spool")


def _row(item: list) -> list | None:
    """An insert line's row [id, start, duration, source, kind, app, title, data] when every field has its type
    and a sane value (`assistant.core.validate`: a bounded id, finite numbers, believable times)."""
    row = item[1:]
    return row if row_problem(row) is None else None


def _update(item: list) -> bool:
    """A duration update line ["u", id, seconds] with a bounded id and a finite, sane duration."""
    return (id_problem(item[1]) is None and number_problem("duration", item[2]) is None
            and 0 <= item[2] <= MAX_DURATION_S)


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a value the spool holds")


def read_spool(path: Path) -> tuple[list[list], dict[int, float]]:
    """Rows (in order, last version of each id) and duration updates. A torn line, random bytes or valid JSON of
    the wrong shape is skipped (and logged once), never fatal. Readers in other processes use it too, so
    `proactive events` shows what is not committed yet."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except FileNotFoundError:
        return [], {}
    rows: dict[int, list] = {}
    updates: dict[int, float] = {}
    skipped = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            item = json.loads(line, parse_constant=_no_constant)
        except (json.JSONDecodeError, RecursionError, ValueError):
            skipped += 1
            continue
        if isinstance(item, list) and len(item) == 9 and item[0] == "i" and (row := _row(item)) is not None:
            rows[row[0]] = row
        elif isinstance(item, list) and len(item) == 3 and item[0] == "u" and _update(item):
            if item[1] in rows:
                rows[item[1]][2] = item[2]
            else:
                updates[item[1]] = item[2]
        else:
            skipped += 1
    if skipped:
        log.warning("%s: skipped %d unreadable line(s)", path, skipped)
    return list(rows.values()), updates
