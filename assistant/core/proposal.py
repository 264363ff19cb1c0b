"""What the decision chain hands to the card and the log: a Proposal, and the answers a user can give."""

from __future__ import annotations

from dataclasses import dataclass, field

LABELS = ("accepted", "rejected", "ignored", "not-now")


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
