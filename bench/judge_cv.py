"""Grouped-CV figures of the judge and of timing, next to the trivial baselines, in one command.

    .venv/bin/python -m bench.judge_cv [DATA.jsonl] [--folds 8]

DATA defaults to $PROACTIVE_DATA/reward_train.jsonl. Folds are GroupKFold over sessions. Writes
bench/results/judge_cv.json (the same numbers as `proactive judge cv` and `proactive eval timing`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.harness import report


def main() -> None:
    from assistant.evaluation.judge_eval import cross_validate, out_of_fold_judges
    from assistant.evaluation.timing import dataset_candidates, engine_candidates, timing_report
    from models.judge.data import default_data_dir, group_rows, load_rows

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="*", type=Path, default=[default_data_dir() / "reward_train.jsonl"])
    ap.add_argument("--folds", type=int, default=8)
    ap.add_argument("--threshold", type=float, default=0.5)
    args = ap.parse_args()
    groups = group_rows(load_rows(args.data))
    cv = cross_validate(groups, args.folds, args.threshold)
    oof = [(j, g) for j, held_out in out_of_fold_judges(groups, args.folds) for g in held_out]
    timing = {
        "engine_candidates": timing_report(oof, args.threshold, engine_candidates),
        "annotated_candidates": timing_report(oof, args.threshold, dataset_candidates),
        "engine_candidates_gate_on": timing_report(oof, args.threshold, engine_candidates, use_gate=True),
    }
    rows = []
    for name in ("judge", "reject_all", "accept_null_reject_tasks", "base_rates"):
        m = cv[name]
        for key in ("accuracy", "balanced_accuracy", "precision", "recall", "f1", "roc_auc"):
            rows.append((f"{name}.{key}", m[key], "", "grouped CV" if name == "judge" else "baseline"))
        rows.append((f"{name}.brier", m["calibration"]["brier"], "", ""))
        rows.append((f"{name}.ece", m["calibration"]["ece"], "", ""))
        for cat, info in m["per_category"].items():
            rows.append((f"{name}.acc_{cat}", info["accuracy"], f"n={info['n']}", ""))
    for cands, rep in timing.items():
        for who in ("engine", "always_propose", "random_at_engine_rate", "keyword_rule"):
            for key in ("precision", "recall", "f1", "false_alarm_rate"):
                target = (
                    {"f1": ">= 0.85", "false_alarm_rate": "<= 0.15"}.get(key, "") if who == "engine" else ""
                )
                rows.append((f"timing.{cands}.{who}.{key}", rep[who][key], "", target))
    report(
        "judge_cv",
        rows,
        {
            "folds": cv["folds"],
            "sessions": cv["sessions"],
            "histories": cv["histories"],
            "threshold": args.threshold,
            "fold_accuracy": cv["fold_accuracy"],
        },
    )


if __name__ == "__main__":
    main()
