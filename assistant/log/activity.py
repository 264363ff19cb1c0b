"""What the dashboard charts: time per app and title, focus and away spans, suggestions over days, search.

Everything is aggregated in SQL over the `events_start` index, so a refresh costs the same with a month of
history as with a day. Rows a running writer has only spooled (at most a minute of them) are added in Python.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from assistant.core.events import Event
from assistant.log.db import Database
from assistant.log.events import pending

MAX_SPAN_S = 6 * 3600.0  # a focus or away span longer than this is cut (a forgotten heartbeat)
FOCUS = ("window", "focus")
AFK = ("afk", "afk")


@dataclass(frozen=True)
class Span:
    start: float
    end: float
    app: str
    title: str = ""


@dataclass(frozen=True)
class DayAnswers:
    day: str  # YYYY-MM-DD, local time
    shown: int
    accepted: int
    rejected: int
    ignored: int
    not_now: int

    @property
    def answered(self) -> int:
        return self.accepted + self.rejected + self.not_now

    @property
    def acceptance(self) -> float | None:
        """Accepted / answered (None when nothing was answered that day)."""
        return self.accepted / self.answered if self.answered else None


def _spooled(db: Database, spooled: list[list], source: str, kind: str, start: float, end: float) -> list[Span]:
    """Spans of not-yet-committed rows (from `pending`) of one source/kind starting in [start, end)."""
    if not spooled:
        return []
    top = db.conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
    return [Span(r[1], min(end, r[1] + min(r[2], MAX_SPAN_S)), r[5] or "?", r[6] or "")
            for r in spooled if r[0] > top and r[3] == source and r[4] == kind and start <= r[1] < end]


def _updated(db: Database, updates: dict[int, float], source: str, kind: str, start: float,
             end: float) -> dict[int, float]:
    """Duration updates (from `pending`) for committed rows of one source/kind in [start, end): id -> extra s."""
    if not updates:
        return {}
    ids = list(updates)[:500]
    marks = ",".join("?" * len(ids))
    rows = db.conn.execute(f"SELECT id, duration FROM events WHERE id IN ({marks}) AND source = ? AND kind = ? "
                           "AND start >= ? AND start < ?", [*ids, source, kind, start, end]).fetchall()
    return {i: max(0.0, updates[i] - d) for i, d in rows}


def spans(db: Database, source: str, kind: str, start: float, end: float, limit: int = 20000) -> list[Span]:
    """Events of one source/kind starting in [start, end) as spans cut at `end`, oldest first (the newest
    `limit`). Spans shorter than a second are left out: they cannot be seen on a day's timeline."""
    rows = db.conn.execute(
        "SELECT id, start, min(start + min(duration, ?), ?), coalesce(app, '?'), coalesce(title, '') FROM events "
        "WHERE start >= ? AND start < ? AND source = ? AND kind = ? AND duration >= 1 "
        "ORDER BY start DESC LIMIT ?", (MAX_SPAN_S, end, start, end, source, kind, int(limit))).fetchall()
    spooled, updates = pending(db)
    extra = _updated(db, updates, source, kind, start, end)
    out = [Span(s, min(end, e + extra.get(i, 0.0)), a, t) for i, s, e, a, t in reversed(rows)]
    return out + _spooled(db, spooled, source, kind, start, end)


def focus_spans(db: Database, start: float, end: float, limit: int = 20000) -> list[Span]:
    """Which app had the focus when (window focus events)."""
    return spans(db, *FOCUS, start, end, limit)


def afk_spans(db: Database, start: float, end: float) -> list[Span]:
    """Away-from-keyboard periods."""
    return spans(db, *AFK, start, end, 2000)


def app_durations(db: Database, start: float, end: float, limit: int = 30) -> list[tuple[str, float]]:
    """Seconds of focus per app in [start, end), longest first."""
    totals = dict(db.conn.execute(
        "SELECT coalesce(app, '?'), sum(min(start + min(duration, ?), ?) - start) FROM events "
        "WHERE start >= ? AND start < ? AND source = ? AND kind = ? GROUP BY 1",
        (MAX_SPAN_S, end, start, end, *FOCUS)).fetchall())
    for span in _spooled(db, pending(db)[0], *FOCUS, start, end):
        totals[span.app] = totals.get(span.app, 0.0) + span.end - span.start
    return sorted(((a, float(s)) for a, s in totals.items() if s and s > 0), key=lambda x: -x[1])[:limit]


def title_durations(db: Database, start: float, end: float, limit: int = 3000) -> list[tuple[str, str, float]]:
    """Seconds of focus per (app, title) in [start, end), longest first (what categories are computed from)."""
    rows = db.conn.execute(
        "SELECT coalesce(app, '?'), coalesce(title, ''), sum(min(start + min(duration, ?), ?) - start) AS s "
        "FROM events WHERE start >= ? AND start < ? AND source = ? AND kind = ? GROUP BY 1, 2 "
        "ORDER BY s DESC LIMIT ?", (MAX_SPAN_S, end, start, end, *FOCUS, int(limit))).fetchall()
    out = [(a, t, float(s)) for a, t, s in rows if s and s > 0]
    out += [(sp.app, sp.title, sp.end - sp.start) for sp in _spooled(db, pending(db)[0], *FOCUS, start, end)]
    return out


def suggestion_marks(db: Database, start: float, end: float) -> list[tuple[float, str | None]]:
    """Shown suggestions in [start, end) with their latest answer (None: unanswered), oldest first."""
    return [(t, label) for t, label in db.conn.execute(
        "SELECT p.time, (SELECT label FROM labels WHERE proposal_id = p.id ORDER BY id DESC LIMIT 1) "
        "FROM proposals p WHERE p.surfaced = 1 AND p.time >= ? AND p.time < ? ORDER BY p.time",
        (start, end)).fetchall()]


def answers_by_day(db: Database, since: float) -> list[DayAnswers]:
    """Per local day since `since`: suggestions shown and their latest answers (oldest day first)."""
    rows = db.conn.execute(
        "SELECT date(p.time, 'unixepoch', 'localtime') AS day, count(*), "
        "sum(l.label = 'accepted'), sum(l.label = 'rejected'), sum(l.label = 'ignored'), "
        "sum(l.label = 'not-now') FROM proposals p LEFT JOIN labels l ON l.id = "
        "(SELECT max(id) FROM labels WHERE proposal_id = p.id) WHERE p.surfaced = 1 AND p.time >= ? "
        "GROUP BY day ORDER BY day", (since,)).fetchall()
    return [DayAnswers(d, n, a or 0, r or 0, i or 0, nn or 0) for d, n, a, r, i, nn in rows]


def search(db: Database, text: str, limit: int = 200) -> list[tuple[int, Event]]:
    """The newest events whose app or title contains `text` (case-insensitive), over the whole log."""
    needle = text.strip().lower()
    if not needle:
        return []
    rows = db.conn.execute(
        "SELECT id, start, duration, source, kind, app, title, data FROM events "
        "WHERE instr(lower(coalesce(title, '')), ?) > 0 OR instr(lower(coalesce(app, '')), ?) > 0 "
        "ORDER BY start DESC LIMIT ?", (needle, needle, int(limit))).fetchall()
    return [(r[0], Event(source=r[3], kind=r[4], start=r[1], duration=r[2], app=r[5], title=r[6],
                         data=json.loads(r[7]) if r[7] else {})) for r in rows]
