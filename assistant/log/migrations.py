"""Numbered schema migrations, registered by decorator. Append new ones; never edit an applied one.

Each migration runs once, in order of registration, inside a transaction, and is recorded by name in
`_migrations`, so a DB written by an older version upgrades in place on open.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

from assistant.log.transaction import transaction

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[Migration] = []


def migration(fn: Migration) -> Migration:
    """Register `fn` as the next migration (its name, e.g. m004_answers, is what `_migrations` records)."""
    MIGRATIONS.append(fn)
    return fn


def _script(conn: sqlite3.Connection, sql: str) -> None:
    """Run several statements inside the caller's transaction (executescript would commit early)."""
    for statement in sql.split(";"):
        if statement.strip():
            conn.execute(statement)


@migration
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


@migration
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


@migration
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


def applied(conn: sqlite3.Connection) -> list[str]:
    conn.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at REAL NOT NULL)")
    return [row[0] for row in conn.execute("SELECT name FROM _migrations ORDER BY rowid")]


def migrate(conn: sqlite3.Connection, upto: int | None = None) -> list[str]:
    """Apply pending migrations on an autocommit connection (the first `upto` only, for tests of old schemas).
    Returns the names applied now."""
    done = set(applied(conn))
    ran: list[str] = []
    conn.execute("PRAGMA foreign_keys=OFF")  # a step may rebuild a table that others refer to
    try:
        for step in MIGRATIONS[:upto]:
            if step.__name__ in done:
                continue
            with transaction(conn):
                step(conn)
                broken = conn.execute("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise sqlite3.IntegrityError(f"{step.__name__} left {len(broken)} dangling references")
                conn.execute("INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                             (step.__name__, time.time()))
            ran.append(step.__name__)
    finally:
        conn.execute("PRAGMA foreign_keys=ON")
    return ran


@migration
def m004_consent_and_answers(conn: sqlite3.Connection) -> None:
    """What the user agreed to before anything was collected; what the model answered to accepted tasks."""
    _script(conn,
        """
        CREATE TABLE consent (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            time REAL NOT NULL,
            text_version TEXT NOT NULL,
            opt_ins TEXT NOT NULL DEFAULT '{}',
            model TEXT NOT NULL DEFAULT '',
            via TEXT NOT NULL
        );
        CREATE TABLE answers (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
            time REAL NOT NULL,
            model TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL DEFAULT '',
            prompt_tokens INTEGER,
            ttft_ms REAL,
            tokens_per_s REAL,
            followups TEXT NOT NULL DEFAULT '[]',
            rating TEXT CHECK (rating IN ('helpful', 'not-helpful')),
            rated_at REAL
        );
        CREATE INDEX answers_proposal ON answers(proposal_id);
        """
    )


@migration
def m005_ids_never_reused_and_annotators(conn: sqlite3.Connection) -> None:
    """Proposal and label ids are never reused after a forget (AUTOINCREMENT); a label names its annotator,
    and a relabel keeps the answer it replaces; answers about silent moments and 'help, but not this'."""
    _script(conn,
        """
        CREATE TABLE proposals_v5 (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
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
        INSERT INTO proposals_v5 SELECT id, time, context, task, kind, source, model, judge_score, surfaced,
            latency_ms, reason FROM proposals;
        DROP TABLE proposals;
        ALTER TABLE proposals_v5 RENAME TO proposals;
        CREATE INDEX proposals_time ON proposals(time);
        CREATE TABLE labels_v5 (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
            label TEXT NOT NULL CHECK (label IN ('accepted', 'rejected', 'ignored', 'not-now', 'other-help',
                                                 'help-needed', 'no-help-needed')),
            reason TEXT,
            time REAL NOT NULL,
            annotator TEXT NOT NULL DEFAULT 'me',
            replaces INTEGER
        );
        INSERT INTO labels_v5 (id, proposal_id, label, reason, time)
            SELECT id, proposal_id, label, reason, time FROM labels;
        DROP TABLE labels;
        ALTER TABLE labels_v5 RENAME TO labels;
        CREATE INDEX labels_proposal ON labels(proposal_id, annotator);
        """
    )


@migration
def m006_forget_own_windows(conn: sqlite3.Connection) -> None:
    """The app's own windows were meant never to be logged: an older version kept input counts and typed text
    in them (and their titles in narrated sentences). Delete those rows."""
    from assistant.log.own_rows import forget_own_rows

    forget_own_rows(conn)


@migration
def m007_superseded_cards(conn: sqlite3.Connection) -> None:
    """A card replaced by a card about another need before it was answered is recorded as 'superseded' (not a
    judgement). Label ids stay unique after forgets: the table's id sequence is carried over."""
    seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'labels'").fetchone()
    _script(conn,
        """
        CREATE TABLE labels_v6 (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
            label TEXT NOT NULL CHECK (label IN ('accepted', 'rejected', 'ignored', 'not-now', 'other-help',
                                                 'help-needed', 'no-help-needed', 'superseded')),
            reason TEXT,
            time REAL NOT NULL,
            annotator TEXT NOT NULL DEFAULT 'me',
            replaces INTEGER
        );
        INSERT INTO labels_v6 (id, proposal_id, label, reason, time, annotator, replaces)
            SELECT id, proposal_id, label, reason, time, annotator, replaces FROM labels;
        DROP TABLE labels;
        ALTER TABLE labels_v6 RENAME TO labels;
        CREATE INDEX labels_proposal ON labels(proposal_id, annotator);
        """
    )
    if seq is not None:
        conn.execute("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'labels'", (seq[0],))
