"""`proactive import FILE...`: read back every format `proactive export` writes (the format is recognised from
the content). Decisions keep their ids where those are free, so export -> import -> export gives the same bytes;
importing the same file twice adds nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.core.events import Event
from assistant.core.paths import read_regular
from assistant.log.db import Database
from assistant.log.decisions import import_decision, import_observations
from assistant.research import formats as F

DECISION_FORMATS = ("proactivebench", "trace", "sft", "reward-model", "reward-model-alpaca")
MAX_IMPORT_BYTES = 1 << 30  # a file to import is read whole: 1 GiB at most


@dataclass(frozen=True)
class Parsed:
    fmt: str
    rows: list[Any]  # JSONL rows, the steps of a trace, or [the whole document] (activitywatch)


def parse(path: Path) -> Parsed:
    """Read and recognise one file (or an sft / reward-model export folder). FormatError / OSError name it."""
    if path.is_dir():
        return _parse_dataset(path)
    text = _read_text(path)
    if not text.strip():
        raise F.FormatError(f"{path}: the file is empty")
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    if isinstance(doc, list):  # a trace, or rows written as one JSON array
        fmt = "trace" if doc and isinstance(doc[0], dict) and "observation" in doc[0] else \
            _detect(path, doc[0] if doc else None)
        return Parsed(fmt, doc)
    if isinstance(doc, dict):  # an ActivityWatch export, or a JSONL file of one row
        return Parsed(_detect(path, doc), [doc])
    rows = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except ValueError as exc:
            raise F.FormatError(f"{path}:{n}: not JSON ({exc})") from None
    return Parsed(_detect(path, rows[0]), rows)


def _parse_dataset(path: Path) -> Parsed:
    """An sft / reward-model export folder: dataset_info.json names the dataset; its meta side file (one
    {"meta": ...} per row) holds the decisions."""
    info_path = path / "dataset_info.json"
    try:
        info = json.loads(_read_text(info_path))
        entries = [(name, path / entry["file_name"]) for name, entry in info.items()]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise F.FormatError(f"{info_path}: expected LLaMA-Factory's dataset_info.json ({exc})") from None
    names = {v: k for k, v in F.DATASET_NAMES.items()}
    rows: list[Any] = []
    fmt = ""
    for name, file in entries:
        meta = F.meta_file(file)
        if name not in names or not meta.is_file():
            raise F.FormatError(f"{path}: {file.name} has no {meta.name} beside it: this dataset was not exported "
                                "by this app (the judge commands read reward rows directly)")
        fmt = fmt or names[name]
        for n, line in enumerate(_read_text(meta).splitlines(), 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except ValueError as exc:
                    raise F.FormatError(f"{meta}:{n}: not JSON ({exc})") from None
    return Parsed(fmt or "sft", rows)


def _read_text(path: Path) -> str:
    """A regular file's text (special files refused by type, size capped); FormatError when it is not UTF-8."""
    try:
        return read_regular(path, MAX_IMPORT_BYTES).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise F.FormatError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _detect(path: Path, first: Any) -> str:
    try:
        return F.detect(first)
    except F.FormatError as exc:
        raise F.FormatError(f"{path}: {exc}") from None


@dataclass
class DecisionImport:
    added: int = 0
    already: int = 0
    observations: int = 0


def import_decisions(db: Database, parsed: Parsed) -> DecisionImport:
    """Write the decisions (and, for a trace, the observations) of a parsed export into the log."""
    if parsed.fmt not in DECISION_FORMATS:
        raise ValueError(f"{parsed.fmt} holds events, not decisions")
    report = DecisionImport()
    found = F.decisions_from(parsed.fmt, parsed.rows)
    if parsed.fmt == "trace":
        report.observations = import_observations(db, F.observations_from_trace(parsed.rows))
    for d in found:
        if import_decision(db, d) is None:
            report.already += 1
        else:
            report.added += 1
    return report


def events_from(rows: list[Any]) -> list[Event]:
    """Events from an `events` export (pulsetime 0: stored exactly as they were, never merged again)."""
    out = []
    for n, r in enumerate(rows, 1):
        try:
            out.append(Event(source=str(r["source"]), kind=str(r["kind"]), start=F.parse_time(r["start"]),
                             duration=float(r["duration"]), app=r.get("app"), title=r.get("title"),
                             data=dict(r.get("data") or {})))
        except (KeyError, TypeError, ValueError) as exc:
            raise F.FormatError(f"event {n}: {exc.__class__.__name__}: {exc}") from None
    return out
