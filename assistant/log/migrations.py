"""Numbered schema migrations. Append new ones; never edit an applied one.

Each migration runs once, in order, inside a transaction, and is recorded in `_migrations`, so a DB written by
an older version upgrades in place on open.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

Migration = Callable[[sqlite3.Connection], None]


def _script(conn: sqlite3.Connection, sql: str) -> None:
    """Run several statements inside the caller's transaction (executescript would commit early)."""
    for statement in sql.split(";"):
        if statement.strip():
            conn.execute(statement)


def m001_events(conn: sqlite3.Connection) -> None:
    _script(conn, 
        """
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            start REAL NOT NULL,
            duration REAL NOT NULL DEFAULT 0,
            source TEXT NOT NULL,
            kind TEXT NOT NULL,
            app TEXT,
            title TEXT,
            data TEXT
        );
        CREATE INDEX events_start ON events(start);
        """
    )


def m002_observations_proposals_labels(conn: sqlite3.Connection) -> None:
    _script(conn, 
        """
        CREATE TABLE observations (
            id INTEGER PRIMARY KEY,
            time REAL NOT NULL,
            sentence TEXT NOT NULL,
            event_ids TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX observations_time ON observations(time);
        CREATE TABLE proposals (
            id INTEGER PRIMARY KEY,
            time REAL NOT NULL,
            context TEXT NOT NULL,
            task TEXT,
            kind TEXT,
            source TEXT,
            model TEXT,
            judge_score REAL,
            surfaced INTEGER NOT NULL DEFAULT 0,
            latency_ms REAL,
            reason TEXT
        );
        CREATE INDEX proposals_time ON proposals(time);
        CREATE TABLE labels (
            id INTEGER PRIMARY KEY,
            proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
            label TEXT NOT NULL CHECK (label IN ('accepted', 'rejected', 'ignored', 'not-now')),
            reason TEXT,
            time REAL NOT NULL
        );
        CREATE INDEX labels_proposal ON labels(proposal_id);
        """
    )


def m003_app_index_and_state(conn: sqlite3.Connection) -> None:
    """Per-app lookups stay fast at 10 M rows; `state` holds runtime status shared with other processes."""
    _script(conn, 
        """
        CREATE INDEX events_app_start ON events(app, start);
        CREATE TABLE state (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated REAL NOT NULL
        );
        """
    )


MIGRATIONS: list[Migration] = [m001_events, m002_observations_proposals_labels, m003_app_index_and_state]


def applied(conn: sqlite3.Connection) -> list[str]:
    conn.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at REAL NOT NULL)")
    return [row[0] for row in conn.execute("SELECT name FROM _migrations ORDER BY rowid")]


def migrate(conn: sqlite3.Connection, upto: int | None = None) -> list[str]:
    """Apply pending migrations on an autocommit connection (the first `upto` only, for tests of old schemas). Returns names applied now."""
    done = set(applied(conn))
    ran: list[str] = []
    for migration in MIGRATIONS[:upto]:
        name = migration.__name__
        if name in done:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            migration(conn)
            conn.execute("INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", (name, time.time()))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        ran.append(name)
    return ran
