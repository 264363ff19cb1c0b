"""The one status function: `proactive status`, the tray and the dashboard all show what `collect` returns.

In the app's own process the parts come from the live `Runtime`; elsewhere from the snapshot it keeps in the log
(rewritten whenever a part changes, and every few minutes regardless). A snapshot whose process is gone, or that
has not been refreshed for too long, is reported as such instead of being trusted.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.core import paths
from assistant.decide.rest import resting
from assistant.log import Database
from assistant.log.db import write_probe
from assistant.log.events import count_since, counts
from assistant.log.housekeeping import size_bytes
from assistant.log.proposals import labels_since
from assistant.log.state import read_pause, read_runtime, read_writer_stats

READ_ONLY = "the event log is open for reading only (its folder is read-only or the disk is full)"
STALE_AFTER_S = 900.0  # three missed refreshes (runtime.STATUS_REFRESH is 300 s)


@dataclass(frozen=True)
class Part:
    name: str
    state: str  # running | ready | idle | loading | paused | off | disabled | failed | stopped | fallback
    reason: str = ""
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.state in ("running", "ready", "idle")  # idle: the model, loaded when it is needed


@dataclass
class Status:
    running: bool
    pid: int | None
    headless: bool | None
    paused: bool
    paused_until: float | None
    parts: list[Part] = field(default_factory=list)
    warning: str = ""  # e.g. the running app has not refreshed its status for a long time
    dropped_events: int = 0
    not_stored_events: int = 0
    log_problem: str = ""  # why the event log cannot be written now (locked by another process, read-only, full)
    spooled_events: int = 0  # crash-safe in the running writer's spool, not committed yet
    refused_events: int = 0  # refused by the validator at any door (NaN, a year-9999 time, a 10 MB title, ...)
    refused_reason: str = ""
    rows: dict[str, int] = field(default_factory=dict)
    db_path: str = ""
    db_bytes: int = 0
    config_path: str = ""
    resting: list[str] = field(default_factory=list)  # kinds of task not shown in a place this week, in words

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["parts"] = [asdict(p) for p in self.parts]
        return out


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _parts(raw: list[dict[str, Any]]) -> list[Part]:
    return [Part(str(p.get("name", "?")), str(p.get("state", "?")), str(p.get("reason") or ""),
                 str(p.get("detail") or "")) for p in raw if isinstance(p, dict)]


def collect(db: Database, runtime: Any = None, now: float | None = None) -> Status:
    """Status from the live runtime when given (same process), else from what the running app last wrote."""
    now = time.time() if now is None else now
    pause = read_pause(db, now)
    warning = ""
    if runtime is not None:
        running, pid, headless = bool(runtime.running), os.getpid(), runtime.headless
        parts = _parts(runtime.parts())
        writer = runtime.writer.snapshot() if runtime.writer is not None else None
    else:
        snap = read_runtime(db)
        running = bool(snap and snap.running and pid_alive(snap.pid))
        pid = snap.pid if running else None
        headless = snap.headless if snap else None
        parts = _parts(snap.parts) if running else []
        writer = read_writer_stats(db)
        if running and now - snap.updated > STALE_AFTER_S:
            minutes = (now - snap.updated) / 60
            warning = (f"the running app has not refreshed its status for {minutes:.0f} min "
                       "(it may be unable to write to the event log)")
    problem = ""
    if runtime is None:  # the running app's writer knows for itself; another process asks SQLite
        problem = READ_ONLY if db.read_only else write_probe(db)
    if problem:
        parts = [Part(p.name, "failed", f"{problem}: nothing can be committed until it is free", p.detail)
                 if p.name == "event log" else p for p in parts]
    if pause.paused:  # the pause switch is the truth, even in the second before the collectors obey it
        until = f" until {time.strftime('%H:%M', time.localtime(pause.until))}" if pause.until else ""
        parts = [Part(p.name, "paused", f"paused{until}: nothing is collected", p.detail)
                 if p.name.startswith("collector ") and p.state == "running" else p for p in parts]
    rows = counts(db)
    rests = [r.words() for r in resting(labels_since(db, 0), now)] if rows.get("labels") else []
    return Status(
        running=running, pid=pid, headless=headless, paused=pause.paused,
        paused_until=pause.until if pause.paused else None, parts=parts, warning=warning,
        dropped_events=writer.dropped if writer else 0, not_stored_events=writer.not_stored if writer else 0,
        refused_events=writer.refused if writer else 0, refused_reason=writer.refused_reason if writer else "",
        log_problem=problem, spooled_events=max(0, count_since(db, 0.0) - rows["events"]),
        rows=rows, db_path=str(db.path), db_bytes=size_bytes(db), config_path=str(paths.config_path()),
        resting=rests)


def writer_part(stats: Any) -> dict[str, Any]:
    """The event log as a part of `proactive status`: failing writes and lost events are said plainly."""
    if stats.error:
        held = f"{stats.waiting} events kept in memory until it can write" if stats.waiting else ""
        lost = f"{stats.not_stored} events not stored" if stats.not_stored else ""
        detail = "; ".join(x for x in (lost, held) if x)
        return {"name": "event log", "state": "failed",
                "reason": f"{stats.error}: {detail or 'nothing lost yet'}; retrying every second"}
    lost = f"{stats.not_stored} events could not be stored earlier" if stats.not_stored else ""
    dropped = f"{stats.dropped} dropped (queue full)" if stats.dropped else ""
    refused = (f"{stats.refused} refused as invalid (last: {stats.refused_reason})"
               if getattr(stats, "refused", 0) else "")
    return {"name": "event log", "state": "running", "reason": "; ".join(x for x in (lost, dropped, refused) if x),
            "detail": f"{stats.inserted} stored this run"}
