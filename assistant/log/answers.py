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
