"""Carrying out accepted tasks with the embedded model, and pulling a model over loopback.

    .venv/bin/python -m bench.answer [--tasks 6] [--threads 2]

* answer: time to first token, tokens/s and total time of the streamed answer to invented accepted tasks,
  the embedded SmolLM2-135M on `--threads` cores (the model warm: loaded once), and the peak RSS of the
  process while it streams;
* pull: throughput of `models.pull.pull` for the embedded GGUF served by a loopback HTTP server, whole and
  resumed after a connection dropped at a third of the file.
Writes bench/results/answer.json.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from bench.harness import peak_rss_mb, percentile, report

# Invented accepted tasks with invented context (not from any data set)
TASKS = [
    ("Explain the error 'KeyError: total' and suggest a fix in 'billing.py'.",
     ["The user edits 'billing.py' in Visual Studio Code.",
      "The user runs 'python billing.py' in Terminal and sees 'KeyError: total'."]),
    ("Provide a short example of how to merge two dataframes on a column in Python.",
     ["The user searches Google for 'pandas merge two dataframes on a column'."]),
    ("Draft a reply to 'Quarterly numbers for the board' in Thunderbird.",
     ["The user reads 'Quarterly numbers for the board' in Thunderbird."]),
    ("Summarise the key points of 'How Gutenberg changed the world'.",
     ["The user reads 'How Gutenberg changed the world' in Firefox."]),
    ("Outline the next section of 'chapter3.md' based on what you have written so far.",
     ["The user types in 'chapter3.md' in gedit for 10 minutes."]),
    ("Review 'invoice.py' for bugs and possible improvements.",
     ["The user opens 'invoice.py' in Visual Studio Code."]),
]


def bench_answers(n: int) -> dict[str, list[float]]:
    from models.answer import AnswerContext, AnswerSession
    from models.default_model import backend_from_config
    from assistant.core.config import default_config

    cfg = default_config()
    backend = backend_from_config(cfg)
    out: dict[str, list[float]] = {"ttft_s": [], "tokens_per_s": [], "total_s": [], "tokens": []}
    try:
        for i in range(n):
            task, history = TASKS[i % len(TASKS)]
            session = AnswerSession(backend, AnswerContext(task, history), max_tokens=cfg["assist.max_tokens"],
                                    context_tokens=cfg["model.context_tokens"])
            stream = session.start()
            for _ in stream:
                pass
            answer = stream.answer(timeout=None)
            out["ttft_s"].append(answer.first_token_s or float("nan"))
            out["tokens_per_s"].append(answer.tokens_per_s or 0.0)
            out["total_s"].append(answer.total_s)
            out["tokens"].append(float(answer.completion_tokens))
    finally:
        backend.close()
    return out


def bench_pull() -> dict[str, float]:
    from models.default_model import default_gguf_path
    from models.pull import pull
    from tests.model_hub import Hub

    with tempfile.TemporaryDirectory() as tmp:
        served = Path(tmp) / "served.gguf"
        shutil.copyfile(default_gguf_path(), served)
        size_mb = served.stat().st_size / 1e6
        hub = Hub({"/m/served.gguf": served})
        try:
            t0 = time.perf_counter()
            pull(f"{hub.url}/m/served.gguf", dest_dir=Path(tmp) / "a")
            whole = time.perf_counter() - t0
            hub.drop_after = served.stat().st_size // 3
            t0 = time.perf_counter()
            pull(f"{hub.url}/m/served.gguf", dest_dir=Path(tmp) / "b")
            resumed = time.perf_counter() - t0
        finally:
            hub.close()
    return {"size_mb": size_mb, "whole_s": whole, "resumed_s": resumed}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, default=6)
    ap.add_argument("--threads", type=int, default=2, help="CPU cores the process may use")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[: args.threads])
    answers = bench_answers(args.tasks)
    pulled = bench_pull()
    rows = [
        ("answer_time_to_first_token_p50", percentile(answers["ttft_s"], 50) * 1000, "ms", ""),
        ("answer_time_to_first_token_max", max(answers["ttft_s"]) * 1000, "ms", ""),
        ("answer_tokens_per_s_p50", percentile(answers["tokens_per_s"], 50), "tokens/s", ""),
        ("answer_total_p50", percentile(answers["total_s"], 50), "s", ""),
        ("answer_tokens_p50", percentile(answers["tokens"], 50), "tokens", ""),
        ("peak_rss_while_streaming", peak_rss_mb(), "MB", ""),
        ("pull_loopback_throughput", pulled["size_mb"] / pulled["whole_s"], "MB/s", ""),
        ("pull_loopback_resumed_throughput", pulled["size_mb"] / pulled["resumed_s"], "MB/s", ""),
    ]
    report("answer", rows, {"model": "SmolLM2-135M-Instruct Q4_1 (embedded)", "tasks": args.tasks,
                            "cores": args.threads, "pull_size_mb": pulled["size_mb"]})


if __name__ == "__main__":
    main()
