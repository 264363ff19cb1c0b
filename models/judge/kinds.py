"""Kinds of task and kinds of context: the keys the judge's feature set and the user's preferences share.

A task's kind comes from the candidate generator when it made the task (explain_error, review_file, ...), else
from the task's wording, so tasks from the model, from memory and from the research data all get one.
A Context says where the user is (app, site, file type, and the kind of app); the live engine fills it from
the event log, and `context_from_history` reads one out of the narrated sentences when nothing better is known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.situation import Situation, read_situation

# Coarse kinds, in the order a wording is tested against them (first match wins).
TASK_KIND_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("fix_error", re.compile(r"\b(error|exception|fix|debug|bug|troubleshoot|resolve)\w*", re.IGNORECASE)),
    ("reply", re.compile(r"\b(repl(?:y|ies)|respond|e-?mail|message)\b", re.IGNORECASE)),
    ("summarise", re.compile(r"\b(summar\w+|key points|overview|recap|highlights?|tl;?dr)\b", re.IGNORECASE)),
    (
        "code_example",
        re.compile(r"\b(snippet|code|implement\w*|function|example|script|formula)\b", re.IGNORECASE),
    ),
    (
        "write",
        re.compile(r"\b(outline|draft|write|compile|organi[sz]e|list|table|notes?|collect)\b", re.IGNORECASE),
    ),
    ("review", re.compile(r"\b(review|proofread|check|improve\w*|optimi[sz]\w*|refactor)\b", re.IGNORECASE)),
    ("compare", re.compile(r"\b(compar\w+|alternatives?|versus|vs)\b", re.IGNORECASE)),
    (
        "learn",
        re.compile(
            r"\b(tutorials?|guides?|documentation|resources?|learn\w*|courses?|explain\w*)\b", re.IGNORECASE
        ),
    ),
    ("search", re.compile(r"\b(search\w*|find|look up|browse|explore|sources?)\b", re.IGNORECASE)),
)
TASK_KINDS = tuple(k for k, _ in TASK_KIND_PATTERNS) + ("other",)

# The candidate generator's kinds (assistant.decide.candidates) -> coarse kinds.
CANDIDATE_KINDS = {
    "explain_error": "fix_error",
    "find_fix": "fix_error",
    "find_example": "code_example",
    "research": "search",
    "summarise_pages": "summarise",
    "continue_document": "write",
    "review_file": "review",
    "combine": "write",
    "resume": "summarise",
    "draft_reply": "reply",
}

TASK_KIND_WORDS = {
    "fix_error": "fix-the-error",
    "reply": "reply",
    "summarise": "summary",
    "code_example": "code-example",
    "write": "writing",
    "review": "review",
    "compare": "comparison",
    "learn": "learning-resource",
    "search": "search",
    "other": "other",
}


def task_kind(task: str | None, candidate_kind: str = "") -> str:
    """The coarse kind of a task ("none" for no task): the generator's kind if it has one, else the wording's."""
    if task is None:
        return "none"
    if candidate_kind in TASK_KINDS:
        return candidate_kind
    if candidate_kind in CANDIDATE_KINDS:
        return CANDIDATE_KINDS[candidate_kind]
    for kind, rx in TASK_KIND_PATTERNS:
        if rx.search(task):
            return kind
    return "other"


@dataclass(frozen=True, slots=True)
class Context:
    """Where the user is. Empty strings mean unknown; keys are compared case-insensitively."""

    app: str = ""  # the application, as the user would name it ("Firefox", "Visual Studio Code")
    site: str = ""  # the web site or page family ("Stack Overflow", "github.com")
    file_type: str = ""  # extension of the file in focus, without the dot ("py", "md")
    kind: str = ""  # kind of app: editor, writing, mail, chat, browser, terminal (or "")
    when: str = ""  # the moment, where the caller knows it: "morning", "afternoon", "evening", "meeting"

    def parts(self) -> list[tuple[str, str]]:
        """(field, normalised value) for every known part, in a fixed order."""
        parts = (("app", self.app), ("site", self.site), ("file_type", self.file_type), ("kind", self.kind),
                 ("when", self.when))
        return [(name, value.strip().lower()) for name, value in parts if value and value.strip()]


_SITE_NAMES = re.compile(
    r"\b(Stack Overflow|GitHub|Google|Bing|Wikipedia|YouTube|arXiv(?:\.org)?|CSDN|Reddit|Medium|"
    r"Gmail|Outlook|Baidu|Zhihu|Kaggle|MDN|W3Schools|GeeksforGeeks|DeepSeek|ChatGPT)\b",
    re.IGNORECASE,
)


def time_of_day(ts: float) -> str:
    """'morning' (before noon), 'afternoon' (before 17:00) or 'evening', in local time: Context.when."""
    import time

    hour = time.localtime(ts).tm_hour
    return "morning" if 4 <= hour < 12 else "afternoon" if 12 <= hour < 17 else "evening"


def context_from_history(history: list[str]) -> Context:
    """A Context read from the latest sentences: the last app named, the last known site, the file type."""
    return context_from_situation(read_situation(list(history)))


def context_from_situation(s: Situation) -> Context:
    """The Context of a history already read with `read_situation` (the decision reads it once)."""
    app, kind = "", ""
    if s.apps:
        kind, app, _ = s.apps[-1]
    site = ""
    for sentence in reversed(s.sentences[-3:]):
        m = _SITE_NAMES.search(sentence)
        if m:
            site = m.group(1)
            break
    file, _ = s.latest("files")
    file_type = file.rsplit(".", 1)[-1].lower() if file and "." in file else ""
    return Context(app=app, site=site, file_type=file_type, kind=kind)
