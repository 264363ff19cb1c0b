"""The week's rest: after REST_AFTER answers "Not useful" to one kind of task in one place, that kind is not
shown there for REST_S.

Derived from the answers alone (the labels table), so a restart that reads its answers again rests the same
kinds, and `proactive status` can say so without the app running. An acceptance of that kind there starts the
count again; other places and other kinds are not affected.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from models.judge.kinds import CANDIDATE_KINDS, TASK_KIND_WORDS, TASK_KINDS

REST_AFTER = 5
REST_S = 7 * 86400.0
NOT_USEFUL = re.compile(r"(?i)^\s*not\s+useful\b")


@dataclass(frozen=True, slots=True)
class Rest:
    """One kind of task resting in one place, from `since` until `until`."""

    place: str  # as the policy keys places: "app|site" or "app|.ext"
    kind: str  # the candidate's kind (summarise_pages, explain_error, ...)
    since: float
    until: float

    def words(self) -> str:
        """In plain words, as `proactive status` says it."""
        day = time.strftime("%a %d %b %H:%M", time.localtime(self.until))
        return (f"no {kind_words(self.kind)} suggestions {place_words(self.place)} until {day}: "
                f"you answered 'Not useful' {REST_AFTER} times there")


def kind_words(kind: str) -> str:
    coarse = kind if kind in TASK_KINDS else CANDIDATE_KINDS.get(kind, "")
    return TASK_KIND_WORDS.get(coarse, kind.replace("_", " ")) if coarse else kind.replace("_", " ")


def place_words(place: str) -> str:
    app, _, where = place.partition("|")
    app = app or "this app"
    if where.startswith("."):
        return f"in {app} on {where} files"
    if where == "error":
        return f"in {app} at an error"
    return f"in {app} on {where}" if where else f"in {app}"


@dataclass
class Rests:
    """Counts "Not useful" answers per (place, kind) and the rests they started; feed answers oldest first."""

    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    rests: dict[tuple[str, str], Rest] = field(default_factory=dict)

    def add(self, place: str, kind: str | None, label: str, reason: str | None, when: float) -> None:
        if not kind or kind == "none":
            return
        key = (place, kind)
        if label == "accepted":
            self.counts.pop(key, None)
        elif label == "rejected" and reason and NOT_USEFUL.search(reason):
            self.counts[key] = self.counts.get(key, 0) + 1
            if self.counts[key] >= REST_AFTER:
                self.counts.pop(key)
                self.rests[key] = Rest(place, kind, when, when + REST_S)

    def kinds(self, place: str, now: float) -> frozenset[str]:
        """Kinds resting in `place` at `now`."""
        return frozenset(k for (p, k), r in self.rests.items() if p == place and r.since <= now < r.until)

    def active(self, now: float) -> list[Rest]:
        return sorted((r for r in self.rests.values() if r.since <= now < r.until), key=lambda r: r.since)


def rests_from(rows: Iterable[Any]) -> Rests:
    """The rests the stored answers started (assistant.log.proposals.LabelRow, any order); an answer replaced
    by a relabel does not count."""
    rows = sorted(rows, key=lambda r: r.id)
    replaced = {r.replaces for r in rows if r.replaces is not None}
    rests = Rests()
    for row in rows:
        if row.id not in replaced:
            rests.add(row.where, row.kind, row.label, row.reason, row.time)
    return rests


def resting(rows: Iterable[Any], now: float | None = None) -> list[Rest]:
    """The rests standing at `now`, from the stored answers."""
    return rests_from(rows).active(time.time() if now is None else now)
