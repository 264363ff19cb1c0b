"""What the windows show, from the log and app APIs. No Qt and no SQL here (tested without a display).

Every function takes the UI's own log handle (`assistant.log.Database`) and returns plain Python values.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from assistant.app import control
from assistant.app.status import Part, Status
from assistant.core.config import default_config
from assistant.core.safe_regex import UserPattern
from assistant.decide.narrator import narrate
from assistant.log import Database
from assistant.log.activity import (
    DayAnswers,
    Span,
    afk_spans,
    answers_by_day,
    app_durations,
    focus_spans,
    suggestion_marks,
    title_durations,
)
from assistant.log.activity import search as search_log
from assistant.log.events import count_since, recent
from assistant.log.proposals import ProposalRow, day_counts, observations_before, recent_proposals
from assistant.log.state import Pause

__all__ = ["DayAnswers", "Part", "ProposalRow", "Span", "Status", "recent_proposals"]

ACTIVITY_WINDOW_SECONDS = 1800
ACTIVITY_EVENT_LIMIT = 1500  # narrating more than this every refresh would not be cheap
OTHER = "Other"


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


# ------------------------------------------------------------------ counts and lists

def today_counts(db: Database, now: float | None = None) -> dict[str, int]:
    """Events, observations, proposals shown and their answers since local midnight."""
    since = start_of_day(time.time() if now is None else now)
    return {"events": count_since(db, since), **day_counts(db, since)}


def recent_activity(db: Database, now: float | None = None, limit: int = 20) -> list[tuple[float, str]]:
    """The last narrated sentences, newest first: the live narration of the last 30 minutes, topped up
    with stored observations when the last half hour was quiet."""
    now = time.time() if now is None else now
    pairs = recent(db, ACTIVITY_WINDOW_SECONDS, now=now, limit=ACTIVITY_EVENT_LIMIT)
    live = [(o.time, o.sentence) for o in narrate(pairs)]
    live.reverse()
    if len(live) < limit:
        oldest = live[-1][0] if live else now + 1
        live += observations_before(db, oldest, limit - len(live))
    return live[:limit]


# ------------------------------------------------------------------ charts

@dataclass(frozen=True)
class Today:
    """Everything the dashboard's charts show for one day (epoch seconds; `end` is now)."""

    start: float
    end: float
    focus: list[Span]
    afk: list[Span]
    marks: list[tuple[float, str | None]]
    apps: list[tuple[str, float]]
    categories: list[tuple[str, float]]


def categorize(rows: list[tuple[str, str, float]], rules: dict[str, str]) -> list[tuple[str, float]]:
    """Seconds per category: the first rule whose regex matches "app title" wins, else 'Other'. A pattern that
    does not compile is skipped (config check reports it); one that times out on a text counts as no match."""
    compiled: list[tuple[str, UserPattern]] = []
    for name, pattern in rules.items():
        try:
            compiled.append((name, UserPattern(pattern)))
        except Exception:  # noqa: BLE001, S112 - an invalid pattern is reported by config check, not here
            continue
    totals: dict[str, float] = {}
    for app, title, seconds in rows:
        text = f"{app} {title}"
        name = next((n for n, p in compiled if p.search(text)), OTHER)
        totals[name] = totals.get(name, 0.0) + seconds
    return sorted(totals.items(), key=lambda x: -x[1])


def today(db: Database, now: float | None = None, categories: dict[str, str] | None = None) -> Today:
    """Today's timeline, away spans, suggestions and time per app and category (aggregated in SQL)."""
    now = time.time() if now is None else now
    start = start_of_day(now)
    return Today(start, now, focus_spans(db, start, now), afk_spans(db, start, now),
                 suggestion_marks(db, start, now), app_durations(db, start, now),
                 categorize(title_durations(db, start, now), categories or {}))


def answers_over_days(db: Database, now: float | None = None, days: int = 14) -> list[DayAnswers]:
    """Suggestions shown and answered per day over the last `days` days."""
    now = time.time() if now is None else now
    return answers_by_day(db, start_of_day(now) - (days - 1) * 86400)


def search_events(db: Database, text: str, now: float | None = None, limit: int = 200) -> list[tuple[str, str, str]]:
    """(when, app, title) of the newest events whose app or title contains `text`."""
    return [(clock(e.start, now), e.app or e.source, e.title or e.kind) for _, e in search_log(db, text, limit)]


def hours(seconds: float) -> str:
    """'2 h 05 min', '12 min', '40 s'."""
    if seconds >= 3600:
        return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60):02d} min"
    if seconds >= 60:
        return f"{int(seconds // 60)} min"
    return f"{int(seconds)} s"


def megabytes(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e5 else f"{n / 1e3:.0f} KB"


def default_categories() -> dict[str, str]:
    """The shipped category rules (dashboard.categories)."""
    return default_config()["dashboard.categories"]
