"""The decision rule: one task or none, from the judge's joint scores."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.decide.candidates import Candidate, generate_candidates
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


def _stuck_on_an_error() -> tuple[list[str], list[Candidate], object]:
    """A moment where the shipped judge speaks: an import error looked up. (history, candidates, context)"""
    from models.judge.kinds import context_from_history
    from models.situation import read_situation

    history = [
        "The user runs 'python train.py' in GNOME Terminal and it fails with ModuleNotFoundError: No module named "
        "'torch'.",
        "The user switches to Firefox and searches for 'ModuleNotFoundError: No module named torch'.",
        "The user reads the page 'python - ModuleNotFoundError: No module named torch - Stack Overflow' in Firefox.",
    ]
    return history, generate_candidates(history, None, read_situation(history)), context_from_history(history)


def test_a_user_who_turned_everything_down_is_checked_in_on_after_a_quiet_stretch() -> None:
    """Learning only hears about cards it showed: once the user's rejections silence a place, every
    CHECK_IN_AFTER quiet consults one moment is decided as the shipped judge would, and the card says why."""
    from assistant.decide.decision import CHECK_IN_AFTER, check_in_due
    from models.judge.learning import LabelRecord

    history, cands, context = _stuck_on_an_error()
    judge = load_judge()
    shipped = decide(history, cands, judge, 0.5, judge.gate_threshold, context=context)
    assert shipped.task is not None
    assert not check_in_due(CHECK_IN_AFTER, judge)  # nothing learned yet: nothing to check
    judge.learn([LabelRecord(tuple(history), c.task, "rejected", c.kind, context, reason="Not useful", time=i)
                 for i in range(6) for c in cands if c.task])
    quiet = decide(history, cands, judge, 0.5, judge.gate_threshold, context=context)
    assert quiet.task is None
    assert not check_in_due(CHECK_IN_AFTER - 1, judge) and check_in_due(CHECK_IN_AFTER, judge)
    checked = decide(history, cands, judge, 0.5, judge.gate_threshold, context=context, check_in=True)
    assert checked.task == shipped.task
    assert checked.reason.startswith("checking in") and "your answers so far keep this from being shown" in checked.reason
    assert judge.preferences.records  # the check-in decided as shipped; what was learned is kept


def test_a_check_in_tries_the_kind_of_task_the_user_answered_least_about() -> None:
    """What the user wants may be what was shown least: a check-in offers that kind first, where the shipped
    judge would show it at all."""
    from models.judge.learning import LabelRecord

    history, cands, context = _stuck_on_an_error()
    fix, review = (next(c for c in cands if c.kind == k) for k in ("find_fix", "review_file"))
    judge = load_judge()
    assert decide(history, cands, judge, 0.5, judge.gate_threshold, context=context).task == fix.task
    judge.learn([LabelRecord(tuple(history), c.task, "rejected", c.kind, context, reason="Not useful", time=i)
                 for i in range(8) for c in (fix, fix, review)])
    assert decide(history, cands, judge, 0.5, judge.gate_threshold, context=context).task is None
    checked = decide(history, cands, judge, 0.5, judge.gate_threshold, context=context, check_in=True)
    assert checked.task == review.task and checked.reason.startswith("checking in")


# Histories as this app narrates them, where the shipped judge is surer of a task than of the need for help.
NARRATED_OVERCONFIDENT = [
    ["The user opens 'train.py' in Visual Studio Code.",
     "The user switches to Terminal ('ModuleNotFoundError: No module named \u2019torch\u2019').",
     "The user searches Google for 'ModuleNotFoundError: No module named torch'."],
    ["The user switches to Thunderbird ('Re: Quarterly numbers for the board').",
     "The user types in 'Re: Quarterly numbers for the board' in Thunderbird for 25 seconds."],
    ["The user opens 'invoice.py' in Visual Studio Code.",
     "The user saves 'invoice.py' in Visual Studio Code (ctrl+s).",
     "The user switches to Terminal ('pytest tests/test_invoice.py').",
     "The user switches to Terminal ('FAILED tests/test_invoice.py::test_total - AssertionError')."],
]


def test_no_task_is_scored_likelier_than_the_need_for_help_in_the_apps_own_narration() -> None:
    """In the app's labels a task is welcome only when help is needed: the scores a card, the log and an export
    carry never say otherwise, and the tasks keep their order."""
    from models.judge.linear import sigmoid

    judge = load_judge()
    for history in NARRATED_OVERCONFIDENT:
        tasks = [c.task for c in generate_candidates(history)]
        scores = judge.score(history, tasks)
        need = 1.0 - scores[tasks.index(None)]
        raw = judge.base_task_logits(history, [t for t in tasks if t])
        over = max(raw) > judge.base_gate_logit(history)
        task_scores = [p for t, p in zip(tasks, scores) if t]
        assert max(task_scores) <= need + 1e-9, (history, scores)
        if over:  # the two met: the best task is exactly as likely as the need
            assert abs(max(task_scores) - need) < 1e-9
            assert need > judge.help_needed(history) and max(task_scores) < sigmoid(max(raw))
        order = sorted(range(len(raw)), key=lambda i: raw[i])
        assert order == sorted(range(len(raw)), key=lambda i: task_scores[i])
    assert any(max(load_judge().base_task_logits(h, [c.task for c in generate_candidates(h) if c.task]))
               > load_judge().base_gate_logit(h) for h in NARRATED_OVERCONFIDENT)  # the case is exercised


def test_proactivebench_sentences_are_scored_as_the_model_says() -> None:
    """Its annotators accepted tasks where they marked no help needed: their sentences keep the raw scores."""
    from models.judge.linear import sigmoid

    judge = load_judge()
    history, candidates, _ = _stuck_on_an_error()
    tasks = [c.task for c in candidates if c.task]
    assert judge.score(history, tasks) == [sigmoid(z) for z in judge.base_task_logits(history, tasks)]
    assert judge.score(history, [None])[0] == 1.0 - judge.help_needed(history)
