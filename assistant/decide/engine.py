"""One decision for one moment: candidates -> (model wording) -> judge -> decide.

It takes observation sentences directly; `Pipeline` puts the narrator and the policy in front of it, and
`build.build_chain` assembles both from the config for the live app, replay, evaluation and benchmarks alike.
"""

from __future__ import annotations

import time
from collections.abc import Sequence, Set
from dataclasses import dataclass, replace

from assistant.decide.candidates import Candidate, generate_candidates
from assistant.decide.decision import Decision, Eligible, ScoringJudge, decide
from assistant.decide.episodes import same_task
from assistant.decide.proposer import BackgroundProposer, Proposer
from models.judge.kinds import Context, context_from_situation
from models.situation import Situation, read_situation


@dataclass
class StepTiming:
    candidates_s: float
    model_s: float
    judge_s: float

    @property
    def total_s(self) -> float:
        return self.candidates_s + self.model_s + self.judge_s


class DecisionEngine:
    """`step(history)` decides propose-or-not for one moment; `proposer` (an assistant.decide.proposer.Proposer)
    is optional.

    `model_budget_s`: the proposer skips calls while its last call took longer than this.
    `model_wait_s`: if set, the model runs in a worker thread and a decision waits at most this long for
    it; a late answer is dropped (the worker refuses new work until it finishes), so event-to-decision
    latency stays bounded whatever the model's speed. None (default) waits for the model every time.
    """

    def __init__(
        self,
        judge: ScoringJudge,
        threshold: float,
        proposer: Proposer | None = None,
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
        self._background: BackgroundProposer | None = None
        if proposer is not None:
            self.use_model(proposer)

    def use_model(self, proposer: Proposer | None) -> None:
        """Let the model add its own candidate (in a worker thread when model_wait_s is set); None: no model."""
        self.proposer = proposer
        self._background = BackgroundProposer(proposer) if proposer and self.model_wait_s is not None else None

    @property
    def model_busy(self) -> bool:
        """The model is still working on an earlier moment."""
        return self._background is not None and self._background.busy

    def model_answered(self, history: Sequence[str]) -> bool:
        """The model's own candidate for exactly this history has arrived (a silent decision may be revisited)."""
        return self._background is not None and bool(self._background.latest(list(history)))

    def _model_candidates(self, history: list[str], cands: list, situation: Situation) -> list:
        if self._background is None:
            return self.proposer.propose(history, cands, budget_s=self.model_budget_s, situation=situation)
        if self._background.done_for(history):
            return self._background.latest(history)  # the model already answered for this very moment
        if not self._background.submit(history, cands, situation):
            return self._background.latest(history)  # still busy with an older history
        deadline = time.perf_counter() + self.model_wait_s
        while self._background.busy and time.perf_counter() < deadline:
            time.sleep(0.005)
        return self._background.latest(history)

    def step(self, history: Sequence[str], exclude: Set[str] = frozenset(),
             exclude_kinds: Set[str] = frozenset(), prefer_kinds: Set[str] = frozenset(),
             gate_relief: float = 0.0, eligible: Eligible | None = None,
             error: str | None = None, when: str = "", check_in: bool = False) -> tuple[Decision, StepTiming]:
        """Decide for `history`; tasks in `exclude` (shown within the hour, rejected here; near-duplicate
        wordings count as the same task) and candidates of a kind in `exclude_kinds` (cooling down here) are
        passed over, so the next best candidate is considered instead. `eligible`: which candidates may be
        shown (the need being decided about); the others are still judged beside them. `error`: the error that
        need is about, for the tasks that name it. `when`: the time of day (Context.when), for what was learned.
        `check_in`: decide as the shipped judge would where what was learned keeps it silent (decision.check_in_due).

        The history is read into a Situation once, for the templates, the model's grounding check and the
        judge's context."""
        t0 = time.perf_counter()
        history = list(history)
        situation = read_situation(history)
        cands = generate_candidates(history, self.accepted_before or None, situation, error)
        t1 = time.perf_counter()
        if self.proposer is not None:
            extra = self._model_candidates(history, cands, situation)
            cands = (
                [c for c in cands if c.task is not None] + list(extra) + [c for c in cands if c.task is None]
            )
        if exclude or exclude_kinds:
            cands = [c for c in cands if c.task is None or (c.kind not in exclude_kinds
                                                            and not any(same_task(c.task, t) for t in exclude))]
        t2 = time.perf_counter()
        context = context_from_situation(situation)
        decision = self.judge_candidates(history, cands, prefer_kinds, gate_relief, eligible,
                                         replace(context, when=when) if when else context, check_in)
        t3 = time.perf_counter()
        return decision, StepTiming(t1 - t0, t2 - t1, t3 - t2)

    def judge_candidates(self, history: Sequence[str], candidates: Sequence[Candidate],
                         prefer_kinds: Set[str] = frozenset(), gate_relief: float = 0.0,
                         eligible: Eligible | None = None, context: Context | None = None,
                         check_in: bool = False) -> Decision:
        """The decision among given candidates, with this engine's judge, threshold and help gate."""
        return decide(history, candidates, self.judge, self.threshold, self.gate_threshold, prefer_kinds,
                      gate_relief, eligible, context, check_in)
