"""Learning from the user's labels: small kind- and context-aware steps, rebuilt exactly from the label list."""

from __future__ import annotations

import math

import pytest

from models.judge.infer import load_judge
from models.judge.kinds import Context, context_from_history, task_kind
from models.judge.learning import LabelRecord, reason_kind

EDITOR = (
    "The user opens 'chapter3.md' in Visual Studio Code.",
    "The user types a paragraph in 'chapter3.md' in Visual Studio Code.",
    "The user saves 'chapter3.md' (ctrl+s).",
)
EDITOR_TASKS = [
    "Outline the next section of 'chapter3.md' based on what you have written so far.",
    "Proofread 'chapter3.md' and suggest clearer wording.",
    None,
]
EDITOR_KINDS = ["continue_document", "review_file", "none"]
BROWSER = (
    "The user opens Firefox.",
    "The user reads the page 'Tide tables - Wikipedia' in Firefox.",
    "The user scrolls the page 'Tide tables - Wikipedia' in Firefox.",
)
BROWSER_TASKS = [
    "Summarise the key points of 'Tide tables'.",
    "Find a few reliable sources on 'tide tables' and sum up what they agree on.",
    None,
]
BROWSER_KINDS = ["summarise_pages", "research", "none"]
TERMINAL = (
    "The user runs 'pytest' in GNOME Terminal and a test in 'test_tides.py' fails with an AssertionError.",
    "The user opens 'tides.py' in Visual Studio Code.",
)
IN_EDITOR = context_from_history(list(EDITOR))
IN_FIREFOX = context_from_history(list(BROWSER))


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _reject_outline(reason: str | None = None, label: str = "rejected") -> LabelRecord:
    return LabelRecord(EDITOR, EDITOR_TASKS[0], label, "continue_document", IN_EDITOR, reason=reason)


def _reject_summary(reason: str | None = None) -> LabelRecord:
    return LabelRecord(BROWSER, BROWSER_TASKS[0], "rejected", "summarise_pages", IN_FIREFOX, reason=reason)


def _mixed_labels() -> list[LabelRecord]:
    return [
        _reject_outline(),
        _reject_summary("Wrong time"),
        LabelRecord(EDITOR, EDITOR_TASKS[1], "accepted", "review_file", IN_EDITOR, rating="helpful", time=3.0),
        LabelRecord(BROWSER, BROWSER_TASKS[1], "ignored", "research", IN_FIREFOX, time=4.0),
        _reject_outline("Already done"),
        LabelRecord(TERMINAL, "Explain the AssertionError in 'test_tides.py'.", "not-now", "explain_error"),
    ]


def test_contexts_and_kinds_are_read_from_the_sentences() -> None:
    assert IN_EDITOR == Context(app="Visual Studio Code", file_type="md", kind="editor")
    assert IN_FIREFOX.app == "Firefox" and IN_FIREFOX.kind == "browser" and IN_FIREFOX.site == "Wikipedia"
    assert task_kind(EDITOR_TASKS[0], "continue_document") == "write"
    assert task_kind("Explain the KeyError in 'a.py' and suggest a fix.") == "fix_error"
    assert task_kind(None) == "none"
    assert reason_kind("Wrong time") == "timing" and reason_kind("not now") == "timing"
    assert reason_kind("Already done") == "content" and reason_kind("Not useful") == "content"
    assert reason_kind(None) == "none"


def test_a_label_record_rejects_unknown_labels() -> None:
    with pytest.raises(ValueError, match="label: expected one of accepted"):
        LabelRecord(EDITOR, EDITOR_TASKS[0], "maybe")
    with pytest.raises(ValueError, match="rating"):
        LabelRecord(EDITOR, EDITOR_TASKS[0], "accepted", rating="great")


def test_what_is_learned_is_a_deterministic_function_of_the_labels() -> None:
    labels = _mixed_labels()
    incremental = load_judge()
    for n in range(1, len(labels) + 1):  # as a running engine learns, one answer at a time
        incremental.learn(labels[:n])
    rebuilt = load_judge()  # as an engine that starts and reads its labels table
    rebuilt.learn(labels)
    assert rebuilt.preferences.content.weights == incremental.preferences.content.weights
    assert rebuilt.preferences.timing.weights == incremental.preferences.timing.weights
    for history, tasks, kinds in ((EDITOR, EDITOR_TASKS, EDITOR_KINDS), (BROWSER, BROWSER_TASKS, BROWSER_KINDS)):
        assert rebuilt.score(history, tasks, kinds) == incremental.score(history, tasks, kinds)
    assert rebuilt.describe() == incremental.describe()
    assert rebuilt.labels_learned == len(labels)
    rebuilt.learn([])  # forgetting every label gives back the shipped judge
    assert rebuilt.score(EDITOR, EDITOR_TASKS) == load_judge().score(EDITOR, EDITOR_TASKS)


def test_one_reject_waits_for_a_second_and_two_nudge_rather_than_flip() -> None:
    judge = load_judge()
    before_editor = judge.score(EDITOR, EDITOR_TASKS, EDITOR_KINDS)
    before_browser = judge.score(BROWSER, BROWSER_TASKS, BROWSER_KINDS)
    judge.learn([_reject_outline()])  # nothing later to check it on: the guard keeps the shipped judge
    assert judge.score(EDITOR, EDITOR_TASKS, EDITOR_KINDS) == before_editor
    judge.learn([_reject_outline()] * 2)  # the second answer confirms what the first taught
    after_editor = judge.score(EDITOR, EDITOR_TASKS, EDITOR_KINDS)
    after_browser = judge.score(BROWSER, BROWSER_TASKS, BROWSER_KINDS)
    # the rejected kind, here: a little lower (in log-odds, so it reads the same at any base score)
    assert 0.02 < _logit(before_editor[0]) - _logit(after_editor[0]) < 0.5
    assert abs(before_editor[1] - after_editor[1]) < 0.01  # another kind in the same place: about the same
    assert max(abs(a - b) for a, b in zip(before_browser, after_browser)) < 0.01  # elsewhere: unchanged


def test_one_accept_does_not_lift_an_unrelated_task() -> None:
    judge = load_judge()
    before = judge.score(BROWSER, BROWSER_TASKS, BROWSER_KINDS)
    judge.learn([LabelRecord(EDITOR, EDITOR_TASKS[1], "accepted", "review_file", IN_EDITOR)])
    after = judge.score(BROWSER, BROWSER_TASKS, BROWSER_KINDS)
    assert max(abs(a - b) for a, b in zip(before, after)) < 0.01


def test_the_users_labels_outweigh_the_prior_within_fifty() -> None:
    judge = load_judge()
    before = judge.score(BROWSER, BROWSER_TASKS, BROWSER_KINDS)
    elsewhere = judge.score(EDITOR, EDITOR_TASKS, EDITOR_KINDS)
    judge.learn([_reject_summary()] * 50)
    after = judge.score(BROWSER, BROWSER_TASKS, BROWSER_KINDS)
    assert _logit(before[0]) - _logit(after[0]) > 0.5 and after[0] < 0.3  # the summary kind fades in Firefox
    assert after[2] > after[0] and after[2] > after[1]  # staying silent now wins there
    assert _logit(before[1]) - _logit(after[1]) < 0.5 * (_logit(before[0]) - _logit(after[0]))  # another kind
    # in Firefox moves much less
    assert max(abs(a - b) for a, b in zip(elsewhere, judge.score(EDITOR, EDITOR_TASKS, EDITOR_KINDS))) < 0.05


def test_reason_chips_say_whether_timing_or_content_was_wrong() -> None:
    base = load_judge()
    need, outline = base.help_needed(EDITOR, IN_EDITOR), base.score(EDITOR, EDITOR_TASKS, EDITOR_KINDS)[0]

    timing = load_judge()
    timing.learn([_reject_outline("Wrong time")] * 5)
    assert timing.help_needed(EDITOR, IN_EDITOR) < need - 0.02  # quieter here
    assert timing.score(EDITOR, EDITOR_TASKS, EDITOR_KINDS)[0] == pytest.approx(outline)  # the task itself is fine

    content = load_judge()
    content.learn([_reject_outline("Already done")] * 5)
    assert content.help_needed(EDITOR, IN_EDITOR) == pytest.approx(need)
    assert _logit(outline) - _logit(content.score(EDITOR, EDITOR_TASKS, EDITOR_KINDS)[0]) > 0.1

    not_now = load_judge()
    not_now.learn([_reject_outline(label="not-now")] * 5)
    assert not_now.help_needed(EDITOR, IN_EDITOR) < need - 0.02
    assert not_now.score(EDITOR, EDITOR_TASKS, EDITOR_KINDS)[0] == pytest.approx(outline)


def test_ignored_cards_and_ratings_count_with_their_own_weight() -> None:
    def outline_after(records: list[LabelRecord]) -> float:
        judge = load_judge()
        judge.learn(records)
        return judge.score(EDITOR, EDITOR_TASKS, EDITOR_KINDS)[0]

    base = outline_after([])
    assert base > outline_after([_reject_outline(label="ignored")] * 3) > outline_after([_reject_outline()] * 3)
    accepted = LabelRecord(EDITOR, EDITOR_TASKS[0], "accepted", "continue_document", IN_EDITOR)
    helpful = LabelRecord(EDITOR, EDITOR_TASKS[0], "accepted", "continue_document", IN_EDITOR, rating="helpful")
    unhelpful = LabelRecord(EDITOR, EDITOR_TASKS[0], "accepted", "continue_document", IN_EDITOR, rating="not-helpful")
    assert outline_after([helpful] * 3) > outline_after([accepted] * 3) > outline_after([unhelpful] * 3) > base


def test_describe_says_what_changed_and_from_how_many_labels() -> None:
    judge = load_judge()
    assert "none of your answers" in judge.describe()[0]
    judge.learn([_reject_summary("Wrong time")] * 4)
    lines = judge.describe()
    assert lines[0] == "Learned from 4 of your answers (4 rejections)."
    assert "quieter in Firefox after 4 rejections" in lines
    judge.learn([_reject_summary()] * 12 + [LabelRecord(EDITOR, EDITOR_TASKS[1], "accepted", "review_file", IN_EDITOR)] * 3)
    lines = judge.describe()
    assert lines[0] == "Learned from 15 of your answers (3 acceptances and 12 rejections)."
    assert "fewer summary suggestions in Firefox after 12 rejections" in lines
    assert any(line.startswith("more review suggestions in Visual Studio Code after 3 acceptances") for line in lines)


def test_the_guard_uses_consistent_answers() -> None:
    judge = load_judge()
    before = judge.score(BROWSER, BROWSER_TASKS, BROWSER_KINDS)
    judge.learn([_reject_summary("Not useful")] * 8)
    assert judge.preferences.guard["content"].used and judge.preferences.guard["content"].checked == 7
    assert _logit(before[0]) - _logit(judge.score(BROWSER, BROWSER_TASKS, BROWSER_KINDS)[0]) > 0.2
    assert not any("Not used yet" in line for line in judge.describe())


def test_the_guard_keeps_the_prior_when_answers_contradict_each_other() -> None:
    judge = load_judge()
    before = judge.score(BROWSER, BROWSER_TASKS, BROWSER_KINDS)
    accept = LabelRecord(BROWSER, BROWSER_TASKS[0], "accepted", "summarise_pages", IN_FIREFOX)
    noisy = ([_reject_summary("Not useful")] * 4 + [accept]) * 3  # the same card: no, no, no, no, yes, ...
    judge.learn(noisy)
    assert not judge.preferences.guard["content"].used
    assert judge.score(BROWSER, BROWSER_TASKS, BROWSER_KINDS)[:2] == before[:2]  # the shipped judge decides
    assert any(line.startswith("Not used yet for which tasks you want") for line in judge.describe())
    unguarded = load_judge()
    unguarded.guarded = False
    unguarded.learn(noisy)
    assert unguarded.score(BROWSER, BROWSER_TASKS, BROWSER_KINDS) != before  # what the guard held back


def test_the_guard_drops_a_correction_once_the_user_changes_their_mind() -> None:
    judge = load_judge()
    before = judge.score(BROWSER, BROWSER_TASKS, BROWSER_KINDS)
    accept = LabelRecord(BROWSER, BROWSER_TASKS[0], "accepted", "summarise_pages", IN_FIREFOX)
    judge.learn([_reject_summary("Not useful")] * 4 + [accept] * 12)  # stopped rejecting, now accepts them
    after = judge.score(BROWSER, BROWSER_TASKS, BROWSER_KINDS)
    assert after[0] >= before[0]  # never pushed below the prior by the old rejections


def test_the_time_of_day_is_learned_apart_from_the_place() -> None:
    from dataclasses import replace

    morning, afternoon = replace(IN_FIREFOX, when="morning"), replace(IN_FIREFOX, when="afternoon")
    judge = load_judge()
    before = judge.help_needed(BROWSER, morning)
    accept = LabelRecord(BROWSER, BROWSER_TASKS[0], "accepted", "summarise_pages", afternoon)
    reject = LabelRecord(BROWSER, BROWSER_TASKS[0], "rejected", "summarise_pages", morning, reason="Wrong time")
    judge.learn([reject, accept] * 8)  # every morning 'wrong time', every afternoon yes
    assert judge.preferences.guard["timing"].used
    assert judge.help_needed(BROWSER, morning) < before - 0.05
    assert judge.help_needed(BROWSER, afternoon) > judge.help_needed(BROWSER, morning) + 0.1
    assert any(line.startswith("quieter in the morning") for line in judge.describe())


def test_a_consistent_wrong_time_in_the_mornings_silences_mornings_everywhere_within_a_dozen_answers() -> None:
    from dataclasses import replace

    editor_morning, editor_afternoon = replace(IN_EDITOR, when="morning"), replace(IN_EDITOR, when="afternoon")
    firefox_morning, firefox_afternoon = replace(IN_FIREFOX, when="morning"), replace(IN_FIREFOX, when="afternoon")
    answers = []
    for _ in range(3):  # each morning 'Wrong time' in the editor and in Firefox; each afternoon yes
        answers += [
            LabelRecord(EDITOR, EDITOR_TASKS[1], "rejected", "review_file", editor_morning, reason="Wrong time"),
            LabelRecord(BROWSER, BROWSER_TASKS[0], "accepted", "summarise_pages", firefox_afternoon),
            LabelRecord(BROWSER, BROWSER_TASKS[0], "rejected", "summarise_pages", firefox_morning, reason="Wrong time"),
            LabelRecord(EDITOR, EDITOR_TASKS[1], "accepted", "review_file", editor_afternoon),
        ]
    judge = load_judge()
    before = judge.help_needed(BROWSER, firefox_afternoon)
    judge.learn(answers)
    verdict = judge.preferences.guard["timing"]
    assert verdict.used and verdict.adaptive  # the key every answer agrees on moves fast
    assert judge.help_needed(BROWSER, firefox_morning) < judge.gate_threshold  # no card in the morning
    assert judge.help_needed(EDITOR, editor_morning) < judge.gate_threshold
    assert judge.help_needed(BROWSER, firefox_afternoon) >= before - 0.02  # afternoons as before
    terminal_morning = replace(context_from_history(list(TERMINAL)), when="morning")
    assert judge.help_needed(TERMINAL, terminal_morning) < judge.help_needed(TERMINAL, context_from_history(list(TERMINAL)))


def test_not_wanting_a_kind_of_task_carries_to_a_place_not_answered_yet() -> None:
    other_browser = Context(app="Chromium", site="Wikipedia", kind="browser")
    judge = load_judge()
    before, here = (judge.score(BROWSER, BROWSER_TASKS, BROWSER_KINDS, c) for c in (other_browser, IN_FIREFOX))
    judge.learn([_reject_summary("Not useful")] * 8)  # all of them in Firefox
    after = judge.score(BROWSER, BROWSER_TASKS, BROWSER_KINDS, other_browser)
    drop_here = _logit(here[0]) - _logit(judge.score(BROWSER, BROWSER_TASKS, BROWSER_KINDS, IN_FIREFOX)[0])
    drop_there = _logit(before[0]) - _logit(after[0])
    assert drop_there > 0.2 and drop_there > drop_here / 3  # fewer summaries in Chromium too
    assert after[1] >= before[1] - 0.02  # research there is not touched


def test_what_one_place_teaches_about_a_kind_is_mostly_about_the_kind() -> None:
    """Six "Not useful" to error help in one browser: at least half of the step is on error help everywhere,
    so a user who turns error help down in a few places sees less of it in the next place too (the pairs with
    the app, site, kind of app and time of day take the rest)."""
    from models.judge.learning import STRENGTHS, content_keys, fit_correction

    place = Context(app="Firefox", site="Google", kind="browser", when="morning")
    keys = content_keys("fix_error", place)
    for strength in STRENGTHS:
        c = fit_correction([keys] * 6, [2.0] * 6, [(0, 1.0)] * 6, strength=strength)
        assert c.shift(keys) < -1.0
        assert c.weights["task=fix_error"] <= 0.5 * c.shift(keys)


def test_the_pure_python_fit_finds_the_optimum_numpy_finds() -> None:
    """Learning runs in the app without numpy (models.judge.logistic); its corrections are the MAP weights a
    dense numpy Newton solve finds, so what the user taught moves scores exactly as before."""
    import random

    import numpy as np

    from models.judge.learning import _breadth, fit_correction

    rnd = random.Random(7)
    kinds, places = [f"task=k{i}" for i in range(4)], [f"app=a{i}" for i in range(12)] + ["site=s1", "when=night"]
    keys = [["all", k, *(f"{k}|{p}" for p in rnd.sample(places, 3))] for k in rnd.choices(kinds, k=120)]
    offsets = [rnd.gauss(0.0, 1.5) for _ in keys]
    outcomes = [(rnd.randint(0, 1), rnd.choice((1.0, 0.4, 0.7))) for _ in keys]
    fitted = fit_correction(keys, offsets, outcomes, strength=1.0, louder=1.0)

    names = sorted(fitted.weights)
    X = np.asarray([[1.0 if n in ks else 0.0 for n in names] for ks in keys])
    y, w = np.asarray([o for o, _ in outcomes], float), np.asarray([wt for _, wt in outcomes])
    prior = np.asarray([_breadth(n) for n in names])
    beta = np.zeros(len(names))
    for _ in range(30):  # plain Newton on the same objective
        p = 1 / (1 + np.exp(-(np.asarray(offsets) + X @ beta)))
        hessian = (X * (w * p * (1 - p))[:, None]).T @ X + np.diag(prior)
        beta -= np.linalg.solve(hessian, X.T @ (w * (p - y)) + prior * beta)
    assert [fitted.weights[n] for n in names] == pytest.approx(list(beta), abs=2e-9)


def test_the_adaptive_learner_in_pure_python_matches_the_numpy_relevance_rounds() -> None:
    """The adaptive learner (a key whose answers agree is freed to move fast) re-estimates each key's
    prior from its posterior variance (MacKay's update); in the app that is pure Python, and it must give the weights the dense
    numpy computation gives."""
    import random

    import numpy as np

    from models.judge.learning import ADAPTIVE_FLOOR, ADAPTIVE_ROUNDS, PRIOR_STRENGTH, _breadth, fit_correction

    rnd = random.Random(11)
    places = [f"app=a{i}" for i in range(6)] + ["when=morning", "when=afternoon", "when=meeting"]
    keys = [["all", *rnd.sample(places, 2)] for _ in range(80)]
    offsets = [rnd.gauss(0.0, 1.0) for _ in keys]
    outcomes = [(0 if "when=morning" in ks else rnd.randint(0, 1), 1.0) for ks in keys]  # mornings: always no
    fitted = fit_correction(keys, offsets, outcomes, strength=PRIOR_STRENGTH, adaptive=True, louder=1.0)

    names = sorted(fitted.weights)
    X = np.asarray([[1.0 if n in ks else 0.0 for n in names] for ks in keys])
    off, y = np.asarray(offsets), np.asarray([o for o, _ in outcomes], float)
    prior = np.asarray([PRIOR_STRENGTH * _breadth(n) for n in names])
    floor = np.minimum(np.asarray([ADAPTIVE_FLOOR * _breadth(n) for n in names]), prior)

    def fit(precision: np.ndarray, beta: np.ndarray) -> np.ndarray:
        for _ in range(40):
            p = 1 / (1 + np.exp(-(off + X @ beta)))
            hessian = (X * (p * (1 - p))[:, None]).T @ X + np.diag(precision)
            beta = beta - np.linalg.solve(hessian, X.T @ (p - y) + precision * beta)
        return beta

    beta, precision = fit(prior, np.zeros(len(names))), prior.copy()
    for _ in range(ADAPTIVE_ROUNDS):
        p = 1 / (1 + np.exp(-(off + X @ beta)))
        variance = np.diag(np.linalg.inv((X * (p * (1 - p))[:, None]).T @ X + np.diag(precision)))
        precision = np.clip(np.maximum(0.0, 1.0 - precision * variance) / (beta * beta + 1e-12), floor, prior)
        beta = fit(precision, beta)
    assert [fitted.weights[n] for n in names] == pytest.approx(list(beta), abs=1e-8)
    assert fitted.weights["when=morning"] < -0.5  # the consistent key moved


def test_a_good_time_of_day_correction_is_not_held_back_by_a_place_that_contradicts_itself() -> None:
    """The guard checks each family of keys (time of day, app, site, kind of task in a place...) on its own:
    every morning card in the editor is 'Wrong time' and every afternoon one accepted, while the answers in
    Firefox flip back and forth; time of day is the family that explains most, the mornings go quiet and the
    afternoons in the same editor do not."""
    from dataclasses import replace

    answers = []
    for i in range(6):
        answers += [
            LabelRecord(EDITOR, EDITOR_TASKS[1], "rejected", "review_file", replace(IN_EDITOR, when="morning"),
                        reason="Wrong time"),
            LabelRecord(EDITOR, EDITOR_TASKS[1], "accepted", "review_file", replace(IN_EDITOR, when="afternoon")),
            LabelRecord(BROWSER, BROWSER_TASKS[0], "rejected" if i % 2 else "accepted", "summarise_pages",
                        replace(IN_FIREFOX, when="afternoon"), reason="Wrong time"),
        ]
    judge = load_judge()
    judge.learn(answers)
    verdict = judge.preferences.guard["timing"]
    assert verdict.used and verdict.families[0] == "when"
    morning = judge.help_needed(EDITOR, replace(IN_EDITOR, when="morning"))
    afternoon = judge.help_needed(EDITOR, replace(IN_EDITOR, when="afternoon"))
    assert morning < judge.gate_threshold and morning < afternoon / 2
    assert any("quieter in the morning" in line for line in judge.describe())


def test_accepting_the_cards_it_shows_does_not_make_it_louder_elsewhere() -> None:
    """Answers only come from cards the assistant showed, so acceptances confirm it rather than make it
    louder: two dozen accepted summaries in Firefox leave error help in the terminal exactly as it was and
    lift summaries in a browser never answered in by less than two logits (it was 4.2 and error help rose too
    when a louder step was as cheap as a quieter one)."""
    chromium = Context(app="Chromium", site="Wikipedia", kind="browser")
    error = ["Explain the AssertionError in 'test_tides.py'."]
    judge = load_judge()
    before_error = judge.score(TERMINAL, error, ["explain_error"])[0]
    before_there = judge.score(BROWSER, BROWSER_TASKS, BROWSER_KINDS, chromium)[0]
    judge.learn([LabelRecord(BROWSER, BROWSER_TASKS[0], "accepted", "summarise_pages", IN_FIREFOX)] * 24)
    assert judge.score(TERMINAL, error, ["explain_error"])[0] == pytest.approx(before_error, abs=1e-9)
    lift = _logit(judge.score(BROWSER, BROWSER_TASKS, BROWSER_KINDS, chromium)[0]) - _logit(before_there)
    assert 0.0 < lift < 2.0


def test_a_faster_learner_that_decides_worse_does_not_replace_a_slower_one(monkeypatch) -> None:
    """Between learners the guard keeps the slower one unless the faster one predicts the later answers clearly
    better AND its changed show / stay-silent decisions are worth at least as much: a fit that is better
    calibrated but hides fewer of the cards the user turns down is not what a user wants."""
    import models.judge.learning as learning
    from models.judge.guard import GuardVerdict

    def families(per_record, fit, learner, names, threshold):
        slow = learner == learning.CONTENT_LEARNERS[0] or learner == learning.TIMING_LEARNERS[0]
        verdict = GuardVerdict(True, 9.0 if slow else 11.0 + decided_gain, 10, 12.0 if slow else decisions)
        return verdict, [learning._Choice("task", learner, learning._all, "all", verdict)]

    monkeypatch.setattr(learning, "_families", families)
    records = [_reject_summary("Not useful")] * 6
    for decided_gain, decisions, expected in ((0.0, 11.5, learning.PRIOR_STRENGTH),  # decides worse: slow stays
                                              (0.0, 12.5, learning.FAST_STRENGTH)):  # decides as well: fast
        prefs = learning.fit_preferences(records, [2.0] * 6, [0.0] * 6)
        assert prefs.guard["content"].strength == expected
