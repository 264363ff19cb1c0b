"""What the windows show, from the log and app APIs. No Qt and no SQL here (tested without a display).

Every function takes the UI's own log handle (`assistant.log.Database`) and returns plain Python values.
"""

from __future__ import annotations

import datetime as dt
import time

from assistant.app import control
from assistant.app.status import Part, Status
from assistant.decide.narrator import narrate
from assistant.log import Database
from assistant.log.events import count_since, recent
from assistant.log.proposals import ProposalRow, day_counts, observations_before, recent_proposals
from assistant.log.state import Pause

__all__ = ["Part", "ProposalRow", "Status", "recent_proposals"]

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
