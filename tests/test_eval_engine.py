"""The decision engine: model candidates join the judged set; a bounded wait drops a late model answer."""

from __future__ import annotations

import time

from assistant.decide.candidates import Candidate
from assistant.decide.engine import DecisionEngine
from models.judge.infer import load_judge

HISTORY = [
    "The user opens 'budget_2025.ods' in LibreOffice Calc.",
    "The user searches the web for 'sum if two conditions spreadsheet'.",
]
MODEL_TASK = "Provide a formula for 'sum if two conditions' in 'budget_2025.ods'."


class StandInProposer:
    """Answers with one fixed model candidate after `delay` seconds (stands in for the LLM)."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.calls = 0
        self.last_latency_s = None
        self.last_reason = None

    def propose(self, history, candidates=None, budget_s=None, situation=None):
        self.calls += 1
        time.sleep(self.delay)
        self.last_latency_s = self.delay
        return [Candidate(MODEL_TASK, "model", "model")]


def _judged_tasks(decision) -> list[str | None]:
    return [c.task for c, _ in decision.scores]


def test_model_candidate_is_judged_with_the_others() -> None:
    engine = DecisionEngine(load_judge(), 0.5, proposer=StandInProposer(0.0))
    decision, timing = engine.step(HISTORY)
    tasks = _judged_tasks(decision)
    assert MODEL_TASK in tasks and tasks[-1] is None  # the null stays last
    assert timing.total_s >= timing.model_s >= 0


def test_bounded_wait_drops_a_late_model_answer() -> None:
    slow = StandInProposer(0.5)
    engine = DecisionEngine(load_judge(), 0.5, proposer=slow, model_wait_s=0.05)
    decision, _ = engine.step(HISTORY)
    assert MODEL_TASK not in _judged_tasks(decision)
    assert slow.calls == 1
    engine.step(HISTORY)  # still busy: no second call is started
    assert slow.calls == 1
    time.sleep(0.6)
    fast_enough = DecisionEngine(load_judge(), 0.5, proposer=StandInProposer(0.0), model_wait_s=1.0)
    assert MODEL_TASK in _judged_tasks(fast_enough.step(HISTORY)[0])
