"""Studies with many participants: one bundle per participant (`study export`), one dataset from many
(`study merge`).

A bundle is a zip: labels.jsonl (proactivebench rows), trace.json (the judged trace), consent.json,
manifest.json (schema version, versions, date range, counts per category, the privacy settings in force, sha256
of every file) and DATA_CARD.md. Names of people and machines are pseudonyms and annotators A1, A2, ... already
in the bundle; `--shift-time` moves every time by whole weeks (weekday and time of day kept).

Merging reads each bundle as untrusted input (`assistant.research.bundle`: sizes capped, files streamed and
checksummed, rows checked), then writes, per participant (P001, ...): every string redacted again and
pseudonymised again (participant-scoped), annotators renamed A1, A2, ... across the study, times in one format
(unix seconds as strings), optionally shifted. Outputs: labels.jsonl (+ labels.parquet where pyarrow is
installed), traces/P001.json ... with traces/splits.json (the paper's split file shape), splits.json (one fold
per participant) and manifest.json (the sha256 of every output and of every source bundle).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from assistant.core.config import Config
from assistant.core.consent import Consent, privacy_record
from assistant.core.paths import write_private_bytes
from assistant.log.consent import consent_history
from assistant.log.db import Database
from assistant.research import bundle as B
from assistant.research.bundle import SCHEMA_VERSION, BundleError
from assistant.research.export import Cleaner, export, versions
from assistant.research.formats import iso, parse_time, stamp
from assistant.research.pseudonym import AnnotatorAliases, Pseudonymizer

WEEK = 7 * 86400
SHIFT_TO = 978307200.0  # 2001-01-01 00:00 UTC, a Monday: shifted studies start in that week
TIME_KEYS = frozenset({"time", "start", "created"})
TIME_LISTS = frozenset({"times", "date_range"})
PARQUET_BATCH = 1000

__all__ = ["BundleError", "export_bundle", "merge_bundles", "read_bundle"]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def privacy_in_force(cfg: Config, consent: Consent | None = None) -> dict[str, Any]:
    """What was collected under which rules: `assistant.core.consent.privacy_record` (every opt-in, listeners)."""
    return privacy_record(cfg, consent)


def week_shift(first: float | None) -> float:
    """Whole weeks that move `first` into the week starting SHIFT_TO (0 when there is no time)."""
    if first is None:
        return 0.0
    return -((first - SHIFT_TO) // WEEK) * WEEK


def retime(value: Any, offset: float, key: str = "") -> Any:
    """Every time in a row, step or record (keys `time`, `start`, `created`, lists `times`, `date_range`) shifted
    by `offset` and written as unix seconds strings; numbers stay numbers. Anything else is left alone."""
    if isinstance(value, dict):
        return {k: retime(v, offset, k) for k, v in value.items()}
    if isinstance(value, list):
        if key in TIME_LISTS:
            return [_shift_one(v, offset) for v in value]
        return [retime(v, offset, key) for v in value]
    if key in TIME_KEYS:
        return _shift_one(value, offset)
    return value


def _shift_one(value: Any, offset: float) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    try:
        t = parse_time(value)
    except ValueError:
        return value
    return t + offset if isinstance(value, int | float) else stamp(t + offset)


def data_card(manifest: dict[str, Any]) -> str:
    counts = ", ".join(f"{k}: {v}" for k, v in manifest["counts"].items()) or "none"
    first, last = manifest["date_range"] or ("-", "-")
    shifted = " (times shifted by whole weeks)" if manifest.get("time_shifted") else ""
    return "\n".join([
        f"# Proactive assistant annotations: participant {manifest['participant']}", "",
        (f"- Collected {iso(float(first)) if first != '-' else '-'} to {iso(float(last)) if last != '-' else '-'}"
         f"{shifted} with proactive-assistant {manifest['app_version']} (judge {manifest['judge_version']})."),
        f"- {manifest['rows']} judged decisions; categories: {counts}.",
        ("- labels.jsonl: ProactiveBench reward-data rows (obs, pred_task, valid, help_needed, annotation, "
         "category) with `meta` (the decision, every answer with its history). Times: unix seconds as strings."),
        "- trace.json: the narrated observations, judged (agent_response, judgement) from the real answers.",
        "- consent.json: what the participant agreed to (text version, time, opt-ins).",
        ("- Only narrated sentences and proposals are included, never raw key presses; secrets were redacted "
         "when collected and again at export; user and host names and home folders are pseudonyms (user1@host1), "
         "annotators A1, A2, ..."), ""])


@dataclass(frozen=True)
class BundleReport:
    path: Path
    rows: int
    redacted: int
    renamed: int = 0


def export_bundle(db: Database, cfg: Config, participant: str, out: Path, shift_time: bool = False) -> BundleReport:
    participant = participant.strip()
    if not participant:
        raise ValueError("--participant: give the participant's id")
    judge_dir = cfg["judge.model_dir"] or None
    cleaner = Cleaner(cfg["privacy.secret_patterns"], Pseudonymizer.for_this_machine(), AnnotatorAliases())
    labels = export(db, "proactivebench", judge_dir=judge_dir, cleaner=cleaner)
    trace = export(db, "trace", judge_dir=judge_dir, judged=True, cleaner=cleaner)
    history = consent_history(db)
    rows = [json.loads(line) for line in labels.files[""].splitlines()]
    steps = json.loads(trace.files[""])
    consents = [c.__dict__ for c in history]
    times = [parse_time(o["time"]) for r in rows for o in r["obs"]] + \
            [parse_time(s["observation"]["time"]) for s in steps]
    offset = week_shift(min(times, default=None)) if shift_time else 0.0
    if offset:
        rows, steps, consents = retime(rows, offset), retime(steps, offset), retime(consents, offset)
        times = [t + offset for t in times]
    files = {"labels.jsonl": "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8"),
             "trace.json": (json.dumps(steps, ensure_ascii=False, indent=1) + "\n").encode("utf-8"),
             "consent.json": (json.dumps(consents, indent=1) + "\n").encode("utf-8")}
    manifest = {
        "schema_version": SCHEMA_VERSION, "participant": participant, "created": stamp(time.time() + offset),
        **versions(judge_dir), "time_format": "unix", "time_shifted": bool(offset), "pseudonymized": True,
        "models": sorted({r["meta"].get("model") or "" for r in rows} - {""}),
        "date_range": [stamp(min(times)), stamp(max(times))] if times else None,
        "rows": len(rows), "counts": dict(sorted(Counter(r["category"] for r in rows).items())),
        "left_out": dict(labels.left_out), "redacted_at_export": cleaner.redacted,
        "consent": consents[-1] if consents else None,
        "privacy": privacy_in_force(cfg, history[-1] if history else None),
        "files": {name: {"sha256": _sha(data), "bytes": len(data)} for name, data in files.items()},
    }
    files["manifest.json"] = (json.dumps(manifest, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    files["DATA_CARD.md"] = data_card(manifest).encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    write_private_bytes(out, buffer.getvalue())
    return BundleReport(out, len(rows), cleaner.redacted, cleaner.renamed)


def read_bundle(path: Path) -> B.Bundle:
    """Check one bundle completely (manifest, checksums, every row, the trace, the consent record) without
    keeping its data. BundleError: one line naming the bundle and what is wrong."""
    try:
        zf, b = B.open_bundle(path)
        with zf:
            B.verify(zf, b)
            counts: Counter = Counter()
            for row in B.rows(zf, b):
                b.rows += 1
                counts[row["category"]] += 1
                for o in row["obs"]:
                    b.seen(parse_time(o["time"]))
            b.counts = dict(sorted(counts.items()))
            if "trace.json" in b.files:
                for step in B.trace(zf, b):
                    b.seen(parse_time(step["observation"]["time"]))
            B.consent(zf, b)
        return b
    except BundleError:
        raise
    except (*B.READ_ERRORS, ValueError, TypeError, KeyError) as exc:
        raise BundleError(f"{path}: unreadable study bundle ({exc.__class__.__name__}: {str(exc)[:200]})") from None


@dataclass(frozen=True)
class MergeReport:
    out: Path
    participants: int
    rows: int
    parquet: bool
    skipped: list[str]
    redacted: int = 0


class _Sink:
    """A private (0600) output file written in place of a temporary one, hashed as it is written."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        self.fh: IO[bytes] = os.fdopen(os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")
        self.digest = hashlib.sha256()
        self.bytes = 0

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        self.digest.update(data)
        self.bytes += len(data)
        self.fh.write(data)

    def close(self) -> dict[str, Any]:
        self.fh.close()
        os.replace(self.tmp, self.path)
        return {"sha256": self.digest.hexdigest(), "bytes": self.bytes}

    def abort(self) -> None:
        self.fh.close()
        self.tmp.unlink(missing_ok=True)


def _prepare(out: Path) -> None:
    """A new folder, or the folder of an earlier merge (its old traces go: the manifest lists every output)."""
    if out.exists() and not out.is_dir():
        raise BundleError(f"--out {out}: not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not (out / "manifest.json").is_file():
            raise BundleError(f"--out {out}: the folder holds other files; give a new folder (or an earlier merge's)")
        for old in (out / "traces").glob("P*.json"):
            old.unlink()
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    (out / "traces").mkdir(exist_ok=True, mode=0o700)


def merge_bundles(bundles: list[Path], out: Path, shift_time: bool = False, skip_bad: bool = False,
                  say: Callable[[str], None] = lambda _: None) -> MergeReport:
    """Check every bundle first (each bad one is one line through `say`); refuse the merge when any is bad
    (BundleError) unless `skip_bad`; then write the dataset, one bundle at a time."""
    good: list[B.Bundle] = []
    bad: list[str] = []
    seen: dict[str, Path] = {}
    for path in bundles:
        try:
            b = read_bundle(Path(path))
            if b.participant in seen:
                raise BundleError(f"{path}: participant {b.participant[:80]!r} is also in {seen[b.participant]}")
            seen[b.participant] = b.path
            good.append(b)
        except BundleError as exc:
            bad.append(str(exc))
            say(str(exc))
    if bad and not skip_bad:
        raise BundleError(f"{len(bad)} of {len(bundles)} bundles cannot be merged; nothing was written "
                          "(--skip-bad merges the others)")
    if not good:
        raise BundleError("no bundle to merge")
    _prepare(out)
    annotators = AnnotatorAliases()
    labels = _Sink(out / "labels.jsonl")
    parquet = _Parquet(out / "labels.parquet")
    outputs: dict[str, dict[str, Any]] = {}
    folds, described, total, redacted = [], [], 0, 0
    try:
        for n, b in enumerate(good, 1):
            alias = f"P{n:03d}"
            cleaner = Cleaner((), Pseudonymizer(), annotators, scope=b.participant)
            offset = week_shift(b.first_time) if shift_time else 0.0
            with zipfile.ZipFile(b.path) as zf:
                _learn(cleaner, B.rows(zf, b))
                steps = B.trace(zf, b) if "trace.json" in b.files else []
                _learn(cleaner, steps)
                indices = []
                for row in B.rows(zf, b):
                    row = retime(cleaner.value(row), offset)
                    row["meta"]["participant"] = alias
                    indices.append(total)
                    total += 1
                    labels.write(json.dumps(row, ensure_ascii=False) + "\n")
                    parquet.add(row)
                steps = [retime(cleaner.value(s), offset) for s in steps]
                for step in steps:
                    for d in step.get("meta", {}).get("decisions") or []:
                        if isinstance(d, dict):
                            d["participant"] = alias
                trace = _Sink(out / "traces" / f"{alias}.json")
                trace.write(json.dumps(steps, ensure_ascii=False, indent=1) + "\n")
                outputs[f"traces/{alias}.json"] = trace.close()
                consents = retime(cleaner.value(B.consent(zf, b)), offset)
            folds.append({"test": alias, "rows": indices})
            m = b.manifest
            date_range = None if b.first_time is None or b.last_time is None else \
                [stamp(b.first_time + offset), stamp(b.last_time + offset)]
            described.append({"participant": alias, "sha256": b.sha256, "schema_version": m.get("schema_version"),
                              "rows": len(indices), "counts": b.counts, "app_version": str(m.get("app_version")),
                              "judge_version": str(m.get("judge_version")), "date_range": date_range,
                              "time_shifted": bool(offset) or bool(m.get("time_shifted")),
                              "privacy": cleaner.value(m.get("privacy")),
                              "consent": consents[-1] if isinstance(consents, list) and consents else None,
                              "redacted_at_merge": cleaner.redacted})
            redacted += cleaner.redacted
        outputs["labels.jsonl"] = labels.close()
    except BaseException:
        labels.abort()
        raise
    wrote_parquet = parquet.close()
    if wrote_parquet:
        outputs["labels.parquet"] = {"sha256": B.sha256_file(out / "labels.parquet"),
                                     "bytes": (out / "labels.parquet").stat().st_size}
    splits = _Sink(out / "splits.json")
    splits.write(json.dumps({"group_by": "participant", "folds": folds}, indent=1) + "\n")
    outputs["splits.json"] = splits.close()
    paper_splits = _Sink(out / "traces" / "splits.json")
    names = [f"{f['test']}.json" for f in folds]
    paper_splits.write(json.dumps({"all": {"theme": "All", "files": names},
                                   **{f["test"]: {"theme": f["test"], "files": [f"{f['test']}.json"]}
                                      for f in folds}}, indent=1) + "\n")
    outputs["traces/splits.json"] = paper_splits.close()
    counts = Counter()
    for d in described:
        counts.update(d["counts"])
    manifest = {"schema_version": SCHEMA_VERSION, "participants": len(folds), "rows": total,
                "counts": dict(sorted(counts.items())), "time_format": "unix", "time_shifted": shift_time,
                "pseudonymized": True, "annotators": len(annotators.names), "redacted_at_merge": redacted,
                "skipped_bundles": len(bad), "bundles": described, "outputs": dict(sorted(outputs.items()))}
    write_private_bytes(out / "manifest.json", (json.dumps(manifest, indent=1, ensure_ascii=False) + "\n").encode())
    return MergeReport(out, len(folds), total, wrote_parquet, bad, redacted)


def _learn(cleaner: Cleaner, items: Iterable[Any]) -> None:
    """Let the participant's pseudonymizer see every free-text string before any is written (one row or step
    at a time: a generator of rows is never held whole)."""
    for item in items:
        stack = [item]
        while stack:
            v = stack.pop()
            if isinstance(v, str):
                cleaner.learn(v)
            elif isinstance(v, dict):
                stack += [x for k, x in v.items() if k not in ("time", "label", "category", "annotator")]
            elif isinstance(v, list):
                stack += v


class _Parquet:
    """labels.parquet written in batches (obs and meta as JSON text: their nested shape stays in labels.jsonl)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.batch: list[dict[str, Any]] = []
        self.writer: Any = None
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            self.pa = None
            return
        self.pa, self.pq = pa, pq
        self.schema = pa.schema([("participant", pa.string()), ("proposal_id", pa.int64()), ("obs", pa.string()),
                                 ("pred_task", pa.string()), ("valid", pa.bool_()), ("help_needed", pa.bool_()),
                                 ("annotation", pa.list_(pa.bool_())), ("category", pa.string()),
                                 ("meta", pa.string())])

    def add(self, row: dict[str, Any]) -> None:
        if self.pa is None:
            return
        self.batch.append({"participant": row["meta"]["participant"], "proposal_id": row["meta"]["proposal_id"],
                           "obs": json.dumps(row["obs"], ensure_ascii=False), "pred_task": row["pred_task"],
                           "valid": row["valid"], "help_needed": row["help_needed"], "annotation": row["annotation"],
                           "category": row["category"], "meta": json.dumps(row["meta"], ensure_ascii=False)})
        if len(self.batch) >= PARQUET_BATCH:
            self._flush()

    def _flush(self) -> None:
        if self.writer is None:
            self.writer = self.pq.ParquetWriter(self.path, self.schema)
        self.writer.write_table(self.pa.Table.from_pylist(self.batch, schema=self.schema))
        self.batch = []

    def close(self) -> bool:
        if self.pa is None:
            return False
        self._flush()
        self.writer.close()
        self.path.chmod(0o600)
        return True
