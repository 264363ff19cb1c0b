"""The situation bench: every recorded situation through the app's own decision loop, cards answered by the
ground truth; figures per family and overall.

    python -m bench.situations [--heldout] [--out PATH] [--rows PATH] [--cards] [NAMES ...]

Each recording (bench/situations/recordings, made by `python -m bench.situations.record`) is replayed as
bench/situations/replay.py says; the figures are defined in bench/situations/metrics.py, the held-out judge
in bench/situations/rows.py (and all of it in docs/situations.md). Writes the JSON to --out (default
bench/results/situations.json) and the judge's rows to --rows (default bench/situations/rows.jsonl).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import RESULTS
from bench.situations.library import SITUATIONS, by_name
from bench.situations.metrics import by_family, summary
from bench.situations.recordings import RecordingError, load, problem
from bench.situations.replay import Run, replay
from bench.situations.rows import heldout, judge_rows, write_rows
from models.judge.data import default_data_dir

ROWS = Path(__file__).resolve().parent / "rows.jsonl"
COLUMNS = (("situations", "sit"), ("episodes", "needs"), ("cards", "cards"), ("cards_per_episode", "cards/ep"),
           ("needs_helped_within_60s", "helped<=60s"), ("false_alarms_per_hour", "FA/h"),
           ("off_need_cards_per_hour", "off-need/h"))


def _cell(value: object) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def table(families: dict[str, dict], total: dict) -> str:
    """The per-family figures as an aligned text table."""
    width = max(len(f) for f in [*families, "all"])
    head = f"{'family':<{width}}  " + "  ".join(f"{label:>11}" for _, label in COLUMNS)
    lines = [head, "-" * len(head)]
    for name, figures in [*families.items(), ("all", total)]:
        lines.append(f"{name:<{width}}  " + "  ".join(f"{_cell(figures[key]):>11}" for key, _ in COLUMNS))
    return "\n".join(lines)


def card_lines(runs: list[Run]) -> list[str]:
    """Every card shown, as a reader sees it: when, why, what, and the ground truth's answer."""
    out = []
    for run in runs:
        for card, answer in run.cards:
            need = run.recording.need_at(card.at)
            where = f"need {need.start:g}-{need.end:g} s, evidence {need.evidence:g} s" if need else "no need"
            said = f"{answer.label}{' (' + answer.reason + ')' if answer.reason else ''}" if answer else "-"
            out.append(f"{run.recording.name} t={card.at:.0f}s [{card.trigger}; {where}] {card.kind}: "
                       f"{card.task}  -> {said}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help="only these situations (default: all)")
    ap.add_argument("--heldout", action="store_true", help="train and test the judge leaving one family out")
    ap.add_argument("--out", type=Path, default=RESULTS / "situations.json", help="where the JSON goes")
    ap.add_argument("--rows", type=Path, default=ROWS, help="where the judge's rows go (ProactiveBench shape)")
    ap.add_argument("--cards", action="store_true", help="print every card shown")
    ap.add_argument("--data", type=Path, default=default_data_dir() / "reward_train.jsonl",
                    help="ProactiveBench reward rows for --heldout (default: $PROACTIVE_DATA/reward_train.jsonl)")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    try:
        situations = [by_name(n) for n in args.names] if args.names else list(SITUATIONS)
        stale = [p for p in (problem(s) for s in situations) if p]
        if stale:
            print("\n".join(stale), file=sys.stderr)
            return 2
        runs = [replay(load(s.name)) for s in situations]
    except (KeyError, RecordingError) as exc:
        print(exc.args[0], file=sys.stderr)
        return 2
    families, total = by_family(runs), summary(runs)
    print(table(families, total))
    if args.cards:
        print("\ncards shown:\n" + "\n".join(card_lines(runs)))
    rows = judge_rows(runs)
    write_rows(rows, args.rows)
    result = {key: total[key] for key in ("cards_per_episode", "needs_helped_within_60s", "false_alarms_per_hour")}
    result.update({"judge_heldout_accuracy": None, "majority_baseline": None})
    if args.heldout:
        if not args.data.is_file():
            print(f"{args.data}: no ProactiveBench reward rows (set PROACTIVE_DATA or --data)", file=sys.stderr)
            return 2
        with tempfile.TemporaryDirectory() as tmp:
            judged = heldout(rows, args.data, Path(tmp))
        result.update({"judge_heldout_accuracy": judged["judge_heldout_accuracy"],
                       "majority_baseline": judged["majority_baseline"], "judge": judged})
        print(f"\njudge, families held out: accuracy {_cell(judged['judge_heldout_accuracy'])} on "
              f"{judged['rows']} rows, majority baseline {_cell(judged['majority_baseline'])}; shipped judge "
              f"{_cell(judged['shipped_judge_accuracy'])}")
    result.update({"by_family": families, "overall": total, "rows": len(rows),
                   "cards": {run.recording.name: [{"at": c.at, "task": c.task, "kind": c.kind, "trigger": c.trigger,
                                                   "answer": a.label if a else None} for c, a in run.cards]
                             for run in runs},
                   "wall_s": round(time.perf_counter() - started, 1)})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"\nwritten {args.out} and {len(rows)} judge rows to {args.rows}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
