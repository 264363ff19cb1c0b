"""What the windows show, from the log and app APIs. No Qt and no SQL here (tested without a display).

Every function takes the UI's own log handle (`assistant.log.Database`) and returns plain Python values.
Time figures are exact seconds of active time (`assistant.log.activity`); what is written on screen is rounded
once, by `shares`, so that the parts shown always add up to the total shown.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field, replace
from typing import Any

from assistant.app import control
from assistant.app.status import Part, Status
from assistant.core.config import default_config
from assistant.decide.narrator import narrate
from assistant.log import Database
from assistant.log.activity import (
    MAX_SPAN_S,
    DayAnswers,
    Mark,
    Span,
    Visit,
    active_pieces,
    afk_spans,
    answers_by_day,
    focus_spans,
    search_visits,
    suggestion_marks,
)
from assistant.log.events import count_since, recent
from assistant.log.proposals import ProposalRow, day_counts, observations_before, recent_proposals
from assistant.log.state import Pause
from collectors.browser_titles import page_info
from ui.categories import OTHER, Matcher, color_for, parse, site_of

__all__ = ["OTHER", "DayAnswers", "Mark", "Part", "ProposalRow", "Span", "Status", "Visit", "recent_proposals"]

ACTIVITY_WINDOW_SECONDS = 1800
ACTIVITY_EVENT_LIMIT = 1500  # narrating more than this every refresh would not be cheap
UNIT = 6.0  # seconds: what is shown is rounded to a tenth of a minute
DAY = 86400.0


def start_of_day(now: float) -> float:
    """Local midnight before `now` (epoch seconds)."""
    day = dt.datetime.fromtimestamp(now).date()
    return dt.datetime.combine(day, dt.time()).timestamp()


def start_of_week(now: float) -> float:
    """Local midnight of the Monday before `now`."""
    day = dt.datetime.fromtimestamp(now).date()
    return dt.datetime.combine(day - dt.timedelta(days=day.weekday()), dt.time()).timestamp()


def shift_day(day_start: float, days: int) -> float:
    """Local midnight `days` days after `day_start` (daylight saving time changes kept right)."""
    day = dt.datetime.fromtimestamp(day_start).date() + dt.timedelta(days=days)
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


def day_name(day_start: float, now: float | None = None) -> str:
    """'Today', 'Yesterday', 'Monday 3 June'."""
    day = dt.datetime.fromtimestamp(day_start).date()
    today = dt.datetime.fromtimestamp(time.time() if now is None else now).date()
    if day == today:
        return "Today"
    if day == today - dt.timedelta(days=1):
        return "Yesterday"
    return f"{day:%A} {day.day} {day:%B}" + ("" if day.year == today.year else f" {day.year}")


# ------------------------------------------------------------------ pause

def describe_pause(pause: Pause, now: float | None = None) -> str:
    if not pause.paused:
        return "Running"
    if pause.until is None:
        return "Paused until you resume"
    return f"Paused until {clock(pause.until, now)}"


def pause_info(db: Database, now: float | None = None) -> Pause:
    """The pause switch as the runtime reads it; an expired pause counts as running."""
    return control.pause_state(db, now)


def pause(db: Database, minutes: float | None, now: float | None = None) -> None:
    """Stop collection for `minutes` (None: until resumed). The runtime obeys within a second."""
    control.pause(db, minutes * 60 if minutes else None, now)


def resume(db: Database) -> None:
    control.resume(db)


def collectors_summary(parts: list[Part]) -> str:
    """'4 active, 3 off (opt-in)' (also 'unavailable', 'failed', 'paused' when some are)."""
    collectors = [p for p in parts if p.name.startswith("collector ")]
    defaults = default_config()
    active = sum(p.state == "running" for p in collectors)
    paused = sum(p.state == "paused" for p in collectors)
    failed = sum(p.state == "failed" for p in collectors)
    off = [p for p in collectors if p.state in ("disabled", "off") and "turned off in the config" in p.reason]
    unavailable = sum(p.state in ("disabled", "off") for p in collectors) - len(off)

    def opt_in(part: Part) -> bool:
        key = part.reason.split("(", 1)[-1].split(":", 1)[0].strip()
        try:
            return defaults[key] is False
        except (KeyError, TypeError):
            return False

    out = [f"{active} active"]
    if paused:
        out.append(f"{paused} paused")
    if off:
        out.append(f"{len(off)} off" + (" (opt-in)" if all(opt_in(p) for p in off) else ""))
    if unavailable:
        out.append(f"{unavailable} unavailable here")
    if failed:
        out.append(f"{failed} failed")
    return ", ".join(out)


# ------------------------------------------------------------------ figures that add up

def shares(seconds: list[float], unit: float = UNIT) -> list[int]:
    """Each value in whole `unit`s, so that they sum to the rounded total (largest remainders round up).

    Rounding every part on its own can show 2.8 + 1.2 = 4.1; rounding once, here, never does."""
    total = round(sum(seconds) / unit)
    exact = [s / unit for s in seconds]
    out = [int(x) for x in exact]
    order = sorted(range(len(exact)), key=lambda i: exact[i] - out[i], reverse=True)
    for i in order[:max(0, total - sum(out))]:
        out[i] += 1
    return out


def minutes_text(units: int, unit: float = UNIT) -> str:
    """'48 s', '12.4 min', '2 h 5.3 min', '7 h 37 min' for a count of `unit`s (a tenth of a minute)."""
    seconds = units * unit
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes = seconds / 60
    if minutes < 60:
        return f"{minutes:.1f} min"
    hours, rest = divmod(round(minutes * 10), 600)
    return f"{hours} h {rest // 10} min" if rest % 10 == 0 else f"{hours} h {rest / 10:.1f} min"


def exact_text(seconds: float) -> str:
    """'2 h 05 min 12 s', '12 min 25 s', '40 s' (to the second, for tooltips)."""
    s = int(round(seconds))
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    if h:
        return f"{h} h {m:02d} min {sec:02d} s"
    if m:
        return f"{m} min {sec:02d} s"
    return f"{sec} s"


def duration_text(seconds: float) -> str:
    """One figure on its own, rounded as `shares` would round it."""
    return minutes_text(shares([seconds])[0])


@dataclass(frozen=True)
class Figure:
    """One row of a breakdown: exact seconds, what is shown (`units` of UNIT), its colour."""

    name: str
    seconds: float
    units: int
    color: str
    detail: str = ""  # e.g. the app of a window title

    @property
    def text(self) -> str:
        return minutes_text(self.units)


def breakdown(totals: list[tuple[str, float]], colors: Any, limit: int = 10, rest: str = "others",
              details: dict[str, str] | None = None) -> list[Figure]:
    """The `limit` - 1 longest rows and one row for the rest, rounded together so that they add up."""
    rows = sorted(totals, key=lambda x: -x[1])
    if len(rows) > limit:
        tail = rows[limit - 1:]
        rows = rows[:limit - 1] + [(f"{len(tail)} {rest}", sum(s for _, s in tail))]
    units = shares([s for _, s in rows])
    return [Figure(n, s, u, colors(n), (details or {}).get(n, "")) for (n, s), u in zip(rows, units, strict=True)]


# ------------------------------------------------------------------ a day or a week of activity

@dataclass(frozen=True)
class Period:
    """Active time over a day or a week (epoch seconds; `end` is now when the period is not over)."""

    start: float
    end: float
    days: int
    pieces: list[Span]  # focus minus away: what every total below is summed from
    away: list[Span]
    marks: list[Mark]
    categories_of: dict[tuple[str, str, str, str], str] = field(default_factory=dict)
    matcher: Matcher | None = None

    def signature(self) -> tuple:
        """Changes whenever what this period shows changes (a refresh redraws only then)."""
        last = self.pieces[-1] if self.pieces else None
        return (self.start, self.days, len(self.pieces), last and (last.end, last.app), len(self.away),
                self.away_seconds, tuple(self.marks), id(self.matcher))

    @property
    def active(self) -> float:
        return sum(p.seconds for p in self.pieces)

    @property
    def away_seconds(self) -> float:
        return sum(a.seconds for a in self.away)

    def category(self, piece: Span) -> str:
        return self.categories_of.get((piece.app, piece.title, piece.page, piece.url), OTHER)

    def _sum(self, key) -> list[tuple[str, float]]:
        totals: dict[str, float] = {}
        for p in self.pieces:
            k = key(p)
            if k is not None:
                totals[k] = totals.get(k, 0.0) + p.seconds
        return sorted(totals.items(), key=lambda x: -x[1])

    @property
    def apps(self) -> list[tuple[str, float]]:
        return self._sum(lambda p: p.app)

    @property
    def categories(self) -> list[tuple[str, float]]:
        return self._sum(self.category)

    @property
    def sites(self) -> list[tuple[str, float]]:
        """Time per site, browser pages only (a page whose site is unknown counts as 'other pages')."""
        return self._sum(lambda p: (site_of(p.page, p.url) or "other pages") if (p.page or p.url) else None)

    @property
    def titles(self) -> list[tuple[str, str, float]]:
        totals: dict[tuple[str, str], float] = {}
        for p in self.pieces:
            totals[(p.app, p.title)] = totals.get((p.app, p.title), 0.0) + p.seconds
        return sorted(((a, t, s) for (a, t), s in totals.items()), key=lambda x: -x[2])

    def category_color(self, name: str) -> str:
        return self.matcher.color(name) if self.matcher else color_for(name)


def period(db: Database, start: float, days: int = 1, now: float | None = None,
           categories: dict[str, Any] | None = None) -> Period:
    """Active time, away spans and suggestions from local midnight `start` over `days` days (cut at now)."""
    now = time.time() if now is None else now
    end = min(now, shift_day(start, days))
    matcher = Matcher(parse(default_categories() if categories is None else categories))
    if end <= start:
        return Period(start, start, days, [], [], [], {}, matcher)
    away = afk_spans(db, start, end)
    pieces = _browser_pages(active_pieces(focus_spans(db, start - MAX_SPAN_S, end), away, start, end))
    cats = {}
    for p in pieces:
        key = (p.app, p.title, p.page, p.url)
        if key not in cats:
            cats[key] = matcher.category(*key)
    return Period(start, end, days, pieces, away, suggestion_marks(db, start, end), cats, matcher)


def _browser_pages(pieces: list[Span]) -> list[Span]:
    """Browser pages read again from their window titles: an older version cut a site's name ("- YouTube") off
    the page title it stored, and the site is what the Activity tab and the categories need."""
    pages: dict[tuple[str, str], str] = {}
    out = []
    for p in pieces:
        if p.page:
            key = (p.app, p.title)
            if key not in pages:
                page = page_info(p.app, p.title).get("page_title") or p.page
                pages[key] = page if page != p.title else p.page
            if pages[key] != p.page:
                p = replace(p, page=pages[key])
        out.append(p)
    return out


def today(db: Database, now: float | None = None, categories: dict[str, Any] | None = None) -> Period:
    """Today from local midnight until now."""
    now = time.time() if now is None else now
    return period(db, start_of_day(now), 1, now, categories)


# ------------------------------------------------------------------ counts and lists

def today_counts(db: Database, now: float | None = None) -> dict[str, int]:
    """Events, observations, suggestions shown and their answers since local midnight."""
    since = start_of_day(time.time() if now is None else now)
    return {"events": count_since(db, since), **day_counts(db, since)}


@dataclass(frozen=True)
class Noticed:
    """A sentence the assistant narrated, with the window it is about (when known)."""

    time: float
    sentence: str
    app: str = ""
    title: str = ""
    page: str = ""
    url: str = ""


def recent_activity(db: Database, now: float | None = None, limit: int = 20) -> list[Noticed]:
    """The last narrated sentences, newest first: the live narration of the last 30 minutes, topped up
    with stored observations when the last half hour was quiet."""
    now = time.time() if now is None else now
    pairs = recent(db, ACTIVITY_WINDOW_SECONDS, now=now, limit=ACTIVITY_EVENT_LIMIT)
    by_id = dict(pairs)
    live: list[Noticed] = []
    for o in reversed(narrate(pairs)):
        window = next((by_id[i] for i in o.event_ids if i in by_id and by_id[i].app), None)
        if window is None:
            live.append(Noticed(o.time, o.sentence))
            continue
        live.append(Noticed(o.time, o.sentence, window.app or "", window.title or "",
                            str(window.data.get("page_title") or ""), str(window.data.get("url") or "")))
    if len(live) < limit:
        oldest = live[-1].time if live else now + 1
        live += [Noticed(t, s) for t, s in observations_before(db, oldest, limit - len(live))]
    return live[:limit]


def answers_over_days(db: Database, now: float | None = None, days: int = 14) -> list[DayAnswers]:
    """Suggestions shown and answered per day over the last `days` days."""
    now = time.time() if now is None else now
    return answers_by_day(db, start_of_day(now) - (days - 1) * 86400)


def visits(db: Database, text: str, limit: int = 100) -> list[Visit]:
    """Visits to windows whose app or title contains `text`, newest first."""
    return search_visits(db, text, limit)


def visit_when(visit: Visit, now: float | None = None) -> str:
    """'14:05–14:32', 'Mon 09:10–09:40', '2024-05-01 14:05–14:07'."""
    return f"{clock(visit.start, now)}–{dt.datetime.fromtimestamp(visit.end):%H:%M}"


def megabytes(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e5 else f"{n / 1e3:.0f} KB"


def default_categories() -> dict[str, Any]:
    """The shipped categories (dashboard.categories)."""
    return default_config()["dashboard.categories"]
