"""The decision path used by evaluations and benchmarks: candidates -> (model wording) -> judge -> decide.

It is the same chain the running app uses, without the event log and narrator: it takes observation
sentences directly.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.decide.decision import Decision, ScoringJudge, decide
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
    optional.

    `model_budget_s`: the proposer skips calls while its last call took longer than this.
    `model_wait_s`: if set, the model runs in a worker thread and a decision waits at most this long for
    it; a late answer is dropped (the worker refuses new work until it finishes), so event-to-decision
    latency stays bounded whatever the model's speed. None (default) waits for the model every time.
    """

    def __init__(
        self,
        judge: ScoringJudge,
        threshold: float,
        proposer=None,
        gate_threshold: float | None = None,
        model_budget_s: float | None = None,
        model_wait_s: float | None = None,
    ) -> None:
        self.judge = judge
        self.threshold = threshold
        self.proposer = proposer
        self.gate_threshold = gate_threshold
        self.model_budget_s = model_budget_s
        self.model_wait_s = model_wait_s
        self.accepted_before: list[tuple[list[str], str]] = []
        self._background = None  # BackgroundProposer wrapping self.proposer when model_wait_s is set

    def _model_candidates(self, history: list[str], cands: list) -> list:
        if self.model_wait_s is None:
            return self.proposer.propose(history, cands, budget_s=self.model_budget_s)
        from models.proposer import BackgroundProposer

        if self._background is None or self._background.proposer is not self.proposer:
            self._background = BackgroundProposer(self.proposer)
        if self._background.done_for(history):
            return self._background.latest(history)  # the model already answered for this very moment
        if not self._background.submit(history, cands):
            return self._background.latest(history)  # still busy with an older history
        deadline = time.perf_counter() + self.model_wait_s
        while self._background.busy and time.perf_counter() < deadline:
            time.sleep(0.005)
        return self._background.latest(history)

    def step(self, history: Sequence[str]) -> tuple[Decision, StepTiming]:
        t0 = time.perf_counter()
        cands = generate_candidates(list(history), self.accepted_before or None)
        t1 = time.perf_counter()
        if self.proposer is not None:
            extra = self._model_candidates(list(history), cands)
            cands = (
                [c for c in cands if c.task is not None] + list(extra) + [c for c in cands if c.task is None]
            )
        t2 = time.perf_counter()
        decision = decide(history, cands, self.judge, self.threshold, self.gate_threshold)
        t3 = time.perf_counter()
        return decision, StepTiming(t1 - t0, t2 - t1, t3 - t2)
