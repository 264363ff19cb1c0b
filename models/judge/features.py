"""Features of (history, candidate task) pairs, computed jointly over the sibling candidates of one history.

Three parts feed the task model:
* dense fit-to-context features: how well the task matches the recent history (the last sentence, the last
  three, a recency-weighted sum over the last few, the words the session keeps coming back to, the names the
  user touched), its kind and wording;
* sibling features: the task's standing among the other candidates for the same history (rank, difference
  from their mean and best), since annotators judge candidates side by side;
* hashed words of the task and of the latest sentence (what kind of offer, at what kind of moment).
The help gate uses the history features and the hashed words of the latest sentence.

Text is hashed (see models.judge.text), so fitted weights are per bucket number, never words.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from models.judge.activity import (
    ACTIVITY_FEATURES,
    ACTIVITY_FITS,
    MESSAGE_RE,
    READS_RE,
    TYPES_RE,
    activity,
    activity_fits,
)
from models.judge.kinds import TASK_KINDS, task_kind
from models.judge.text import (
    ERROR_RE,
    FILE_RE,
    FIRST_PERSON_RE,
    FIX_RE,
    GENERIC_RE,
    HELP_SEEKING_RE,
    LAST_KINDS,
    NO_ACTION_RE,
    QUOTED_RE,
    SEARCH_RE,
    SWITCH_RE,
    VERB_KIND_NAMES,
    VERB_KINDS,
    HashedTfidf,
    content_tokens,
    entities,
    file_names,
    narrated_share,
    tokens,
    word_buckets,
)

RECENT = 8  # sentences that enter the recency-weighted features (0.6 ** 8 < 0.02)
DECAY = 0.6

# which kind of help fits what the last few sentences show: an error (fixing it), a message
# being written (a reply), pages read (a summary), a document being written (writing, reviewing)
FIT_KINDS = ("fix_error", "reply", "summarise", "write", "review")
_DOC_RE = re.compile(r"(?i)\.(md|txt|odt|docx?|tex|rst|rtf)\b|\b(word|writer|docs|notion|obsidian)\b")


def _fits(kind: str, recent: Sequence[str]) -> dict[str, float]:
    """FIT_KINDS: 1 where the task's kind is the help the recent sentences point at."""
    text = " ".join(recent)
    error = bool(ERROR_RE.search(text))
    typing_message = any(MESSAGE_RE.search(s) and TYPES_RE.search(s) for s in recent)
    reading = sum(1 for s in recent if READS_RE.search(s)) >= 2
    document = any(_DOC_RE.search(s) and TYPES_RE.search(s) for s in recent)
    return {"fix_error": float(kind == "fix_error" and error),
            "reply": float(kind == "reply" and typing_message),
            "summarise": float(kind == "summarise" and reading and not error),
            "write": float(kind == "write" and document),
            "review": float(kind == "review" and (document or error))}


TASK_FEATURES = (
    (
        "cos_last1",
        "cos_last3",
        "cos_all",
        "cos_recent",
        "cos_best_recent",
        "best_match_recency",
        "ovl_last1",
        "ovl_last3",
        "ovl_all",
        "ovl_recent",
        "ovl_focus",
        "entity_any",
        "entity_last3",
        "entity_last1",
        "quoted_in_task",
        "file_in_task",
        "file_of_history_in_task",
        "error_task_recent_error",
        "error_task_any_error",
        "log_task_words",
        "generic_words",
        "first_person",
        "no_overlap",
    )
    + tuple(f"fits_{k}" for k in FIT_KINDS)
    + tuple(f"verb_{k}" for k in VERB_KIND_NAMES)
    + tuple(f"kind_{k}" for k in TASK_KINDS)
    + ACTIVITY_FITS
    + ("fits_any",)
)
RELATIVE_SOURCES = (
    "cos_last1",
    "cos_last3",
    "cos_recent",
    "ovl_recent",
    "ovl_focus",
    "entity_any",
    "log_task_words",
    "generic_words",
)
RELATIVE_FEATURES = tuple(f"{s}_{r}" for s in RELATIVE_SOURCES for r in ("rank", "minus_mean", "minus_max"))
HISTORY_FEATURES = (
    "log_hist_len",
    "error_last3",
    "error_any",
    "error_recency",
    "search_recency",
    "search_any",
    "no_action_last2",
    "switch_share_last5",
    "last_log_words",
    "last_quoted",
    "last_novelty",
    "files_named",
    "session_position",
    "last_help_seeking",
) + tuple(f"last_{k}" for k, _ in LAST_KINDS) + tuple(f"act_{a}" for a in ACTIVITY_FEATURES)
FEATURE_NAMES = TASK_FEATURES + RELATIVE_FEATURES + tuple(f"hist_{h}" for h in HISTORY_FEATURES)
TASK_WORDS, LAST_WORDS, APP_WORDS = "t", "l", "a"  # namespaces of the hashed words
APP_SENTENCES = 4  # in the app's own narration the latest sentence is often typing or scrolling: read a few


def _overlap(task_words: set[str], context: set[str]) -> float:
    return len(task_words & context) / len(task_words) if task_words else 0.0


def _recency_weights(n: int) -> list[float]:
    return [DECAY**k for k in range(n)]


def history_features(history: Sequence[str], tfidf: HashedTfidf) -> Any:
    """`history_row` as a numpy vector (training)."""
    import numpy as np

    return np.asarray(history_row(history, tfidf), dtype=np.float64)


def history_row(history: Sequence[str], tfidf: HashedTfidf) -> list[float]:
    """Columns HISTORY_FEATURES: what the user has been doing, most of all just now (pure Python)."""
    n = len(history)
    last = history[-1] if history else ""
    ago_error = [n - 1 - i for i, s in enumerate(history) if ERROR_RE.search(s)]
    ago_search = [n - 1 - i for i, s in enumerate(history) if SEARCH_RE.search(s)]
    switches = [1.0 if SWITCH_RE.search(s) else 0.0 for s in history[-5:]]
    if n >= 2:
        v_last = tfidf.vector(last)
        novelty = 1.0 - max(tfidf.cosine(v_last, tfidf.vector(s)) for s in history[-RECENT - 1 : -1])
    else:
        novelty = 1.0
    row = [
        math.log1p(n),
        1.0 if any(k < 3 for k in ago_error) else 0.0,
        1.0 if ago_error else 0.0,
        DECAY ** min(ago_error) if ago_error else 0.0,
        DECAY ** min(ago_search) if ago_search else 0.0,
        1.0 if ago_search else 0.0,
        1.0 if any(NO_ACTION_RE.search(s) for s in history[-2:]) else 0.0,
        sum(switches) / max(len(switches), 1),
        math.log1p(len(tokens(last))),
        min(len(QUOTED_RE.findall(last)), 3) / 3.0,
        novelty,
        min(len({f for s in history for f in file_names(s)}), 5) / 5.0,
        min(n, 20) / 20.0,
        1.0 if HELP_SEEKING_RE.search(last) else 0.0,
    ]
    row += [1.0 if rx.search(last) else 0.0 for _, rx in LAST_KINDS]
    row += activity(history)
    return row


class _Context:
    """What every candidate of one history is compared with (computed once per history)."""

    def __init__(self, history: Sequence[str], tfidf: HashedTfidf) -> None:
        recent = list(history[-RECENT:])[::-1]  # newest first
        self.recent_vecs = [tfidf.vector(s) for s in recent]
        self.recent_words = [content_tokens(s) for s in recent]
        self.weights = _recency_weights(len(recent))
        self.v3 = tfidf.vector(" ".join(history[-3:]))
        self.v_all = tfidf.vector(" ".join(history))
        words = [content_tokens(s) for s in history]
        self.w1 = words[-1] if words else set()
        self.w3 = set().union(*words[-3:]) if words else set()
        self.w_all = set().union(*words) if words else set()
        self.focus = {w for w, c in Counter(w for ws in words for w in ws).items() if c >= 2}
        ents = [entities(s) for s in history]
        self.e_any = set().union(*ents) if ents else set()
        self.e3 = set().union(*ents[-3:]) if ents else set()
        self.e1 = ents[-1] if ents else set()
        self.err_recent = bool(ERROR_RE.search(" ".join(history[-3:])))
        self.err_any = any(ERROR_RE.search(s) for s in history)
        self.files = {f for s in history for f in file_names(s)}
        self.recent4 = list(history[-4:])
        self.activity = activity(history)


def _task_row(task: str, ctx: _Context, tfidf: HashedTfidf) -> list[float]:
    words = content_tokens(task)
    vec = tfidf.vector(task)
    cos = [tfidf.cosine(vec, v) for v in ctx.recent_vecs]
    ovl = [_overlap(words, w) for w in ctx.recent_words]
    wsum = sum(ctx.weights) or 1.0
    toks = tokens(task)
    verb = VERB_KINDS.get(toks[0], "other") if toks else "other"
    about_error = bool(ERROR_RE.search(task) or FIX_RE.search(task))
    kind = task_kind(task)
    row = [
        cos[0] if cos else 0.0,
        tfidf.cosine(vec, ctx.v3),
        tfidf.cosine(vec, ctx.v_all),
        sum(c * w for c, w in zip(cos, ctx.weights)) / wsum,
        max(cos[:5]) if cos else 0.0,
        DECAY ** cos.index(max(cos)) if cos and max(cos) > 0 else 0.0,
        _overlap(words, ctx.w1),
        _overlap(words, ctx.w3),
        _overlap(words, ctx.w_all),
        sum(o * w for o, w in zip(ovl, ctx.weights)) / wsum,
        _overlap(words, ctx.focus),
        len(words & ctx.e_any) / max(len(ctx.e_any), 1) ** 0.5,
        1.0 if words & ctx.e3 else 0.0,
        1.0 if words & ctx.e1 else 0.0,
        min(len(QUOTED_RE.findall(task)), 3) / 3.0,
        1.0 if FILE_RE.search(task) else 0.0,
        1.0 if file_names(task) & ctx.files else 0.0,
        1.0 if about_error and ctx.err_recent else 0.0,
        1.0 if about_error and ctx.err_any else 0.0,
        math.log1p(len(toks)),
        5.0 * len(GENERIC_RE.findall(task)) / max(len(toks), 1),
        1.0 if FIRST_PERSON_RE.search(task.strip()) else 0.0,
        1.0 if not (words & ctx.w_all) else 0.0,
    ]
    fits = _fits(kind, ctx.recent4)
    row += [fits[k] for k in FIT_KINDS]
    row += [1.0 if verb == k else 0.0 for k in VERB_KIND_NAMES]
    row += [1.0 if kind == k else 0.0 for k in TASK_KINDS]
    act_fits = activity_fits(kind, ctx.activity)
    row += act_fits
    row.append(max(act_fits))  # the task is the help that the user's activity clearly points at
    return row


def task_features(history: Sequence[str], tasks: Sequence[str], tfidf: HashedTfidf) -> Any:
    """`task_rows` as a numpy matrix (training and evaluation)."""
    import numpy as np

    if not tasks:
        return np.zeros((0, len(FEATURE_NAMES)))
    return np.asarray(task_rows(history, tasks, tfidf), dtype=np.float64)


def task_rows(history: Sequence[str], tasks: Sequence[str], tfidf: HashedTfidf) -> list[list[float]]:
    """One row per task (no None here), columns FEATURE_NAMES: fit, standing among siblings, history (pure
    Python, so scoring in the live loop needs no numpy)."""
    if not tasks:
        return []
    ctx = _Context(history, tfidf)
    own = [_task_row(t, ctx, tfidf) for t in tasks]
    rel: list[list[float]] = [[] for _ in tasks]
    for source in RELATIVE_SOURCES:
        col = [row[TASK_FEATURES.index(source)] for row in own]
        mean, best, others = sum(col) / len(col), max(col), max(len(col) - 1, 1)
        for r, c in zip(rel, col):
            r += [sum(1 for o in col if c > o) / others, c - mean, c - best]
    hist = history_row(history, tfidf)
    return [o + r + hist for o, r in zip(own, rel)]


def task_word_buckets(history: Sequence[str], task: str) -> set[int]:
    """Hashed words of the task and of the latest sentence (separate namespaces). The few sentences before it
    are left to the dense features here: in this app's narration their words are mostly the names of one
    situation's files and windows, which a task model learns as "this place" rather than "this need"."""
    return word_buckets(task, TASK_WORDS) | word_buckets(history[-1] if history else "", LAST_WORDS)


def gate_word_buckets(history: Sequence[str]) -> set[int]:
    """Hashed words of the latest sentence; for the app's own narration also those of the few sentences before
    it, in their own namespace, so what they teach about the app's sentences leaves other text alone."""
    words = word_buckets(history[-1] if history else "", LAST_WORDS)
    if narrated_share(history) >= 0.5:
        words |= word_buckets(" ".join(history[-APP_SENTENCES:]), APP_WORDS)
    return words
