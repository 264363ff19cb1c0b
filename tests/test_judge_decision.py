"""The decision rule: one task or none, from the judge's joint scores."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.decide.candidates import Candidate
from assistant.decide.decision import decide
from models.judge.infer import load_judge

HISTORY = ["The user opens 'notes.md' in a text editor.", "The user types a heading in 'notes.md'."]
A = Candidate("Outline the next section of 'notes.md'.", "continue_document", "template")
B = Candidate("Proofread 'notes.md' and suggest clearer wording.", "review_file", "template")
NULL = Candidate(None, "none", "template")


class FixedScores:
    """A stand-in judge with preset scores per task (the rule under test is decide's, not the judge's)."""

    def __init__(self, scores: dict, need: float = 0.9) -> None:
        self.scores = scores
        self.need = need

    def score(self, history: Sequence[str], tasks: Sequence[str | None], kinds=None, context=None) -> list[float]:
        return [self.scores[t] for t in tasks]

    def help_needed(self, history: Sequence[str], context=None) -> float:
        return self.need


def test_no_task_when_nothing_clears_the_threshold() -> None:
    d = decide(HISTORY, [A, B, NULL], FixedScores({A.task: 0.4, B.task: 0.3, None: 0.2}), threshold=0.5)
    assert d.task is None and not d.proposes
    assert "below threshold" in d.reason
    assert d.score == 0.2


def test_no_task_when_null_scores_higher() -> None:
    d = decide(HISTORY, [A, B, NULL], FixedScores({A.task: 0.6, B.task: 0.55, None: 0.7}), threshold=0.5)
    assert d.task is None and "no task" in d.reason


def test_best_task_wins_when_it_clears_threshold_and_beats_null() -> None:
    d = decide(HISTORY, [A, B], FixedScores({A.task: 0.6, B.task: 0.8, None: 0.3}), threshold=0.5)
    assert d.task == B.task and d.candidate == B and d.score == 0.8
    assert len(d.scores) == 3  # the null was added and scored with the others


def test_help_gate_silences_when_help_is_unlikely() -> None:
    judge = FixedScores({A.task: 0.8, None: 0.3}, need=0.2)
    assert decide(HISTORY, [A, NULL], judge, 0.5).task == A.task
    d = decide(HISTORY, [A, NULL], judge, 0.5, gate_threshold=0.5)
    assert d.task is None and "gate" in d.reason


def test_real_judge_with_unreachable_threshold_proposes_nothing() -> None:
    d = decide(HISTORY, [A, B, NULL], load_judge(), threshold=1.0)
    assert d.task is None
    assert all(0.0 < s < 1.0 for _, s in d.scores)
