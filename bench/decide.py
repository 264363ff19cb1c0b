"""Event-to-decision latency with the default model (warm), peak RSS, and judge latency per call.

    .venv/bin/python -m bench.decide [--events N] [--threads 2] [--wait 0.8] [--gap 1.5]

Event-to-decision: a window event (invented apps/titles, cycling editor / terminal error / browser search /
browser page) is fed to the real Pipeline (narrator -> candidates -> model wording -> judge -> decision) and a
decision is forced at once, timed from feed to decision. The first WARMUP decisions (model load, first prompt)
are not counted; consultations are --gap seconds apart (the policy allows one a minute at most). Two runs: as the
live app runs (DecisionEngine(model_wait_s=model.wait_seconds): a late model answer only joins a later decision
at the same place) and, for comparison, waiting for the model at every decision.
Judge latency: `Judge.score` on growing histories with 6 candidates.
Writes bench/results/decide.json.
"""

from __future__ import annotations

import argparse
import os
import time

from bench.harness import peak_rss_mb, percentile, report

WARMUP = 3
# Invented desktop activity (not from any data set): (app, title, extra data)
SCRIPT = [
    ("code", "invoice_parser.py - billing - Visual Studio Code", {}),
    ("gnome-terminal-server", "python invoice_parser.py: KeyError 'total'", {}),
    ("firefox", "python dict KeyError total - Google Search", {"browser": "firefox"}),
    ("firefox", "How to handle missing keys in a dict - Stack Overflow", {"browser": "firefox"}),
    ("code", "invoice_parser.py - billing - Visual Studio Code", {}),
    ("soffice.bin", "quarterly_report.odt - LibreOffice Writer", {}),
    ("firefox", "pandas merge two dataframes on column - Google Search", {"browser": "firefox"}),
    ("code", "merge_tables.py - billing - Visual Studio Code", {}),
]


def event_stream(n: int, start: float):
    from assistant.core.events import Event

    for i in range(n):
        app, title, data = SCRIPT[i % len(SCRIPT)]
        yield (
            i + 1,
            Event(
                "window",
                "focus",
                start=start + 20.0 * i,
                duration=19.0,
                app=app,
                title=title,
                data=dict(data),
            ),
        )


def bench_pipeline(
    n_events: int, with_model: bool, model_wait_s: float | None = None, gap_s: float = 0.0
) -> tuple[list[float], list[float], str]:
    """(event-to-decision seconds, seconds of each model call made, model name), warm-up excluded."""
    from assistant.core.config import default_config
    from assistant.decide.build import build_chain, load_backend
    from assistant.decide.policy import Verdict

    cfg = default_config()
    if model_wait_s is not None:
        cfg = cfg.with_overrides({"model.wait_seconds": model_wait_s})
    backend = load_backend(cfg) if with_model else None
    # the chain the live app builds; model_wait_s None means "wait for the model at every decision"
    pipeline = build_chain(cfg, backend=backend, wait_for_model=model_wait_s is None)
    proposer = pipeline.engine.proposer
    latencies, model_s = [], []
    last_model = None
    for i, (event_id, event) in enumerate(event_stream(n_events + WARMUP, time.time() - 3600)):
        t0 = time.perf_counter()
        pipeline.feed(event_id, event)
        proposal = pipeline.decide(event.end, Verdict(True, "bench", "bench", "bench"))
        elapsed = time.perf_counter() - t0
        assert proposal is not None
        finished = proposer.last_latency_s if proposer else None
        if i >= WARMUP:
            latencies.append(elapsed)
            if finished is not None and finished != last_model:  # a model call finished since last time
                model_s.append(finished)
        last_model = finished
        time.sleep(gap_s)  # the user keeps working between two consultations
    if proposer is not None and model_wait_s is not None:
        time.sleep(min(10.0, 3 * model_wait_s))  # let a late worker finish before the next run
    return latencies, model_s, pipeline.model_name


def whole_app_peak_rss_mb(seconds: float = 20.0) -> float:
    """VmHWM of a real `proactive run --headless` (collectors, writer, engine, judge, model loaded)."""
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "PROACTIVE_HOME": home}
        proc = subprocess.Popen([sys.executable, "-m", "assistant", "run", "--accept-defaults", "--headless", "--for", f"{seconds:g}s"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
        peak = 0.0
        while proc.poll() is None:
            try:
                for line in open(f"/proc/{proc.pid}/status"):
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]) / 1024)
            except FileNotFoundError:
                break
            time.sleep(0.5)
        proc.wait()
    return peak


def bench_judge(calls: int, learned_labels: int = 0) -> list[float]:
    """Seconds per `Judge.score` call (6 candidates); `learned_labels` answers learned first (adds the
    per-kind and per-context corrections, and reading the context from the sentences, to every call)."""
    from assistant.decide.candidates import generate_candidates
    from models.judge.infer import load_judge
    from models.judge.learning import LabelRecord

    judge = load_judge()
    if learned_labels:
        judge.learn(
            [
                LabelRecord(
                    (f"The user reads the page 'Notes {k % 7}' in Firefox.",),
                    f"Summarise the key points of 'Notes {k % 7}'.",
                    "rejected" if k % 3 else "accepted",
                    "summarise_pages",
                )
                for k in range(learned_labels)
            ]
        )
    histories = [
        [
            f"The user works on 'part_{k}.py' in Visual Studio Code and step {j} runs."
            for j in range(1 + k % 12)
        ]
        for k in range(calls)
    ]
    out = []
    for h in histories:
        tasks = [c.task for c in generate_candidates(h)]
        tasks = (tasks + [f"Review 'part_{len(h)}.py' for bugs.", "Find examples of this in the docs."] * 3)[
            :6
        ]
        t0 = time.perf_counter()
        judge.score(h, tasks)
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=40, help="timed events (after warm-up)")
    ap.add_argument("--threads", type=int, default=2, help="CPU cores the process may use")
    ap.add_argument("--wait", type=float, default=None,
                    help="model_wait_s of the bounded run (default: model.wait_seconds, as the live app)")
    ap.add_argument("--gap", type=float, default=1.5, help="seconds between two consultations")
    ap.add_argument("--judge-only", action="store_true", help="only the judge's per-call latency (no model)")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        cores = sorted(os.sched_getaffinity(0))[: args.threads]
        os.sched_setaffinity(0, cores)
    t0 = time.perf_counter()
    judge_s = bench_judge(500)
    learned_s = bench_judge(500, learned_labels=200)
    rss_judge = peak_rss_mb()
    jms = [x * 1000 for x in judge_s]
    lms = [x * 1000 for x in learned_s]
    rows = [
        ("judge_call_p50", percentile(jms, 50), "ms", ""),
        ("judge_call_p95", percentile(jms, 95), "ms", "<= 20"),
        ("judge_call_max", max(jms), "ms", ""),
        ("judge_call_after_200_labels_p50", percentile(lms, 50), "ms", ""),
        ("judge_call_after_200_labels_p95", percentile(lms, 95), "ms", "<= 20"),
        ("peak_rss_judge_only", rss_judge, "MB", ""),
    ]
    if args.judge_only:
        report("decide_judge", rows, {"cores": args.threads, "wall_s": time.perf_counter() - t0})
        return
    model_name = ""
    if args.wait is None:
        from assistant.core.config import default_config

        args.wait = default_config()["model.wait_seconds"]
    for label, wait in ((f"live_model_wait_{args.wait:g}s", args.wait), ("always_wait_for_model", None)):
        lat, model_s, model_name = bench_pipeline(args.events, True, model_wait_s=wait, gap_s=args.gap)
        ms = [x * 1000 for x in lat]
        rows += [
            (f"{label}.event_to_decision_p50", percentile(ms, 50), "ms", ""),
            (f"{label}.event_to_decision_p95", percentile(ms, 95), "ms", "<= 1000"),
            (f"{label}.event_to_decision_max", max(ms), "ms", ""),
            (f"{label}.model_calls_finished", float(len(model_s)), "calls", f"of {len(lat)} decisions"),
            (f"{label}.model_call_p50", percentile([x * 1000 for x in model_s], 50), "ms", ""),
        ]
    rows.append(("peak_rss_bench_process_with_model", peak_rss_mb(), "MB", ""))
    rows.append(("peak_rss_whole_app_with_model", whole_app_peak_rss_mb(), "MB", "<= 400"))
    report(
        "decide",
        rows,
        {
            "model": model_name,
            "events": args.events,
            "model_budget_s": "as assistant.app.live.MODEL_BUDGET_SECONDS",
            "warmup": WARMUP,
            "cores": args.threads,
            "gap_s": args.gap,
            "wall_s": time.perf_counter() - t0,
        },
    )


if __name__ == "__main__":
    main()
