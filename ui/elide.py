"""Cutting text to a few lines at a word boundary, with an ellipsis (the card's task and "why now")."""

from __future__ import annotations

import re

from PySide6.QtGui import QFontMetrics

_BREAK_AFTER = re.compile(r"(?<=[./,=:;()\[\]?&_\-\\])")


def _pieces(text: str, metrics: QFontMetrics, width: int) -> list[tuple[str, bool]]:
    """(piece, glued to the one before) for each word; a word wider than a line is split after its
    punctuation ('api.example.org,' -> 'api.', 'example.', 'org,'), never inside a run of letters or digits,
    unless one such run is itself wider than a line."""
    out: list[tuple[str, bool]] = []
    for word in text.split():
        if metrics.horizontalAdvance(word) <= width:
            out.append((word, False))
            continue
        chunk, glued = "", False
        for part in (p for p in _BREAK_AFTER.split(word) if p):
            while metrics.horizontalAdvance(part) > width:  # a run with no break at all: cut where it must
                n = len(part) - 1
                while n > 1 and metrics.horizontalAdvance(part[:n]) > width:
                    n -= 1
                if chunk:
                    out.append((chunk, glued))
                    chunk, glued = "", True
                out.append((part[:n], glued))
                part, glued = part[n:], True
            if chunk and metrics.horizontalAdvance(chunk + part) > width:
                out.append((chunk, glued))
                chunk, glued = part, True
            else:
                chunk += part
        if chunk:
            out.append((chunk, glued))
    return out


def elide_words(text: str, metrics: QFontMetrics, width: int, max_lines: int) -> str:
    """`text` wrapped to `width` pixels; past `max_lines` lines it is cut after a whole word (or after the
    punctuation inside a long identifier) with an ellipsis."""
    lines: list[list[tuple[str, bool]]] = [[]]
    for piece, glued in _pieces(text, metrics, width):
        line = lines[-1]
        trial = _joined(line + [(piece, glued)])
        if line and metrics.horizontalAdvance(trial) > width:
            lines.append([(piece, False)])
        else:
            line.append((piece, glued))
    if len(lines) <= max_lines:
        return text  # it fits: the label wraps it
    kept = lines[:max_lines]
    last = kept[-1]
    while len(last) > 1 and metrics.horizontalAdvance(_joined(last) + "\u2026") > width:
        last = last[:-1]
    kept[-1] = last
    return "\n".join(_joined(line) for line in kept).rstrip(" .,;:=(/\\-\u2013\u2014") + "\u2026"


def _joined(line: list[tuple[str, bool]]) -> str:
    return "".join(("" if glued or i == 0 else " ") + piece for i, (piece, glued) in enumerate(line))
