"""Timing evaluation: does the engine propose help at the histories where people wanted help?

A history NEEDS help when annotators accepted a task there (CD) or rejected staying silent (MN); it needs NO
help when they accepted silence (CR). Histories with both kinds of evidence, or with only rejected tasks (FA,
which says the task was wrong, not whether help was wanted), are left out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from assistant.decide.decision import ScoringJudge, decide
from assistant.evaluation.metrics import binary_decision_metrics
from models.judge.data import Group

NEEDS, NO_NEED = "needs_help", "no_help"
CandidateSource = Callable[[Group], list]


def classify_history(categories: Sequence[str]) -> str | None:
    """NEEDS / NO_NEED / None (left out) from the CD/FA/CR/MN labels judged for one history."""
    need = any(c in ("CD", "MN") for c in categories)
    none = "CR" in categories
    if need and none:
        return None
    if need:
        return NEEDS
    if none:
        return NO_NEED
    return None


def engine_candidates(group: Group) -> list:
    """What the product would consider: the candidate generator's tasks for this history (null included)."""
    from models.candidates import generate_candidates

    return generate_candidates(list(group.history))


def dataset_candidates(group: Group) -> list:
    """The tasks annotators judged for this history (isolates the judge from the candidate generator)."""
    from models.candidates import Candidate

    return [Candidate(t, "dataset" if t else "none", "template") for t in group.tasks]


def timing_decisions(
    pairs: Sequence[tuple[ScoringJudge, Group]],
    threshold: float,
    candidates: CandidateSource = engine_candidates,
    gate_threshold: float | None = None,
) -> tuple[list[bool], list[bool]]:
    """(needs help, proposed) for every classified history; each history is decided by its paired judge."""
    needs, proposed = [], []
    for judge, g in pairs:
        label = classify_history(g.categories)
        if label is None:
            continue
        decision = decide(g.history, candidates(g), judge, threshold, gate_threshold)
        needs.append(label == NEEDS)
        proposed.append(decision.proposes)
    return needs, proposed


def timing_report(
    pairs: Sequence[tuple[ScoringJudge, Group]],
    threshold: float,
    candidates: CandidateSource = engine_candidates,
    gate_threshold: float | None = None,
) -> dict:
    """Engine metrics next to the always-propose baseline, plus how many histories were left out."""
    needs, proposed = timing_decisions(pairs, threshold, candidates, gate_threshold)
    return {
        "threshold": threshold,
        "gate_threshold": gate_threshold,
        "left_out": len(pairs) - len(needs),
        "engine": binary_decision_metrics(needs, proposed),
        "always_propose": binary_decision_metrics(needs, [True] * len(needs)),
    }
