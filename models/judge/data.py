"""Reading ProactiveBench-style reward rows and grouping them by history and by session."""

from __future__ import annotations

import json
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path

CATEGORY_CODES = ("CD", "FA", "CR", "MN")


class DataError(ValueError):
    """A data file is missing or a row is malformed; the message names the file and line."""


def default_data_dir() -> Path:
    """$PROACTIVE_DATA, else ../shared/data/proactivebench next to the repository root."""
    env = os.environ.get("PROACTIVE_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2].parent / "shared" / "data" / "proactivebench"


def category_code(category: str) -> str:
    """'Correct-Detection (CD)' -> 'CD'; accepts the bare code too."""
    for code in CATEGORY_CODES:
        if category == code or category.endswith(f"({code})"):
            return code
    raise ValueError(f"unknown category {category!r}")


@dataclass
class Row:
    history: list[str]
    times: list[str]
    task: str | None
    accepted: bool
    help_needed: bool
    category: str  # CD / FA / CR / MN
    votes: float  # share of annotators who accepted (a task row); `accepted` as 0/1 when not given
    participant: str | None = None  # a merged study's participant (meta.participant), None elsewhere
    index: int = 0  # position over all rows read (a study's splits.json names rows by it)
    session: str = ""  # the row's own session or group (`meta.session`), else read from its history


def load_rows(paths: list[str | Path]) -> list[Row]:
    rows: list[Row] = []
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise DataError(f"{path}: no such file")
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    raw = json.loads(line)
                    obs = raw["obs"]
                    category = category_code(raw["category"])
                    votes = raw.get("annotation") or [bool(raw["valid"])]
                    meta = raw.get("meta") if isinstance(raw.get("meta"), dict) else {}
                    rows.append(
                        Row(
                            history=[str(o["event"]) for o in obs],
                            times=[str(o.get("time", "")) for o in obs],
                            task=raw["pred_task"],
                            accepted=bool(raw["valid"]),
                            help_needed=bool(raw.get("help_needed", category in ("CD", "MN"))),
                            category=category,
                            votes=sum(bool(v) for v in votes) / len(votes),
                            participant=str(meta["participant"]) if meta.get("participant") else None,
                            index=len(rows),
                            session=str(meta.get("session") or ""),
                        )
                    )
                except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                    raise DataError(f"{path}:{n}: bad row ({exc.__class__.__name__}: {exc})") from exc
    if not rows:
        raise DataError(f"no rows in {', '.join(map(str, paths))}")
    return rows


def session_id(history: list[str]) -> str:
    """Histories are prefixes of one session, so the first sentence identifies the session."""
    return f"{zlib.crc32(history[0].encode('utf-8')) if history else 0:08x}"


@dataclass
class Group:
    """All judged candidates for one history (same `obs`)."""

    history: list[str]
    session: str
    tasks: list[str | None] = field(default_factory=list)
    accepted: list[bool] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    votes: list[float] = field(default_factory=list)
    help_needed: bool = False
    participant: str | None = None
    rows: list[int] = field(default_factory=list)  # Row.index of each candidate


def group_rows(rows: list[Row]) -> list[Group]:
    groups: dict[tuple, Group] = {}
    for r in rows:
        key = (r.participant, tuple(r.history), tuple(r.times))
        g = groups.get(key)
        if g is None:
            g = groups[key] = Group(
                history=r.history, session=r.session or session_id(r.history), help_needed=r.help_needed,
                participant=r.participant,
            )
        g.tasks.append(r.task)
        g.accepted.append(r.accepted)
        g.categories.append(r.category)
        g.votes.append(r.votes)
        g.rows.append(r.index)
        g.help_needed = g.help_needed or r.help_needed
    return list(groups.values())
