"""The single writer: a bounded queue in front of one thread that batches commits and merges heartbeats."""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.core.events import Event
from assistant.log.db import open_db
from assistant.log.spool import Spool

log = logging.getLogger(__name__)

_INSERT = "INSERT INTO events (id, start, duration, source, kind, app, title, data) VALUES (?,?,?,?,?,?,?,?)"
_FLUSH = object()
_ENCODE = json.JSONEncoder(separators=(",", ":")).encode  # one encoder: json.dumps builds a new one


@dataclass
class _Last:
    """The most recent event of one source, kept in memory so heartbeats can extend it."""

    event_id: int
    start: float
    end: float
    key: tuple
    row: list | None  # still waiting to be inserted (None once written)


@dataclass
class WriterStats:
    accepted: int = 0
    dropped: int = 0
    inserted: int = 0
    merged: int = 0
    commits: int = 0
    last_commit: float = 0.0
    error: str | None = None


class EventWriter:
    """Owns the only connection that writes events.

    `put()` never blocks: when the queue is full the event is dropped and counted. New rows are made
    crash-safe within `commit_interval` seconds (at most 1 s): committed to SQLite, or, with `sync_interval`
    > 0, appended to the spool (see spool.py) and committed every `sync_interval` seconds, which cuts the
    bytes written to disk several times. A heartbeat that only lengthens an existing event is written with
    the next insert, or after `heartbeat_flush` seconds, so a quiet desktop costs almost no I/O.
    """

    def __init__(self, path: Path, queue_size: int = 20000, commit_interval: float = 0.8,
                 heartbeat_flush: float = 60.0, state_every: float = 30.0, sync_interval: float = 0.0):
        self.path = path
        self.commit_interval = min(commit_interval, 1.0)
        self.heartbeat_flush = heartbeat_flush
        self.sync_interval = sync_interval  # 0: commit every commit_interval; else spool, commit this often
        self.spool: Spool | None = None
        self._unspooled = 0  # index in _pending_rows of the first row not yet in the spool
        self._spool_updates: dict[int, float] = {}
        self.state_every = state_every
        self.queue_size = queue_size
        self.queue: queue.SimpleQueue = queue.SimpleQueue()  # C-fast; bounded by the check in put()
        self.stats = WriterStats()
        self._stats_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._last: dict[str, _Last] = {}
        self._pending_rows: list[list] = []
        self._pending_updates: dict[int, float] = {}
        self._next_id = 1
        self._ready = threading.Event()
        self._last_state = ""
        # called from the writer thread as (event_id, event, merged) when an event is staged or extended;
        # ids are final at that point, so listeners can act before the commit lands
        self.listeners: list[Callable[[int, Event, bool], None]] = []
        self._state_written = 0.0
        self._forget_seen = time.time()

    # ------------------------------------------------------------ producer side (any thread)

    def put(self, event: Event) -> bool:
        if self.queue.qsize() >= self.queue_size:
            with self._stats_lock:
                self.stats.dropped += 1
            return False
        self.queue.put(event)
        with self._stats_lock:
            self.stats.accepted += 1
        return True

    def flush(self, timeout: float = 10.0) -> bool:
        """Block until everything queued before this call is committed."""
        done = threading.Event()
        self.queue.put((_FLUSH, done))
        return done.wait(timeout)

    # ------------------------------------------------------------ lifecycle

    def start(self) -> "EventWriter":
        self._thread = threading.Thread(target=self._run, name="event-writer", daemon=True)
        self._thread.start()
        self._ready.wait(30)
        if self.stats.error:
            raise RuntimeError(self.stats.error)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)

    # ------------------------------------------------------------ writer thread

    def _run(self) -> None:
        try:
            self.db = open_db(self.path)
        except Exception as exc:  # surfaced by start()
            self.stats.error = f"cannot open the event log {self.path}: {exc}"
            self._ready.set()
            return
        conn = self.db.conn
        try:
            self.spool = Spool(self.path)
            self._replay_spool()
        except Exception as exc:  # surfaced by start()
            self.stats.error = f"cannot take the event log {self.path}: {exc}"
            self._ready.set()
            return
        self._next_id = (conn.execute("SELECT max(id) FROM events").fetchone()[0] or 0) + 1
        self._ready.set()
        first_pending = 0.0
        last_heartbeat_flush = time.monotonic()
        last_sync = last_forget_check = time.monotonic()
        while True:
            stopping = self._stop.is_set()
            wait = 0.2 if not first_pending else max(0.0, first_pending + self.commit_interval - time.monotonic())
            flushes = []
            items: list = []
            try:
                items.append(self.queue.get_nowait() if stopping else self.queue.get(timeout=min(wait, 0.2)))
                while len(items) < 5000:
                    items.append(self.queue.get_nowait())
            except queue.Empty:
                pass
            for item in items:
                if isinstance(item, tuple) and item and item[0] is _FLUSH:
                    flushes.append(item[1])
                    continue
                if self._apply(item) and not first_pending:
                    first_pending = time.monotonic()
            now = time.monotonic()
            due_rows = self._pending_rows and first_pending and now - first_pending >= self.commit_interval
            due_updates = self._pending_updates and now - last_heartbeat_flush >= self.heartbeat_flush
            pending = self._pending_rows or self._pending_updates
            forget_now = False
            if self.sync_interval > 0 and (due_rows or self._unspooled) and now - last_forget_check >= 1.0:
                last_forget_check = now
                forget_now = self._forget_requested()  # forgotten rows must not wait in the spool
            if self.sync_interval > 0 and due_rows and not forget_now:
                self._spool_write()  # crash-safe now; SQLite later
                first_pending = 0.0
                due_rows = False
            due_sync = (self.sync_interval <= 0 or now - last_sync >= self.sync_interval
                        or len(self._pending_rows) >= 5000)
            if forget_now or flushes or (stopping and pending) or (
                    due_sync and (due_rows or due_updates or (self.sync_interval > 0 and self._pending_rows))):
                self._commit()
                first_pending = 0.0
                last_heartbeat_flush = last_sync = now
            if flushes or stopping:
                self._write_state()
            for done in flushes:
                done.set()
            if stopping and self.queue.empty():
                break
        self.db.conn.close()
        self.spool.close()

    def _apply(self, event: Event) -> bool:
        """Merge or stage one event. Returns True when a new row was staged."""
        last = self._last.get(event.source)
        data = _ENCODE(event.data) if event.data else None
        key = (event.kind, event.app, event.title, data)
        if (event.pulsetime > 0 and last is not None and last.key == key
                and last.start <= event.start <= last.end + event.pulsetime):
            last.end = max(last.end, event.end)
            duration = last.end - last.start
            if last.row is not None:
                last.row[2] = duration
            else:
                self._pending_updates[last.event_id] = duration
            self._spool_updates[last.event_id] = duration
            self.stats.merged += 1
            if self.listeners:
                self._notify(last.event_id, event, duration, last.start)
            return False
        row = [self._next_id, event.start, event.duration, event.source, event.kind, event.app, event.title, data]
        self._pending_rows.append(row)
        self._last[event.source] = _Last(self._next_id, event.start, event.end, key, row)
        if self.listeners:
            self._notify(self._next_id, event, event.duration, event.start)
        self._next_id += 1
        return True

    def _notify(self, event_id: int, event: Event, duration: float, start: float) -> None:
        merged = start != event.start or duration != event.duration
        shown = Event(event.source, event.kind, start, duration, event.app, event.title, event.data) if merged else event
        for listener in self.listeners:
            try:
                listener(event_id, shown, merged)
            except Exception:
                log.exception("event listener failed")

    def _commit(self) -> None:
        conn = self.db.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            self._honour_forget(conn)
            rows, updates = self._pending_rows, self._pending_updates
            if rows:
                conn.executemany(_INSERT, rows)
            if updates:
                conn.executemany("UPDATE events SET duration = ? WHERE id = ?",
                                 [(d, i) for i, d in updates.items()])
            if time.monotonic() - self._state_written >= self.state_every:
                self._write_state()  # rides on this transaction: no extra commit
            conn.execute("COMMIT")
        except Exception as exc:  # a locked or read-only DB: keep the batch, report, retry next round
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            self.stats.error = f"write failed, will retry: {exc}"
            log.warning("event log write failed (%s); %d rows kept for retry", exc, len(self._pending_rows))
            return
        self.stats.error = None
        for last in self._last.values():
            last.row = None
        self._pending_rows, self._pending_updates = [], {}
        self._unspooled, self._spool_updates = 0, {}
        if self.spool is not None:
            self.spool.clear()
        self.stats.inserted += len(rows)
        self.stats.commits += 1
        self.stats.last_commit = time.time()

    def _spool_write(self) -> None:
        self.spool.append(self._pending_rows[self._unspooled:], self._spool_updates)
        self._unspooled = len(self._pending_rows)
        self._spool_updates = {}

    def _forget_requested(self) -> bool:
        """A `proactive forget` newer than the last one seen: commit (which honours it) instead of spooling."""
        row = self.db.conn.execute("SELECT updated FROM state WHERE key = 'forget'").fetchone()
        return row is not None and row[0] > self._forget_seen

    def _replay_spool(self) -> None:
        """Bring what a killed writer left in the spool into the DB (honouring any forget since)."""
        rows, updates = self.spool.read()
        if not rows and not updates:
            self.spool.clear()
            return
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        self._forget_seen = 0.0
        self._pending_rows = rows
        self._honour_forget(conn)
        conn.executemany(_INSERT.replace("INSERT", "INSERT OR REPLACE"), self._pending_rows)
        conn.executemany("UPDATE events SET duration = ? WHERE id = ?", [(d, i) for i, d in updates.items()])
        conn.execute("COMMIT")
        log.info("recovered %d events from %s", len(self._pending_rows), self.spool.path)
        self._pending_rows = []
        self._forget_seen = time.time()
        self.spool.clear()

    def _honour_forget(self, conn) -> None:
        """Drop staged rows that a `proactive forget` issued since they were staged asked to remove."""
        row = conn.execute("SELECT value, updated FROM state WHERE key = 'forget'").fetchone()
        if row is None or row[1] <= self._forget_seen:
            return
        self._forget_seen = row[1]
        request = json.loads(row[0])
        since, at = request["since"], request["at"]

        def forgotten(start: float, end: float) -> bool:
            return end >= since and start <= at  # overlaps the forgotten stretch and happened before the ask

        self._pending_rows = [r for r in self._pending_rows if not forgotten(r[1], r[1] + r[2])]
        self._last = {k: v for k, v in self._last.items() if not forgotten(v.start, v.end)}
        self._pending_updates.clear()

    def _write_state(self) -> None:
        with self._stats_lock:
            stats = {k: v for k, v in self.stats.__dict__.items() if k not in ("commits", "last_commit")}
            value = json.dumps({**stats, "queue_size": self.queue_size})
        if value == self._last_state:
            return  # nothing new: keep the disk quiet
        self._last_state = value
        self._state_written = time.monotonic()
        try:
            self.db.conn.execute("INSERT OR REPLACE INTO state (key, value, updated) VALUES ('writer', ?, ?)",
                                 (value, time.time()))
        except Exception as exc:
            log.warning("could not record writer state: %s", exc)
