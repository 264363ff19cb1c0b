"""Choosing one task (or none) from the candidates, using the judge's joint scores.

"No task" wins when no task candidate clears the threshold, when the null candidate scores at least as high as
the best task, or (when a help gate threshold is given) when P(help needed | history) is below it.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass, field
from typing import Protocol

from models.candidates import Candidate

EVIDENCE_RELIEF = 0.15


class ScoringJudge(Protocol):
    def score(self, history: Sequence[str], tasks: Sequence[str | None]) -> list[float]: ...

    def help_needed(self, history: Sequence[str]) -> float: ...


@dataclass
class Decision:
    task: str | None
    score: float  # judge score of the chosen candidate (the null's when no task)
    scores: list[tuple[Candidate, float]] = field(default_factory=list)
    reason: str = ""
    candidate: Candidate | None = None  # the chosen task candidate, None when no task

    @property
    def proposes(self) -> bool:
        return self.task is not None


def decide(
    history: Sequence[str],
    candidates: Sequence[Candidate],
    judge: ScoringJudge,
    threshold: float,
    gate_threshold: float | None = None,
    prefer_kinds: Set[str] = frozenset(),
    gate_relief: float = 0.0,
) -> Decision:
    """Score all candidates together (the null is added if missing) and pick one task or none.

    `prefer_kinds`: kinds of task the evidence of need points at (an error seen again: explaining it). They
    rank EVIDENCE_RELIEF higher and clear the threshold that much sooner; the judge's own score is kept.
    `gate_relief`: how much the policy's evidence of need lowers the help gate (strong evidence more)."""
    cands = list(candidates)
    if not any(c.task is None for c in cands):
        cands.append(Candidate(None, "none", "template"))
    probs = judge.score(list(history), [c.task for c in cands])
    scored = list(zip(cands, probs))
    null_score = max(p for c, p in scored if c.task is None)
    tasks = [(c, p) for c, p in scored if c.task is not None]
    if not tasks:
        return Decision(None, null_score, scored, "no task candidates")
    best, best_score = max(tasks, key=lambda cp: cp[1] + (EVIDENCE_RELIEF if cp[0].kind in prefer_kinds else 0.0))
    relief = EVIDENCE_RELIEF if best.kind in prefer_kinds else 0.0
    if best_score + relief < threshold:
        return Decision(
            None, null_score, scored, f"best task {best_score:.2f} below threshold {threshold:.2f}"
        )
    if gate_threshold is not None:  # two decisions: is help needed now (the gate), then which help (the judge)
        need = judge.help_needed(list(history))
        gate = gate_threshold - gate_relief
        if need < gate:
            return Decision(None, null_score, scored, f"help needed {need:.2f} below gate {gate:.2f}")
    elif null_score >= best_score:
        return Decision(None, null_score, scored, f"no task {null_score:.2f} >= best task {best_score:.2f}")
    return Decision(
        best.task, best_score, scored, f"best task {best_score:.2f} (no task {null_score:.2f})", best
    )
