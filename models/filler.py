"""Cutting filler from a small model's stream: a sentence it already wrote ends the answer instead of being
written again (greedy decoding of a 135M model loops on its own sentences), a phrase it keeps repeating inside
one sentence ends it too, and a sentence that only copies back what the user did (the observation sentences
of its prompt: "The user reads 'X' in Firefox.") is dropped.

    guard = RepeatGuard(echoes=observations)
    for piece in stream:
        show(guard.feed(piece))        # what can be shown now ("" while a possible repeat is held back)
        if guard.stopped: break        # the model started over: stop generating
    show(guard.flush())                # what was held back, when the stream ended first
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_BOUNDARY = re.compile(r"(?<=[.!?])\s+|\n+")
MIN_SENTENCE = 18  # shorter sentences ("Run this:", "Example:") may repeat legitimately
LOOP_CHUNK = 40  # a phrase this long (normalised) written a third time inside one sentence is a loop
LOOP_CHECK_FROM = 3 * LOOP_CHUNK
# a sentence that starts as the observations do ("The user reads ...") and whose words are this share of theirs
# only tells the user what they did (judged once it has ECHO_MIN_WORDS words besides the small ones)
_SMALL_WORDS = frozenset({"a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "for", "with", "then", "from",
                          "is", "it", "its", "this", "that"})
ECHO_SHARE = 0.75
ECHO_SHARE_SO_FAR = 0.6  # a sentence still being written is held while it may yet reach ECHO_SHARE
ECHO_MIN_WORDS = 6


def _norm(text: str) -> str:
    """Words only, numbers as #: a list whose items differ only in their numbers ("Line 16: 'def'",
    "Line 17: 'def'") is filler too."""
    return re.sub(r"\d+", "#", re.sub(r"\W+", " ", text)).strip().lower()


class RepeatGuard:
    """Shows a sentence as it is written, unless it might repeat an earlier one or copy one of `echoes` (held
    until it differs). `echoed` counts the sentences dropped as copies."""

    def __init__(self, echoes: Sequence[str] = ()) -> None:
        self.seen: set[str] = set()
        self.echoes = [k for k in (_norm(e) for e in echoes) if len(k) >= MIN_SENTENCE]
        self.echo_words = {w for e in self.echoes for w in e.split()}
        self.current = ""  # the sentence being written
        self.shown = 0  # how much of `current` has been shown
        self.stopped = False
        self.echoed = 0
        self.kept = 0  # sentences shown
        self.after_echo = False  # the last sentence was dropped as narration and the line goes on

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
            goes_on = not self.shown and self._goes_on_echo(sentence, key)
            if not self.shown and (goes_on or self._echo(key)):
                self.echoed += not goes_on  # only what the user did, copied back: not an answer
                self.after_echo = "\n" not in m.group(0)
            else:
                out.append(sentence[self.shown:])
                self.kept += bool(key)
                self.after_echo = False
            self.current, self.shown = rest, 0
        if self._loops(self.current):
            self.stopped = True
            self.echoed += not self.shown  # held as narration all along: nothing of it was shown
            self.current, self.shown = "", 0
            return "".join(out)
        if self.current and not self._maybe_repeat(self.current):
            out.append(self.current[self.shown:])
            self.shown = len(self.current)
        return "".join(out)

    def _narrates(self, key: str, partial: bool = False) -> bool:
        """The sentence tells what the user did in the prompt's own words ("The user reads a page titled 'X'"):
        it starts as the observations do and most of its words are theirs (a partial one: may still be)."""
        if not self.echoes:
            return False
        if partial and ("the user".startswith(key) or "user".startswith(key)):
            return True
        if not key.startswith(("the user ", "user ")):
            return False
        words = [w for w in key.split() if w not in _SMALL_WORDS]
        if partial:
            words = words[:-1]  # the last word may be half written
            if len(words) < ECHO_MIN_WORDS:
                return True
        share = ECHO_SHARE_SO_FAR if partial else ECHO_SHARE
        return sum(w in self.echo_words for w in words) >= share * len(words)

    def _goes_on_echo(self, sentence: str, key: str) -> bool:
        """The rest of a narration cut at a '?' or '!' inside a quoted title ("... with 16:8? : r/loseit' and
        then reads ..."): it does not start a new sentence and its words are the observations' too."""
        if not self.after_echo or sentence.lstrip()[:1].isupper():
            return False
        words = [w for w in key.split() if w not in _SMALL_WORDS]
        return sum(w in self.echo_words for w in words) >= ECHO_SHARE * len(words)

    def _echo(self, key: str) -> bool:
        return len(key) >= MIN_SENTENCE and (any(key in e for e in self.echoes) or self._narrates(key))

    def _maybe_repeat(self, partial: str) -> bool:
        key = _norm(partial)
        if not key:  # punctuation only: held until words say what the sentence is
            return bool(self.echoes) and not self.shown
        if self.after_echo and not self.shown and not partial.lstrip()[:1].isupper():
            return True  # maybe the rest of the narration just dropped: judged once complete
        if any(s.startswith(key) for s in self.seen):
            return True
        return not self.shown and (any(key in e for e in self.echoes) or self._narrates(key, partial=True))

    @staticmethod
    def _loops(partial: str) -> bool:
        """One sentence going round: its last LOOP_CHUNK characters already written twice before in it."""
        if len(partial) < LOOP_CHECK_FROM:
            return False
        key = _norm(partial)
        return len(key) >= LOOP_CHECK_FROM and key.count(key[-LOOP_CHUNK:]) >= 3

    def flush(self) -> str:
        """The held-back end of the last sentence (the stream ended before it could differ)."""
        key = _norm(self.current)
        if self._echo(key) and not self.shown:
            self.echoed += 1
            out = ""
        else:
            out = "" if self.stopped else self.current[self.shown:]
            self.kept += bool(key) and bool(out)
        self.current, self.shown = "", 0
        return out
