"""Does the engine learn from a user's answers? Replays labelled data as a simulated user.

    .venv/bin/python -m bench.feedback [DATA.jsonl] [--folds 4] [--out PATH] [--max-labels 200] [--step 25]

Folds are GroupKFold over the sessions of the reward data. In each fold the judge is trained on the other
sessions (the shipped prior of a new user); the held-out sessions are the simulated user. Each held-out
session is cut in time: its first LEARN_SHARE of histories is where the user answers cards, the rest is
where the engine is measured (the same user, later). In the answering part every annotated candidate is a
card the engine proposes and the held-out human label answers it (accepted / rejected); a rejection carries
the reason chip the data implies: "Wrong time" where the annotators said no help was needed at that moment
(`help_needed` false), else "Not useful". The stream runs through the sessions side by side, oldest first. After every STEP answers the engine relearns from
all answers so far (`Judge.learn`, the same deterministic function the app uses) and is measured on the
later histories: at each it proposes the best annotated candidate when the decision rule says so.

* false_alarm: share of the engine's proposals that the human rejected;
* recall: share of the later histories with an accepted task where the engine proposed an accepted task.

Writes {"curve": [{"labels": 0, "false_alarm": .., "recall": ..}, ...], ...} (averaged over folds) to
bench/results/feedback.json (or --out) and a PNG of both lines next to it.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from bench.harness import RESULTS
from bench.plot import line_chart

LEARN_SHARE = 0.6


def split_in_time(held_out: list, learn_share: float = LEARN_SHARE) -> tuple[list, list]:
    """(earlier histories where the user answers, later histories to measure on), sessions side by side."""
    by_session: dict[str, list] = {}
    for g in held_out:
        by_session.setdefault(g.session, []).append(g)
    earlier, later = [], []
    for session, groups in sorted(by_session.items()):
        groups.sort(key=lambda g: len(g.history))
        cut = round(learn_share * len(groups))
        later += groups[cut:]
        earlier += [(pos / max(cut, 1), session, g) for pos, g in enumerate(groups[:cut])]
    earlier.sort(key=lambda item: (item[0], item[1]))
    return [g for _, _, g in earlier], later


def answer(g, task: str, pos: float = 0.0):
    """The held-out human's answer to a card proposing `task` at history `g`, as a LabelRecord."""
    from models.judge.kinds import context_from_history
    from models.judge.learning import LabelRecord

    accepted = g.accepted[g.tasks.index(task)]
    return LabelRecord(
        tuple(g.history),
        task,
        "accepted" if accepted else "rejected",
        context=context_from_history(list(g.history)),
        reason=None if accepted else ("Not useful" if g.help_needed else "Wrong time"),
        candidates=tuple(g.tasks),
        time=pos,
    )


def shown_answers(judge, earlier: list, threshold: float, max_labels: int) -> list:
    """Answers to the cards the engine itself shows, learning after each: at every earlier history it
    proposes its best candidate; after a rejection it may propose the next one there, until it stays
    silent or a card is accepted."""
    from assistant.decide.candidates import Candidate
    from assistant.decide.decision import decide

    answers: list = []
    for pos, g in enumerate(earlier):
        shown: set[str] = set()
        while len(answers) < max_labels:
            cands = [Candidate(t, "dataset" if t else "none", "template") for t in g.tasks if t not in shown]
            decision = decide(g.history, cands, judge, threshold)
            if decision.task is None:
                break
            shown.add(decision.task)
            answers.append(answer(g, decision.task, float(pos)))
            judge.learn(answers)
            if answers[-1].label == "accepted":
                break
    judge.learn([])
    return answers


def simulated_user(held_out: list, learn_share: float = LEARN_SHARE) -> tuple[list, list]:
    """(answers to every annotated candidate, oldest first; later histories to measure on)."""
    earlier, later = split_in_time(held_out, learn_share)
    stream = [answer(g, t, float(pos)) for pos, g in enumerate(earlier) for t in g.tasks if t is not None]
    return stream, later


def measure(judge, groups: list, threshold: float) -> dict:
    """False alarms and recall of the engine's decisions on `groups` (annotated candidates)."""
    from assistant.decide.candidates import Candidate
    from assistant.decide.decision import decide

    proposals = false_alarms = wanted = helped = 0
    for g in groups:
        cands = [Candidate(t, "dataset" if t else "none", "template") for t in g.tasks]
        decision = decide(g.history, cands, judge, threshold)
        accepted_tasks = {t for t, a in zip(g.tasks, g.accepted) if t is not None and a}
        wanted += bool(accepted_tasks)
        if decision.task is not None:
            proposals += 1
            hit = decision.task in accepted_tasks
            false_alarms += not hit
            helped += hit
    return {
        "false_alarm": false_alarms / proposals if proposals else 0.0,
        "recall": helped / wanted if wanted else 0.0,
        "proposals": proposals,
        "histories": len(groups),
    }


def run(
    data: list[Path], folds: int, max_labels: int, step: int, threshold: float, answers: str = "all"
) -> dict:
    from assistant.evaluation.judge_eval import session_folds
    from models.judge.data import group_rows, load_rows
    from models.judge.infer import Judge
    from models.judge.train import fit_params

    groups = group_rows(load_rows(data))
    per_fold = []
    for train, held_out in session_folds(groups, folds):
        judge = Judge(fit_params(train))
        if answers == "all":
            stream, later = simulated_user(held_out)
        else:
            earlier, later = split_in_time(held_out)
            stream = shown_answers(judge, earlier, threshold, max_labels)
        points = []
        for n in range(0, min(max_labels, len(stream)) + 1, step):
            judge.learn(stream[:n])
            points.append({"labels": n, **measure(judge, later, threshold)})
        per_fold.append({"answers_available": len(stream), "later_histories": len(later), "points": points})
    depth = min(len(f["points"]) for f in per_fold)  # average only where every fold has that many answers
    curve = []
    for i in range(depth):
        pts = [f["points"][i] for f in per_fold]
        curve.append(
            {
                "labels": pts[0]["labels"],
                "false_alarm": float(np.mean([p["false_alarm"] for p in pts])),
                "recall": float(np.mean([p["recall"] for p in pts])),
                "proposals": float(np.mean([p["proposals"] for p in pts])),
            }
        )
    return {"curve": curve, "folds": per_fold}


def main() -> None:
    from models.judge.data import default_data_dir

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="*", type=Path, default=[default_data_dir() / "reward_train.jsonl"])
    ap.add_argument("--folds", type=int, default=4)
    ap.add_argument("--max-labels", type=int, default=200)
    ap.add_argument("--step", type=int, default=25)
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--out", type=Path, default=RESULTS / "feedback.json")
    ap.add_argument(
        "--answers",
        choices=("shown", "all"),
        default="all",
        help="all: every annotated candidate is a card (default; enough answers for the curve); shown: only the "
        "cards the engine itself shows (few answers: the engine proposes at about a third of the histories)",
    )
    args = ap.parse_args()
    started = time.perf_counter()
    result = run(args.data, args.folds, args.max_labels, args.step, args.threshold, args.answers)
    curve = result["curve"]
    print(f"\nfeedback (simulated user, {args.folds} session folds, averaged)")
    print(f"{'labels':>7} {'false_alarm':>12} {'recall':>8} {'proposals':>10}")
    for p in curve:
        print(f"{p['labels']:>7} {p['false_alarm']:>12.3f} {p['recall']:>8.3f} {p['proposals']:>10.1f}")
    first = curve[0]
    at_100 = next((p for p in curve if p["labels"] >= 100), curve[-1])
    drop = 1 - at_100["false_alarm"] / first["false_alarm"] if first["false_alarm"] else 0.0
    goal = {  # learning must never make it worse: the guard keeps the operating point (issue 19)
        "false_alarm_relative_drop_at_100": drop,
        "false_alarm_change_at_100": at_100["false_alarm"] - first["false_alarm"],
        "recall_change_at_100": at_100["recall"] - first["recall"],
        "met": at_100["false_alarm"] <= first["false_alarm"] + 0.02 and at_100["recall"] >= first["recall"] - 0.02,
    }
    print(
        f"after {at_100['labels']} labels: false alarms {goal['false_alarm_change_at_100'] * 100:+.1f} points "
        f"(goal at most +2), recall {goal['recall_change_at_100'] * 100:+.1f} points (goal at least -2): "
        f"{'met' if goal['met'] else 'not met'}"
    )
    out = {
        "benchmark": "feedback",
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "settings": {
            "folds": args.folds,
            "step": args.step,
            "max_labels": args.max_labels,
            "threshold": args.threshold,
            "learn_share": LEARN_SHARE,
            "answers": args.answers,
            "data": [str(p) for p in args.data],
        },
        "curve": curve,
        "goal": goal,
        "folds": result["folds"],
        "seconds": time.perf_counter() - started,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2), encoding="utf-8")
    png = line_chart(
        args.out.with_suffix(".png"),
        "Learning from the user's answers (held-out sessions)",
        [p["labels"] for p in curve],
        {"false alarm": [p["false_alarm"] for p in curve], "recall": [p["recall"] for p in curve]},
        "labels learned from",
        "share",
    )
    print(f"written {args.out} and {png}")


if __name__ == "__main__":
    main()
