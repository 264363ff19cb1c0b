"""Secret redaction: a pure function over untrusted text (window titles, typed text, clipboard, URLs).

`redact(text)` replaces every secret it recognises with a marker such as ``[redacted:email]``:

- private key blocks, passwords in URLs (``scheme://user:pass@host``), ``Bearer <token>``,
- JSON Web Tokens, API keys with a known prefix (``sk-``, ``ghp_``/``github_pat_``, ``AKIA``/``ASIA``,
  ``xox?-``, ``AIza``, ``sk_live_``/``rk_test_``, ``glpat-``, ``npm_``, ``hf_``),
- ``password=...``/``token: ...`` style assignments, e-mail addresses,
- card numbers (13-19 digits that pass the Luhn check), long hex strings (32+ digits, e.g. hashes and keys),
- long high-entropy base64/url-safe tokens (32+ characters mixing digits and letters),
- and every match of the caller's extra patterns (``privacy.secret_patterns``) as ``[redacted:custom]``.

It is deterministic, has no state and never raises on any str; the store and narrator may call it too.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import pairwise
from typing import Any

# (label, pattern) applied in order; earlier, more specific patterns win. Group 1, when a pattern has one,
# is context that is kept ("Bearer ", "password=").
_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("private-key", re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)",
                               re.DOTALL)),
    ("url-credentials", re.compile(r"(?<=://)[^\s/?#@:]+:[^\s/?#@]+(?=@)")),
    ("token", re.compile(r"(?i)(\bbearer\s+)[A-Za-z0-9._~+/=-]+")),
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}")),
    ("api-key", re.compile(
        r"(?:\bsk-[A-Za-z0-9_-]{12,}"
        r"|\bgh[pousr]_[A-Za-z0-9]{16,}|\bgithub_pat_[A-Za-z0-9_]{16,}"
        r"|\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"
        r"|\bxox[abposr]-[A-Za-z0-9-]{8,}"
        r"|\bAIza[0-9A-Za-z_-]{30,}"
        r"|\b[sr]k_(?:live|test)_[A-Za-z0-9]{8,}"
        r"|\bglpat-[A-Za-z0-9_-]{16,}|\bnpm_[A-Za-z0-9]{20,}|\bhf_[A-Za-z0-9]{20,})")),
    ("password", re.compile(
        r"(?i)(\b(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|access[_-]?key)"
        r"[\"']?\s*[:=]\s*)[\"']?[^\s\"',;&]+")),
    ("email", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")),
]
_CARD = re.compile(r"(?<![\d.])\d(?:[ -]?\d){12,}(?![\d])")
_HEX = re.compile(r"(?<![A-Za-z0-9])(?:0x)?[0-9a-fA-F]{32,}(?![A-Za-z0-9])")
_TOKEN = re.compile(r"[A-Za-z0-9+/_=-]{32,}")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _card(match: re.Match[str]) -> str:
    """Redact the longest run of whole digit groups (13-19 digits) inside the match that passes Luhn."""
    text = match.group()
    groups = [(m.start(), m.end()) for m in re.finditer(r"\d+", text)]
    best: tuple[int, int] | None = None
    for i in range(len(groups)):
        for j in range(i, len(groups)):
            a, b = groups[i][0], groups[j][1]
            digits = re.sub(r"\D", "", text[a:b])
            if len(digits) > 19:
                break
            if 13 <= len(digits) <= 19 and _luhn_ok(digits) and (best is None or b - a > best[1] - best[0]):
                best = (a, b)
    if best is None:
        return text
    return text[:best[0]] + "[redacted:card]" + _CARD.sub(_card, text[best[1]:])


def _entropy(text: str) -> float:
    counts = Counter(text)
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


_ONE_CASE = re.compile(r"[a-z0-9_.=+-]*|[A-Z0-9_.=+-]*")


def looks_random(token: str) -> bool:
    """A 32+ character token that mixes character classes and has high per-character entropy.

    Slash-separated tokens whose parts are each in one letter case read as paths and are kept.
    """
    if "/" in token and all(_ONE_CASE.fullmatch(part) for part in token.split("/")):
        return False
    classes = sum((any(c.isdigit() for c in token), any(c.islower() for c in token),
                   any(c.isupper() for c in token)))
    if classes < 2 or _entropy(token) < 3.6:
        return False
    if any(c.isdigit() or c in "+=" for c in token):
        return True
    letters = [c.isupper() for c in token if c.isalpha()]
    switches = sum(a != b for a, b in pairwise(letters))
    return switches >= 0.3 * len(letters)  # CamelCase words switch case far less often


def _token(match: re.Match[str]) -> str:
    return "[redacted:secret]" if looks_random(match.group()) else match.group()


@lru_cache(maxsize=64)
def _compile(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


def redact(text: str, extra: Sequence[str] = ()) -> str:
    """Return `text` with every recognised secret replaced by ``[redacted:<kind>]``."""
    if not text:
        return text
    if len(text) > 256:
        return _redact.__wrapped__(text, tuple(extra))
    return _redact(text, tuple(extra))


@lru_cache(maxsize=512)  # titles repeat with every heartbeat; the function is pure, so caching is safe
def _redact(text: str, extra: tuple[str, ...]) -> str:
    for pattern in _compile(extra):
        text = pattern.sub("[redacted:custom]", text)
    for label, pattern in _RULES:
        keep = r"\1" if pattern.groups else ""
        text = pattern.sub(f"{keep}[redacted:{label}]", text)
    text = _CARD.sub(_card, text)
    text = _HEX.sub("[redacted:hex]", text)
    return _TOKEN.sub(_token, text)


def redact_value(value: Any, extra: Sequence[str] = ()) -> Any:
    """Redact every string inside `value` (str, list, tuple, dict values); other values pass unchanged."""
    if isinstance(value, str):
        return redact(value, extra)
    if isinstance(value, dict):
        return {k: redact_value(v, extra) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact_value(v, extra) for v in value)
    return value


def contains_secret(text: str, extra: Iterable[str] = ()) -> bool:
    """True when `redact` would change `text`."""
    return bool(text) and redact(text, tuple(extra)) != text
