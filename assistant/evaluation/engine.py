"""The decision path used by evaluations and benchmarks: candidates -> (model wording) -> judge -> decide.

It is the same chain the running app uses, without the event log and narrator: it takes observation
sentences directly.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.decision import Decision, ScoringJudge, decide
from models.candidates import generate_candidates


@dataclass
class StepTiming:
    candidates_s: float
    model_s: float
    judge_s: float

    @property
    def total_s(self) -> float:
        return self.candidates_s + self.model_s + self.judge_s


class DecisionEngine:
    """`step(history)` decides propose-or-not for one moment; `proposer` (a models.proposer.Proposer) is
    optional."""

    def __init__(
        self,
        judge: ScoringJudge,
        threshold: float,
        proposer=None,
        gate_threshold: float | None = None,
        model_budget_s: float | None = None,
    ) -> None:
        self.judge = judge
        self.threshold = threshold
        self.proposer = proposer
        self.gate_threshold = gate_threshold
        self.model_budget_s = model_budget_s
        self.accepted_before: list[tuple[list[str], str]] = []

    def step(self, history: Sequence[str]) -> tuple[Decision, StepTiming]:
        t0 = time.perf_counter()
        cands = generate_candidates(list(history), self.accepted_before or None)
        t1 = time.perf_counter()
        if self.proposer is not None:
            extra = self.proposer.propose(list(history), cands, budget_s=self.model_budget_s)
            cands = (
                [c for c in cands if c.task is not None] + list(extra) + [c for c in cands if c.task is None]
            )
        t2 = time.perf_counter()
        decision = decide(history, cands, self.judge, self.threshold, self.gate_threshold)
        t3 = time.perf_counter()
        return decision, StepTiming(t1 - t0, t2 - t1, t3 - t2)
