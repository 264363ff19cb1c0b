"""Features of (history, candidate task) pairs for the judge, computed jointly over sibling candidates.

Only similarity and shape features are used, never raw word vectors: with ~16 training sessions raw vectors
overfit, while "how well does this task fit what the user just did, compared with the other candidates"
carries over to new sessions. Text is hashed into buckets (crc32), so the shipped artefact holds idf weights
per bucket, never words or sentences.

Everything here is numpy + the standard library, so scoring loads fast and needs no scikit-learn.
"""

from __future__ import annotations

import itertools
import math
import re
import zlib
from collections.abc import Sequence

import numpy as np

N_BUCKETS = 1 << 15
TOKEN_RE = re.compile(r"\w\w+", re.UNICODE)
QUOTED_RE = re.compile(r"['\"‘’“”]([^'\"‘’“”]{2,80})['\"‘’“”]")
FILE_RE = re.compile(
    r"\b[\w\-/]+\.(?:py|rb|js|ts|go|rs|swift|java|c|cpp|h|m|md|txt|json|csv|yaml|yml|html|"
    r"css|sh|ipynb|tex|docx?|pdf|xlsx?|pptx?)\b",
    re.IGNORECASE,
)
ERROR_RE = re.compile(
    r"\b(error|errors|exception|traceback|fail(?:ed|s|ure)?|bug|crash(?:ed)?|warning)\b", re.IGNORECASE
)
STOPWORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "by",
        "at",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "user",
        "user's",
        "their",
        "them",
        "they",
        "he",
        "she",
        "his",
        "her",
        "you",
        "your",
        "i",
        "me",
        "my",
        "we",
        "our",
        "can",
        "could",
        "would",
        "should",
        "will",
        "may",
        "might",
        "do",
        "does",
        "did",
        "not",
        "no",
        "if",
        "then",
        "than",
        "so",
        "such",
        "into",
        "onto",
        "about",
        "any",
        "some",
        "more",
        "most",
        "also",
        "just",
        "which",
        "what",
        "when",
        "while",
        "who",
        "how",
        "all",
        "each",
        "other",
        "there",
        "here",
        "up",
        "out",
        "over",
        "under",
        "again",
        "new",
        "help",
        "provide",
        "offer",
        "suggest",
        "assist",
        "task",
        "related",
        "relevant",
    ]
)

# First word of a task -> coarse verb kind (what sort of help is offered).
VERB_KINDS: dict[str, str] = {}
for _kind, _words in {
    "provide": "provide offer share give",
    "help": "help assist guide support",
    "suggest": "suggest recommend propose",
    "search": "search find look explore research conduct browse locate gather",
    "open": "open switch navigate show go launch",
    "explain": "explain summarize summarise translate analyze analyse compare highlight clarify describe",
    "create": "create write draft compile organize organise set generate make add prepare",
    "check": "check review fix debug run test verify correct validate",
}.items():
    for _w in _words.split():
        VERB_KINDS[_w] = _kind
VERB_KIND_NAMES = ("provide", "help", "suggest", "search", "open", "explain", "create", "check", "other")

# What the latest observation is about (one-hot).
LAST_KINDS = (
    ("error", ERROR_RE),
    ("search", re.compile(r"\b(search(?:es|ed|ing)?|google|query|types? .* into)\b", re.IGNORECASE)),
    (
        "read",
        re.compile(r"\b(reads?|scroll(?:s|ed|ing)?|reviews?|views?|browses?|watch(?:es)?)\b", re.IGNORECASE),
    ),
    (
        "write",
        re.compile(r"\b(types?|typed|typing|writes?|edit(?:s|ed|ing)?|cod(?:es|ing))\b", re.IGNORECASE),
    ),
    ("switch", re.compile(r"\b(switch(?:es|ed)?|opens?|opened|navigat\w*|returns?)\b", re.IGNORECASE)),
    ("idle", re.compile(r"\b(idle|inactive|no specific action|stays?|stayed|pause[sd]?)\b", re.IGNORECASE)),
)

TASK_FEATURES = (
    "cos_last1",
    "cos_last3",
    "cos_all",
    "ovl_last1",
    "ovl_last3",
    "ovl_all",
    "entity_last3",
    "entity_all",
    "file_in_task",
    "error_task_match",
    "log_task_words",
    "no_overlap",
) + tuple(f"verb_{k}" for k in VERB_KIND_NAMES)
RELATIVE_SOURCES = ("cos_last3", "ovl_all", "entity_all", "log_task_words")
RELATIVE_FEATURES = tuple(f"{s}_{r}" for s in RELATIVE_SOURCES for r in ("rank", "minus_mean", "minus_max"))
HISTORY_FEATURES = ("log_hist_len", "error_recent", "files_named") + tuple(f"last_{k}" for k, _ in LAST_KINDS)
NULL_FEATURES = (
    ("is_null",)
    + tuple(f"null_x_{h}" for h in HISTORY_FEATURES)
    + ("null_x_best_cos_last3", "null_x_best_ovl_all")
)
FEATURE_NAMES = (
    TASK_FEATURES + RELATIVE_FEATURES + tuple(f"task_x_{h}" for h in HISTORY_FEATURES) + NULL_FEATURES
)


def tokens(text: str) -> list[str]:
    return TOKEN_RE.findall(text.lower())


def content_tokens(text: str) -> set[str]:
    return {t for t in tokens(text) if t not in STOPWORDS and not t.isdigit()}


def bucket(token: str) -> int:
    return zlib.crc32(token.encode("utf-8")) % N_BUCKETS


def hashed_counts(text: str) -> dict[int, float]:
    """Bag of hashed unigrams + bigrams of content words."""
    words = [t for t in tokens(text) if t not in STOPWORDS]
    counts: dict[int, float] = {}
    for gram in words + [f"{a} {b}" for a, b in itertools.pairwise(words)]:
        b = bucket(gram)
        counts[b] = counts.get(b, 0.0) + 1.0
    return counts


class HashedTfidf:
    """Tf-idf over hashed buckets; `idf` maps bucket -> weight, `default_idf` is used for unseen buckets."""

    def __init__(self, idf: dict[int, float], default_idf: float) -> None:
        self.idf = idf
        self.default_idf = default_idf

    def vector(self, text: str) -> dict[int, float]:
        vec = {
            b: (1.0 + math.log(c)) * self.idf.get(b, self.default_idf) for b, c in hashed_counts(text).items()
        }
        norm = math.sqrt(sum(v * v for v in vec.values()))
        return {b: v / norm for b, v in vec.items()} if norm else {}

    @staticmethod
    def cosine(a: dict[int, float], b: dict[int, float]) -> float:
        if len(a) > len(b):
            a, b = b, a
        return sum(v * b.get(k, 0.0) for k, v in a.items())


def entities(text: str) -> set[str]:
    """Names the user touched: quoted strings and file names, as lower-case content words."""
    found: set[str] = set()
    for m in QUOTED_RE.finditer(text):
        found |= content_tokens(m.group(1))
    for m in FILE_RE.finditer(text):
        found |= content_tokens(m.group(0))
    return found


def _overlap(task_words: set[str], context: set[str]) -> float:
    return len(task_words & context) / len(task_words) if task_words else 0.0


def history_features(history: Sequence[str]) -> np.ndarray:
    last = history[-1] if history else ""
    recent = " ".join(history[-3:])
    row = [
        math.log1p(len(history)),
        1.0 if ERROR_RE.search(recent) else 0.0,
        min(len({m.group(0).lower() for s in history for m in FILE_RE.finditer(s)}), 5) / 5.0,
    ]
    row += [1.0 if rx.search(last) else 0.0 for _, rx in LAST_KINDS]
    return np.asarray(row, dtype=np.float64)


def _task_features(task: str, ctx: dict, tfidf: HashedTfidf) -> list[float]:
    words = content_tokens(task)
    tvec = tfidf.vector(task)
    first = tokens(task)[0] if tokens(task) else ""
    verb = VERB_KINDS.get(first, "other")
    ents_task = words
    row = [
        tfidf.cosine(tvec, ctx["v1"]),
        tfidf.cosine(tvec, ctx["v3"]),
        tfidf.cosine(tvec, ctx["vall"]),
        _overlap(words, ctx["w1"]),
        _overlap(words, ctx["w3"]),
        _overlap(words, ctx["wall"]),
        1.0 if ents_task & ctx["e3"] else 0.0,
        len(ents_task & ctx["eall"]) / max(len(ctx["eall"]), 1) ** 0.5,
        1.0 if FILE_RE.search(task) else 0.0,
        1.0
        if (ERROR_RE.search(task) or re.search(r"\b(fix|debug)\b", task, re.IGNORECASE)) and ctx["err"]
        else 0.0,
        math.log1p(len(tokens(task))),
        1.0 if not (words & ctx["wall"]) else 0.0,
    ]
    row += [1.0 if verb == k else 0.0 for k in VERB_KIND_NAMES]
    return row


def pair_features(history: Sequence[str], tasks: Sequence[str | None], tfidf: HashedTfidf) -> np.ndarray:
    """One row per candidate in `tasks` (None = no task), columns FEATURE_NAMES.

    Task rows carry their fit to the context, their standing among the other non-null candidates (rank,
    difference from mean and max) and the history features; the null row carries the history features and
    how good the best task candidate is, through separate columns so both can learn opposite effects.
    The number of candidates is deliberately not a feature: at run time it is set by the candidate
    generator, not by the user's situation.
    """
    last1, last3, full = (history[-1] if history else ""), " ".join(history[-3:]), " ".join(history)
    ctx = {
        "v1": tfidf.vector(last1),
        "v3": tfidf.vector(last3),
        "vall": tfidf.vector(full),
        "w1": content_tokens(last1),
        "w3": content_tokens(last3),
        "wall": content_tokens(full),
        "e3": set().union(*(entities(s) for s in history[-3:])) if history else set(),
        "eall": set().union(*(entities(s) for s in history)) if history else set(),
        "err": bool(ERROR_RE.search(last3)),
    }
    hist = history_features(history)
    n_task = len(TASK_FEATURES)
    task_idx = [i for i, t in enumerate(tasks) if t is not None]
    task_rows = {i: np.asarray(_task_features(tasks[i], ctx, tfidf)) for i in task_idx}
    rel_cols = [TASK_FEATURES.index(s) for s in RELATIVE_SOURCES]
    stacked = np.array([task_rows[i] for i in task_idx]) if task_idx else np.zeros((0, n_task))

    out = np.zeros((len(tasks), len(FEATURE_NAMES)))
    for pos, i in enumerate(task_idx):
        rel = []
        for c in rel_cols:
            col = stacked[:, c]
            rank = (col < col[pos]).sum() / max(len(col) - 1, 1)
            rel += [rank, col[pos] - col.mean(), col[pos] - col.max()]
        out[i] = np.concatenate([task_rows[i], rel, hist, np.zeros(len(NULL_FEATURES))])
    best_cos = stacked[:, TASK_FEATURES.index("cos_last3")].max() if task_idx else 0.0
    best_ovl = stacked[:, TASK_FEATURES.index("ovl_all")].max() if task_idx else 0.0
    null_part = np.concatenate([[1.0], hist, [best_cos, best_ovl]])
    head = n_task + len(RELATIVE_FEATURES) + len(HISTORY_FEATURES)
    for i, t in enumerate(tasks):
        if t is None:
            out[i, head:] = null_part
    return out
