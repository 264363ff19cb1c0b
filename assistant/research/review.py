"""Reviewing past moments: the decisions of a day (shown tasks and silent moments), what the engine considered,
and the answer keys. The terminal labeller (`proactive label`) and the dashboard's Review tab both use this."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from assistant.log.db import Database
from assistant.log.decisions import DecisionRecord, decisions
from assistant.log.proposals import record_label

# key -> (label, words); task keys apply to shown tasks, silent keys to moments the assistant stayed silent
TASK_KEYS = {"a": ("accepted", "accept"), "r": ("rejected", "reject"), "o": ("other-help", "help, not this"),
             "n": ("not-now", "not now")}
SILENT_KEYS = {"y": ("help-needed", "help was needed"), "n": ("no-help-needed", "no help needed")}


def day_bounds(day: str, now: float) -> tuple[float, float]:
    """'today', 'yesterday' or YYYY-MM-DD -> local [start, end). ValueError names the expected forms."""
    today = dt.datetime.fromtimestamp(now).date()
    if day == "today":
        date = today
    elif day == "yesterday":
        date = today - dt.timedelta(days=1)
    else:
        try:
            date = dt.date.fromisoformat(day)
        except ValueError:
            raise ValueError(f"--day: expected today, yesterday or YYYY-MM-DD, got {day!r}") from None
    start = dt.datetime.combine(date, dt.time()).timestamp()
    return start, dt.datetime.combine(date + dt.timedelta(days=1), dt.time()).timestamp()


@dataclass(frozen=True)
class Moment:
    decision: DecisionRecord
    label: str | None  # the annotator's standing answer

    @property
    def silent(self) -> bool:
        return not self.decision.task

    @property
    def keys(self) -> dict[str, tuple[str, str]]:
        return SILENT_KEYS if self.silent else TASK_KEYS


def moments(db: Database, start: float, end: float, annotator: str = "me",
            include_silent: bool = True) -> list[Moment]:
    """Shown tasks (and silent moments) in [start, end), oldest first, with the annotator's answer."""
    out = []
    for d in decisions(db, start, end):
        if d.task and not d.surfaced:
            continue
        if not d.task and not include_silent:
            continue
        standing = d.standing().get(annotator)
        out.append(Moment(d, standing.label if standing else None))
    return out


def label(db: Database, moment: Moment, key: str, annotator: str = "me") -> Moment:
    """Answer a moment with a key; answering a labelled moment again is a relabel (history kept). A running
    app learns from it on its next look at the labels table. Returns the moment with its new answer."""
    if key not in moment.keys:
        raise ValueError(f"key {key!r}: expected one of {', '.join(moment.keys)}")
    new = moment.keys[key][0]
    record_label(db, moment.decision.id, new, reason="review", annotator=annotator,
                 relabel=moment.label is not None and moment.label != "ignored")
    return Moment(moment.decision, new)
