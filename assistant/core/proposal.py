"""What the decision chain hands to the card and the log: a Proposal, and the answers a user can give."""

from __future__ import annotations

from dataclasses import dataclass, field

LABELS = ("accepted", "rejected", "ignored", "not-now", "other-help", "help-needed", "no-help-needed", "superseded")
# what can be recorded about a proposed task (answers, and how a card closed without one)
TASK_LABELS = ("accepted", "rejected", "ignored", "not-now", "other-help", "superseded")
SILENT_LABELS = ("help-needed", "no-help-needed")  # answers to a moment the assistant stayed silent (review)
# a card that closed without an answer: it timed out (ignored) or another card replaced it (superseded); an
# answer given later replaces these without being a relabel
NO_ANSWER_LABELS = ("ignored", "superseded")


@dataclass(frozen=True)
class Judgement:
    """What one answer says in the ProactiveBench reward-data shape: was the decision right (`valid`), and
    did the user need help at that moment (`help_needed`). None: the answer is no judgement (ignored)."""

    valid: bool
    help_needed: bool


JUDGEMENTS: dict[str, Judgement | None] = {
    "accepted": Judgement(True, True),  # the task was right: Correct-Detection
    "rejected": Judgement(False, False),  # no help wanted: False-Alarm
    "not-now": Judgement(False, False),  # not at this moment (timing): False-Alarm
    "other-help": Judgement(False, True),  # help was needed, but not this task: False-Alarm, help needed
    "ignored": None,  # the card closed unanswered: no judgement, not exported as a label
    "superseded": None,  # a card about another need replaced it before an answer: not a label at all (it
    # teaches the judge nothing and is no false alarm)
    "help-needed": Judgement(False, True),  # silent, but help was needed: Missed-Need
    "no-help-needed": Judgement(True, False),  # silent, and rightly so: Correct-Rejection
}

CATEGORIES = {("task", True): "Correct-Detection (CD)", ("task", False): "False-Alarm (FA)",
              ("silent", True): "Correct-Rejection (CR)", ("silent", False): "Missed-Need (MN)"}


def category(task: str | None, valid: bool) -> str:
    """The reward data's category of a decision: a task or silence, judged right or wrong."""
    return CATEGORIES[("task" if task else "silent", bool(valid))]


@dataclass
class Proposal:
    time: float
    task: str | None
    score: float
    context: str
    trigger: str
    history: list[str]
    observation_event_ids: list[list[int]]
    kind: str = "none"
    source: str = "template"
    latency_ms: float = 0.0
    reason: str = ""
    model: str = ""
    id: int | None = None
    candidates: list[tuple[str | None, float]] = field(default_factory=list)
    history_times: list[float] = field(default_factory=list)  # when each history sentence happened
    why: str = ""  # the evidence of need in plain words ("why now" on the card)
    episode: int | None = None  # the need this decision is about (assistant.decide.episodes)
    supersedes: Proposal | None = None  # the card on screen this one replaces (recorded as superseded)
