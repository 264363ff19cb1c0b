"""Looking into a test's event log with SQL of the test's own: a separate connection to the log's file, so that
what a test asserts is what was committed to disk, and `Database.conn` stays private to `assistant.log`."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from assistant.log import Database


def sql(log: Database | Path, statement: str, params: tuple | list = ()) -> list[tuple[Any, ...]]:
    """All rows of `statement` run on the log's file (a write is committed at once)."""
    path = log.path if isinstance(log, Database) else log
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=10)
    try:
        return conn.execute(statement, params).fetchall()
    finally:
        conn.close()


def sql_many(log: Database | Path, statement: str, rows: list) -> None:
    """`statement` run once per row of `rows`, in one transaction."""
    path = log.path if isinstance(log, Database) else log
    conn = sqlite3.connect(str(path), timeout=10)
    try:
        with conn:
            conn.executemany(statement, rows)
    finally:
        conn.close()


def one(log: Database | Path, statement: str, params: tuple | list = ()) -> tuple[Any, ...] | None:
    """The first row of `statement` (None: no row)."""
    rows = sql(log, statement, params)
    return rows[0] if rows else None
