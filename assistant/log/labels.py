"""Proposals and the user's answers to them: recording, reading back as training examples, exporting.

Every surfaced proposal is a research-grade annotation row: the narrated context, the task (or none), the
model and judge score, and the user's label.
"""

from __future__ import annotations

import json
import time
from typing import Any, Iterator

import sqlite_utils

from assistant.core.proposal import LABELS, Proposal


def record_proposal(db: sqlite_utils.Database, p: Proposal, surfaced: bool) -> int:
    context = {"history": p.history, "event_ids": p.observation_event_ids, "where": p.context,
               "trigger": p.trigger, "candidates": p.candidates}
    cur = db.conn.execute(
        "INSERT INTO proposals (time, context, task, kind, source, model, judge_score, surfaced, latency_ms, reason)"
        " VALUES (?,?,?,?,?,?,?,?,?,?)",
        (p.time, json.dumps(context, ensure_ascii=False), p.task, p.kind, p.source, p.model, p.score,
         int(surfaced), p.latency_ms, p.reason))
    return int(cur.lastrowid)


def record_label(db: sqlite_utils.Database, proposal_id: int, label: str, reason: str | None = None,
                 now: float | None = None) -> int:
    """Store the user's answer. Raises ValueError for an unknown label or proposal."""
    if label not in LABELS:
        raise ValueError(f"expected one of {', '.join(LABELS)}, got {label!r}")
    if db.conn.execute("SELECT 1 FROM proposals WHERE id = ?", (proposal_id,)).fetchone() is None:
        raise ValueError(f"no proposal #{proposal_id}")
    cur = db.conn.execute("INSERT INTO labels (proposal_id, label, reason, time) VALUES (?,?,?,?)",
                          (proposal_id, label, reason, time.time() if now is None else now))
    return int(cur.lastrowid)


def labels_since(db: sqlite_utils.Database, after_id: int) -> list[dict[str, Any]]:
    """New labels (joined with their proposal) with label id > after_id, oldest first."""
    rows = db.conn.execute(
        "SELECT l.id, l.proposal_id, l.label, l.reason, l.time, p.context, p.task FROM labels l "
        "JOIN proposals p ON p.id = l.proposal_id WHERE l.id > ? ORDER BY l.id", (after_id,)).fetchall()
    return [{"id": r[0], "proposal_id": r[1], "label": r[2], "reason": r[3], "time": r[4],
             "context": json.loads(r[5]), "task": r[6]} for r in rows]


def unanswered(db: sqlite_utils.Database, older_than: float) -> list[int]:
    """Surfaced proposals with no label, shown before `older_than` (epoch seconds)."""
    return [r[0] for r in db.conn.execute(
        "SELECT id FROM proposals WHERE surfaced = 1 AND time < ? AND task IS NOT NULL "
        "AND id NOT IN (SELECT proposal_id FROM labels)", (older_than,))]


def training_examples(rows: list[dict[str, Any]]) -> list[tuple[list[str], str | None, bool]]:
    """(history, task, accepted) from labels; 'ignored' and 'not-now' say nothing about the task itself."""
    out = []
    for row in rows:
        if row["label"] in ("accepted", "rejected"):
            out.append((row["context"]["history"], row["task"], row["label"] == "accepted"))
    return out


def export_rows(db: sqlite_utils.Database, include_unlabelled: bool = False) -> Iterator[dict[str, Any]]:
    """Rows in the ProactiveBench reward-data shape (obs, pred_task, valid, annotation, category), plus
    provenance (model, judge score, label, reason, times). Only the narrated sentences leave: no raw events.
    """
    query = ("SELECT p.id, p.time, p.context, p.task, p.kind, p.source, p.model, p.judge_score, p.latency_ms, "
             "l.label, l.reason, l.time FROM proposals p LEFT JOIN labels l ON l.proposal_id = p.id "
             "WHERE p.surfaced = 1 ORDER BY p.id, l.id")
    for (pid, ptime, context, task, kind, source, model, score, latency, label, reason, ltime) in \
            db.conn.execute(query):
        if label is None and not include_unlabelled:
            continue
        ctx = json.loads(context)
        valid = None if label in (None, "ignored", "not-now") else label == "accepted"
        category = None
        if valid is not None:
            category = ("Correct-Detection (CD)" if valid else "False-Alarm (FA)") if task else \
                       ("Correct-Rejection (CR)" if valid else "Missed-Need (MN)")
        yield {
            "obs": [{"time": str(ptime), "event": s} for s in ctx.get("history", [])],
            "pred_task": task,
            "valid": valid,
            "annotation": [valid] if valid is not None else [],
            "category": category,
            "label": label,
            "reason": reason,
            "proposal_id": pid,
            "proposed_at": ptime,
            "answered_at": ltime,
            "trigger": ctx.get("trigger"),
            "task_kind": kind,
            "task_source": source,
            "model": model,
            "judge_score": score,
            "latency_ms": latency,
        }
