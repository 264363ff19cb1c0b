"""The guard: a learned correction is used only while it predicts the user's own later answers better than the
shipped judge does.

Time-ordered (prequential) validation: at checkpoints k = 1, 2, ... the correction is fitted on the answers
before k and scored on the answers from k up to the next checkpoint, which it has not seen. Each scored
outcome adds (log-loss of the prior) - (log-loss of prior + correction) to the correction's gain, recent
answers weighing more (DECAY per answer of age). A correction is used only when its gain is above MARGIN and
the decisions it changes are worth what they replace: with no later answer to check it on, or answers that
contradict each other, the shipped judge decides alone, so learning cannot make the assistant worse on the
answers seen so far. models.judge.learning checks each family of keys (time of day, app, site, a kind of task
in a place...) this way on its own, then the join of those that pass.

Deterministic, like the rest of the learning: the same answers in the same order give the same verdicts.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from math import log

from models.judge.logistic import log1pexp

FALSE_ALARM_COST = 3.0  # a changed decision that is wrong costs this many that are right
MARGIN = 0.0  # summed gain (nats) a side needs before it is used: strictly better than the prior
DECAY = 0.98  # weight of an answer one answer older (about 35 answers to halve)
MAX_CACHE = 4000

Row = tuple[list[str], float, tuple[int, float]]  # (keys, offset logit, (outcome, weight))


@dataclass(frozen=True, slots=True)
class GuardVerdict:
    """Whether a side's correction is used, with the evidence: summed gain (nats) over `checked` outcomes."""

    used: bool = False
    gain: float = 0.0
    checked: int = 0
    decisions: float = 0.0  # net value of the show / stay-silent decisions it changed (FALSE_ALARM_COST)
    part: str = ""  # which part is used: "all" of it, or only its "quieter" steps (the negative weights)
    strength: float = 0.0  # the learner's prior strength (models.judge.learning.STRENGTHS)
    adaptive: bool = False  # the learner re-estimates each key's prior from its answers (models.judge.learning)
    families: tuple[str, ...] = ()  # what the used correction is about (models.judge.learning.family)


def checkpoints(n: int) -> Iterator[int]:
    """1, 2, ..., 10, 11, 12, 14, ...: every answer early on, then blocks of about a tenth of what is known."""
    k = 1
    while k < n:
        yield k
        k += max(1, k // 10)


def _log_loss(z: float, y: float) -> float:
    return log1pexp(z) - y * z


def _change_value(z0: float, z1: float, y: float, threshold: float) -> float:
    """Value of a decision the correction changes: a card it newly shows is +1 if accepted and
    -FALSE_ALARM_COST if rejected; a card it newly hides is +1 if it was rejected and -FALSE_ALARM_COST if it
    was accepted (a lost card costs as much as a false alarm). Unchanged decisions are worth 0: a change must
    be right about three times in four to pay."""
    cut = log(threshold / (1.0 - threshold))
    shown0, shown1 = z0 >= cut, z1 >= cut
    if shown0 == shown1:
        return 0.0
    good = y > 0.5 if shown1 else y < 0.5
    return 1.0 if good else -FALSE_ALARM_COST


def validate(
    per_record: Sequence[list[Row]],
    fit: Callable[[int], Callable[[list[str]], float]],
    threshold: float = 0.5,
) -> GuardVerdict:
    """Prequential gain of the correction `fit` learns, over the records in time order (oldest first).

    `per_record[i]` is the evidence of answer i on this side; `fit(k)` returns a function from keys to the
    shift that the correction fitted on the first k answers adds to the prior's logit. Used when it predicts
    better (log-loss) and the decisions it changes at `threshold` are worth at least what they replace."""
    n = len(per_record)
    marks = [*checkpoints(n), n]
    gain, value, checked = 0.0, 0.0, 0
    for k, nxt in pairwise(marks):
        test = [(i, row) for i in range(k, nxt) for row in per_record[i]]
        if not test:
            continue
        if not any(per_record[:k]):
            continue
        shift = fit(k)
        for i, (keys, z, (y, wt)) in test:
            w, z1 = wt * DECAY ** (n - 1 - i), z + shift(keys)
            gain += w * (_log_loss(z, y) - _log_loss(z1, y))
            value += w * _change_value(z, z1, y, threshold)
        checked += len(test)
    return GuardVerdict(gain > MARGIN and value >= 0.0, round(gain, 9), checked, round(value, 9))


class FitCache:
    """Corrections already fitted on a prefix of the answers (a running engine adds one answer at a time)."""

    def __init__(self) -> None:
        self._fits: dict[Hashable, object] = {}

    def get(self, key: Hashable, make: Callable[[], object]) -> object:
        if key not in self._fits:
            if len(self._fits) >= MAX_CACHE:
                self._fits.clear()
            self._fits[key] = make()
        return self._fits[key]
