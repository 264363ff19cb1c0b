"""The bench's figures from replayed situations.

* An **episode** is one ground-truth need (a situation may hold several; no-need families hold none).
* A card is **for** an episode when it is shown while the need is open (need.start <= t <= need.end).
* **cards_per_episode** = cards shown for episodes / episodes that got at least one card (None when no
  episode got a card). 1.0 is the target: one card per need, no repeats.
* **needs_helped_within_60s** = episodes with a card of a welcome kind shown between the need's start and
  60 s after its **evidence point** (the first moment the recorded events name the need, e.g. the search for
  the error), / all episodes.
* **false_alarms_per_hour** = cards shown in the no-need families / hours of recorded time in those
  families. Cards outside every need in the need families are counted apart (`off_need_cards_per_hour`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bench.situations.replay import Run, welcome

HELP_WITHIN_S = 60.0


@dataclass(frozen=True)
class Episode:
    """One need of one situation and the cards shown for it."""

    situation: str
    family: str
    what: str
    cards: int
    helped: bool  # a welcome card within HELP_WITHIN_S of the evidence point
    first_welcome_after_evidence: float | None  # seconds (negative: before the evidence), None: none shown


def episodes(run: Run) -> list[Episode]:
    rec = run.recording
    out = []
    for need in rec.needs:
        shown = [c for c, _ in run.cards if need.start <= c.at <= need.end]
        good = [c.at for c in shown if welcome(c.kind, c.task, need)]
        helped = any(t <= need.evidence + HELP_WITHIN_S for t in good)
        first = round(min(good) - need.evidence, 1) if good else None
        out.append(Episode(rec.name, rec.family, need.what, len(shown), helped, first))
    return out


def off_need_cards(run: Run) -> int:
    """Cards shown while no need was open."""
    return sum(1 for c, _ in run.cards if run.recording.need_at(c.at) is None)


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


def summary(runs: Sequence[Run]) -> dict:
    """The four figures (see the module docstring) over `runs`, plus the counts behind them."""
    eps = [e for r in runs for e in episodes(r)]
    quiet = [r for r in runs if r.recording.no_need]
    busy = [r for r in runs if not r.recording.no_need]
    quiet_hours = sum(r.recording.duration for r in quiet) / 3600
    busy_hours = sum(r.recording.duration for r in busy) / 3600
    with_card = [e for e in eps if e.cards]
    answers = [a.label for r in runs for _, a in r.cards if a is not None]
    return {
        "situations": len(runs),
        "episodes": len(eps),
        "cards": sum(len(r.cards) for r in runs),
        "cards_per_episode": _ratio(sum(e.cards for e in with_card), len(with_card)),
        "needs_helped_within_60s": _ratio(sum(e.helped for e in eps), len(eps)),
        "false_alarms_per_hour": _ratio(sum(len(r.cards) for r in quiet), quiet_hours),
        "off_need_cards_per_hour": _ratio(sum(off_need_cards(r) for r in busy), busy_hours),
        "episodes_with_a_card": len(with_card),
        "accepted": answers.count("accept"),
        "recorded_minutes": round(sum(r.recording.duration for r in runs) / 60, 1),
    }


def by_family(runs: Sequence[Run]) -> dict[str, dict]:
    families: dict[str, list[Run]] = {}
    for r in runs:
        families.setdefault(r.recording.family, []).append(r)
    return {f: summary(rs) for f, rs in families.items()}
