"""What the windows show, read from the event log with cheap queries. No Qt here (tested without a display).

Every function takes the UI's own `sqlite_utils.Database` and returns plain Python values.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from assistant.decide.narrator import narrate
from assistant.log import queries

ACTIVITY_WINDOW_SECONDS = 1800
ACTIVITY_EVENT_LIMIT = 1500  # narrating more than this every refresh would not be cheap


def start_of_day(now: float) -> float:
    """Local midnight before `now` (epoch seconds)."""
    day = dt.datetime.fromtimestamp(now).date()
    return dt.datetime.combine(day, dt.time()).timestamp()


def clock(ts: float, now: float | None = None) -> str:
    """'14:05' today, 'Mon 14:05' within a week, else '2024-05-01 14:05'."""
    moment = dt.datetime.fromtimestamp(ts)
    today = dt.datetime.fromtimestamp(time.time() if now is None else now).date()
    if moment.date() == today:
        return moment.strftime("%H:%M")
    if (today - moment.date()).days < 7:
        return moment.strftime("%a %H:%M")
    return moment.strftime("%Y-%m-%d %H:%M")


# ------------------------------------------------------------------ pause

@dataclass(frozen=True)
class PauseInfo:
    paused: bool
    until: float | None = None

    def describe(self, now: float | None = None) -> str:
        if not self.paused:
            return "Running"
        if self.until is None:
            return "Paused until you resume"
        return f"Paused until {clock(self.until, now)}"


def pause_info(db: sqlite_utils.Database, now: float | None = None) -> PauseInfo:
    """The pause switch as the runtime reads it (state key 'pause'); an expired pause counts as running."""
    now = time.time() if now is None else now
    state = queries.get_state(db, "pause")
    value = state[0] if state else None
    if not value:
        return PauseInfo(False)
    until = value.get("until")
    if until is not None and until <= now:
        return PauseInfo(False)
    return PauseInfo(True, until)


def pause(db: sqlite_utils.Database, minutes: float | None, now: float | None = None) -> None:
    """Stop collection for `minutes` (None: until resumed). The runtime obeys within a second."""
    now = time.time() if now is None else now
    until = now + minutes * 60 if minutes else None
    queries.set_state(db, "pause", {"until": until, "since": now})


def resume(db: sqlite_utils.Database) -> None:
    queries.set_state(db, "pause", None)


# ------------------------------------------------------------------ status of the parts

@dataclass(frozen=True)
class PartStatus:
    name: str
    state: str
    reason: str

    @property
    def ok(self) -> bool:
        return self.state in ("running", "ready")


def parts_status(status: dict[str, Any]) -> list[PartStatus]:
    """Collectors then other parts (engine, ...) from a runtime status dict (see Runtime._write_status)."""
    out = [PartStatus(str(c.get("name", "?")), str(c.get("state", "?")), str(c.get("reason") or ""))
           for c in status.get("collectors", [])]
    out += [PartStatus(name, str(st.get("state", "?")), str(st.get("reason") or ""))
            for name, st in status.get("parts", {}).items()]
    return out


def stored_status(db: sqlite_utils.Database) -> dict[str, Any]:
    """The status the running app last wrote (for a dashboard that has no Runtime of its own)."""
    state = queries.get_state(db, "runtime")
    return dict(state[0]) if state and state[0] else {"running": False, "collectors": [], "parts": {}}


# ------------------------------------------------------------------ counts and lists

def today_counts(db: sqlite_utils.Database, now: float | None = None) -> dict[str, int]:
    """Events, observations, proposals shown and their answers since local midnight."""
    since = start_of_day(time.time() if now is None else now)
    conn = db.conn
    out = {
        "events": conn.execute("SELECT count(*) FROM events WHERE start >= ?", (since,)).fetchone()[0],
        "observations": conn.execute("SELECT count(*) FROM observations WHERE time >= ?", (since,)).fetchone()[0],
        "shown": conn.execute("SELECT count(*) FROM proposals WHERE surfaced = 1 AND time >= ?",
                              (since,)).fetchone()[0],
    }
    answers = dict(conn.execute(
        "SELECT l.label, count(*) FROM labels l JOIN proposals p ON p.id = l.proposal_id "
        "WHERE p.time >= ? AND l.id = (SELECT max(id) FROM labels WHERE proposal_id = p.id) GROUP BY l.label",
        (since,)).fetchall())
    for label in ("accepted", "rejected", "ignored", "not-now"):
        out[label.replace("-", "_")] = answers.get(label, 0)
    return out


@dataclass(frozen=True)
class ProposalRow:
    id: int
    time: float
    task: str
    score: float | None
    label: str | None
    reason: str | None
    why: str  # the last narrated sentence before the proposal


def recent_proposals(db: sqlite_utils.Database, limit: int = 20, label: str | None = None) -> list[ProposalRow]:
    """Shown proposals, newest first, each with its latest answer (or None); optionally one label only."""
    sql = ("SELECT p.id, p.time, p.task, p.judge_score, l.label, l.reason, p.context FROM proposals p "
           "LEFT JOIN labels l ON l.id = (SELECT max(id) FROM labels WHERE proposal_id = p.id) "
           "WHERE p.surfaced = 1")
    params: list[Any] = []
    if label:
        sql += " AND l.label = ?"
        params.append(label)
    sql += " ORDER BY p.time DESC, p.id DESC LIMIT ?"
    params.append(int(limit))
    rows = []
    for pid, ptime, task, score, lab, reason, context in db.conn.execute(sql, params):
        try:
            history = json.loads(context).get("history") or []
        except (ValueError, AttributeError):
            history = []
        rows.append(ProposalRow(pid, ptime, task or "", score, lab, reason, history[-1] if history else ""))
    return rows


def recent_activity(db: sqlite_utils.Database, now: float | None = None,
                    limit: int = 20) -> list[tuple[float, str]]:
    """The last narrated sentences, newest first: the live narration of the last 30 minutes, topped up
    with stored observations when the last half hour was quiet."""
    now = time.time() if now is None else now
    pairs = queries.recent(db, ACTIVITY_WINDOW_SECONDS, now=now, limit=ACTIVITY_EVENT_LIMIT)
    live = [(o.time, o.sentence) for o in narrate(pairs)]
    live.reverse()
    if len(live) < limit:
        oldest = live[-1][0] if live else now + 1
        stored = db.conn.execute("SELECT time, sentence FROM observations WHERE time < ? "
                                 "ORDER BY time DESC LIMIT ?", (oldest, limit - len(live))).fetchall()
        live += [(t, s) for t, s in stored]
    return live[:limit]
