"""The single writer: a bounded queue in front of one thread that batches commits and merges heartbeats.

The thread never dies of an I/O error. A full disk, a read-only file or a lock held too long keeps the rows
in memory (up to `max_pending`; beyond that new events are counted as not stored), shows the error in the
statistics, and everything is written once the disk accepts it again. What was committed is never touched.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.core import validate
from assistant.core.events import Event
from assistant.log.db import Database, describe_io_error, open_db
from assistant.log.heartbeat import heartbeat_merge
from assistant.log.refused import DATA_ERRORS, bad_items, keep_aside
from assistant.log.spool import Spool
from assistant.log.state import WriterStats, read_forget_request, write_writer_stats
from assistant.log.transaction import transaction

log = logging.getLogger(__name__)

_INSERT = "INSERT INTO events (id, start, duration, source, kind, app, title, data) VALUES (?,?,?,?,?,?,?,?)"
_FLUSH = object()
_WAKE = object()  # put by stop(): the writer sleeps until its next chore, not in short polls
_ENCODE = json.JSONEncoder(separators=(",", ":")).encode  # one encoder: json.dumps builds a new one
IDLE_WAIT_S = 5.0  # the longest an idle writer sleeps (new events, flushes and stop wake it at once)
# how often a writer with spooled rows wakes just to look for a `proactive forget` (each wake costs ~0.1-0.2 ms
# of CPU on a VM); rows spooled since the last look are looked at again a second after it, and any event that
# wakes the writer looks too, at most once a second
FORGET_WAKE_S = 4.0
RETRY_AFTER_ERROR_S = 1.0


@dataclass
class _Last:
    """The most recent event of one source, kept in memory so heartbeats can extend it."""

    event_id: int
    event: Event
    row: list | None  # still waiting to be inserted (None once written)


class EventWriter:
    """Owns the only connection that writes events.

    `put()` never blocks: when the queue is full the event is dropped and counted. New rows and heartbeat
    durations are made crash-safe within `commit_interval` seconds (at most 1 s): committed to SQLite, or,
    with `sync_interval` > 0, appended to the spool (see spool.py) and committed every `sync_interval`
    seconds, which cuts the bytes written to disk several times.
    """

    def __init__(self, path: Path, queue_size: int = 20000, commit_interval: float = 0.8,
                 state_every: float = 30.0, sync_interval: float = 0.0, max_pending: int = 200_000):
        self.path = path
        self.commit_interval = min(commit_interval, 1.0)
        self.sync_interval = sync_interval  # 0: commit every commit_interval; else spool, commit this often
        self.state_every = state_every
        self.queue_size = queue_size
        self.max_pending = max_pending
        self.queue: queue.SimpleQueue = queue.SimpleQueue()  # C-fast; bounded by the check in put()
        self.stats = WriterStats(queue_size=queue_size)
        self.db: Database | None = None
        self.spool: Spool | None = None
        # called from the writer thread as (event_id, event, merged) when an event is staged or extended;
        # ids are final at that point, so listeners can act before the commit lands
        self.listeners: list[Callable[[int, Event, bool], None]] = []
        self._stats_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._start_error: str | None = None
        self.start_exception: BaseException | None = None  # why start() failed (the cause of its RuntimeError)
        self._last: dict[str, _Last] = {}
        self._rows: list[list] = []  # staged, not committed
        self._updates: dict[int, float] = {}  # duration changes of committed rows, not committed
        self._unspooled = 0  # index in _rows of the first row not yet in the spool
        self._forget_owed = False  # rows were spooled since the last look for a `proactive forget`
        self._spool_updates: dict[int, float] = {}  # duration changes not yet in the spool
        self._next_id = 1
        self._forget_seen = time.time()
        self._last_state = ""
        self._state_written = 0.0

    # ------------------------------------------------------------ producer side (any thread)

    def put(self, event: Event) -> bool:
        """Queue `event`; False when it is refused (`assistant.core.validate`: counted with the reason) or the
        queue is full (counted as dropped)."""
        why = validate.problem(event)
        if why is not None:
            self.refuse(why)
            return False
        if self.queue.qsize() >= self.queue_size:
            with self._stats_lock:
                self.stats.dropped += 1
            return False
        self.queue.put(event)
        with self._stats_lock:
            self.stats.accepted += 1
        return True

    def refuse(self, reason: str) -> None:
        """Count an event refused at any door (the writer's own check, a collector, an endpoint) with the reason,
        so `proactive status` shows it."""
        with self._stats_lock:
            self.stats.refused += 1
            self.stats.refused_reason = reason[:200]
        log.info("an event was refused: %s", reason[:200])

    def flush(self, timeout: float = 10.0) -> bool:
        """Block until everything queued before this call is committed (False if the disk refused it)."""
        done = threading.Event()
        result: list[bool] = []
        self.queue.put((_FLUSH, done, result))
        return done.wait(timeout) and all(result)

    def snapshot(self) -> WriterStats:
        with self._stats_lock:
            stats = WriterStats(**self.stats.__dict__)
        stats.waiting = len(self._rows) - (self._unspooled if self.sync_interval > 0 else 0)
        return stats

    # ------------------------------------------------------------ lifecycle

    def start(self) -> EventWriter:
        self._thread = threading.Thread(target=self._run, name="event-writer", daemon=True)
        self._thread.start()
        self._ready.wait(30)
        if self._start_error:
            raise RuntimeError(self._start_error) from self.start_exception
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        with contextlib.suppress(queue.Full):
            self.queue.put_nowait(_WAKE)
        if self._thread:
            self._thread.join(timeout)

    # ------------------------------------------------------------ writer thread

    def _open(self) -> bool:
        try:
            self.db = open_db(self.path, check=True)
        except Exception as exc:  # surfaced by start()
            self._start_error = f"cannot open the event log {self.path}: {exc}"
            self.start_exception = exc
            return False
        try:
            self.spool = Spool(self.path)
            self._replay_spool()
        except Exception as exc:  # surfaced by start()
            self._start_error = f"cannot take the event log {self.path}: {exc}"
            self.start_exception = exc
            self._close()
            return False
        self._next_id = (self.db.conn.execute("SELECT max(id) FROM events").fetchone()[0] or 0) + 1
        return True

    def _run(self) -> None:
        ok = self._open()
        self._ready.set()
        if not ok:
            return
        first_pending = 0.0  # monotonic time of the oldest change not yet crash-safe
        last_sync = time.monotonic()
        last_forget_check = 0.0
        retry_at = 0.0  # after an I/O error, when to try again
        while True:
            stopping = self._stop.is_set()
            due_at = retry_at or (first_pending + self._delay() if first_pending else 0.0)
            flushes = self._take(due_at or self._next_chore(last_sync, last_forget_check), stopping)
            now = time.monotonic()
            if self._unsafe() and not first_pending:
                first_pending = now
            try:
                if now >= retry_at or flushes or stopping:
                    first_pending, last_sync, last_forget_check = self._persist(
                        now, first_pending, last_sync, last_forget_check, bool(flushes), stopping)
                    retry_at = 0.0
            except Exception as exc:  # any I/O error: keep the rows, say so, try again shortly
                self._io_failed(exc)
                retry_at = now + RETRY_AFTER_ERROR_S
            for done, result in flushes:
                result.append(not self._rows and not self._updates and self.stats.error is None)
                done.set()
            if stopping and self.queue.empty():
                break
        if self._rows:
            with self._stats_lock:
                self.stats.not_stored += len(self._rows) - (self._unspooled if self.sync_interval > 0 else 0)
        self._close()

    def _delay(self) -> float:
        """How long a change may wait before it is made crash-safe: with a spool, not at all (an append to the
        page cache is cheap, and a heartbeat spooled at once bounds what a kill -9 loses to one heartbeat)."""
        return 0.0 if self.sync_interval > 0 else self.commit_interval

    def _unsafe(self) -> bool:
        """Changes that would be lost if the process were killed now."""
        if self.sync_interval > 0:
            return bool(len(self._rows) > self._unspooled or self._spool_updates)
        return bool(self._rows or self._updates)

    def _next_chore(self, last_sync: float, last_forget_check: float) -> float:
        """When an idle writer must wake by itself (a monotonic time, at most IDLE_WAIT_S away): to look for a
        `proactive forget` while spooled rows wait, to commit the spool, to record changed stats."""
        now = time.monotonic()
        times = [now + IDLE_WAIT_S]
        if self.sync_interval > 0 and self._unspooled:
            times.append(last_forget_check + (1.0 if self._forget_owed else FORGET_WAKE_S))
        if self.sync_interval > 0 and (self._rows or self._updates):
            times.append(last_sync + self.sync_interval)
        if self.stats.error is None and self._state_value() != self._last_state:
            due = self._state_written + self.state_every
            times.append(due if due > now else now + RETRY_AFTER_ERROR_S)  # past due: its write just failed
        return min(times)

    def _take(self, due_at: float, stopping: bool) -> list[tuple[threading.Event, list]]:
        """Read queued events (waiting at most until `due_at`, a monotonic time) and stage them."""
        wait = min(IDLE_WAIT_S, max(0.0, due_at - time.monotonic()))
        items: list = []
        try:
            items.append(self.queue.get_nowait() if stopping else self.queue.get(timeout=wait))
            while len(items) < 5000:
                items.append(self.queue.get_nowait())
        except queue.Empty:
            pass
        flushes = []
        for item in items:
            if isinstance(item, tuple) and item and item[0] is _FLUSH:
                flushes.append((item[1], item[2]))
            elif isinstance(item, Event):
                self._apply(item)
        return flushes

    def _persist(self, now: float, first_pending: float, last_sync: float, last_forget_check: float,
                 flushing: bool, stopping: bool) -> tuple[float, float, float]:
        """Spool and/or commit what is due. Returns the new (first_pending, last_sync, last_forget_check)."""
        due = bool(first_pending) and now - first_pending >= self._delay()
        forget_now = False
        if self.sync_interval > 0 and (due or self._unspooled) and now - last_forget_check >= 1.0:
            last_forget_check, self._forget_owed = now, False
            forget_now = self._forget_requested()  # forgotten rows must not wait in the spool
        if self.sync_interval > 0 and due and not forget_now:
            self._spool_write()  # crash-safe now; SQLite later
            first_pending, due = 0.0, False
            self._forget_owed = last_forget_check != now  # spooled unchecked: look again a second after the last look
        due_sync = self.sync_interval <= 0 or now - last_sync >= self.sync_interval or len(self._rows) >= 5000
        pending = bool(self._rows or self._updates)
        if forget_now or flushing or (stopping and pending) or (pending and due_sync and (due or self.sync_interval > 0)):
            self._commit()
            first_pending, last_sync = 0.0, now
        if (flushing or stopping) and self.db is not None:
            self._write_state(force=True)
        elif self.stats.error is None and now - self._state_written >= self.state_every:
            self._write_state()
        return first_pending, last_sync, last_forget_check

    def _io_failed(self, exc: BaseException) -> None:
        reason = describe_io_error(exc)
        with self._stats_lock:
            if self.stats.error is None:
                self.stats.error_since = time.time()
                log.warning("the event log cannot be written (%s); %d events kept in memory", exc, len(self._rows))
            self.stats.error = reason

    def _io_recovered(self) -> None:
        with self._stats_lock:
            if self.stats.error is not None:
                log.warning("the event log is writable again (after: %s)", self.stats.error)
            self.stats.error, self.stats.error_since = None, None

    def _close(self) -> None:
        for closer in (self.db.conn.close if self.db else None, self.spool.close if self.spool else None):
            if closer is not None:
                try:
                    closer()
                except Exception:
                    log.exception("closing the event log failed")

    def _apply(self, event: Event) -> None:
        """Merge a heartbeat into the last event of its source, or stage a new row."""
        last = self._last.get(event.source)
        merged = heartbeat_merge(last.event, event, event.pulsetime) if last is not None else None
        if merged is not None:
            last.event = merged
            if last.row is not None:
                last.row[2] = merged.duration
            else:
                self._updates[last.event_id] = merged.duration
            self._spool_updates[last.event_id] = merged.duration
            with self._stats_lock:
                self.stats.merged += 1
            self._notify(last.event_id, merged, True)
            return
        if len(self._rows) >= self.max_pending:  # the disk has refused writes for a long time
            with self._stats_lock:
                self.stats.not_stored += 1
            return
        data = _ENCODE(event.data) if event.data else None
        row = [self._next_id, event.start, event.duration, event.source, event.kind, event.app, event.title, data]
        self._rows.append(row)
        self._last[event.source] = _Last(self._next_id, event, row)
        self._notify(self._next_id, event, False)
        self._next_id += 1

    def _notify(self, event_id: int, event: Event, merged: bool) -> None:
        for listener in self.listeners:
            try:
                listener(event_id, event, merged)
            except Exception:
                log.exception("event listener failed")

    def _commit(self) -> None:
        self._write_rows(_INSERT)
        self._finish_commit(self._rows)

    def _write_rows(self, insert: str) -> None:
        """Insert the staged rows and updates in one transaction. A value SQLite refuses (a data error, not the
        disk or a lock) does not stop the log: the bad rows are found, set aside, and the rest committed."""
        conn = self.db.conn
        try:
            self._insert_all(conn, insert)
        except DATA_ERRORS:
            self._set_aside_bad_rows(conn, insert)
            self._insert_all(conn, insert)

    def _insert_all(self, conn: Any, insert: str) -> None:
        with transaction(conn):
            self._honour_forget()
            if self._rows:
                conn.executemany(insert, self._rows)
            if self._updates:
                conn.executemany("UPDATE events SET duration = ? WHERE id = ?",
                                 [(d, i) for i, d in self._updates.items()])

    def _set_aside_bad_rows(self, conn: Any, insert: str) -> None:
        """Bisect the staged rows and updates for the ones SQLite refuses (each tried in a transaction that is
        rolled back); those are counted as refused and written to `<log>-refused` (0600, bounded), never
        retried, so one bad value cannot stop the log from committing."""
        bad_rows = bad_items(conn, self._rows, lambda c, part: c.executemany(insert, part))
        updates = list(self._updates.items())
        bad_updates = bad_items(conn, updates, lambda c, part: c.executemany(
            "UPDATE events SET duration = ? WHERE id = ?", [(d, i) for i, d in part]))
        drop = {id(r) for r in bad_rows}
        self._rows = [r for r in self._rows if id(r) not in drop]
        for event_id, _ in bad_updates:
            self._updates.pop(event_id, None)
        for item in [*bad_rows, *bad_updates]:
            self.refuse(f"the event log refused a value in {str(item)[:120]}")
        keep_aside(self.path, [*bad_rows, *bad_updates])

    def _finish_commit(self, rows: list[list]) -> None:
        for last in self._last.values():
            last.row = None
        self._rows, self._updates = [], {}
        self._unspooled, self._spool_updates = 0, {}
        if self.spool is not None:
            self.spool.clear()
        with self._stats_lock:
            self.stats.inserted += len(rows)
        self._io_recovered()

    def _spool_write(self) -> None:
        self.spool.append(self._rows[self._unspooled:], self._spool_updates)
        self._unspooled = len(self._rows)
        self._spool_updates = {}
        self._io_recovered()

    def _forget_requested(self) -> bool:
        """A `proactive forget` newer than the last one seen: commit (which honours it) instead of spooling."""
        request = read_forget_request(self.db)
        return request is not None and request.updated > self._forget_seen

    def _replay_spool(self) -> None:
        """Bring what a killed writer left in the spool into the DB (honouring any forget since). Lines that do
        not hold a sane row were skipped by the reader; a row SQLite still refuses is set aside, never fatal."""
        rows, updates = self.spool.read()
        if rows or updates:
            self._forget_seen = 0.0
            self._rows, self._updates = rows, updates
            self._write_rows(_INSERT.replace("INSERT", "INSERT OR REPLACE"))
            log.info("recovered %d events from %s", len(self._rows), self.spool.path)
            self._rows, self._updates = [], {}
            self._forget_seen = time.time()
        self.spool.clear()

    def _honour_forget(self) -> None:
        """Drop staged rows that a `proactive forget` issued since they were staged asked to remove."""
        request = read_forget_request(self.db)
        if request is None or request.updated <= self._forget_seen:
            return
        self._forget_seen = request.updated

        def forgotten(start: float, end: float) -> bool:
            return end >= request.since and start <= request.at  # overlaps the stretch, happened before the ask

        self._rows = [r for r in self._rows if not forgotten(r[1], r[1] + r[2])]
        self._last = {k: v for k, v in self._last.items() if not forgotten(v.event.start, v.event.end)}
        self._updates.clear()

    def _state_value(self) -> str:
        return json.dumps(self.snapshot().__dict__, sort_keys=True)

    def _write_state(self, force: bool = False) -> None:
        stats = self.snapshot()
        value = json.dumps(stats.__dict__, sort_keys=True)
        if value == self._last_state and not force:
            return  # nothing new: keep the disk quiet
        try:
            write_writer_stats(self.db, stats)
        except Exception as exc:
            log.warning("could not record writer state: %s", exc)
            return
        self._last_state = value
        self._state_written = time.monotonic()

