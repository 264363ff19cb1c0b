"""The judge: train/eval round trip on a slice of the real reward data, the shipped artefact, user updates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.judge.data import DataError, default_data_dir, group_rows, load_rows, session_id
from models.judge.infer import SHIPPED_DIR, Judge, JudgeLoadError, load_judge
from tests.conftest import run_cli

DATA = default_data_dir() / "reward_train.jsonl"
SITUATION_ROWS = Path(__file__).resolve().parent.parent / "bench" / "situations" / "rows.jsonl"  # the app's own rows
HISTORY = [
    "The user opens the file 'invoice_parser.py' in an editor.",
    "The user runs 'invoice_parser.py' in a terminal and a KeyError about 'total' is printed.",
    "The user searches the web for 'python KeyError total dict'.",
]
TASKS = [
    None,
    "Explain the KeyError about 'total' in 'invoice_parser.py' and suggest a fix.",
    "Play some music.",
]


@pytest.fixture(scope="module")
def data_slice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Rows of 4 of the real sessions, written to a tmp file (never into the repository)."""
    lines = DATA.read_text(encoding="utf-8").splitlines()
    sessions = sorted({session_id([o["event"] for o in json.loads(line)["obs"]]) for line in lines})[:4]
    keep = [line for line in lines if session_id([o["event"] for o in json.loads(line)["obs"]]) in sessions]
    path = tmp_path_factory.mktemp("slice") / "slice.jsonl"
    path.write_text("\n".join(keep) + "\n", encoding="utf-8")
    return path


def test_sessions_are_recovered_from_history_prefixes() -> None:
    groups = group_rows(load_rows([DATA]))
    assert len({g.session for g in groups}) == 16
    assert len(groups) == 313


def test_train_then_eval_round_trip(data_slice: Path, tmp_path: Path) -> None:
    out = tmp_path / "judge"
    trained = run_cli("judge", "train", str(data_slice), "--out", str(out), "--json", home=tmp_path)
    assert trained.returncode == 0, trained.stderr
    assert json.loads(trained.stdout)["sessions"] == 4
    evaluated = run_cli("judge", "eval", str(data_slice), "--model", str(out), "--json", home=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    result = json.loads(evaluated.stdout)
    judge = result["judge"]
    for key in ("accuracy", "balanced_accuracy", "precision", "recall", "f1", "roc_auc"):
        assert 0.0 <= judge[key] <= 1.0
    assert set(judge["per_category"]) == {"CD", "FA", "CR", "MN"}
    # on its own training rows it must rank accepted above rejected and beat rejecting everything
    assert judge["roc_auc"] > 0.6
    assert judge["accuracy"] > result["reject_all"]["accuracy"]


def test_eval_with_missing_data_file_is_a_usage_error(tmp_path: Path) -> None:
    res = run_cli("judge", "eval", str(tmp_path / "nope.jsonl"), home=tmp_path)
    assert res.returncode == 2
    assert "nope.jsonl" in res.stderr


def test_bad_row_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"obs": [], "pred_task": null, "valid": true, "category": "Correct-Rejection (CR)"}\n'
        '{"obs": "oops"}\n',
        encoding="utf-8",
    )
    with pytest.raises(DataError, match=r"bad.jsonl:2"):
        load_rows([bad])


def test_missing_artefact_gives_clear_error(tmp_path: Path) -> None:
    with pytest.raises(JudgeLoadError, match="no judge artefact"):
        Judge.load(tmp_path)


def test_shipped_artefact_holds_numbers_not_text() -> None:
    params = json.loads((SHIPPED_DIR / "judge.json").read_text(encoding="utf-8"))
    strings: list[str] = []

    def walk(x) -> None:
        if isinstance(x, str):
            strings.append(x)
        elif isinstance(x, dict):
            strings.extend(x)
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(params)
    allowed = set(params["feature_names"]) | set(params["gate"]["feature_names"])
    for s in strings:
        assert s in allowed or s.isidentifier() or s.isdigit() or all(c in "0123456789abcdef" for c in s), s
    # and no sentence, task or word of the data, however it is spelled
    lines = DATA.read_text(encoding="utf-8").splitlines()
    words = {w for line in lines[:200] for o in json.loads(line)["obs"] for w in o["event"].split() if len(w) > 6}
    assert not words & set(strings)
    assert (SHIPPED_DIR / "judge.json").stat().st_size < 400_000


def test_training_reproduces_the_shipped_artefact_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "judge"
    trained = run_cli("judge", "train", str(DATA), str(SITUATION_ROWS), "--out", str(out), home=tmp_path)
    assert trained.returncode == 0, trained.stderr
    assert (out / "judge.json").read_bytes() == (SHIPPED_DIR / "judge.json").read_bytes()


def test_shipped_judge_scores_every_candidate_jointly() -> None:
    judge = load_judge()
    scores = judge.score(HISTORY, TASKS)
    assert len(scores) == 3 and all(0.0 < s < 1.0 for s in scores)
    # a task grounded in the file and error the user just hit beats an unrelated one
    assert scores[1] > scores[2]
    assert judge.score(HISTORY, []) == []
    # "no task" is accepted exactly when no help is needed
    assert scores[0] == pytest.approx(1.0 - judge.help_needed(HISTORY))
    assert 0.0 < judge.gate_threshold < 1.0


def test_load_judge_gives_a_fresh_judge_every_call() -> None:
    first, second = load_judge(), load_judge()
    assert first is not second
    before = second.score(HISTORY, TASKS)
    first.update([(HISTORY, TASKS[1], False)] * 30)
    assert first.score(HISTORY, TASKS)[1] < before[1]
    assert second.score(HISTORY, TASKS) == before  # what one engine learned never leaks into another
    assert load_judge().score(HISTORY, TASKS) == before


def test_live_scores_are_the_numbers_training_and_evaluation_compute() -> None:
    """The running app scores in pure Python (no numpy resident); on real histories its scores are those of the
    numpy matrix path that training and `proactive judge eval` use, to 1e-9, for the tasks and the help gate."""
    import numpy as np

    from models.judge.features import gate_word_buckets, history_features, task_features, task_word_buckets
    from models.judge.linear import LinearModel

    judge = load_judge()
    groups = group_rows(load_rows([DATA]))[::10]
    assert len(groups) >= 30
    for g in groups:
        tasks = [t for t in g.tasks if t is not None]
        words = [task_word_buckets(g.history, t) for t in tasks]
        z = judge.task_model.logits(task_features(g.history, tasks, judge.tfidf), words)
        assert judge.score(g.history, tasks) == pytest.approx(list(1 / (1 + np.exp(-z))), abs=1e-9)
        gate = judge.gate_model
        assert isinstance(gate, LinearModel)
        zg = gate.logits(history_features(g.history, judge.tfidf)[None, :], [gate_word_buckets(g.history)])[0]
        assert judge.help_needed(g.history) == pytest.approx(float(1 / (1 + np.exp(-zg))), abs=1e-9)
