"""Studies with many participants: one bundle per participant (`study export`), one dataset from many
(`study merge`).

A bundle is a zip: labels.jsonl (proactivebench rows), trace.json, consent.json, manifest.json (schema
version, versions, date range, counts per category, the privacy settings in force, sha256 of every file) and
DATA_CARD.md. Merging checks every checksum, refuses mixed schema versions, replaces participant ids by
pseudonyms (P001, ...) and writes labels.jsonl (+ labels.parquet where pyarrow is installed), splits.json
(one fold per participant, for grouped cross-validation) and manifest.json.
"""

from __future__ import annotations

import hashlib
import io
import json
import time
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.core.config import Config
from assistant.core.consent import Consent, privacy_record
from assistant.core.paths import write_private_bytes, write_private_text
from assistant.log.consent import consent_history
from assistant.log.db import Database
from assistant.research.export import export, versions
from assistant.research.formats import iso

SCHEMA_VERSION = "1"
DATA_FILES = ("labels.jsonl", "trace.json", "consent.json")


class BundleError(ValueError):
    """A bundle that cannot be trusted or merged; the message names the bundle and the file."""


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def privacy_in_force(cfg: Config, consent: Consent | None = None) -> dict[str, Any]:
    """What was collected under which rules: `assistant.core.consent.privacy_record` (every opt-in, listeners)."""
    return privacy_record(cfg, consent)


def data_card(manifest: dict[str, Any]) -> str:
    counts = ", ".join(f"{k}: {v}" for k, v in manifest["counts"].items()) or "none"
    first, last = manifest["date_range"] or ("-", "-")
    return "\n".join([
        f"# Proactive assistant annotations: participant {manifest['participant']}", "",
        (f"- Collected {first} to {last} with proactive-assistant {manifest['app_version']} "
         f"(judge {manifest['judge_version']})."),
        f"- {manifest['rows']} judged decisions; categories: {counts}.",
        ("- labels.jsonl: ProactiveBench reward-data rows (obs, pred_task, valid, help_needed, annotation, "
         "category) with `meta` (the decision, every answer with its history)."),
        "- trace.json: the narrated observations with the decisions made at each step.",
        "- consent.json: what the participant agreed to (text version, time, opt-ins).",
        ("- Only narrated sentences and proposals are included, never raw key presses; secrets were redacted "
         "when collected and again at export."), ""])


@dataclass(frozen=True)
class BundleReport:
    path: Path
    rows: int
    redacted: int


def export_bundle(db: Database, cfg: Config, participant: str, out: Path) -> BundleReport:
    participant = participant.strip()
    if not participant:
        raise ValueError("--participant: give the participant's id")
    judge_dir = cfg["judge.model_dir"] or None
    patterns = cfg["privacy.secret_patterns"]
    labels = export(db, "proactivebench", judge_dir=judge_dir, extra_patterns=patterns)
    trace = export(db, "trace", judge_dir=judge_dir, extra_patterns=patterns)
    history = consent_history(db)
    consents = [c.__dict__ for c in history]
    files = {"labels.jsonl": labels.files[""].encode("utf-8"), "trace.json": trace.files[""].encode("utf-8"),
             "consent.json": (json.dumps(consents, indent=1) + "\n").encode("utf-8")}
    rows = [json.loads(line) for line in labels.files[""].splitlines()]
    times = [o["time"] for r in rows for o in r["obs"]]
    manifest = {
        "schema_version": SCHEMA_VERSION, "participant": participant, "created": iso(time.time()),
        **versions(judge_dir),
        "models": sorted({r["meta"].get("model") or "" for r in rows} - {""}),
        "date_range": [min(times), max(times)] if times else None,
        "rows": len(rows), "counts": dict(sorted(Counter(r["category"] for r in rows).items())),
        "left_out": dict(labels.left_out), "redacted_at_export": labels.redacted + trace.redacted,
        "consent": consents[-1] if consents else None, "privacy": privacy_in_force(cfg, history[-1] if history else None),
        "files": {name: {"sha256": _sha(data), "bytes": len(data)} for name, data in files.items()},
    }
    files["manifest.json"] = (json.dumps(manifest, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    files["DATA_CARD.md"] = data_card(manifest).encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0)), data)
    write_private_bytes(out, buffer.getvalue())
    return BundleReport(out, len(rows), labels.redacted + trace.redacted)


def read_bundle(path: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The manifest and data files of a bundle, every checksum verified. BundleError names what is wrong."""
    try:
        with zipfile.ZipFile(path) as zf:
            manifest = json.loads(zf.read("manifest.json"))
            data = {name: zf.read(name) for name in manifest["files"]}
    except FileNotFoundError:
        raise BundleError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        raise BundleError(f"{path}: not a study bundle ({exc.__class__.__name__}: {exc})") from None
    for name, meta in manifest["files"].items():
        if _sha(data[name]) != meta.get("sha256"):
            raise BundleError(f"{path}: {name} does not match its checksum in manifest.json (changed or damaged "
                              "after export)")
    return manifest, data


@dataclass(frozen=True)
class MergeReport:
    out: Path
    participants: int
    rows: int
    parquet: bool


def merge_bundles(bundles: list[Path], out: Path) -> MergeReport:
    read = [(p, *read_bundle(p)) for p in bundles]  # everything verified before anything is written
    schemas = {m.get("schema_version") for _, m, _ in read}
    if len(schemas) > 1:
        which = ", ".join(f"{p.name}: {m.get('schema_version')}" for p, m, _ in read)
        raise BundleError(f"bundles of different schema versions cannot be merged ({which}); export them again "
                          "with the same app version")
    seen: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    folds: dict[str, list[int]] = {}
    for path, manifest, data in read:
        real = str(manifest.get("participant"))
        if real in seen:
            raise BundleError(f"{path}: participant {real!r} appears in two bundles")
        seen[real] = f"P{len(seen) + 1:03d}"
        alias = seen[real]
        folds[alias] = []
        for line in data["labels.jsonl"].decode("utf-8").splitlines():
            row = json.loads(line)
            row["meta"]["participant"] = alias
            folds[alias].append(len(rows))
            rows.append(row)
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_private_text(out / "labels.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    write_private_text(out / "splits.json", json.dumps(
        {"group_by": "participant", "folds": [{"test": alias, "rows": idx} for alias, idx in folds.items()]},
        indent=1) + "\n")
    counts = Counter(r["category"] for r in rows)
    write_private_text(out / "manifest.json", json.dumps({
        "schema_version": SCHEMA_VERSION, "participants": len(folds), "rows": len(rows),
        "counts": dict(sorted(counts.items())),
        "bundles": [{"participant": seen[str(m.get("participant"))], "rows": m.get("rows"),
                     "app_version": m.get("app_version"), "judge_version": m.get("judge_version"),
                     "date_range": m.get("date_range"), "privacy": m.get("privacy"),
                     "consent": m.get("consent")} for _, m, _ in read]}, indent=1) + "\n")
    parquet = _write_parquet(out / "labels.parquet", rows)
    return MergeReport(out, len(folds), len(rows), parquet)


def _write_parquet(path: Path, rows: list[dict[str, Any]]) -> bool:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return False
    table = pa.table({
        "participant": [r["meta"]["participant"] for r in rows],
        "proposal_id": [r["meta"]["proposal_id"] for r in rows],
        "obs": [json.dumps(r["obs"], ensure_ascii=False) for r in rows],
        "pred_task": [r["pred_task"] for r in rows],
        "valid": [r["valid"] for r in rows],
        "help_needed": [r["help_needed"] for r in rows],
        "annotation": [r["annotation"] for r in rows],
        "category": [r["category"] for r in rows],
        "meta": [json.dumps(r["meta"], ensure_ascii=False) for r in rows],
    })
    pq.write_table(table, path)
    path.chmod(0o600)
    return True
