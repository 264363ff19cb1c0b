"""The baselines printed beside the engine, computed by hand on a tiny invented trace and invented histories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.evaluation.baselines import keyword_rule, timing_baselines, trace_baselines
from tests.conftest import run_cli

H, N = True, False
# one invented trace of 6 steps: help is wanted at steps 2-3 (a stretch) and at step 5
SENTENCES = [
    "The user opens 'garden.md' in a text editor.",
    "The user types a list of seeds in 'garden.md'.",
    "The user runs 'plan.py' and a ValueError is printed.",
    "The user searches the web for 'ValueError could not convert string to float'.",
    "The user types two lines in 'plan.py'.",
    "The user reads a page titled 'How to store seeds?'.",
]
HELP = [N, N, H, H, N, H]


def test_keyword_rule_looks_at_the_latest_sentence_only() -> None:
    assert [keyword_rule(SENTENCES[: i + 1]) for i in range(6)] == [N, N, H, H, N, H]
    assert not keyword_rule([])


def test_trace_baselines_by_hand() -> None:
    out = trace_baselines([SENTENCES], [HELP], engine_rate=0.5)
    # always: both stretches get full credit, every one of the 3 non-help steps is a false alarm
    assert out["always_propose"]["score"] == 0.0 and out["always_propose"]["false_alarm_rate"] == 1.0
    # keyword rule proposes exactly at the help steps: full credit, no false alarm
    assert out["keyword_rule"]["score"] == 1.0
    # every k-th step (steps k-1, 2k-1, ...): k=3 proposes at 2 and 5 -> credit 1 and 1, no false alarm
    assert out["every_kth_step"]["k"] == 3 and out["every_kth_step"]["score"] == 1.0
    # random at rate 0.5: 3 of 6 steps; the expected score is well below the rules that know the moments
    rnd = out["random_at_engine_rate"]
    assert rnd["rate"] == 0.5 and 0.05 < rnd["score"] < 0.6
    assert rnd == trace_baselines([SENTENCES], [HELP], engine_rate=0.5)["random_at_engine_rate"]  # seeded


def test_random_baseline_expectation_matches_the_exact_value() -> None:
    # 2 one-step stretches and 2 non-help steps; 1 of the 4 steps is chosen at random. Half the time it is a
    # help step (mean credit 1/2, no false alarm), half the time not (credit 0, false-alarm rate 1/2), so the
    # expected mean credit and false-alarm rate are both 1/4
    sentences, helps = ["a", "b", "c", "d"], [H, N, H, N]
    rnd = trace_baselines([sentences], [helps], engine_rate=0.25)["random_at_engine_rate"]
    assert rnd["mean_credit"] == pytest.approx(0.25, abs=0.05)
    assert rnd["false_alarm_rate"] == pytest.approx(0.25, abs=0.05)


def test_timing_baselines_by_hand() -> None:
    histories = [[s] for s in SENTENCES]
    out = timing_baselines(histories, HELP, engine_rate=0.5)
    assert out["always_propose"]["precision"] == 0.5 and out["always_propose"]["recall"] == 1.0
    assert out["keyword_rule"]["f1"] == 1.0 and out["keyword_rule"]["false_alarm_rate"] == 0.0
    rnd = out["random_at_engine_rate"]
    assert rnd["proposals"] == 3 and rnd["precision"] == pytest.approx(0.5, abs=0.05)
    assert rnd["recall"] == pytest.approx(0.5, abs=0.05)


def test_eval_trace_prints_the_baselines(tmp_path: Path) -> None:
    trace = tmp_path / "t.json"
    trace.write_text(
        json.dumps(
            [
                {
                    "observation": {"time": str(i), "event": s},
                    "agent_response": {"candidate_task": ["x"] if h else []},
                }
                for i, (s, h) in enumerate(zip(SENTENCES, HELP))
            ]
        ),
        encoding="utf-8",
    )
    res = run_cli("eval", "trace", str(trace), "--no-model", "--json", home=tmp_path)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["baselines"]["keyword_rule"]["score"] == 1.0
    proposed = sum(s["proposed"] is not None for s in out["traces"][0]["steps"])
    assert out["baselines"]["random_at_engine_rate"]["rate"] == pytest.approx(proposed / 6)
    text = run_cli("eval", "trace", str(trace), "--no-model", home=tmp_path)
    assert "keyword rule" in text.stdout and "every k-th step, best k" in text.stdout
