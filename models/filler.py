"""Cutting filler from a small model's stream: a sentence it already wrote ends the answer instead of being
written again (greedy decoding of a 135M model loops on its own sentences).

    guard = RepeatGuard()
    for piece in stream:
        show(guard.feed(piece))        # what can be shown now ("" while a possible repeat is held back)
        if guard.stopped: break        # the model started over: stop generating
    show(guard.flush())                # what was held back, when the stream ended first
"""

from __future__ import annotations

import re

_BOUNDARY = re.compile(r"(?<=[.!?])\s+|\n+")
MIN_SENTENCE = 18  # shorter sentences ("Run this:", "Example:") may repeat legitimately


def _norm(text: str) -> str:
    """Words only, numbers as #: a list whose items differ only in their numbers ("Line 16: 'def'",
    "Line 17: 'def'") is filler too."""
    return re.sub(r"\d+", "#", re.sub(r"\W+", " ", text)).strip().lower()


class RepeatGuard:
    """Shows a sentence as it is written, unless it might repeat an earlier one (held until it differs)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.current = ""  # the sentence being written
        self.shown = 0  # how much of `current` has been shown
        self.stopped = False

    def feed(self, piece: str) -> str:
        if self.stopped:
            return ""
        self.current += piece
        out: list[str] = []
        while (m := _BOUNDARY.search(self.current)) is not None:
            sentence, rest = self.current[:m.end()], self.current[m.end():]
            key = _norm(sentence)
            if len(key) >= MIN_SENTENCE and key in self.seen:
                self.stopped = True
                self.current, self.shown = "", 0
                return "".join(out)
            if len(key) >= MIN_SENTENCE:
                self.seen.add(key)
            out.append(sentence[self.shown:])
            self.current, self.shown = rest, 0
        if self.current and not self._maybe_repeat(self.current):
            out.append(self.current[self.shown:])
            self.shown = len(self.current)
        return "".join(out)

    def _maybe_repeat(self, partial: str) -> bool:
        key = _norm(partial)
        return bool(key) and any(s.startswith(key) for s in self.seen)

    def flush(self) -> str:
        """The held-back end of the last sentence (the stream ended before it could differ)."""
        out = "" if self.stopped else self.current[self.shown:]
        self.current, self.shown = "", 0
        return out
