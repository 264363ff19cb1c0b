"""Proposals, the user's answers to them, and the narrated observations behind them.

Every surfaced proposal is a research-grade annotation row: the narrated context, the task (or none), the
model and judge score, and the user's label.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from assistant.core.proposal import LABELS, Proposal
from assistant.log.db import Database
from assistant.log.transaction import transaction


def record_proposal(db: Database, p: Proposal, surfaced: bool) -> int:
    context = {"history": p.history, "event_ids": p.observation_event_ids, "where": p.context,
               "trigger": p.trigger, "candidates": p.candidates}
    cur = db.conn.execute(
        "INSERT INTO proposals (time, context, task, kind, source, model, judge_score, surfaced, latency_ms, reason)"
        " VALUES (?,?,?,?,?,?,?,?,?,?)",
        (p.time, json.dumps(context, ensure_ascii=False), p.task, p.kind, p.source, p.model, p.score,
         int(surfaced), p.latency_ms, p.reason))
    return int(cur.lastrowid)


def record_label(db: Database, proposal_id: int, label: str, reason: str | None = None,
                 now: float | None = None) -> int:
    """Store the user's answer. Raises ValueError for an unknown label or proposal."""
    if label not in LABELS:
        raise ValueError(f"expected one of {', '.join(LABELS)}, got {label!r}")
    if db.conn.execute("SELECT 1 FROM proposals WHERE id = ?", (proposal_id,)).fetchone() is None:
        raise ValueError(f"no proposal #{proposal_id}")
    cur = db.conn.execute("INSERT INTO labels (proposal_id, label, reason, time) VALUES (?,?,?,?)",
                          (proposal_id, label, reason, time.time() if now is None else now))
    return int(cur.lastrowid)


@dataclass(frozen=True)
class LabelRow:
    """One answer joined with the proposal it answers."""

    id: int
    proposal_id: int
    label: str
    reason: str | None
    time: float
    task: str | None
    kind: str | None
    history: list[str]
    where: str
    proposed_at: float
    candidates: list[str | None]  # every candidate task judged with this one (None: no task)


def labels_since(db: Database, after_id: int) -> list[LabelRow]:
    """Answers with label id > after_id, oldest first."""
    rows = db.conn.execute(
        "SELECT l.id, l.proposal_id, l.label, l.reason, l.time, p.context, p.task, p.kind, p.time FROM labels l "
        "JOIN proposals p ON p.id = l.proposal_id WHERE l.id > ? ORDER BY l.id", (after_id,)).fetchall()
    out = []
    for lid, pid, label, reason, ltime, context, task, kind, ptime in rows:
        ctx = _context(context)
        cands = [c[0] if isinstance(c, list) and c else None for c in ctx.get("candidates") or []]
        out.append(LabelRow(lid, pid, label, reason, ltime, task, kind, list(ctx.get("history") or []),
                            str(ctx.get("where") or ""), ptime, cands))
    return out


def unanswered(db: Database, older_than: float) -> list[int]:
    """Surfaced proposals with no label, shown before `older_than` (epoch seconds)."""
    return [r[0] for r in db.conn.execute(
        "SELECT id FROM proposals WHERE surfaced = 1 AND time < ? AND task IS NOT NULL "
        "AND id NOT IN (SELECT proposal_id FROM labels)", (older_than,))]


def _context(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def export_rows(db: Database, include_unlabelled: bool = False) -> Iterator[dict[str, Any]]:
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
        ctx = _context(context)
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


# ------------------------------------------------------------------ observations

def store_observations(db: Database, rows: Iterable[tuple[float, str, list[int]]]) -> int:
    """Keep narrated sentences (time, sentence, event ids) in one transaction. Returns how many."""
    batch = [(t, s, json.dumps(ids)) for t, s, ids in rows]
    if batch:
        with transaction(db.conn, immediate=False) as conn:
            conn.executemany("INSERT INTO observations (time, sentence, event_ids) VALUES (?,?,?)", batch)
    return len(batch)


def observations_before(db: Database, before: float, limit: int) -> list[tuple[float, str]]:
    """Stored sentences older than `before`, newest first."""
    return [(t, s) for t, s in db.conn.execute(
        "SELECT time, sentence FROM observations WHERE time < ? ORDER BY time DESC LIMIT ?", (before, int(limit)))]


# ------------------------------------------------------------------ what the dashboard lists

def day_counts(db: Database, since: float) -> dict[str, int]:
    """Observations and proposals shown since `since`, and their latest answers by label."""
    conn = db.conn
    out = {
        "observations": conn.execute("SELECT count(*) FROM observations WHERE time >= ?", (since,)).fetchone()[0],
        "shown": conn.execute("SELECT count(*) FROM proposals WHERE surfaced = 1 AND time >= ?",
                              (since,)).fetchone()[0],
    }
    answers = dict(conn.execute(
        "SELECT l.label, count(*) FROM labels l JOIN proposals p ON p.id = l.proposal_id "
        "WHERE p.time >= ? AND l.id = (SELECT max(id) FROM labels WHERE proposal_id = p.id) GROUP BY l.label",
        (since,)).fetchall())
    for label in LABELS:
        out[label.replace("-", "_")] = answers.get(label, 0)
    return out


@dataclass(frozen=True)
class ProposalRow:
    id: int
    time: float
    task: str
    score: float | None
    label: str | None
    reason: str | None
    why: str  # the last narrated sentence before the proposal


def recent_proposals(db: Database, limit: int = 20, label: str | None = None) -> list[ProposalRow]:
    """Shown proposals, newest first, each with its latest answer (or None); optionally one label only."""
    sql = ("SELECT p.id, p.time, p.task, p.judge_score, l.label, l.reason, p.context FROM proposals p "
           "LEFT JOIN labels l ON l.id = (SELECT max(id) FROM labels WHERE proposal_id = p.id) "
           "WHERE p.surfaced = 1")
    params: list[Any] = []
    if label:
        sql += " AND l.label = ?"
        params.append(label)
    sql += " ORDER BY p.time DESC, p.id DESC LIMIT ?"
    params.append(int(limit))
    rows = []
    for pid, ptime, task, score, lab, reason, context in db.conn.execute(sql, params):
        history = _context(context).get("history") or []
        rows.append(ProposalRow(pid, ptime, task or "", score, lab, reason, history[-1] if history else ""))
    return rows


@dataclass(frozen=True)
class ProposalRecord:
    """One stored decision, as the task panel and `proactive answer` need it."""

    id: int
    time: float
    task: str | None
    kind: str | None
    source: str | None
    model: str | None
    score: float | None
    surfaced: bool
    history: list[str]
    event_ids: list[list[int]]  # per history sentence, the events it was narrated from
    where: str
    trigger: str


def proposal_by_id(db: Database, proposal_id: int) -> ProposalRecord | None:
    row = db.conn.execute("SELECT id, time, task, kind, source, model, judge_score, surfaced, context "
                          "FROM proposals WHERE id = ?", (proposal_id,)).fetchone()
    if row is None:
        return None
    ctx = _context(row[8])
    return ProposalRecord(row[0], row[1], row[2], row[3], row[4], row[5], row[6], bool(row[7]),
                          list(ctx.get("history") or []), [list(x) for x in ctx.get("event_ids") or []],
                          str(ctx.get("where") or ""), str(ctx.get("trigger") or ""))
