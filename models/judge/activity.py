"""What the user is doing lately: a few kinds of activity that point at a need, and which task kind fits it.

The judge's word features learn one situation at a time (the names of files, pages and apps); these features
name the activity itself, so what is learned on one kind of need carries over to another of the same shape:

* `trouble`: a problem is on screen lately (an error, a failure, a conflict, a refusal);
* `edit_run`: the user saved a file and went back to a terminal, more than once lately, or ran the same
  command again after changing a file, as the narration counts it (an edit-and-rerun loop: something keeps
  failing even when no error text reaches the narration);
* `compose`: the user is typing in a message or a reply (mail, chat);
* `pages_after_search`: distinct pages read since the latest search (several pages on one question);
* `back_and_forth`: the user keeps going between the same two windows lately (comparing, copying, stuck);
* `pause`: the user stopped typing in a document for a while just now (not a terminal, not a message: there
  a pause is reading the output or composing);
* `any_need`: one of them points at a need clearly (trouble, composing, a loop run twice, two pages, a pause
  in writing).

`ACTIVITY_FITS` pair a task's kind with the activity it answers (a fix or a review for trouble or an
edit-and-rerun loop, a reply while composing, a summary after several pages on one search, help to go on
writing after a pause in a document); the task
features add their maximum, `fits_any`. `fits_any` and `any_need` are shared by every kind of need, so
what the judge learns from errors and replies carries over to needs it has few rows of (models.judge.train
gives these two a weaker penalty). The patterns are plain words: they read this app's narration and other
sentences of the same kind.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from models.judge.text import ERROR_RE, QUOTED_RE, SEARCH_RE

WINDOW = 16  # sentences that count as "lately" for the loop, the pages and the window changes
RECENT = 6  # sentences that count as "just now" for trouble and composing

TROUBLE_RE = re.compile(r"(?i)\w*(?:error|exception)\b|\b(conflicts?|merging|denied|refused|rejected|cannot|"
                        r"can't|unable|not found|no such|undefined|panic(?:ked)?|fatal|invalid|missing|"
                        r"unresolved)\b")
SAVE_RE = re.compile(r"(?i)\bsaves?\b|\bsaved\b|ctrl\+s\b")
TERMINAL_RE = re.compile(r"(?i)\b(terminal|konsole|xterm|console|command line|shell|zsh|bash|powershell|"
                         r"cmd)\b")
# a message (whole words: a file named email_filter.py is not an e-mail), typing, reading; also read by
# models.judge.features
MESSAGE_RE = re.compile(r"(?i)\b(?:slack|teams|discord|gmail|outlook|thunderbird|e-?mails?|mail(?:s|box)?|"
                        r"chat(?:s|ting)?|messag(?:e|es|ing)|inbox|repl(?:y|ies|ying)|compos(?:e|es|ing))\b|"
                        r"\b(?:write|re):")
# a new mail being written (a compose window whose subject is not a reply's or a forward's): not a reply
NEW_MAIL_RE = re.compile(r"(?i)\b(?:write|compose|new message):(?!\s*(?:re|aw|sv|fwd?|wg)\s*:)")
TYPES_RE = re.compile(r"(?i)\btyp(?:es|ed|ing)\b|\bwrit(?:es|ing)\b|\bedit")
PAUSE_RE = re.compile(r"(?i)\bstops typing\b|\bpauses?\b|\bhesitat\w*")
DOCUMENT_RE = re.compile(r"'[^']*\w\.[A-Za-z][A-Za-z0-9]{0,5}'")  # a quoted file name: 'thesis.odt'
READS_RE = re.compile(r"(?i)\b(reads?|scroll\w*|brows\w*|views?)\b")
# a command run again after a change, counted by the narration: "(3rd run in 2 minutes, after changing 'x.py')"
RERUN_RE = re.compile(r"(?i)\((\d+)(?:st|nd|rd|th) run in [^)]*\bafter chang")
APP_RE = re.compile(r"(?i)\bin ([A-Z][\w .-]*?)(?: for \d|\s*\(|\.$)|\bswitches to ([A-Z][\w-]*)")

ACTIVITY_FEATURES = ("trouble", "edit_run", "compose", "pages_after_search", "back_and_forth", "pause",
                     "any_need")
ACTIVITY_FITS = ("fix_x_trouble", "fix_x_edit_run", "reply_x_compose", "summarise_x_pages",
                 "write_x_back_and_forth", "write_x_pause")


def _edit_run_loops(window: Sequence[str]) -> int:
    """Saves followed by work in a terminal (before the next save), or as many rounds as the narration counts
    on a command run again after a change (its 3rd run: three rounds of edit and run)."""
    loops, saved, counted = 0, False, 0
    for s in window:
        rerun = RERUN_RE.search(s)
        if rerun:
            counted = max(counted, int(rerun.group(1)))
        if SAVE_RE.search(s):
            saved = True
        elif saved and TERMINAL_RE.search(s):
            loops += 1
            saved = False
    return max(loops, counted)


_ENGINE_TAIL = re.compile(r"\s+(?:[-\u2013\u2014|:]|at)\s+[^-\u2013\u2014|:]*$")


def _query(name: str) -> str:
    """A search's query as the same words whether narrated as a search or as its results page being read
    ('pandas csv - Google Search' is the query 'pandas csv')."""
    return _ENGINE_TAIL.sub("", name).strip().lower() if SEARCH_RE.search(name) else name.strip().lower()


def _pages_after_search(window: Sequence[str]) -> int:
    """Distinct pages read since the latest search (the same query searched again, as on coming back to the
    results, is the same search; so is reading its results page; a results page is not a page read)."""
    searches: list[tuple[int, str]] = []
    for i, s in enumerate(window):
        quoted = QUOTED_RE.findall(s)[:1]
        if SEARCH_RE.search(QUOTED_RE.sub("", s)):
            searches.append((i, _query(quoted[0]) if quoted else ""))
        elif quoted and READS_RE.search(s) and SEARCH_RE.search(quoted[0]):
            searches.append((i, _query(quoted[0])))  # the results page of a search, read
    if not searches:
        return 0
    query = searches[-1][1]
    first = min(i for i, q in searches if q == query) if query else searches[-1][0]
    pages = {q.lower() for s in window[first + 1 :] if READS_RE.search(s) for q in QUOTED_RE.findall(s)[:1]
             if not SEARCH_RE.search(q)}
    return len(pages)


def _app(sentence: str) -> str:
    m = APP_RE.search(sentence)
    return (m.group(1) or m.group(2) or "").strip().lower() if m else ""


def _back_and_forth(window: Sequence[str]) -> float:
    """Share of the last window's changes of app that go back to the app before the previous one."""
    apps = [a for a in (_app(s) for s in window[-8:]) if a]
    changes = [a for i, a in enumerate(apps) if i == 0 or a != apps[i - 1]]
    if len(changes) < 3:
        return 0.0
    returns = sum(1 for i in range(2, len(changes)) if changes[i] == changes[i - 2])
    return returns / (len(changes) - 2)


def activity(history: Sequence[str]) -> list[float]:
    """Columns ACTIVITY_FEATURES, each in [0, 1]."""
    window = list(history[-WINDOW:])
    recent = window[-RECENT:]
    trouble = 1.0 if any(ERROR_RE.search(s) or TROUBLE_RE.search(s) for s in recent) else 0.0
    loops = _edit_run_loops(window)
    compose = 1.0 if any(MESSAGE_RE.search(s) and TYPES_RE.search(s) and not NEW_MAIL_RE.search(s)
                         for s in recent[-4:]) else 0.0
    pages = _pages_after_search(window)
    pause = 1.0 if any(PAUSE_RE.search(s) and DOCUMENT_RE.search(s) and not TERMINAL_RE.search(s)
                       and not MESSAGE_RE.search(s)
                       for s in recent[-4:]) else 0.0
    # any_need: one of the activities that point at a need, strongly enough (a loop run twice, two pages)
    any_need = max(trouble, compose, float(loops >= 2), float(pages >= 2), pause)
    return [trouble, min(loops, 3) / 3.0, compose, min(pages, 3) / 3.0, _back_and_forth(window), pause,
            any_need]


def activity_fits(kind: str, act: Sequence[float]) -> list[float]:
    """Columns ACTIVITY_FITS for a task of `kind` (models.judge.kinds) given `act` (activity's columns): 1
    where the activity points at a need clearly (a loop run twice, two pages on one search) and the kind
    answers it."""
    trouble, edit_run, compose, pages, back, pause, _ = act
    fix = kind in ("fix_error", "review")
    return [
        float(fix and trouble > 0),
        float(fix and edit_run >= 2 / 3),
        float(kind == "reply" and compose > 0),
        float(kind in ("summarise", "search", "compare", "learn") and pages >= 2 / 3 and not trouble),
        float(kind in ("write", "summarise") and back >= 0.5),
        float(kind == "write" and pause > 0 and not trouble),
    ]
