"""What the decision chain hands to the card and the log: a Proposal, and the answers a user can give."""

from __future__ import annotations

from dataclasses import dataclass, field

LABELS = ("accepted", "rejected", "ignored", "not-now", "other-help", "help-needed", "no-help-needed")
TASK_LABELS = ("accepted", "rejected", "ignored", "not-now", "other-help")  # answers to a proposed task
SILENT_LABELS = ("help-needed", "no-help-needed")  # answers to a moment the assistant stayed silent (review)


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
