"""Tiny benchmark harness: every benchmark prints a table and writes bench/results/<name>.json."""

from __future__ import annotations

import json
import platform
import resource
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def report(name: str, rows: list[tuple[str, float | str, str, str]], extra: dict | None = None) -> dict:
    """rows: (metric, value, unit, target). Prints an aligned table and writes the JSON file."""
    width = max(len(r[0]) for r in rows)
    print(f"\n{name}")
    print(f"{'metric':<{width}}  {'value':>14}  {'unit':<10} target")
    for metric, value, unit, target in rows:
        shown = f"{value:,.3f}" if isinstance(value, float) else str(value)
        print(f"{metric:<{width}}  {shown:>14}  {unit:<10} {target}")
    result = {
        "benchmark": name,
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "machine": {"python": platform.python_version(), "cpu": platform.processor() or platform.machine()},
        "metrics": {m: {"value": v, "unit": u, "target": t} for m, v, u, t in rows},
        **(extra or {}),
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{name}.json"
    out.write_text(json.dumps(result, indent=2))
    print(f"written {out}")
    return result
