"""Timing evaluation: which histories need help, and the propose-or-not metrics (hand-made rows)."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.core.config import default_config
from assistant.decide.build import build_chain
from assistant.evaluation.metrics import binary_decision_metrics
from assistant.evaluation.timing import NEEDS, NO_NEED, classify_history, timing_report
from models.judge.data import group_rows, load_rows
from tests.conftest import run_cli

CAT = {
    "CD": "Correct-Detection (CD)",
    "FA": "False-Alarm (FA)",
    "CR": "Correct-Rejection (CR)",
    "MN": "Missed-Need (MN)",
}


def test_history_classification() -> None:
    assert classify_history(["CD", "FA"]) == NEEDS
    assert classify_history(["MN", "FA", "FA"]) == NEEDS
    assert classify_history(["CR", "FA"]) == NO_NEED
    assert classify_history(["CD", "CR"]) is None  # contradictory evidence: left out
    assert classify_history(["FA", "FA"]) is None  # only wrong tasks: says nothing about timing
    assert classify_history([]) is None


def _row(session: str, steps: list[str], task: str | None, cat: str) -> str:
    obs = [{"time": str(1000 + 60 * i), "event": f"[{session}] {s}"} for i, s in enumerate(steps)]
    accepted = cat in ("CD", "CR")
    return json.dumps(
        {
            "obs": obs,
            "pred_task": task,
            "valid": accepted,
            "help_needed": cat in ("CD", "MN"),
            "annotation": [accepted, accepted],
            "category": CAT[cat],
        }
    )


def _handmade(path: Path) -> Path:
    lines = []
    for s in ("alpha", "beta", "gamma", "delta"):
        start = ["The user opens 'report.txt' in an editor."]
        err = start + ["The user runs a build and a SyntaxError in 'report.txt' is shown."]
        idle = start + ["The user is idle for ten minutes."]
        lines += [
            _row(s, err, "Explain the SyntaxError in 'report.txt' and suggest a fix.", "CD"),
            _row(s, err, "Order a pizza.", "FA"),
            _row(s, err, None, "MN"),
            _row(s, idle, None, "CR"),
            _row(s, idle, "Recap where you left off in 'report.txt'.", "FA"),
            _row(s, start, None, "CR"),
            _row(s, start, "Review 'report.txt' for typos.", "CD"),
            _row(s, start + ["The user scrolls."], "Buy a new keyboard.", "FA"),
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class AlwaysPropose:
    def score(self, history, tasks, kinds=None, context=None):
        return [0.1 if t is None else 0.9 for t in tasks]

    def help_needed(self, history, context=None):
        return 1.0


def test_timing_report_counts_and_baseline(tmp_path: Path) -> None:
    groups = group_rows(load_rows([_handmade(tmp_path / "rows.jsonl")]))
    assert len(groups) == 16 and len({g.session for g in groups}) == 4
    from assistant.evaluation.timing import dataset_candidates

    engine = build_chain(default_config(), judge=AlwaysPropose()).engine
    report = timing_report([(engine, g) for g in groups], dataset_candidates)
    # per session: error history needs help, idle needs none, start is mixed (left out), scroll FA-only (out)
    assert report["left_out"] == 8
    eng = report["engine"]
    assert (eng["n"], eng["needs_help"], eng["tp"], eng["fp"]) == (8, 4, 4, 4)
    assert eng["false_alarm_rate"] == 0.5 and eng == report["always_propose"]


def test_decision_metrics() -> None:
    m = binary_decision_metrics([True, True, False, False], [True, False, True, False])
    assert (m["precision"], m["recall"], m["false_alarm_rate"]) == (0.5, 0.5, 0.5)
    assert binary_decision_metrics([True], [False])["false_alarm_rate"] == 0.0


def test_eval_timing_cli_json(tmp_path: Path) -> None:
    rows = _handmade(tmp_path / "rows.jsonl")
    res = run_cli("eval", "timing", str(rows), "--folds", "2", "--json", home=tmp_path)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    for part in ("judge_in_use", "grouped_cv"):
        eng = out[part]["engine_candidates"]["engine"]
        assert eng["n"] == 8 and 0.0 <= eng["f1"] <= 1.0 and 0.0 <= eng["false_alarm_rate"] <= 1.0
    assert out["grouped_cv"]["engine_candidates"]["always_propose"]["precision"] == 0.5
