"""Simulated users with consistent preferences, for `python -m bench.personas`.

A persona answers a card (a task of some kind, shown at a moment) with a label and the reason chip a person
would pick, or None: the card is left unanswered (ignored). Each is a rule over where the user is (the
Context read from the history), the kind of help, the time of day and the evidence in the history; where the
rule is silent the moment's own ground truth decides (the situation library's or the ProactiveBench
annotators': was this task wanted here).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from models.judge.kinds import Context, task_kind

Answer = tuple[str, str | None] | None  # (label, reason chip) or None: ignored
WRITING_FILES = {"md", "docx", "odt", "tex", "txt", "rtf"}
READING = re.compile(r"(?i)\b(reads|scrolls|is reading)\b")
LONG_READ = 3  # sentences of reading in the history


@dataclass(frozen=True)
class Moment:
    """One moment the engine consults on: the history, its candidates (task, kind) and the ground truth."""

    history: tuple[str, ...]
    candidates: tuple[tuple[str, str], ...]  # (task, generator kind or "")
    wanted: frozenset[str]  # the tasks the ground truth accepts here
    help_needed: bool
    context: Context
    source: str  # "situations" or "proactivebench"
    group: str  # situation or session name (held-out split)


@dataclass(frozen=True)
class Slot:
    """When a moment happens in the simulated week."""

    hour: int
    meeting: bool = False

    @property
    def when(self) -> str:
        if self.meeting:
            return "meeting"
        return "morning" if self.hour < 12 else "afternoon" if self.hour < 17 else "evening"


def truth(m: Moment, task: str) -> Answer:
    """The ground truth's answer: accepted where wanted, else rejected with the reason the data implies."""
    if task in m.wanted:
        return ("accepted", None)
    return ("rejected", "Not useful" if m.help_needed else "Wrong time")


def writing(m: Moment) -> bool:
    return m.context.kind == "writing" or m.context.file_type in WRITING_FILES


def error_help_not_while_writing(m: Moment, task: str, kind: str, slot: Slot) -> Answer:
    """Wants help with errors, but nothing while writing a document."""
    if writing(m):
        return ("rejected", "Wrong time")
    return truth(m, task)


def summaries_of_long_reads(m: Moment, task: str, kind: str, slot: Slot) -> Answer:
    """Wants summaries, and only of long reads; nothing else."""
    if task_kind(task, kind) != "summarise":
        return ("rejected", "Not useful")
    long_read = sum(bool(READING.search(s)) for s in m.history) >= LONG_READ
    return ("accepted", None) if long_read else ("rejected", "Not useful")


def no_mornings(m: Moment, task: str, kind: str, slot: Slot) -> Answer:
    """Rejects everything before noon."""
    if slot.hour < 12:
        return ("rejected", "Wrong time")
    return truth(m, task)


def not_now_in_meetings(m: Moment, task: str, kind: str, slot: Slot) -> Answer:
    """'Not now' in meetings; the same card after the meeting is answered as the ground truth says."""
    if slot.meeting:
        return ("not-now", None)
    return truth(m, task)


def reviews_in_one_project(m: Moment, task: str, kind: str, slot: Slot) -> Answer:
    """Accepts reviews only in the Python project (.py files); reviews elsewhere are not useful."""
    if task_kind(task, kind) == "review":
        return ("accepted", None) if m.context.file_type == "py" else ("rejected", "Not useful")
    return truth(m, task)


def ignores_instead_of_rejecting(m: Moment, task: str, kind: str, slot: Slot) -> Answer:
    """Accepts what is wanted, and never rejects: an unwanted card is left to time out."""
    said = truth(m, task)
    return said if said and said[0] == "accepted" else None


PERSONAS: dict[str, Callable[[Moment, str, str, Slot], Answer]] = {
    "error_help_not_while_writing": error_help_not_while_writing,
    "summaries_of_long_reads": summaries_of_long_reads,
    "no_mornings": no_mornings,
    "not_now_in_meetings": not_now_in_meetings,
    "reviews_in_one_project": reviews_in_one_project,
    "ignores_instead_of_rejecting": ignores_instead_of_rejecting,
}
