"""Carrying out an accepted task: its grounded context, the model's streamed answer, and what is kept of it.

    help = TaskHelp.open(db, proposal_id, cfg, clipboard_text=None)   # None when there is no such proposal
    stream = help.start(backend)             # iterate for text pieces; stream.close() stops
    help.keep(db, stream.answer())           # text, model, timings and follow-ups go into the log
    more = help.follow_up("And on Windows?") # the same context, a short chat

The context is what the user was doing: the proposal's narrated history, the error line, page title and file
name read from it, and, only where the user opted in (`assist.read_files`, `assist.use_clipboard`), the text
of that file (found from the window's process) and the clipboard text. models.answer redacts every piece and
quotes it as data; nothing here runs anything.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.core.config import Config
from assistant.log import Database
from assistant.log.answers import AnswerRecord, rate_answer, record_answer, update_followups
from assistant.log.decisions import DecisionRecord, proposal_by_id
from assistant.log.events import events_by_ids
from assistant.log.state import first_notice
from collectors.open_files import find_working_file, read_text_file, working_dirs
from models.answer import Answer, AnswerContext, AnswerSession, AnswerStream
from models.backends import Backend
from models.default_model import backend_from_config, tiny_model_notice
from models.facts import Evidence, FactSheet, Tools, gather
from models.situation import full_error, read_situation

SEARCH_KINDS = frozenset({"find_example", "research", "find_fix"})
TINY_NOTICE_KEY = "tiny-default-model"


def _file_path(db: Database, record: DecisionRecord, file_name: str) -> Path | None:
    """Where `file_name` is on disk, as the app that showed it has it (newest window showing it first)."""
    ids = [i for group in record.event_ids for i in group]
    for _, event in reversed(events_by_ids(db, ids)):
        pid = (event.data or {}).get("pid")
        if pid and file_name in (event.title or ""):
            path = find_working_file(int(pid), file_name)
            if path is not None:
                return path
    return None


def _working_dir(db: Database, record: DecisionRecord) -> Path | None:
    """The folder the user worked in: the deepest working folder of the newest window's processes."""
    ids = [i for group in record.event_ids for i in group]
    for _, event in reversed(events_by_ids(db, ids)):
        pid = (event.data or {}).get("pid")
        if pid:
            dirs = [d for d in working_dirs(int(pid)) if d != Path.home()]
            if dirs:
                return dirs[0]
    return None


def context_for(db: Database, record: DecisionRecord, cfg: Config,
                clipboard_text: str | None = None) -> AnswerContext:
    """What the model gets besides the task (opt-ins honoured here: nothing is read that the user did not allow)."""
    situation = read_situation(record.history)
    error, at = situation.latest("errors")
    if error and 0 <= at < len(record.history):  # the facts read the whole error, the card a line of it
        error = full_error(record.history[at]) or error
    page, _ = situation.latest("pages")
    file_name, _ = situation.latest("files")
    path = _file_path(db, record, file_name) if file_name and cfg["assist.read_files"] else None
    file_text = read_text_file(path) if path is not None else None
    clipboard = clipboard_text if cfg["assist.use_clipboard"] else None
    return AnswerContext(task=record.task or "", observations=tuple(record.history), error_line=error or "",
                         page_title=page or "", file_name=file_name or "", file_text=file_text,
                         clipboard_text=clipboard, kind=record.kind or "")


def evidence_for(db: Database, record: DecisionRecord, context: AnswerContext, cfg: Config) -> Evidence:
    """What the fact finders may look at. The project folder (manifests, a venv, node_modules) only with file
    access opted in (`assist.read_files`): the folder of the file found on disk, else the terminal's folder."""
    project: Path | None = None
    if cfg["assist.read_files"]:
        path = _file_path(db, record, context.file_name) if context.file_name else None
        project = path.parent if path is not None else _working_dir(db, record)
    query, _ = read_situation(record.history).latest("searches")
    return Evidence(task=context.task, kind=context.kind, error=context.error_line, query=query or "",
                    texts=tuple(context.observations), file_name=context.file_name, file_text=context.file_text,
                    clipboard=context.clipboard_text, project_dir=project,
                    cwd=str(project) if project is not None else None)


def search_url(record: DecisionRecord, cfg: Config) -> str | None:
    """For a search-like task, the user's search engine with the query (no model needed), else None."""
    if record.kind not in SEARCH_KINDS:
        return None
    query, _ = read_situation(record.history).latest("searches")
    query = query or (record.task or "")
    template = cfg["assist.search_url"] or "https://duckduckgo.com/?q={query}"
    return template.replace("{query}", urllib.parse.quote_plus(query))


def tiny_notice_once(db: Database, cfg: Config) -> str | None:
    """The notice about the tiny default model, the first time only (remembered in the log)."""
    notice = tiny_model_notice(cfg)
    if notice is None or not first_notice(db, TINY_NOTICE_KEY):
        return None
    return notice


@dataclass
class TaskHelp:
    """One accepted task being carried out: the session with the model and the answer kept in the log."""

    record: DecisionRecord
    context: AnswerContext
    cfg: Config
    evidence: Evidence | None = None  # None: the model answers without facts and checks
    session: AnswerSession | None = None
    answer_id: int | None = None
    followups: list[dict[str, str]] = field(default_factory=list)

    @classmethod
    def open(cls, db: Database, proposal_id: int, cfg: Config,
             clipboard_text: str | None = None, evidence: bool = True) -> TaskHelp | None:
        """The task of `proposal_id` with its context; `evidence=False` when no new answer will be written
        (a kept answer opened again)."""
        record = proposal_by_id(db, proposal_id)
        if record is None or not record.task:
            return None
        context = context_for(db, record, cfg, clipboard_text)
        evidence_ = evidence_for(db, record, context, cfg) if cfg["assist.facts"] and evidence else None
        return cls(record, context, cfg, evidence_)

    def start(self, backend: Backend) -> AnswerStream:
        """Stream the answer: with facts on, the checked Fix first (gathered in the stream's worker), then the
        model's words, then the commands in them that failed the checks."""
        warm = getattr(backend, "warm", None)
        if warm is not None:
            warm()  # a model held until needed starts loading now, while the facts are gathered
        evidence = self.evidence
        tools = Tools() if evidence is not None else None
        self.session = AnswerSession(backend, self.context, max_tokens=self.cfg["assist.max_tokens"],
                                     context_tokens=self.cfg["model.context_tokens"],
                                     secret_patterns=self.cfg["privacy.secret_patterns"],
                                     facts=(lambda: gather(evidence, tools)) if evidence is not None else None,
                                     tools=tools)
        return self.session.start()

    @property
    def facts(self) -> FactSheet | None:
        return self.session.sheet if self.session is not None else None

    def resume(self, backend: Backend, kept: AnswerRecord) -> None:
        """Continue the conversation about an answer kept earlier (follow-ups and ratings go to that answer)."""
        self.session = AnswerSession(backend, self.context, max_tokens=self.cfg["assist.max_tokens"],
                                     context_tokens=self.cfg["model.context_tokens"],
                                     secret_patterns=self.cfg["privacy.secret_patterns"], tools=Tools())
        self.session.messages = [*self.session.messages, {"role": "assistant", "content": kept.text},
                                 *kept.followups]
        self.answer_id = kept.id
        self.followups = list(kept.followups)

    def follow_up(self, question: str) -> AnswerStream:
        if self.session is None:
            raise RuntimeError("start the answer first")
        return self.session.follow_up(question)

    def keep(self, db: Database, answer: Answer | None) -> int | None:
        """Store the first answer, then each follow-up exchange with it. Returns the answer's id."""
        if answer is None:
            return self.answer_id
        if self.answer_id is None:
            self.answer_id = record_answer(db, AnswerRecord(
                proposal_id=self.record.id, text=answer.text, model=answer.model,
                prompt_tokens=answer.prompt_tokens or None,
                ttft_ms=answer.first_token_s * 1000 if answer.first_token_s is not None else None,
                tokens_per_s=answer.tokens_per_s))
            return self.answer_id
        self.followups += [{"role": "user", "content": answer.question},
                           {"role": "assistant", "content": answer.text}]
        update_followups(db, self.answer_id, self.followups)
        return self.answer_id

    def rate(self, db: Database, helpful: bool) -> None:
        if self.answer_id is None:
            raise ValueError("there is no answer to rate yet")
        rate_answer(db, self.answer_id, "helpful" if helpful else "not-helpful")

    def describe(self) -> dict[str, Any]:
        return {"task": self.record.task, "file": self.context.file_name, "error": self.context.error_line,
                "page": self.context.page_title, "file_text": self.context.file_text is not None,
                "clipboard": self.context.clipboard_text is not None}


def carry_out(db: Database, cfg: Config, proposal_id: int, write: Callable[[str], None],
              say: Callable[[str], None]) -> Answer | None:
    """`proactive answer ID accept`: stream the model's answer through `write`, keep it in the log, and say
    (once) what the user should know. Raises ModelUnavailable when no model can be loaded; Ctrl+C stops the
    answer and keeps what was written."""
    help_ = TaskHelp.open(db, proposal_id, cfg)
    if help_ is None:
        raise ValueError(f"proposal #{proposal_id} has no task to carry out")
    notice = tiny_notice_once(db, cfg)
    if notice:
        say(notice)
    url = search_url(help_.record, cfg)
    if url:
        say(f"Search it in your browser: {url}")
    backend = backend_from_config(cfg)
    try:
        stream = help_.start(backend)
        try:
            for piece in stream:
                write(piece)
        except KeyboardInterrupt:
            stream.close()
        answer = stream.answer(timeout=None)
        help_.keep(db, answer)
        return answer
    finally:
        close = getattr(backend, "close", None)
        if close is not None:
            close()
