"""Does the engine adapt to *a* user? Simulated users with consistent preferences answer the engine's cards.

    .venv/bin/python -m bench.personas [--out PATH] [--max-labels 100] [--step 10] [--pb 300] [--seed 0 ...]
                                        [PERSONA ...]

Moments are the situation library's consults (bench/situations/rows.jsonl: the engine's own candidates at
each sampled moment of every scripted situation, with its ground truth) and, with --pb N, N ProactiveBench
histories (PROACTIVE_DATA). They are split by situation / session: 70 % is the stream the persona lives
through, 30 % is where the engine is measured (held-out situations, each at 9:00, in a 14:00 meeting and at
15:00). In the stream each moment happens at the next hour of a working day (8:00-18:00, meetings at 14 and
14); the engine decides there as the app does (`decide` with the help gate, the learning judge and where the
user is, time of day included; after assistant.decide.decision.CHECK_IN_AFTER moments in a row without a card
it checks in, as the live pipeline does); when it shows a card the persona (bench/persona_rules.py) answers it, and the
judge relearns from all answers so far (`Judge.learn`, guard included). A "not now" brings the same card
back at the next hour. As in the app, five "Not useful" answers to one kind of task in one place rest that
kind there for a week (assistant.decide.rest; a place is the app and the site or file type, a week is seven
days of these hours); `--without-rests` measures what learning alone does. At 0, 10, ... labels the engine is
measured on the held-out moments (at the stream's time, so a rest standing then counts):

* false_alarm: share of the engine's cards there that the persona would not accept;
* recall: share of held-out moments where the persona would accept some candidate at which the engine
  showed an accepted one.

A persona that has answered fewer than --max-labels cards when MAX_MOMENTS moments are lived (the engine
learned to show it almost nothing) keeps its last measured point for the rest of the curve, marked
"carried": with no more answers the engine stays as it learned, and the mean over personas covers every step.

The seed orders the stream and samples the ProactiveBench histories; the curve moves with it by several
points, so `--seed 0 1 2` runs each seed and averages every curve over them (the output says which seeds).

Writes {"personas": {NAME: {"curve": [...]}}, "curve": [...] (averaged over personas), "goal": ...} to --out
(default bench/results/personas.json) and a PNG of every persona's false alarms next to it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import time
from collections import deque
from pathlib import Path

import numpy as np

from assistant.decide.rest import Rests
from bench.harness import RESULTS
from bench.persona_rules import PERSONAS, Moment, Slot
from bench.plot import line_chart

SITUATION_ROWS = Path(__file__).resolve().parent / "situations" / "rows.jsonl"
HOURS = range(8, 19)
MEETINGS = (14, 16)
EVAL_SLOTS = (Slot(9), Slot(14, meeting=True), Slot(15))
HELD_OUT = 0.3
MAX_MOMENTS = 3000  # a stream that shows too few cards ends here


def situation_moments(path: Path = SITUATION_ROWS) -> list[Moment]:
    """The situation library's consults: one Moment per (situation, time), candidates with their kinds."""
    from models.judge.kinds import context_from_history

    grouped: dict[tuple, dict] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        meta = row["meta"]
        key = (meta["situation"], meta["consult_at"])
        g = grouped.setdefault(key, {"history": tuple(o["event"] for o in row["obs"]), "cands": [],
                                     "wanted": set(), "help": False, "group": meta["situation"]})
        g["help"] = g["help"] or bool(row.get("help_needed"))
        if row["pred_task"]:
            g["cands"].append((row["pred_task"], meta.get("kind") or ""))
            if row["valid"]:
                g["wanted"].add(row["pred_task"])
    return [Moment(g["history"], tuple(g["cands"]), frozenset(g["wanted"]), g["help"],
                   context_from_history(list(g["history"])), "situations", g["group"])
            for g in grouped.values() if g["cands"]]


def proactivebench_moments(limit: int, seed: int = 0) -> list[Moment]:
    """`limit` ProactiveBench histories (seeded sample), the annotators' accepted tasks as ground truth."""
    from models.judge.data import default_data_dir, group_rows, load_rows
    from models.judge.kinds import context_from_history

    path = default_data_dir() / "reward_train.jsonl"
    if limit <= 0 or not path.is_file():
        return []
    groups = [g for g in group_rows(load_rows([path])) if any(t is not None for t in g.tasks)]
    random.Random(seed).shuffle(groups)
    return [Moment(tuple(g.history), tuple((t, "") for t in g.tasks if t is not None),
                   frozenset(t for t, a in zip(g.tasks, g.accepted) if t is not None and a), g.help_needed,
                   context_from_history(list(g.history)), "proactivebench", g.session)
            for g in groups[:limit]]


def held_out(m: Moment) -> bool:
    return int(hashlib.sha256(m.group.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < HELD_OUT


def place(m: Moment) -> str:
    """Where a moment happens, as the policy keys places for the week's rest: 'app|site' or 'app|.ext'."""
    c = m.context
    where = c.site.strip().lower() or (f".{c.file_type.strip().lower()}" if c.file_type.strip() else "")
    return f"{c.app.strip().lower()}|{where}"


def rest_kind(task: str, kind: str) -> str:
    """The kind a rest is keyed by: the generator's kind, or the wording's for a ProactiveBench task."""
    from models.judge.kinds import task_kind

    return kind if kind and kind != "dataset" else task_kind(task)


def clock(seen: int) -> float:
    """Seconds since the stream began at its `seen`-th moment: one moment an hour, HOURS a day."""
    return (seen // len(HOURS)) * 86400.0 + HOURS[seen % len(HOURS)] * 3600.0


def decide_at(judge, m: Moment, slot: Slot, threshold: float, check_in: bool = False,
              resting: frozenset[str] = frozenset()):
    """The engine's decision at moment `m` at `slot`: the chosen (task, kind), or None. `check_in`: as the live
    pipeline passes it (assistant.decide.decision.check_in_due); `resting`: kinds resting in the moment's place."""
    from dataclasses import replace

    from assistant.decide.candidates import Candidate
    from assistant.decide.decision import decide

    cands = [Candidate(t, k or "dataset", "template") for t, k in m.candidates if rest_kind(t, k) not in resting]
    if not cands:
        return None
    decision = decide(list(m.history), cands, judge, threshold, gate_threshold=judge.gate_threshold,
                      context=replace(m.context, when=slot.when), check_in=check_in)
    return (decision.task, decision.candidate.kind) if decision.task else None


def measure(judge, persona, moments: list[Moment], threshold: float, rests: Rests | None = None,
            now: float = 0.0) -> dict:
    shown = rejected = wanted = helped = 0
    for m in moments:
        resting = rests.kinds(place(m), now) if rests is not None else frozenset()
        for slot in EVAL_SLOTS:
            accepts = {t for t, k in m.candidates if (persona(m, t, k, slot) or ("",))[0] == "accepted"}
            wanted += bool(accepts)
            card = decide_at(judge, m, slot, threshold, resting=resting)
            if card is None:
                continue
            shown += 1
            hit = card[0] in accepts
            rejected += not hit
            helped += hit
    return {"false_alarm": rejected / shown if shown else 0.0, "recall": helped / wanted if wanted else 0.0,
            "cards": shown}


def record(m: Moment, task: str, kind: str, slot: Slot, said: tuple[str, str | None] | None, at: float):
    from dataclasses import replace

    from models.judge.learning import LabelRecord

    label, reason = said if said is not None else ("ignored", None)
    return LabelRecord(m.history, task, label, kind if kind != "dataset" else "",
                       replace(m.context, when=slot.when), reason=reason, time=at,
                       candidates=tuple(t for t, _ in m.candidates))


def run_persona(name: str, stream: list[Moment], test: list[Moment], max_labels: int, step: int,
                threshold: float, with_rests: bool = True) -> dict:
    """Live through the stream, answering the engine's cards as persona `name`; the curve at every step."""
    from assistant.decide.decision import check_in_due
    from models.judge.infer import load_judge

    persona = PERSONAS[name]
    judge = load_judge()
    judge.task_threshold = threshold
    answers: list = []
    rests = Rests() if with_rests else None
    curve = [{"labels": 0, **measure(judge, persona, test, threshold, rests)}]
    queue: deque[Moment] = deque()
    seen = silent = due_shown = 0
    while len(answers) < max_labels and seen < MAX_MOMENTS:
        m = queue.popleft() if queue else stream[seen % len(stream)]
        hour = HOURS[seen % len(HOURS)]
        slot = Slot(hour, meeting=hour in MEETINGS)
        seen += 1
        due = check_in_due(silent, judge)
        now = clock(seen)
        card = decide_at(judge, m, slot, threshold, check_in=due,
                         resting=rests.kinds(place(m), now) if rests is not None else frozenset())
        if card is None:
            silent += 1
            continue
        due_shown += due
        silent = 0
        said = persona(m, card[0], card[1], slot)
        answers.append(record(m, card[0], card[1], slot, said, float(seen)))
        if rests is not None and said is not None:
            rests.add(place(m), rest_kind(*card), said[0], said[1], now)
        if said is not None and said[0] == "not-now":
            queue.append(m)  # the same card again, an hour later
        judge.learn(answers)
        if len(answers) % step == 0:
            curve.append({"labels": len(answers), **measure(judge, persona, test, threshold, rests, now)})
    while curve[-1]["labels"] < max_labels:  # no more cards to answer in MAX_MOMENTS: it stays as it learned
        curve.append({**curve[-1], "labels": curve[-1]["labels"] + step, "carried": True})
    labels = [a.label for a in answers]
    return {"curve": curve, "moments_lived": seen, "cards_with_check_in_due": due_shown,
            "rests_started": len(rests.rests) if rests is not None else 0,
            "answers": {k: labels.count(k) for k in sorted(set(labels))},
            "guard": {side: {"used": v.used, "gain": v.gain, "decisions": v.decisions, "checked": v.checked,
                             "strength": v.strength, "adaptive": v.adaptive, "part": v.part,
                             "families": list(v.families)}
                      for side, v in judge.preferences.guard.items()},
            "learned": judge.describe()[:4]}


def average(curves: list[list[dict]]) -> list[dict]:
    depth = min(len(c) for c in curves)
    return [{"labels": curves[0][i]["labels"],
             "false_alarm": float(np.mean([c[i]["false_alarm"] for c in curves])),
             "recall": float(np.mean([c[i]["recall"] for c in curves]))} for i in range(depth)]


def goal(curve: list[dict]) -> dict:
    first = curve[0]
    at_50 = next((p for p in curve if p["labels"] >= 50), curve[-1])
    drop = 1 - at_50["false_alarm"] / first["false_alarm"] if first["false_alarm"] else 0.0
    recall_change = at_50["recall"] - first["recall"]
    return {"false_alarm_relative_drop_at_50": drop, "recall_change_at_50": recall_change,
            "met": drop >= 0.30 and abs(recall_change) <= 0.05}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("personas", nargs="*", default=list(PERSONAS), help="which (default: all)")
    ap.add_argument("--out", type=Path, default=RESULTS / "personas.json")
    ap.add_argument("--max-labels", type=int, default=100)
    ap.add_argument("--step", type=int, default=10)
    ap.add_argument("--pb", type=int, default=300, help="ProactiveBench histories to add (0: situations only)")
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--without-rests", action="store_true",
                    help="learning alone: no week's rest after five 'Not useful' in one place (the app rests)")
    ap.add_argument("--seed", type=int, nargs="+", default=[0],
                    help="one or more seeds (stream order, ProactiveBench sample); curves are averaged over them")
    args = ap.parse_args()
    started = time.perf_counter()
    per_seed: dict[int, dict] = {}
    for seed in args.seed:
        moments = situation_moments() + proactivebench_moments(args.pb, seed)
        test = [m for m in moments if held_out(m)]
        stream = [m for m in moments if not held_out(m)]
        random.Random(seed).shuffle(stream)
        per_seed[seed] = {}
        for name in args.personas:
            per_seed[seed][name] = run_persona(name, stream, test, args.max_labels, args.step, args.threshold,
                                               with_rests=not args.without_rests)
            c = per_seed[seed][name]["curve"]
            print(f"{name:<30} FA {c[0]['false_alarm']:.3f} -> {c[-1]['false_alarm']:.3f}  recall "
                  f"{c[0]['recall']:.3f} -> {c[-1]['recall']:.3f}  ({c[-1]['labels']} labels, "
                  f"{per_seed[seed][name]['moments_lived']} moments, seed {seed})", flush=True)
    first = per_seed[args.seed[0]]
    results = {name: {**first[name], "curve": average([per_seed[s][name]["curve"] for s in args.seed]),
                      "per_seed": {str(s): per_seed[s][name]["curve"] for s in args.seed}}
               for name in args.personas}
    curve = average([r["curve"] for r in results.values()])
    met = goal(curve)
    seeds = ", ".join(map(str, args.seed))
    print(f"\nmean over personas{' and seeds ' + seeds if len(args.seed) > 1 else ', seed ' + seeds}")
    print(f"{'labels':>7} {'false_alarm':>12} {'recall':>8}")
    for p in curve:
        print(f"{p['labels']:>7} {p['false_alarm']:>12.3f} {p['recall']:>8.3f}")
    print(f"after 50 labels: false alarms {-met['false_alarm_relative_drop_at_50']:+.0%} relative (goal -30%), "
          f"recall {met['recall_change_at_50'] * 100:+.1f} points (goal within 5): "
          f"{'met' if met['met'] else 'not met'}")
    out = {"benchmark": "personas", "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
           "settings": {"max_labels": args.max_labels, "step": args.step, "pb": args.pb,
                        "threshold": args.threshold, "seeds": args.seed, "held_out": HELD_OUT,
                        "rests": not args.without_rests,
                        "moments": {"stream": len(stream), "held_out": len(test)}},
           "personas": results, "curve": curve, "goal": met, "seconds": time.perf_counter() - started}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2), encoding="utf-8")
    series = {name: [p["false_alarm"] for p in r["curve"][:len(curve)]] for name, r in results.items()}
    series["mean false alarm"] = [p["false_alarm"] for p in curve]
    series["mean recall"] = [p["recall"] for p in curve]
    png = line_chart(args.out.with_suffix(".png"), "Personas: false alarms as each user's answers teach",
                     [p["labels"] for p in curve], series, "labels learned from", "share")
    print(f"written {args.out} and {png}")


if __name__ == "__main__":
    main()
