"""`proactive export`: the log as research files, checked for secrets once more on the way out."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant import __version__
from assistant.core.redact import redact
from assistant.log.db import Database
from assistant.log.decisions import all_events, decisions, observations_between
from assistant.research import formats as F
from models.judge.infer import judge_version

EXPORT_REDACT_LIMIT = 1_000_000  # answers can be long; redaction is linear since the hardening
MACHINE_KEYS = frozenset({"time", "label", "annotator", "category", "source", "kind", "trigger", "app_version",
                          "judge_version", "rating", "role", "instruction"})


@dataclass
class Export:
    """What an export writes: file name -> text (one file, or a dataset folder's files), and its summary."""

    fmt: str
    files: dict[str, str]
    rows: int
    left_out: Counter = field(default_factory=Counter)
    redacted: int = 0

    def summary(self) -> str:
        parts = [f"{self.rows} rows ({self.fmt})"]
        if self.left_out:
            parts.append("left out: " + ", ".join(f"{n} {why}" for why, n in sorted(self.left_out.items())))
        parts.append(f"{self.redacted} secret{'s' if self.redacted != 1 else ''} redacted at export")
        return "; ".join(parts)


def versions(judge_dir: str | None = None) -> dict[str, str]:
    return {"app_version": __version__, "judge_version": judge_version(judge_dir)}


class _Scrubber:
    """Redacts every free-text string of a row (names of fields and machine values are left alone)."""

    def __init__(self, extra: Sequence[str]):
        self.extra = tuple(extra)
        self.hits = 0

    def __call__(self, value: Any, key: str = "") -> Any:
        if isinstance(value, str):
            if key in MACHINE_KEYS:
                return value
            clean = redact(value, self.extra, EXPORT_REDACT_LIMIT)
            if clean != value:
                self.hits += 1
            return clean
        if isinstance(value, dict):
            return {k: self(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self(v, key) for v in value]
        return value


def export(db: Database, fmt: str, since: float | None = None, until: float | None = None,
           judge_dir: str | None = None, extra_patterns: Sequence[str] = ()) -> Export:
    """Build the files of an export in `fmt` (one of formats.FORMATS). Nothing is written here."""
    if fmt not in F.FORMATS:
        raise ValueError(f"--format: expected one of {', '.join(F.FORMATS)}, got {fmt!r}")
    scrub = _Scrubber(extra_patterns)
    ver = versions(judge_dir)
    left_out: Counter = Counter()
    if fmt == "events":
        rows = [scrub(r) for r in all_events(db, since, until)]
        return Export(fmt, {"": "".join(F.dumps(r) for r in rows)}, len(rows), left_out, scrub.hits)
    if fmt == "trace":
        found = list(decisions(db, since, until))
        steps = scrub(F.trace_steps(observations_between(db, since, until), found, ver))
        attached = sum(len(s["meta"]["decisions"]) for s in steps)
        if attached < len(found):
            left_out["decisions before the first stored observation"] = len(found) - attached
        return Export(fmt, {"": json.dumps(steps, ensure_ascii=False, indent=1) + "\n"}, len(steps), left_out,
                      scrub.hits)
    rows: list[dict[str, Any]] = []
    for d in decisions(db, since, until):
        v = F.verdict(d)
        if v is None:
            standing = {e.label for e in d.standing().values()}
            if "superseded" in standing:
                left_out["superseded cards (replaced by a card about another need before an answer)"] += 1
            elif d.labels:
                left_out["ignored cards (no answer is no judgement)"] += 1
            elif d.surfaced:
                left_out["shown, not answered yet"] += 1
            continue
        if fmt == "proactivebench":
            rows.append(F.proactivebench_row(d, v, ver))
        elif fmt == "reward-model":
            rows.append(F.reward_row(d, v, ver))
        else:
            row = F.sft_row(d, v, ver)
            if row is None:
                left_out["judged wrong (no right output to teach)"] += 1
                continue
            rows.append(row)
    rows = [scrub(r) for r in rows]
    text = "".join(F.dumps(r) for r in rows)
    if fmt == "proactivebench":
        return Export(fmt, {"": text}, len(rows), left_out, scrub.hits)
    info = json.dumps(F.dataset_info(fmt), indent=2) + "\n"
    return Export(fmt, {F.DATASET_FILES[fmt]: text, "dataset_info.json": info}, len(rows), left_out, scrub.hits)
