"""Trace replay and the time-aware (PAUC-style) score, on hand-made steps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.evaluation.trace import TraceError, load_trace, stretches, time_aware_score
from tests.conftest import run_cli

H, N = True, False  # help step (candidates shown) / no help step


def test_stretches_are_maximal_runs() -> None:
    assert stretches([N, H, H, N, H]) == [(1, 3), (4, 5)]
    assert stretches([]) == []


def test_first_step_earns_full_credit_later_less() -> None:
    help_steps = [N, H, H, H, N]
    first = time_aware_score(help_steps, [N, True, N, N, N])
    second = time_aware_score(help_steps, [N, N, True, N, N])
    third = time_aware_score(help_steps, [N, N, N, True, N])
    never = time_aware_score(help_steps, [N] * 5)
    assert first.score == 1.0
    assert second.score == pytest.approx(0.5)
    assert third.score == pytest.approx(1 / 3)
    assert never.score == 0.0
    # proposing again later in the same stretch neither adds credit nor counts as a false alarm
    assert time_aware_score(help_steps, [N, True, True, True, N]).score == 1.0


def test_false_alarms_are_penalised() -> None:
    help_steps = [N, H, N, H, N]
    timely = time_aware_score(help_steps, [N, True, N, True, N])
    noisy = time_aware_score(help_steps, [True, True, N, True, N])
    assert timely.score == 1.0
    assert noisy.false_alarms == 1 and noisy.false_alarm_rate == pytest.approx(1 / 3)
    assert noisy.score == pytest.approx(2 / 3)
    assert time_aware_score(help_steps, [True] * 5).score == 0.0  # always proposing scores nothing


def test_scores_pool_over_traces() -> None:
    a = time_aware_score([H, N], [True, N])
    b = time_aware_score([N, H, H], [True, N, True])
    pooled = a + b
    assert pooled.credits == [1.0, 0.5]
    assert pooled.false_alarm_rate == pytest.approx(1 / 2)
    assert pooled.score == pytest.approx(0.75 * 0.5)


def _trace(path: Path) -> Path:
    steps = [
        ("The user opens 'thesis.tex' in an editor.", []),
        (
            "The user compiles 'thesis.tex' and an Undefined control sequence error is shown.",
            ["Explain the undefined control sequence error in 'thesis.tex'."],
        ),
        ("The user searches the web for 'latex undefined control sequence'.", ["Find the usual fix."]),
        ("The user is idle for a few minutes.", []),
    ]
    path.write_text(
        json.dumps(
            [
                {
                    "observation": {"time": str(100 + i), "event": s},
                    "agent_response": {"candidate_task": shown},
                    "task_status": bool(shown),
                }
                for i, (s, shown) in enumerate(steps)
            ]
        ),
        encoding="utf-8",
    )
    return path


def test_bad_trace_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"agent_response": {}}]), encoding="utf-8")
    with pytest.raises(TraceError, match="bad.json: step 0"):
        load_trace(bad)
    assert len(load_trace(_trace(tmp_path / "ok.json"))) == 4


def test_eval_trace_cli_replays_every_step(tmp_path: Path) -> None:
    trace = _trace(tmp_path / "t.json")
    res = run_cli("eval", "trace", str(trace), "--no-model", "--json", home=tmp_path)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    steps = out["traces"][0]["steps"]
    assert len(steps) == 4 and all(s["latency_s"] >= 0 for s in steps)
    assert [bool(s["shown"]) for s in steps] == [False, True, True, False]
    assert 0.0 <= out["pooled"]["score"] <= 1.0 and out["pooled"]["stretches"] == 1
    assert out["always_propose"]["score"] == 0.0
    text = run_cli("eval", "trace", str(trace), "--no-model", home=tmp_path)
    assert text.returncode == 0 and "score" in text.stdout and "model off" in text.stdout


def test_eval_trace_missing_file_is_usage_error(tmp_path: Path) -> None:
    res = run_cli("eval", "trace", str(tmp_path / "none.json"), "--no-model", home=tmp_path)
    assert res.returncode == 2 and "none.json" in res.stderr


def test_eval_trace_heldout_judge_excludes_the_trace_session(tmp_path: Path) -> None:
    from tests.test_eval_timing import _handmade

    rows = _handmade(tmp_path / "rows.jsonl")
    res = run_cli(
        "eval",
        "trace",
        str(_trace(tmp_path / "t.json")),
        "--no-model",
        "--heldout",
        str(rows),
        "--json",
        home=tmp_path,
    )
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert "minus each trace's session" in out["judge"]
    assert len(out["traces"][0]["steps"]) == 4
