"""Text helpers for the judge: tokens, hashed buckets, idf-weighted vectors, names and kinds found in text.

Text is hashed into buckets (crc32), so anything fitted on it (idf weights, word coefficients) is stored per
bucket number, never as words or sentences. Everything here is the standard library plus numpy-free Python,
so scoring loads fast.
"""

from __future__ import annotations

import itertools
import math
import re
import zlib
from collections.abc import Sequence

N_BUCKETS = 1 << 15
TOKEN_RE = re.compile(r"\w\w+", re.UNICODE)
QUOTED_RE = re.compile(r"['\"‘’“”]([^'\"‘’“”]{2,80})['\"‘’“”]")
FILE_RE = re.compile(
    r"\b[\w\-/]+\.(?:py|rb|js|ts|go|rs|swift|java|c|cpp|h|m|md|txt|json|csv|yaml|yml|html|"
    r"css|sh|ipynb|tex|docx?|pdf|xlsx?|pptx?|odt|ods|rst)\b",
    re.IGNORECASE,
)
ERROR_RE = re.compile(
    r"\b(error|errors|exception|traceback|fail(?:ed|s|ure)?|bug|crash(?:ed)?|warning)\b", re.IGNORECASE
)
FIX_RE = re.compile(r"\b(fix|debug|resolve|troubleshoot)\b", re.IGNORECASE)
SEARCH_RE = re.compile(r"\b(search(?:es|ed|ing)?|google[sd]?|query|bing|baidu)\b", re.IGNORECASE)
SWITCH_RE = re.compile(r"\b(switch(?:es|ed)?|returns?|returned|navigat\w*|back to)\b", re.IGNORECASE)
NO_ACTION_RE = re.compile(
    r"\b(without (?:performing|any)|no (?:specific )?action|idle|inactive|remains?|stays?|stayed|away)\b",
    re.IGNORECASE,
)
GENERIC_RE = re.compile(
    r"\b(resources?|tutorials?|documentation|information|tips|tools?|practices|more|additional|related|"
    r"general|latest|news|guides?)\b",
    re.IGNORECASE,
)
HELP_SEEKING_RE = re.compile(
    r"(?i)\b(\w*error|\w*exception|traceback|fail(?:s|ed|ure)?|warning|crash(?:es|ed)?|"
    r"search(?:es|ed|ing)?|googles?|how to|how do|stack ?overflow|stuck)\b|\?"
)
FIRST_PERSON_RE = re.compile(r"^(i |i'll|i can|would you|do you|let me|we )", re.IGNORECASE)

_STOPWORD_TEXT = (
    "the a an and or of to in on for with by at from as is are was were be been it its this that "
    "these those user user's users their them they he she his her you your i me my we our can could "
    "would should will may might do does did not no if then than so such into onto about any some "
    "more most also just which what when while who how all each other there here up out over under "
    "again new help provide offer suggest assist task related relevant"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

# First word of a task -> coarse verb (what sort of offer it is).
VERB_KINDS: dict[str, str] = {
    word: kind
    for kind, words in {
        "provide": "provide offer share give",
        "help": "help assist guide support",
        "suggest": "suggest recommend propose",
        "search": "search find look explore research conduct browse locate gather",
        "open": "open switch navigate show go launch",
        "explain": "explain summarize summarise translate analyze analyse compare highlight clarify describe",
        "create": "create write draft compile organize organise set generate make add prepare outline collect",
        "check": "check review fix debug run test verify correct validate proofread",
    }.items()
    for word in words.split()
}
VERB_KIND_NAMES = ("provide", "help", "suggest", "search", "open", "explain", "create", "check", "other")

# What the latest observation is about (one-hot in the history features).
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


def tokens(text: str) -> list[str]:
    return TOKEN_RE.findall(text.lower())


def content_tokens(text: str) -> set[str]:
    return {t for t in tokens(text) if t not in STOPWORDS and not t.isdigit()}


def bucket(token: str) -> int:
    return zlib.crc32(token.encode("utf-8")) % N_BUCKETS


def hashed_counts(text: str) -> dict[int, float]:
    """Bag of hashed unigrams + bigrams of non-stopwords (for the idf-weighted similarity vectors)."""
    words = [t for t in tokens(text) if t not in STOPWORDS]
    counts: dict[int, float] = {}
    for gram in words + [f"{a} {b}" for a, b in itertools.pairwise(words)]:
        b = bucket(gram)
        counts[b] = counts.get(b, 0.0) + 1.0
    return counts


def word_buckets(text: str, prefix: str) -> set[int]:
    """Hashed content words of `text` under a namespace `prefix` (the bag-of-words part of the models)."""
    return {bucket(f"{prefix}:{w}") for w in content_tokens(text)}


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


def file_names(text: str) -> set[str]:
    return {m.group(0).lower() for m in FILE_RE.finditer(text)}


# The sentences this app's narrator writes (assistant.decide.narrator), told apart from other observation text
# (ProactiveBench's: 2 % of its sentences match, 99 % of the app's), so the judge can learn what the app's own
# narration says about need (its base rates differ from the annotated sessions').
NARRATED = re.compile(
    r"^The user (?:switches to [A-Z][^.']*(?: \('.+'\))?\.|switches to \S.* and reads '.+'\.|opens '.+' in \S.*\.|"
    r"switches back to '.+' in \S.*\.|types in (?:'.+' in )?\S.* for \d+(?:\.\d)? (?:seconds|minutes?|hours)|"
    r"scrolls through (?:'.+' in )?\S.* for \d|"
    r"clicks around in |saves (?:'.+' in )?\S.* \(\w+\+s\)\.|copies text in |searches \w+(?: \w+)? for '.+'\.|"
    r"is idle for \d|launches [A-Z]|closes [A-Z]|types '.+' in |switches to \S+ \('.+'\)\.)")


def narrated_share(history: Sequence[str]) -> float:
    """The share of sentences written by this app's narrator (0 for ProactiveBench's, ~1 for the app's)."""
    return sum(1 for s in history if NARRATED.match(s)) / len(history) if history else 0.0
