"""Every proposal the engine makes over the public traces: the golden file.

    .venv/bin/python -m bench.golden [--check]

Replays each trace of $PROACTIVE_DATA/traces (default ../shared/data/proactivebench/traces) step by step through
`build_chain` with the model off (templates and the shipped judge: deterministic), writes the readable list to
bench/results/golden.txt (kept out of git: it quotes the data) and the digest that is committed,
tests/golden/trace_proposals.json: per trace and step, the task's kind and a hash of its text. `--check`
compares with the committed digest instead of writing it. Every proposal is also checked against the wording
rules (assistant.evaluation.wording): a rule broken is printed and makes the command fail.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from assistant.core.config import default_config
from assistant.decide.build import build_chain
from assistant.evaluation.trace import load_trace
from assistant.evaluation.wording import wording_problems
from models.judge.data import default_data_dir

REPO = Path(__file__).resolve().parent.parent
DIGEST = REPO / "tests" / "golden" / "trace_proposals.json"
READABLE = REPO / "bench" / "results" / "golden.txt"


def trace_files(data_dir: Path | None = None) -> list[Path]:
    folder = (data_dir or default_data_dir()) / "traces"
    return sorted(p for p in folder.glob("*.json") if p.name != "splits.json")


def generate(data_dir: Path | None = None) -> list[dict]:
    """One row per step where the engine proposes: trace, step, kind, task, problems."""
    rows = []
    for path in trace_files(data_dir):
        engine = build_chain(default_config(), wait_for_model=True).engine
        history: list[str] = []
        for i, step in enumerate(load_trace(path)):
            history.append(step.sentence)
            decision, _ = engine.step(history)
            if decision.task:
                kind = decision.candidate.kind if decision.candidate else ""
                rows.append({"trace": path.name, "step": i, "kind": kind, "task": decision.task,
                             "problems": wording_problems(decision.task, history)})
    return rows


def digest(rows: list[dict]) -> dict:
    return {f"{r['trace']}#{r['step']}": f"{r['kind']}:{hashlib.sha256(r['task'].encode()).hexdigest()[:16]}"
            for r in rows}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed digest instead of writing")
    args = ap.parse_args()
    rows = generate()
    READABLE.parent.mkdir(exist_ok=True)
    READABLE.write_text("".join(f"{r['trace']} [{r['step']:2d}] ({r['kind']}) {r['task']}"
                                + "".join(f"\n    PROBLEM: {p}" for p in r["problems"]) + "\n" for r in rows),
                        encoding="utf-8")
    bad = [r for r in rows if r["problems"]]
    print(f"{len(rows)} proposals over {len(trace_files())} traces; {len(bad)} break a wording rule; "
          f"readable list: {READABLE}")
    for r in bad:
        print(f"  {r['trace']} [{r['step']}] {r['problems']}")
    new = digest(rows)
    if args.check:
        old = json.loads(DIGEST.read_text()) if DIGEST.exists() else {}
        changed = sorted(set(old) ^ set(new) | {k for k in old.keys() & new.keys() if old[k] != new[k]})
        print(f"{len(changed)} step(s) differ from {DIGEST.relative_to(REPO)}")
        return 1 if changed or bad else 0
    DIGEST.parent.mkdir(exist_ok=True)
    DIGEST.write_text(json.dumps(new, indent=1, sort_keys=True) + "\n")
    print(f"written {DIGEST.relative_to(REPO)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
