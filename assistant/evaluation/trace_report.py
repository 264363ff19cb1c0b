"""`proactive eval trace` as a library call: replay traces through engines from `build_chain`, score them,
and put the honest baselines beside the engine."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence

from assistant.decide.engine import DecisionEngine
from assistant.evaluation.baselines import trace_baselines
from assistant.evaluation.trace import TimeAwareScore, TraceStep, replay, score_replay, time_aware_score


def evaluate_traces(traces: Sequence[tuple[str, list[TraceStep]]],
                    engine_for: Callable[[list[TraceStep]], DecisionEngine]) -> dict:
    """Replay each trace through the engine `engine_for(steps)` gives (one built by `build_chain`), score
    each and pool them, next to always-proposing. Returns a JSON-ready dict with every step's decision."""
    out, total, always = [], TimeAwareScore(), TimeAwareScore()
    latencies: list[float] = []
    for name, steps in traces:
        results = replay(steps, engine_for(steps))
        score = score_replay(results)
        total += score
        always += time_aware_score([s.help for s in steps], [True] * len(steps))
        latencies += [r.latency_s for r in results]
        out.append({"trace": name, "score": score.as_dict(), "steps": [r.__dict__ for r in results]})
    steps_total = sum(len(t["steps"]) for t in out)
    proposed = sum(1 for t in out for s in t["steps"] if s["proposed"] is not None)
    known = sum(1 for _, steps in traces for s in steps if s.help is not None)
    return {
        "pooled": total.as_dict(),
        "steps": steps_total,
        "steps_with_known_need": known,
        "baselines": trace_baselines([[s.sentence for s in steps] for _, steps in traces],
                                     [[s.help for s in steps] for _, steps in traces],
                                     proposed / max(steps_total, 1)),
        "always_propose": always.as_dict(),
        "latency_ms": {"p50": statistics.median(latencies) * 1000 if latencies else 0.0,
                       "max": max(latencies, default=0.0) * 1000},
        "traces": out,
    }
