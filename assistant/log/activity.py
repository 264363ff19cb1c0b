"""What the dashboard charts: active time (focus minus away), away spans, suggestions over days, visits.

Active time is counted the way ActivityWatch counts it: the window in focus, only while you were at the keyboard.
A focus span ends where the next one starts (no second is counted twice), away-from-keyboard periods are cut out
of it, and rows about the app's own windows are left out (`assistant.log.own_rows`). Every total (per app, title,
site, category, day) is a sum over the same pieces, so parts always add up to their total, to the second.

Rows are read with SQL over the `events_start` index (rows a running writer has only spooled, at most a minute
of them, are added in Python); the interval arithmetic runs in Python over one day or week of spans.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from assistant.log.db import Database
from assistant.log.events import pending
from assistant.log.own_rows import NOT_OWN, own_row

MAX_SPAN_S = 6 * 3600.0  # a focus or away span longer than this is cut (a forgotten heartbeat)
VISIT_GAP_S = 300.0  # the same window again within 5 minutes continues a visit
FOCUS = ("window", "focus")
AFK = ("afk", "afk")


@dataclass(frozen=True)
class Span:
    start: float
    end: float
    app: str
    title: str = ""
    page: str = ""  # a browser's page title (without the browser's name)
    url: str = ""

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Mark:
    """A suggestion shown at `time` with its latest answer (None: not answered yet)."""

    time: float
    label: str | None
    task: str = ""
    proposal_id: int = 0


@dataclass(frozen=True)
class Visit:
    """One stay in a window: consecutive focus on the same app and title (gaps under 5 minutes merged)."""

    app: str
    title: str
    start: float
    end: float
    seconds: float  # time in focus during the visit (the gaps left out)
    events: int


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
        """Accepted, rejected or not now: an answer the user gave."""
        return self.accepted + self.rejected + self.not_now

    @property
    def closed(self) -> int:
        """Answered or ignored (closed unanswered): every card that is no longer waiting."""
        return self.answered + self.ignored

    @property
    def acceptance(self) -> float | None:
        """Accepted / closed, ignored cards counted (None when no card was closed that day)."""
        return self.accepted / self.closed if self.closed else None


def _data_fields(data: str | dict | None) -> tuple[str, str]:
    if not data:
        return "", ""
    try:
        value = json.loads(data) if isinstance(data, str) else data
    except ValueError:
        return "", ""
    if not isinstance(value, dict):
        return "", ""
    page, url = value.get("page_title"), value.get("url")
    return (page if isinstance(page, str) else ""), (url if isinstance(url, str) else "")


def spans(db: Database, source: str, kind: str, start: float, end: float, limit: int = 50000) -> list[Span]:
    """Events of one source/kind starting in [start, end) as spans cut at `end` (and at 6 hours), oldest first
    (the newest `limit`); never the app's own windows. Rows a running writer has only spooled are included."""
    rows = db.conn.execute(
        "SELECT id, start, min(start + min(duration, ?), ?), coalesce(app, '?'), coalesce(title, ''), "
        "json_extract(data, '$.page_title'), json_extract(data, '$.url') FROM events "
        f"WHERE start >= ? AND start < ? AND source = ? AND kind = ? AND {NOT_OWN} "
        "ORDER BY start DESC LIMIT ?", (MAX_SPAN_S, end, start, end, source, kind, int(limit))).fetchall()
    spooled, updates = pending(db)
    extra = _updated(db, updates, source, kind, start, end)
    out = [Span(s, min(end, e + extra.get(i, 0.0)), a, t, p if isinstance(p, str) else "",
                u if isinstance(u, str) else "") for i, s, e, a, t, p, u in reversed(rows)]
    if spooled:
        top = db.conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
        out += [Span(r[1], min(end, r[1] + min(r[2], MAX_SPAN_S)), r[5] or "?", r[6] or "", *_data_fields(r[7]))
                for r in spooled if r[0] > top and r[3] == source and r[4] == kind and start <= r[1] < end
                and not own_row(r[5], r[6])]
        out.sort(key=lambda s: s.start)
    return out


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


def focus_spans(db: Database, start: float, end: float) -> list[Span]:
    """Which app had the focus when (window focus events), as stored."""
    return spans(db, *FOCUS, start, end)


def afk_spans(db: Database, start: float, end: float) -> list[Span]:
    """Away-from-keyboard periods in [start, end), overlapping ones merged (an away span that began before
    `start` is included from `start`)."""
    raw = spans(db, *AFK, start - MAX_SPAN_S, end, 5000)
    merged: list[list[float]] = []
    for s in raw:
        lo, hi = max(s.start, start), min(s.end, end)
        if hi <= lo:
            continue
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return [Span(lo, hi, "away") for lo, hi in merged]


def active_pieces(focus: list[Span], away: list[Span], start: float, end: float) -> list[Span]:
    """Focus spans clipped to [start, end), each ending where the next begins, with away periods cut out.

    `away` must be sorted and non-overlapping (as `afk_spans` returns). The result is sorted and
    non-overlapping: summing any grouping of it gives that group's exact active time."""
    ordered = sorted(focus, key=lambda s: s.start)
    out: list[Span] = []
    j = 0
    for i, span in enumerate(ordered):
        lo = max(span.start, start)
        hi = min(span.end, end, ordered[i + 1].start if i + 1 < len(ordered) else end)
        if hi <= lo:
            continue
        while j < len(away) and away[j].end <= lo:
            j += 1
        k = j
        cursor = lo
        while k < len(away) and away[k].start < hi:
            if away[k].start > cursor:
                out.append(Span(cursor, away[k].start, span.app, span.title, span.page, span.url))
            cursor = max(cursor, away[k].end)
            k += 1
        if cursor < hi:
            out.append(Span(cursor, hi, span.app, span.title, span.page, span.url))
    return out


def suggestion_marks(db: Database, start: float, end: float) -> list[Mark]:
    """Shown suggestions in [start, end) with their latest answer (None: unanswered), oldest first."""
    return [Mark(t, label, task or "", pid) for pid, t, task, label in db.conn.execute(
        "SELECT p.id, p.time, p.task, (SELECT label FROM labels WHERE proposal_id = p.id ORDER BY id DESC LIMIT 1) "
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


def search_visits(db: Database, text: str, limit: int = 100, scan: int = 3000) -> list[Visit]:
    """Visits (app + title + time span) to windows whose app or title contains `text` (case-insensitive), newest
    first, over the whole log: the newest `scan` matching focus events, merged per window."""
    needle = text.strip().lower()
    if not needle:
        return []
    pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = db.conn.execute(  # one pass over the table beats walking the time index to every row
        "SELECT start, min(duration, ?), coalesce(app, '?'), coalesce(title, '') FROM events NOT INDEXED "
        "WHERE source = ? AND kind = ? AND (title LIKE ? ESCAPE '\\' OR app LIKE ? ESCAPE '\\') "
        f"AND {NOT_OWN} ORDER BY start DESC LIMIT ?",
        (MAX_SPAN_S, *FOCUS, pattern, pattern, int(scan))).fetchall()
    top = db.conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
    rows += [(r[1], min(r[2], MAX_SPAN_S), r[5] or "?", r[6] or "") for r in pending(db)[0]
             if r[0] > top and (r[3], r[4]) == FOCUS and not own_row(r[5], r[6])
             and (needle in (r[6] or "").lower() or needle in (r[5] or "").lower())]
    open_visits: dict[tuple[str, str], list] = {}
    visits: list[Visit] = []
    for start, duration, app, title in sorted(rows):
        key = (app, title)
        current = open_visits.get(key)
        if current is not None and start - current[1] <= VISIT_GAP_S:
            current[1] = max(current[1], start + duration)
            current[2] += duration
            current[3] += 1
            continue
        if current is not None:
            visits.append(Visit(app, title, current[0], current[1], current[2], current[3]))
        open_visits[key] = [start, start + duration, duration, 1]
    visits += [Visit(a, t, v[0], v[1], v[2], v[3]) for (a, t), v in open_visits.items()]
    visits.sort(key=lambda v: -v.start)
    return visits[:limit]
