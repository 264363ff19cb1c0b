"""bench/feedback: the simulated user answers from held-out sessions; the curve and its plot are written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.feedback import simulated_user, split_in_time
from models.judge.data import group_rows, load_rows
from tests.test_eval_timing import CAT

REPO = Path(__file__).resolve().parents[1]


def _invented_rows(path: Path, sessions: int = 4, steps: int = 10) -> Path:
    """Invented sessions: a user edits a file, hits an error now and then, and reads pages."""
    lines = []
    for s in range(sessions):
        history: list[str] = []
        for i in range(steps):
            if i % 3 == 2:
                history.append(f"The user runs 'tool{s}.py' and a KeyError about 'field{i}' is printed.")
            else:
                history.append(
                    f"The user edits 'tool{s}.py' and reads the page 'Notes on step {i}' in Firefox."
                )
            obs = [{"time": str(1000 * s + 60 * j), "event": e} for j, e in enumerate(history)]
            error = i % 3 == 2
            rows = [
                (f"Explain the KeyError about 'field{i}' in 'tool{s}.py'.", "CD" if error else "FA"),
                (f"Summarise the key points of 'Notes on step {i}'.", "FA" if error else "CD"),
                ("Order a pizza.", "FA"),
                (None, "MN" if error else "CR"),
            ]
            for task, cat in rows:
                accepted = cat in ("CD", "CR")
                lines.append(
                    json.dumps(
                        {
                            "obs": obs,
                            "pred_task": task,
                            "valid": accepted,
                            "help_needed": error,
                            "annotation": [accepted, accepted, not accepted],
                            "category": CAT[cat],
                        }
                    )
                )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_user_answers_early_and_is_measured_later(tmp_path: Path) -> None:
    groups = group_rows(load_rows([_invented_rows(tmp_path / "rows.jsonl")]))
    earlier, later = split_in_time(groups)
    assert len(earlier) == 24 and len(later) == 16  # 6 of 10 histories per session answer, 4 are measured
    for session in {g.session for g in groups}:
        first_later = min(len(g.history) for g in later if g.session == session)
        assert all(len(g.history) < first_later for g in earlier if g.session == session)
    stream, _ = simulated_user(groups)
    assert len(stream) == 24 * 3  # every task candidate of the earlier histories, never the silent one
    assert {r.label for r in stream} == {"accepted", "rejected"}
    # a rejection says why, as the data implies: no help needed there -> wrong time, else not useful
    assert {r.reason for r in stream if r.label == "rejected"} == {"Wrong time", "Not useful"}


def test_bench_feedback_writes_the_curve_and_a_plot(tmp_path: Path) -> None:
    rows = _invented_rows(tmp_path / "rows.jsonl")
    out = tmp_path / "res" / "fb.json"
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.feedback",
            str(rows),
            "--folds",
            "2",
            "--step",
            "10",
            "--max-labels",
            "30",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    assert [p["labels"] for p in result["curve"]] == [0, 10, 20, 30]
    for p in result["curve"]:
        assert 0.0 <= p["false_alarm"] <= 1.0 and 0.0 <= p["recall"] <= 1.0
    assert set(result["goal"]) == {"false_alarm_relative_drop_at_100", "false_alarm_change_at_100",
                                   "recall_change_at_100", "met"}
    png = out.with_suffix(".png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000
    assert "false_alarm" in res.stdout and "written" in res.stdout
