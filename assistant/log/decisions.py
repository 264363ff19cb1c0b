"""Whole decisions for research: a proposal (or a silent moment) with its observations, every annotator's
answers (relabels kept as history) and what the model answered. Read for export, written back by import."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from assistant.log.db import Database
from assistant.log.own_rows import NOT_OWN
from assistant.log.transaction import transaction


@dataclass(frozen=True)
class LabelEntry:
    annotator: str
    label: str
    reason: str | None
    time: float
    id: int = 0
    replaces: int | None = None


@dataclass(frozen=True)
class AnswerEntry:
    text: str
    model: str
    time: float
    rating: str | None = None
    followups: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class DecisionRecord:
    """One stored decision. `times` holds when each history sentence happened (the proposal's own time for
    decisions recorded before times were kept)."""

    id: int
    time: float
    task: str | None
    kind: str | None
    source: str | None
    model: str | None
    score: float | None
    surfaced: bool
    reason: str | None
    trigger: str
    where: str
    history: list[str]
    times: list[float]
    candidates: list[tuple[str | None, float | None]]
    labels: list[LabelEntry] = field(default_factory=list)  # every answer, oldest first
    answers: list[AnswerEntry] = field(default_factory=list)
    event_ids: list[list[int]] = field(default_factory=list)  # per history sentence, the events it came from
    participant: str | None = None  # the study participant an imported decision came from (None: this log's own)

    def standing(self) -> dict[str, LabelEntry]:
        """Each annotator's current answer (the latest), in order of first answer."""
        out: dict[str, LabelEntry] = {}
        for entry in self.labels:
            out[entry.annotator] = entry
        return out


def context_of(text: str | None) -> dict[str, Any]:
    """A proposal's stored context JSON (history, times, event ids, place, trigger, candidates); {} if unreadable."""
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _load(db: Database, where: str, params: tuple[Any, ...]) -> list[DecisionRecord]:
    """Proposals matching `where` (on the proposals table), oldest first, with their labels and answers: three
    queries whatever the number of rows."""
    rows = db.conn.execute(
        "SELECT id, time, context, task, kind, source, model, judge_score, surfaced, reason FROM proposals "
        f"WHERE {where} ORDER BY time, id", params).fetchall()
    chosen = f"proposal_id IN (SELECT id FROM proposals WHERE {where})"
    labels: dict[int, list[LabelEntry]] = defaultdict(list)
    for pid, lid, lab, why, t, a, rep in db.conn.execute(
            "SELECT proposal_id, id, label, reason, time, annotator, replaces FROM labels "
            f"WHERE {chosen} ORDER BY id", params):
        labels[pid].append(LabelEntry(a, lab, why, t, lid, rep))
    answers: dict[int, list[AnswerEntry]] = defaultdict(list)
    for pid, text, amodel, t, rating, fu in db.conn.execute(
            f"SELECT proposal_id, text, model, time, rating, followups FROM answers WHERE {chosen} ORDER BY id",
            params):
        answers[pid].append(AnswerEntry(text, amodel or "", t, rating, json.loads(fu or "[]")))
    out = []
    for pid, ptime, context, task, kind, source, model, score, surfaced, reason in rows:
        ctx = context_of(context)
        history = [str(s) for s in ctx.get("history") or []]
        times = [float(t) for t in ctx.get("times") or []]
        if len(times) != len(history):
            times = [float(ptime)] * len(history)
        cands = [(c[0], c[1] if len(c) > 1 else None) for c in ctx.get("candidates") or []
                 if isinstance(c, list) and c]
        out.append(DecisionRecord(pid, ptime, task, kind, source, model, score, bool(surfaced), reason,
                                  str(ctx.get("trigger") or ""), str(ctx.get("where") or ""), history, times, cands,
                                  labels[pid], answers[pid], [list(x) for x in ctx.get("event_ids") or []],
                                  str(ctx["participant"]) if ctx.get("participant") else None))
    return out


def decisions(db: Database, since: float | None = None, until: float | None = None,
              answered_only: bool = False, shown_only: bool = False) -> Iterator[DecisionRecord]:
    """Stored decisions in [since, until), oldest first, with their labels and answers."""
    where = "time >= ? AND time < ?"
    if shown_only:
        where += " AND surfaced = 1"
    if answered_only:
        where += " AND id IN (SELECT proposal_id FROM labels)"
    yield from _load(db, where, (float("-inf") if since is None else since,
                                 float("inf") if until is None else until))


def proposal_by_id(db: Database, proposal_id: int) -> DecisionRecord | None:
    """One stored decision (the task panel and `proactive answer` read it), or None."""
    found = _load(db, "id = ?", (proposal_id,))
    return found[0] if found else None


def import_decision(db: Database, d: DecisionRecord) -> int | None:
    """Write a decision read from an export back into the log, keeping its id where that id is free.
    Returns the new id, or None when the same decision (time, task, history) is here already."""
    for pid, context in db.conn.execute("SELECT id, context FROM proposals WHERE time = ? AND task IS ?",
                                        (d.time, d.task)):
        if context_of(context).get("history") == d.history:
            return None
    context = {"history": d.history, "event_ids": [], "where": d.where, "trigger": d.trigger,
               "candidates": [list(c) for c in d.candidates], "times": d.times}
    if d.participant:
        context["participant"] = d.participant
    free = db.conn.execute("SELECT 1 FROM proposals WHERE id = ?", (d.id,)).fetchone() is None
    with transaction(db.conn) as conn:
        cur = conn.execute(
            "INSERT INTO proposals (id, time, context, task, kind, source, model, judge_score, surfaced, reason)"
            " VALUES (?,?,?,?,?,?,?,?,?,?)",
            (d.id if free and d.id > 0 else None, d.time, json.dumps(context, ensure_ascii=False), d.task,
             d.kind, d.source, d.model, d.score, int(d.surfaced), d.reason))
        pid = int(cur.lastrowid)
        previous: dict[str, int] = {}
        for entry in d.labels:
            cur = conn.execute(
                "INSERT INTO labels (proposal_id, label, reason, time, annotator, replaces) VALUES (?,?,?,?,?,?)",
                (pid, entry.label, entry.reason, entry.time, entry.annotator, previous.get(entry.annotator)))
            previous[entry.annotator] = int(cur.lastrowid)
        for a in d.answers:
            conn.execute("INSERT INTO answers (proposal_id, time, model, text, followups, rating) "
                         "VALUES (?,?,?,?,?,?)",
                         (pid, a.time, a.model, a.text, json.dumps(a.followups, ensure_ascii=False), a.rating))
    return pid


def observations_between(db: Database, since: float | None = None,
                         until: float | None = None) -> list[tuple[float, str]]:
    """Stored narrated sentences in [since, until), oldest first."""
    return [(t, s) for t, s in db.conn.execute(
        "SELECT time, sentence FROM observations WHERE time >= ? AND time < ? ORDER BY time, id",
        (float("-inf") if since is None else since, float("inf") if until is None else until))]


def import_observations(db: Database, rows: list[tuple[float, str]]) -> int:
    """Add narrated sentences not already stored (same time and sentence). Returns how many were added."""
    fresh = [(t, s) for t, s in rows if db.conn.execute(
        "SELECT 1 FROM observations WHERE time = ? AND sentence = ?", (t, s)).fetchone() is None]
    if fresh:
        with transaction(db.conn) as conn:
            conn.executemany("INSERT INTO observations (time, sentence, event_ids) VALUES (?,?,'[]')", fresh)
    return len(fresh)


def all_events(db: Database, since: float | None = None,
               until: float | None = None) -> Iterator[dict[str, Any]]:
    """Raw events as rows (start, duration, source, kind, app, title, data), oldest first (never the app's own
    windows)."""
    for start, duration, source, kind, app, title, data in db.conn.execute(
            f"SELECT start, duration, source, kind, app, title, data FROM events WHERE start >= ? AND start < ? "
            f"AND {NOT_OWN} ORDER BY start, id", (float("-inf") if since is None else since,
                                   float("inf") if until is None else until)):
        yield {"start": start, "duration": duration, "source": source, "kind": kind, "app": app,
               "title": title, "data": json.loads(data or "{}")}
