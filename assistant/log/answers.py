"""What the model answered to an accepted task: the text, the model, how fast, the follow-up chat, and the
user's Helpful / Not helpful rating. Accepting a task and being helped are two different labels."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from assistant.log.db import Database

RATINGS = ("helpful", "not-helpful")


@dataclass
class AnswerRecord:
    proposal_id: int
    text: str
    model: str = ""
    prompt_tokens: int | None = None
    ttft_ms: float | None = None
    tokens_per_s: float | None = None
    followups: list[dict[str, str]] = field(default_factory=list)  # [{"role": "user"|"assistant", "content"}]
    rating: str | None = None
    time: float = field(default_factory=time.time)
    id: int | None = None


def record_answer(db: Database, answer: AnswerRecord) -> int:
    cur = db.conn.execute(
        "INSERT INTO answers (proposal_id, time, model, text, prompt_tokens, ttft_ms, tokens_per_s, followups) "
        "VALUES (?,?,?,?,?,?,?,?)",
        (answer.proposal_id, answer.time, answer.model, answer.text, answer.prompt_tokens, answer.ttft_ms,
         answer.tokens_per_s, json.dumps(answer.followups, ensure_ascii=False)))
    answer.id = int(cur.lastrowid)
    return answer.id


def update_followups(db: Database, answer_id: int, followups: list[dict[str, str]]) -> None:
    db.conn.execute("UPDATE answers SET followups = ? WHERE id = ?",
                    (json.dumps(followups, ensure_ascii=False), answer_id))


def rate_answer(db: Database, answer_id: int, rating: str, now: float | None = None) -> None:
    if rating not in RATINGS:
        raise ValueError(f"expected one of {', '.join(RATINGS)}, got {rating!r}")
    cur = db.conn.execute("UPDATE answers SET rating = ?, rated_at = ? WHERE id = ?",
                          (rating, time.time() if now is None else now, answer_id))
    if cur.rowcount == 0:
        raise ValueError(f"no answer #{answer_id}")


def answers_for(db: Database, proposal_id: int) -> list[AnswerRecord]:
    rows = db.conn.execute(
        "SELECT id, proposal_id, time, model, text, prompt_tokens, ttft_ms, tokens_per_s, followups, rating "
        "FROM answers WHERE proposal_id = ? ORDER BY id", (proposal_id,)).fetchall()
    return [AnswerRecord(proposal_id=r[1], time=r[2], model=r[3], text=r[4], prompt_tokens=r[5], ttft_ms=r[6],
                         tokens_per_s=r[7], followups=json.loads(r[8] or "[]"), rating=r[9], id=r[0])
            for r in rows]


@dataclass
class KeptAnswer:
    """A kept answer with the task it carried out (what `proactive answers` and the dashboard list)."""

    answer: AnswerRecord
    task: str
    kind: str

    def to_dict(self) -> dict:
        a = self.answer
        return {"id": a.id, "proposal_id": a.proposal_id, "time": a.time, "task": self.task, "kind": self.kind,
                "model": a.model, "rating": a.rating, "ttft_ms": a.ttft_ms, "tokens_per_s": a.tokens_per_s,
                "text": a.text, "followups": a.followups}


_KEPT = ("SELECT a.id, a.proposal_id, a.time, a.model, a.text, a.prompt_tokens, a.ttft_ms, a.tokens_per_s, "
         "a.followups, a.rating, COALESCE(p.task, ''), COALESCE(p.kind, '') "
         "FROM answers a JOIN proposals p ON p.id = a.proposal_id")


def _kept(row: tuple) -> KeptAnswer:
    record = AnswerRecord(proposal_id=row[1], time=row[2], model=row[3], text=row[4], prompt_tokens=row[5],
                          ttft_ms=row[6], tokens_per_s=row[7], followups=json.loads(row[8] or "[]"),
                          rating=row[9], id=row[0])
    return KeptAnswer(record, row[10], row[11])


def kept_answers(db: Database, since: float | None = None, limit: int = 100) -> list[KeptAnswer]:
    """The answers to accepted tasks, newest first (only those at or after `since`)."""
    rows = db.conn.execute(_KEPT + " WHERE a.time >= ? ORDER BY a.time DESC, a.id DESC LIMIT ?",
                           (since if since is not None else 0.0, limit)).fetchall()
    return [_kept(r) for r in rows]


def kept_answer(db: Database, answer_id: int) -> KeptAnswer | None:
    row = db.conn.execute(_KEPT + " WHERE a.id = ?", (answer_id,)).fetchone()
    return _kept(row) if row else None


def latest_answer_for(db: Database, proposal_id: int) -> KeptAnswer | None:
    """The newest kept answer to one proposal (the dashboard opens it from the accepted task)."""
    row = db.conn.execute(_KEPT + " WHERE a.proposal_id = ? ORDER BY a.id DESC LIMIT 1", (proposal_id,)).fetchone()
    return _kept(row) if row else None
