"""User regexes (privacy.exclude_apps / exclude_titles / secret_patterns) that can never freeze the app.

Two guards:

- `problem(pattern)` (used by `proactive config check` and every config load) refuses a pattern that does not
  compile, or that can backtrack catastrophically: a repeat (``+``, ``*``, ``{3,}``) whose body can match the
  same run of one character in more than one way, as in ``(a+)+$``, ``(a|aa)+``, ``(\\w+\\s?)+$`` or
  ``(.*a){20}``. The check is static (it walks the parsed pattern), then confirmed by timing the pattern on
  256-character runs of the characters it mentions.
- `UserPattern` runs a pattern with the `regex` package's timeout (it also releases the GIL while matching),
  so even a pattern the check missed gives up after `TIMEOUT` seconds instead of freezing the process; callers
  then fail closed (the event is dropped, or the text replaced by ``[redacted:unscannable]``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from re import _constants as C
from re import _parser as sre_parse

import regex

TIMEOUT = 0.25  # seconds one user pattern may spend on one text at run time
PROBE_LENGTH = 256  # exponential backtracking shows long before this; quadratic cost stays in milliseconds
PROBE_BUDGET = 0.25  # a probe slower than this is refused
_K = 6  # run lengths 0..K are enough to see two ways of matching in every shape above
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT)
_PROBE_CHARS = [chr(c) for c in range(32, 127)] + ["\t", "\n", "\u00e9", "\u00df", "\u0416", "\u4e2d", "\u00a0"]


class UserPattern:
    """A user's regex, run with a timeout. `search` -> True/False, or None when it timed out."""

    def __init__(self, pattern: str):
        self.pattern = pattern
        self._compiled = regex.compile(pattern)

    def search(self, text: str) -> bool | None:
        try:
            return self._compiled.search(text, timeout=TIMEOUT) is not None
        except TimeoutError:
            return None

    def sub(self, repl: str, text: str) -> str | None:
        try:
            return self._compiled.sub(repl, text, timeout=TIMEOUT)
        except TimeoutError:
            return None


def compile_all(patterns: Iterable[str]) -> list[UserPattern]:
    """Compile the patterns the config accepted (an invalid one is skipped: config check reports it)."""
    out = []
    for pattern in patterns:
        try:
            out.append(UserPattern(pattern))
        except (regex.error, TypeError, ValueError, OverflowError, RecursionError):
            continue
    return out


@lru_cache(maxsize=1024)  # a pure function of the pattern; the config is checked at every load
def problem(pattern: str) -> str | None:
    """What is wrong with `pattern` as a user regex, or None when it is safe to run on every title."""
    if len(pattern) > 1000:
        return f"expected a regular expression of at most 1000 characters, got {len(pattern)}"
    try:
        parsed = sre_parse.parse(pattern)
        regex.compile(pattern)
    except (re.error, regex.error, OverflowError, RecursionError, ValueError) as exc:
        return f"expected a valid regular expression, got {pattern!r} ({exc})"
    witness = _ambiguous_repeat(parsed)
    if witness is None:
        witness = _slow_probe(pattern, parsed)
    if witness is not None:
        run = repr(witness * 4 + "\u2026")
        return (f"expected a regular expression that runs in linear time, got {pattern!r}: it can backtrack "
                f"catastrophically on a run like {run} (a repeat whose body can match the same text in more than "
                "one way, e.g. '(a+)+' or '(a|aa)+'); rewrite it without nested repetition, e.g. 'a+'")
    return None


# ---------------------------------------------------------------- static check

def _flags(parsed) -> int:
    return parsed.state.flags


def _matches(op, av, c: str, flags: int) -> bool:
    """Whether the one-character node (op, av) matches the character c."""
    if flags & re.IGNORECASE:
        variants = {v for v in (c, c.lower(), c.upper()) if len(v) == 1}
        return any(_matches(op, av, v, flags & ~re.IGNORECASE) for v in variants)
    if op is C.LITERAL:
        return ord(c) == av
    if op is C.NOT_LITERAL:
        return ord(c) != av
    if op is C.ANY:
        return c != "\n" or bool(flags & re.DOTALL)
    if op is C.RANGE:
        return av[0] <= ord(c) <= av[1]
    if op is C.CATEGORY:
        return _category(av, c)
    if op is C.IN:
        negate = bool(av) and av[0][0] is C.NEGATE
        items = av[1:] if negate else av
        hit = any(_matches(o, a, c, flags) for o, a in items)
        return hit != negate
    return False


def _category(cat, c: str) -> bool:
    name = str(cat).removeprefix("CATEGORY_").replace("UNI_", "").replace("LOC_", "")
    neg = name.startswith("NOT_")
    kind = name.removeprefix("NOT_")
    hit = {"DIGIT": c.isdecimal(), "SPACE": c.isspace(), "WORD": c.isalnum() or c == "_",
           "LINEBREAK": c == "\n"}.get(kind, False)
    return hit != neg


def _cap(vec: list[int]) -> list[int]:
    return [min(v, 2) for v in vec]


def _conv(a: list[int], b: list[int]) -> list[int]:
    out = [0] * (_K + 1)
    for i, x in enumerate(a):
        if x:
            for j in range(_K + 1 - i):
                out[i + j] += x * b[j]
    return _cap(out)


def _ways(items, c: str, flags: int, found: list[str]) -> list[int]:
    """ways[k]: in how many ways (capped at 2) the node sequence matches exactly c*k, for k in 0.._K.
    A repeat whose own iterations are ambiguous on c appends c to `found`."""
    vec = [1] + [0] * _K
    for op, av in items:
        vec = _conv(vec, _node(op, av, c, flags, found))
    return vec


def _node(op, av, c: str, flags: int, found: list[str]) -> list[int]:
    zero_width = [1] + [0] * _K
    if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
        return [0, 1 if _matches(op, av, c, flags) else 0] + [0] * (_K - 1)
    if op is C.SUBPATTERN:
        _, add, remove, sub = av
        return _ways(sub, c, (flags | add) & ~remove, found)
    if op is C.ATOMIC_GROUP:
        return [min(v, 1) for v in _ways(av, c, flags, found)]
    if op is C.BRANCH:
        total = [0] * (_K + 1)
        for alt in av[1]:
            total = _cap([x + y for x, y in zip(total, _ways(alt, c, flags, found), strict=True)])
        return total
    if op is C.GROUPREF_EXISTS:
        _, yes, no = av
        total = _ways(yes, c, flags, found)
        other = _ways(no, c, flags, found) if no is not None else zero_width
        return _cap([x + y for x, y in zip(total, other, strict=True)])
    if op in _REPEATS or op is C.POSSESSIVE_REPEAT:
        low, high, sub = av
        body = _ways(sub, c, flags, found)
        nonempty = [0] + body[1:]
        total = [1 if low == 0 or body[0] else 0] + [0] * _K
        power = [1] + [0] * _K
        any_count = [0] * (_K + 1)  # ways over every number of iterations, ignoring the minimum
        for m in range(1, min(high, _K) + 1):
            power = _conv(power, nonempty)
            any_count = _cap([x + y for x, y in zip(any_count, power, strict=True)])
            if m >= low or body[0]:
                total = _cap([x + y for x, y in zip(total, power, strict=True)])
        if op is C.POSSESSIVE_REPEAT:
            return [min(v, 1) for v in total]
        if high >= 3 and any(v >= 2 for v in any_count[1:]):
            found.append(c)
        return total
    if op is C.GROUPREF:
        return [1] * (_K + 1)  # a back reference can match anything: assume one way each
    return zero_width  # anchors, lookarounds, \b


def _ambiguous_repeat(parsed) -> str | None:
    """A character c on whose runs some repeat can split the text in more than one way, or None."""
    flags = _flags(parsed)
    for c in _PROBE_CHARS:
        found: list[str] = []
        _ways(list(parsed), c, flags, found)
        if found:
            return c
    return None


# ---------------------------------------------------------------- empirical probe

def _literal_chars(parsed, out: set[str]) -> None:
    for op, av in parsed:
        if op is C.LITERAL:
            out.add(chr(av))
        elif op is C.IN:
            for o, a in av:
                if o is C.LITERAL:
                    out.add(chr(a))
                elif o is C.RANGE:
                    out.add(chr(a[0]))
        elif isinstance(av, (list, tuple)):
            for item in av:
                if isinstance(item, sre_parse.SubPattern):
                    _literal_chars(item, out)
                elif isinstance(item, list):
                    for sub in item:
                        if isinstance(sub, sre_parse.SubPattern):
                            _literal_chars(sub, out)
        if isinstance(av, sre_parse.SubPattern):
            _literal_chars(av, out)


def _literal_words(parsed, out: set[str]) -> None:
    """Runs of two or more literal characters anywhere in the pattern ('ab' and 'abab' in '(ab|abab)+'): a
    repeat can be ambiguous on repetitions of a word as well as of one character."""
    word = ""
    for op, av in parsed:
        if op is C.LITERAL:
            word += chr(av)
            continue
        if 2 <= len(word) <= 16:
            out.add(word)
        word = ""
        items = av if isinstance(av, (list, tuple)) else [av]
        for item in items:
            if isinstance(item, sre_parse.SubPattern):
                _literal_words(item, out)
            elif isinstance(item, list):
                for sub in item:
                    if isinstance(sub, sre_parse.SubPattern):
                        _literal_words(sub, out)
    if 2 <= len(word) <= 16:
        out.add(word)


def _slow_probe(pattern: str, parsed) -> str | None:
    chars: set[str] = set()
    _literal_chars(parsed, chars)
    words: set[str] = set()
    _literal_words(parsed, words)
    compiled = regex.compile(pattern)
    runs = sorted(chars | {"a", " ", "0"})[:40] + sorted(words, key=len)[:40]
    rest = "!" + "".join(sorted(chars))[:16]  # a failing tail that still holds every literal the pattern needs
    for run in runs:
        for tail in ("!", "\x00", "", rest):
            try:
                compiled.search(run * (PROBE_LENGTH // len(run)) + tail, timeout=PROBE_BUDGET)
            except TimeoutError:
                return run
    return None
