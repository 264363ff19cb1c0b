"""Maintained secret-detection rules, as data: gitleaks' default rule set (MIT, `secret_rules/gitleaks.toml`,
see `secret_rules/README.md`), run the way gitleaks runs it.

    redact_vendored(text) -> text     every secret a rule finds replaced by ``[redacted:api-key]``

For each rule: its keywords must occur in the lower-cased text (gitleaks' prefilter); its regex (Go RE2 syntax)
runs with RE2 (`google-re2`), which matches in time linear in the text whatever the pattern; the secret is the
rule's `secretGroup`, else the first non-empty group, else the whole match; it counts only when its Shannon
entropy is above the rule's `entropy`, when a `generic` rule's secret holds a digit, and when no allowlist
(the rule's or the global one: regexes on the secret, the match or the line, and stopwords) lets it pass.
Rules are read once, on first use. Without `google-re2` (an install that lacks it) the vendored rules are
skipped and `available()` says so; the built-in rules of `assistant.core.redact` still run.
"""

from __future__ import annotations

import atexit
import logging
import math
import threading
import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

log = logging.getLogger(__name__)
MARKER = "[redacted:api-key]"
RULES_FILE = "gitleaks.toml"


@lru_cache(maxsize=None)
def _regex(pattern: str) -> Any:
    """The RE2 program of a pattern, compiled the first time a rule's keywords occur (most never do)."""
    return _re2().compile(pattern)


@dataclass(frozen=True)
class Allowlist:
    patterns: tuple[str, ...]
    stopwords: tuple[str, ...]
    target: str  # "secret" (default), "match" or "line"
    all_of: bool  # condition = "AND"

    def allows(self, secret: str, match: str, line: str) -> bool:
        text = {"match": match, "line": line}.get(self.target, secret)
        checks = []
        if self.patterns:
            checks.append(any(_regex(p).search(text) for p in self.patterns))
        if self.stopwords:
            low = secret.lower()
            checks.append(any(word in low for word in self.stopwords))
        return bool(checks) and (all(checks) if self.all_of else any(checks))


@dataclass(frozen=True)
class Rule:
    id: str
    pattern: str
    keywords: tuple[str, ...]
    entropy: float
    secret_group: int
    allowlists: tuple[Allowlist, ...]


def _re2() -> Any:
    try:
        import re2
    except ImportError:
        return None
    return re2


def _allowlist(spec: dict[str, Any]) -> Allowlist:
    return Allowlist(tuple(spec.get("regexes", [])), tuple(w.lower() for w in spec.get("stopwords", [])),
                     spec.get("regexTarget", "secret"), spec.get("condition", "OR").upper() == "AND")


@lru_cache(maxsize=1)
def load() -> tuple[tuple[Rule, ...], tuple[Allowlist, ...], tuple[str, ...]]:
    """(rules, global allowlists, ids of rules left out and why). Read once; each rule's regex is compiled when
    its keywords first occur in a text (`compile_all` compiles every one, for the tests and the bench)."""
    re2 = _re2()
    if re2 is None:
        log.warning("google-re2 is not installed: the vendored gitleaks rules are skipped")
        return (), (), ("all: google-re2 is not installed",)
    doc = tomllib.loads(resources.files("assistant.core").joinpath("secret_rules", RULES_FILE)
                        .read_text(encoding="utf-8"))
    rules, skipped = [], []
    for spec in doc.get("rules", []):
        pattern = spec.get("regex")
        if not pattern or spec.get("path"):
            skipped.append(f"{spec.get('id')}: matches file paths, not text")
            continue
        rules.append(Rule(spec["id"], pattern, tuple(k.lower() for k in spec.get("keywords", [])),
                          float(spec.get("entropy", 0.0)), int(spec.get("secretGroup", 0)),
                          tuple(_allowlist(a) for a in spec.get("allowlists", []))))
    return tuple(rules), (_allowlist(doc.get("allowlist", {})),), tuple(skipped)


def load_in_background() -> None:
    """Start reading the rules on a daemon thread, so the first event does not wait for them. The process waits
    for that thread at exit: a command that ends at once (a missing file) must not leave while RE2, a C++
    library, is being loaded, or the C++ runtime aborts the process ("terminate called...")."""
    thread = threading.Thread(target=load, name="secret-rules", daemon=True)
    thread.start()
    atexit.register(thread.join, 30.0)


def compile_all() -> list[str]:
    """Compile every rule and allowlist now; the ids (and errors) of those RE2 cannot compile."""
    rules, lists, _ = load()
    failed = []
    for rule in rules:
        for pattern in (rule.pattern, *(p for a in rule.allowlists for p in a.patterns)):
            try:
                _regex(pattern)
            except Exception as exc:  # noqa: BLE001
                failed.append(f"{rule.id}: {exc}")
    for a in lists:
        for pattern in a.patterns:
            try:
                _regex(pattern)
            except Exception as exc:  # noqa: BLE001
                failed.append(f"global allowlist: {exc}")
    return failed


def available() -> bool:
    return bool(load()[0])


def entropy(text: str) -> float:
    counts = Counter(text)
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values()) if n else 0.0


def _secret_span(match: Any, group: int) -> tuple[int, int]:
    groups = match.groups()
    if group and group <= len(groups) and match.group(group):
        return match.span(group)
    for i, value in enumerate(groups, 1):
        if value:
            return match.span(i)
    return match.span()


def _line(text: str, start: int, end: int) -> str:
    lo = text.rfind("\n", 0, start) + 1
    hi = text.find("\n", end)
    return text[lo:hi if hi >= 0 else len(text)]


def spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, rule id) of every secret the vendored rules find in `text`, in order, not overlapping."""
    rules, global_lists, _ = load()
    if not rules or not text:
        return []
    low = text.lower()
    found: list[tuple[int, int, str]] = []
    for rule in rules:
        if rule.keywords and not any(k in low for k in rule.keywords):
            continue
        try:
            regex = _regex(rule.pattern)
        except Exception:  # noqa: BLE001 - a rule RE2 cannot read is left out (compile_all names it)
            continue
        for match in regex.finditer(text):
            start, end = _secret_span(match, rule.secret_group)
            secret = text[start:end]
            if not secret or secret.startswith("[redacted:"):
                continue
            if rule.entropy and entropy(secret) <= rule.entropy:
                continue
            if rule.id.startswith("generic") and not any(c.isdigit() for c in secret):
                continue
            whole, line = match.group(), _line(text, start, end)
            if any(a.allows(secret, whole, line) for a in (*rule.allowlists, *global_lists)):
                continue
            found.append((start, end, rule.id))
    found.sort()
    out: list[tuple[int, int, str]] = []
    for start, end, rule_id in found:
        if out and start < out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end, out[-1][2])
            continue
        out.append((start, end, rule_id))
    return out


def redact_vendored(text: str) -> str:
    """`text` with every secret the vendored rules find replaced by ``[redacted:api-key]``."""
    found = spans(text)
    if not found:
        return text
    parts, pos = [], 0
    for start, end, _ in found:
        parts += [text[pos:start], MARKER]
        pos = end
    parts.append(text[pos:])
    return "".join(parts)
