"""Proposal latency of the embedded model: cold load, warm proposal (prefix cached), RSS, template time.

Run: .venv/bin/python bench/proposer_latency.py [--runs 20] [--threads 2]
Prints a table and writes bench/results/proposer_latency.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.decide.candidates import generate_candidates
from assistant.decide.proposer import Proposer
from models.backends import LlamaCppBackend
from models.default_model import default_gguf_path

# Invented histories (not from any data set).
HISTORIES = [
    ["The user opens 'app.py' in Visual Studio Code.",
     "The user switches to Terminal ('ImportError: cannot import name Flask')."],
    ["The user types in 'report.md' in Visual Studio Code for 6 minutes.", "The user is idle for 4 minutes."],
    ["The user searches Google for 'rust borrow checker lifetimes'.",
     "The user switches to Firefox and reads 'Understanding lifetimes - The Rust Book'."],
    ["The user switches to Thunderbird ('Re: Budget for Q3 - Inbox').",
     "The user types in 'Re: Budget for Q3' in Thunderbird for 1 minute."],
]


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    proc = psutil.Process()
    rss0 = proc.memory_info().rss
    t0 = time.perf_counter()
    backend = LlamaCppBackend(default_gguf_path(), n_ctx=2048, n_threads=args.threads)
    load_s = time.perf_counter() - t0
    proposer = Proposer(backend)
    t0 = time.perf_counter()
    proposer.propose(HISTORIES[0], [])  # first call: grammar compile + full prompt evaluation
    first_s = time.perf_counter() - t0
    template_s, warm_s, accepted = [], [], 0
    for i in range(args.runs):
        history = HISTORIES[i % len(HISTORIES)] + [f"The user scrolls through the page for {5 + i} seconds."]
        t0 = time.perf_counter()
        cands = generate_candidates(history)
        template_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        out = proposer.propose(history, cands)
        warm_s.append(time.perf_counter() - t0)
        accepted += bool(out)
    rss = proc.memory_info().rss
    result = {
        "model": backend.path.name, "threads": args.threads, "runs": args.runs,
        "cold_load_s": round(load_s, 3), "first_proposal_s": round(first_s, 3),
        "warm_proposal_p50_s": round(statistics.median(warm_s), 3), "warm_proposal_p95_s": round(pct(warm_s, .95), 3),
        "warm_proposal_max_s": round(max(warm_s), 3),
        "templates_p95_ms": round(pct(template_s, .95) * 1000, 3),
        "model_candidates_passing_filter": f"{accepted}/{args.runs}",
        "rss_before_mb": round(rss0 / 2**20, 1), "rss_with_model_mb": round(rss / 2**20, 1),
        "load_avg_1m": round(psutil.getloadavg()[0], 2), "cpus": psutil.cpu_count(),
    }
    for k, v in result.items():
        print(f"{k:34} {v}")
    out = Path(__file__).resolve().parent / "results" / "proposer_latency.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
