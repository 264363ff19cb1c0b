"""What a proposal must never look like, checked on every proposal the engine makes over the public traces
(`python -m bench.golden`, tests/test_golden.py): raw window-title furniture, a traceback header, an empty or
broken template slot, or a file that is not in the recent context."""

from __future__ import annotations

import re
from collections.abc import Sequence

from models.situation import file_of, usable_entity

RECENT = 8  # sentences of history a task may draw its entities from
_QUOTED = re.compile(r"(?<![A-Za-z0-9])'(.*?)'(?![A-Za-z0-9])")
_FURNITURE = re.compile(r"(?i)\s[-\u2013\u2014|]\s*(mozilla firefox|google chrome|chromium|microsoft edge|"
                        r"visual studio code|vscodium|google search|bing|duckduckgo|stack overflow|libreoffice \w+|"
                        r"gedit|thunderbird)\b")


def wording_problems(task: str, history: Sequence[str]) -> list[str]:
    """Every rule `task` breaks (empty when it reads like a person wrote it)."""
    problems = []
    if _FURNITURE.search(task):
        problems.append("raw title furniture")
    if "Traceback (most recent call last)" in task:
        problems.append("a traceback header")
    recent = " ".join(history[-RECENT:])
    for entity in _QUOTED.findall(task):
        if not entity.strip():
            problems.append("an empty template slot")
            continue
        name = file_of(entity)
        if name is not None and name not in recent:
            problems.append(f"names a file not in the recent context: {name!r}")
        elif name is None and not usable_entity(entity):
            problems.append(f"a broken template slot: {entity!r}")
    if "''" in task:
        problems.append("an empty template slot")
    return problems
