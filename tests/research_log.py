"""A participant's event log written through the log's own functions (real SQLite): narrated observations,
decisions (shown tasks and silent moments) and answers, as `proactive run` and `proactive answer` store them.
Used by the research-data tests to build study participants quickly."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assistant.core.proposal import Proposal
from assistant.log import open_db
from assistant.log import proposals as plog
from assistant.log.answers import AnswerRecord, record_answer
from tests.logsql import sql


@dataclass
class Moment:
    sentence: str
    task: str | None = None
    decided: bool = False  # a decision was made here (a shown task, or a silent moment)
    answers: list[tuple[str, str, str | None]] = field(default_factory=list)  # (annotator, label, reason)
    candidates: list[tuple[str | None, float | None]] = field(default_factory=list)
    model_answer: tuple[str, list[dict[str, str]]] | None = None  # what the model answered, with follow-ups


def ask(sentence: str, task: str | None, *answers: tuple[str, str, str | None]) -> Moment:
    return Moment(sentence, task, True, list(answers),
                  [(task, 0.71), ("Another idea", None), (None, 0.25)] if task else [(None, 0.6)])


def write_log(home: Path, moments: list[Moment], start: float, gap: float = 30.0, consent: bool = True) -> Path:
    """Write the moments into `home`'s log; returns the database path."""
    path = home / "data" / "events.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    db = open_db(path)
    try:
        if consent:
            sql(db, "INSERT INTO consent (time, text_version, opt_ins, model, via) VALUES (?,?,?,?,?)",
                (start - 60, "1", "{}", "", "flag"))
        history: list[str] = []
        times: list[float] = []
        for i, m in enumerate(moments):
            t = start + gap * i
            plog.store_observations(db, [(t, m.sentence, [])])
            history.append(m.sentence)
            times.append(t)
            if not m.decided:
                continue
            p = Proposal(time=t + 1.5, task=m.task, score=0.71 if m.task else 0.4, context=f"where {i}",
                         trigger="dwell", history=history[-6:], observation_event_ids=[], kind="explain",
                         candidates=m.candidates, history_times=times[-6:])
            pid = plog.record_proposal(db, p, surfaced=m.task is not None)
            for k, (annotator, label, reason) in enumerate(m.answers):
                plog.record_label(db, pid, label, reason, now=t + 5 + k, annotator=annotator, relabel=True)
            if m.model_answer is not None:
                record_answer(db, AnswerRecord(pid, m.model_answer[0], "llama:test.gguf",
                                               followups=m.model_answer[1], time=t + 9))
    finally:
        db.close()
    return path
