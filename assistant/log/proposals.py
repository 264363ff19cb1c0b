"""Proposals, the user's answers to them, and the narrated observations behind them.

Every surfaced proposal is a research-grade annotation row: the narrated context, the task (or none), the
model and judge score, and the user's label.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from assistant.core.proposal import LABELS, NO_ANSWER_LABELS, SILENT_LABELS, TASK_LABELS, Proposal
from assistant.log.db import Database
from assistant.log.decisions import context_of
from assistant.log.transaction import transaction


def record_proposal(db: Database, p: Proposal, surfaced: bool) -> int:
    context = {"history": p.history, "event_ids": p.observation_event_ids, "where": p.context,
               "trigger": p.trigger, "candidates": p.candidates, "times": p.history_times}
    if p.why:
        context["why"] = p.why
    if p.episode is not None:
        context["episode"] = p.episode
    cur = db.conn.execute(
        "INSERT INTO proposals (time, context, task, kind, source, model, judge_score, surfaced, latency_ms, reason)"
        " VALUES (?,?,?,?,?,?,?,?,?,?)",
        (p.time, json.dumps(context, ensure_ascii=False), p.task, p.kind, p.source, p.model, p.score,
         int(surfaced), p.latency_ms, p.reason))
    return int(cur.lastrowid)


class AlreadyAnswered(ValueError):
    """The annotator answered this proposal before; changing it is an explicit relabel."""


def current_label(db: Database, proposal_id: int, annotator: str = "me") -> tuple[int, str] | None:
    """(label id, label) of the annotator's standing answer to a proposal, or None."""
    row = db.conn.execute("SELECT id, label FROM labels WHERE proposal_id = ? AND annotator = ? "
                          "ORDER BY id DESC LIMIT 1", (proposal_id, annotator)).fetchone()
    return (int(row[0]), str(row[1])) if row else None


def record_label(db: Database, proposal_id: int, label: str, reason: str | None = None,
                 now: float | None = None, annotator: str = "me", relabel: bool = False) -> int:
    """Store an answer. A shown task takes a task answer; a silent moment (no task, under review) takes
    help-needed / no-help-needed. One standing answer per proposal per annotator: a second one raises
    AlreadyAnswered unless `relabel` (the old answer stays, as history) or the first was only 'ignored' or
    'superseded' (the card closed without an answer).
    ValueError for an unknown label or proposal, or a task that was never shown."""
    if label not in LABELS:
        raise ValueError(f"expected one of {', '.join(LABELS)}, got {label!r}")
    annotator = annotator.strip()
    if not annotator:
        raise ValueError("the annotator's name is empty")
    row = db.conn.execute("SELECT task, surfaced FROM proposals WHERE id = ?", (proposal_id,)).fetchone()
    if row is None:
        raise ValueError(f"no proposal #{proposal_id}")
    task, surfaced = row
    if task and not surfaced:
        raise ValueError(f"proposal #{proposal_id} was never shown, so it cannot be answered")
    if task and label not in TASK_LABELS:
        raise ValueError(f"#{proposal_id} proposed a task: answer one of {', '.join(TASK_LABELS)}")
    if not task and label not in SILENT_LABELS:
        raise ValueError(f"#{proposal_id} is a moment the assistant stayed silent: answer one of "
                         f"{', '.join(SILENT_LABELS)} (was help needed?)")
    before = current_label(db, proposal_id, annotator)
    if before is not None and before[1] == label and label in NO_ANSWER_LABELS:
        return before[0]
    if before is not None and before[1] not in NO_ANSWER_LABELS and not relabel:
        raise AlreadyAnswered(f"#{proposal_id} is already answered by {annotator} ({before[1]}); "
                              "changing an answer is a relabel (--relabel), which keeps the old one")
    cur = db.conn.execute(
        "INSERT INTO labels (proposal_id, label, reason, time, annotator, replaces) VALUES (?,?,?,?,?,?)",
        (proposal_id, label, reason, time.time() if now is None else now, annotator,
         before[0] if before else None))
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
    annotator: str = "me"
    replaces: int | None = None  # the label id this answer replaces (a relabel)


def labels_since(db: Database, after_id: int) -> list[LabelRow]:
    """Answers with label id > after_id, oldest first."""
    rows = db.conn.execute(
        "SELECT l.id, l.proposal_id, l.label, l.reason, l.time, p.context, p.task, p.kind, p.time, l.annotator, "
        "l.replaces FROM labels l JOIN proposals p ON p.id = l.proposal_id WHERE l.id > ? ORDER BY l.id",
        (after_id,)).fetchall()
    out = []
    for lid, pid, label, reason, ltime, context, task, kind, ptime, annotator, replaces in rows:
        ctx = context_of(context)
        cands = [c[0] if isinstance(c, list) and c else None for c in ctx.get("candidates") or []]
        out.append(LabelRow(lid, pid, label, reason, ltime, task, kind, list(ctx.get("history") or []),
                            str(ctx.get("where") or ""), ptime, cands, annotator, replaces))
    return out


def quiet_consults(db: Database) -> int:
    """Decisions recorded since the last card shown (all of them when none was): a check-in's count
    (assistant.decide.decision.check_in_due) survives a restart."""
    row = db.conn.execute(
        "SELECT COUNT(*) FROM proposals WHERE id > COALESCE((SELECT MAX(id) FROM proposals WHERE surfaced = 1), 0)"
    ).fetchone()
    return int(row[0])


def unanswered(db: Database, older_than: float) -> list[int]:
    """Surfaced proposals with no label, shown before `older_than` (epoch seconds)."""
    return [r[0] for r in db.conn.execute(
        "SELECT id FROM proposals WHERE surfaced = 1 AND time < ? AND task IS NOT NULL "
        "AND id NOT IN (SELECT proposal_id FROM labels)", (older_than,))]


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
        history = context_of(context).get("history") or []
        rows.append(ProposalRow(pid, ptime, task or "", score, lab, reason, history[-1] if history else ""))
    return rows
