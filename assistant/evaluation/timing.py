"""Timing evaluation: does the engine propose help at the histories where people wanted help?

A history NEEDS help when annotators accepted a task there (CD) or rejected staying silent (MN); it needs NO
help when they accepted silence (CR). Histories with both kinds of evidence, or with only rejected tasks (FA,
which says the task was wrong, not whether help was wanted), are left out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from assistant.decide.decision import ScoringJudge, decide
from assistant.evaluation.baselines import timing_baselines
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


def _gate_of(judge: ScoringJudge, gate_threshold: float | None, use_gate: bool) -> float | None:
    """The gate threshold to use: the judge's own when `use_gate`, else `gate_threshold` (None: no gate)."""
    if use_gate:
        return float(judge.gate_threshold)  # type: ignore[attr-defined]
    return gate_threshold


def timing_decisions(
    pairs: Sequence[tuple[ScoringJudge, Group]],
    threshold: float,
    candidates: CandidateSource = engine_candidates,
    gate_threshold: float | None = None,
    use_gate: bool = False,
) -> tuple[list[bool], list[bool], list[list[str]]]:
    """(needs help, proposed, history) for every classified history, each decided by its paired judge."""
    needs, proposed, histories = [], [], []
    for judge, g in pairs:
        label = classify_history(g.categories)
        if label is None:
            continue
        gate = _gate_of(judge, gate_threshold, use_gate)
        decision = decide(g.history, candidates(g), judge, threshold, gate)
        needs.append(label == NEEDS)
        proposed.append(decision.proposes)
        histories.append(list(g.history))
    return needs, proposed, histories


def timing_report(
    pairs: Sequence[tuple[ScoringJudge, Group]],
    threshold: float,
    candidates: CandidateSource = engine_candidates,
    gate_threshold: float | None = None,
    use_gate: bool = False,
) -> dict:
    """Engine metrics next to the baselines (always propose, random at the engine's rate, keyword rule),
    plus how many histories were left out. `use_gate`: each judge's own help-gate threshold applies."""
    needs, proposed, histories = timing_decisions(pairs, threshold, candidates, gate_threshold, use_gate)
    rate = sum(proposed) / len(proposed) if proposed else 0.0
    base = timing_baselines(histories, needs, rate)
    return {
        "threshold": threshold,
        "gate_threshold": gate_threshold,
        "gate": "each judge's own threshold" if use_gate else gate_threshold,
        "left_out": len(pairs) - len(needs),
        "engine": binary_decision_metrics(needs, proposed),
        **base,
    }
