"""`proactive export`: the log as research files, checked for secrets once more and pseudonymised on the way out."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant import __version__
from assistant.core.redact import redact
from assistant.log.db import Database
from assistant.log.decisions import DecisionRecord, all_events, decisions, observations_between
from assistant.research import formats as F
from assistant.research import paper
from assistant.research.pseudonym import AnnotatorAliases, Pseudonymizer
from models.judge.infer import judge_version

EXPORT_REDACT_LIMIT = 1_000_000  # answers can be long; redaction is linear since the hardening
MEMO_LIMIT = 200_000  # distinct strings remembered (a history sentence recurs in every later decision)
MACHINE_KEYS = frozenset({"time", "start", "label", "annotator", "category", "source", "kind", "trigger",
                          "app_version", "judge_version", "rating", "role", "instruction", "participant",
                          "schema_version", "sha256", "text_version", "via"})


@dataclass
class Export:
    """What an export writes: file name -> text (one file, or a dataset folder's files), and its summary."""

    fmt: str
    files: dict[str, str]
    rows: int
    left_out: Counter = field(default_factory=Counter)
    redacted: int = 0
    renamed: int = 0

    def summary(self) -> str:
        parts = [f"{self.rows} rows ({self.fmt})"]
        if self.left_out:
            parts.append("left out: " + ", ".join(f"{n} {why}" for why, n in sorted(self.left_out.items())))
        parts.append(f"{self.redacted} secret{'s' if self.redacted != 1 else ''} redacted at export")
        if self.renamed:
            parts.append(f"names replaced by pseudonyms in {self.renamed} string{'s' if self.renamed != 1 else ''}")
        return "; ".join(parts)


def versions(judge_dir: str | None = None) -> dict[str, str]:
    return {"app_version": __version__, "judge_version": judge_version(judge_dir)}


class Cleaner:
    """Every free-text string on its way out: secrets redacted again (`redacted` counts the strings changed),
    names of people and machines replaced by the participant's pseudonyms (`renamed`), and, where `annotators`
    is given, annotator names replaced by A1, A2, ... (scoped by `scope`, e.g. the participant)."""

    def __init__(self, extra: Sequence[str] = (), pseudonyms: Pseudonymizer | None = None,
                 annotators: AnnotatorAliases | None = None, scope: str = "") -> None:
        self.extra = tuple(extra)
        self.pseudonyms = pseudonyms
        self.annotators = annotators
        self.scope = scope
        self.redacted = 0
        self.renamed = 0
        self._seen: set[str] = set()  # learned from already
        self._memo: dict[str, tuple[str, bool, bool]] = {}  # text -> (clean, redacted, renamed)
        self._memo_names = 0

    def learn(self, text: str | None) -> None:
        """Let the pseudonymizer find the names in `text` (before any text is cleaned)."""
        if self.pseudonyms is not None and text and text not in self._seen:
            if len(self._seen) > MEMO_LIMIT:
                self._seen.clear()
            self._seen.add(text)
            self.pseudonyms.learn(text)

    def learn_decision(self, d: DecisionRecord) -> None:
        for text in (*d.history, d.task, d.where, *(c for c, _ in d.candidates)):
            self.learn(text)

    def text(self, value: str | None) -> str | None:
        if not value:
            return value
        names = len(self.pseudonyms.users) + len(self.pseudonyms.hosts) if self.pseudonyms is not None else 0
        if names != self._memo_names or len(self._memo) > MEMO_LIMIT:
            self._memo.clear()  # a name learned since: earlier results may be stale
            self._memo_names = names
        done = self._memo.get(value)
        if done is None:
            clean = redact(value, self.extra, EXPORT_REDACT_LIMIT)
            named = self.pseudonyms(clean) if self.pseudonyms is not None else clean
            done = (named, clean != value, named != clean)
            if self.pseudonyms is None or names == len(self.pseudonyms.users) + len(self.pseudonyms.hosts):
                self._memo[value] = done
        self.redacted += done[1]
        self.renamed += done[2]
        return done[0]

    def annotator(self, name: str) -> str:
        return self.annotators(name, self.scope) if self.annotators is not None else name

    def decision(self, d: DecisionRecord) -> DecisionRecord:
        t = self.text
        return dataclasses.replace(
            d, task=t(d.task), reason=t(d.reason), where=t(d.where) or "", history=[t(s) or "" for s in d.history],
            candidates=[(t(c), s) for c, s in d.candidates],
            labels=[dataclasses.replace(e, annotator=self.annotator(e.annotator), reason=t(e.reason))
                    for e in d.labels],
            answers=[dataclasses.replace(a, text=t(a.text) or "", followups=[
                {k: (t(v) if k == "content" and isinstance(v, str) else v) for k, v in f.items()}
                for f in a.followups if isinstance(f, dict)]) for a in d.answers])

    def value(self, value: Any, key: str = "") -> Any:
        """Any JSON value: strings cleaned unless they are machine values (field names are kept)."""
        if isinstance(value, str):
            if key == "annotator":
                return self.annotator(value)
            return value if key in MACHINE_KEYS else self.text(value)
        if isinstance(value, dict):
            return {k: self.value(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v, key) for v in value]
        return value


def export(db: Database, fmt: str, since: float | None = None, until: float | None = None,
           judge_dir: str | None = None, extra_patterns: Sequence[str] = (), *, time_style: str = "unix",
           judged: bool = False, pseudonymize: bool = True, cleaner: Cleaner | None = None) -> Export:
    """Build the files of an export in `fmt` (one of formats.FORMATS). Nothing is written here.

    `cleaner` (shared by the files of one study bundle) defaults to redaction plus pseudonyms for this machine's
    names (`pseudonymize=False`: names kept)."""
    if fmt not in F.FORMATS:
        raise ValueError(f"--format: expected one of {', '.join(F.FORMATS)}, got {fmt!r}")
    if time_style not in F.TIME_STYLES:
        raise ValueError(f"--time: expected one of {', '.join(F.TIME_STYLES)}, got {time_style!r}")
    if cleaner is None:
        cleaner = Cleaner(extra_patterns, Pseudonymizer.for_this_machine() if pseudonymize else None)
    ver = versions(judge_dir)
    left_out: Counter = Counter()

    def done(files: dict[str, str], rows: int) -> Export:
        return Export(fmt, files, rows, left_out, cleaner.redacted, cleaner.renamed)

    if fmt == "events":
        raw = list(all_events(db, since, until))
        for r in raw:
            cleaner.learn(r.get("title"))
        rows = [cleaner.value(r) for r in raw]
        if time_style == "iso":
            rows = [{**r, "start": F.iso(r["start"])} for r in rows]
        return done({"": "".join(F.dumps(r) for r in rows)}, len(rows))
    found = list(decisions(db, since, until))
    for d in found:
        cleaner.learn_decision(d)
    if fmt == "trace":
        observed = observations_between(db, since, until)
        for _, s in observed:
            cleaner.learn(s)
        steps = paper.trace_steps([(t, cleaner.text(s) or "") for t, s in observed],
                                  [cleaner.decision(d) for d in found], ver, time_style, judged)
        if paper.attached(steps) < len(found):
            left_out["decisions before the first stored observation"] = len(found) - paper.attached(steps)
        return done({"": json.dumps(steps, ensure_ascii=False, indent=1) + "\n"}, len(steps))
    rows: list[dict[str, Any]] = []
    for d in found:
        v = F.verdict(d)
        if v is None:
            if d.labels:
                left_out["unanswered cards (ignored or superseded: no judgement)"] += 1
            elif d.surfaced:
                left_out["shown, not answered yet"] += 1
            continue
        d = cleaner.decision(d)
        if fmt == "proactivebench":
            rows.append(F.proactivebench_row(d, v, ver, time_style))
        elif fmt == "reward-model":
            rows.append(paper.reward_row(d, v, ver, time_style))
        elif fmt == "reward-model-alpaca":
            rows.append(F.reward_alpaca_row(d, v, ver, time_style))
        else:
            row = F.sft_row(d, v, ver, time_style)
            if row is None:
                left_out["judged wrong (no right output to teach)"] += 1
                continue
            rows.append(row)
    if fmt == "proactivebench":
        return done({"": "".join(F.dumps(r) for r in rows)}, len(rows))
    data = F.DATASET_FILES[fmt]
    return done({data: "".join(F.dumps({k: v for k, v in r.items() if k != "meta"}) for r in rows),
                 F.meta_file(Path(data)).name: "".join(F.dumps({"meta": r["meta"]}) for r in rows),
                 "dataset_info.json": json.dumps(F.dataset_info(fmt), indent=2) + "\n"}, len(rows))
