"""Timing evaluation: does the engine propose help at the histories where people wanted help?

A history NEEDS help when annotators accepted a task there (CD) or rejected staying silent (MN); it needs NO
help when they accepted silence (CR). Histories with both kinds of evidence, or with only rejected tasks (FA,
which says the task was wrong, not whether help was wanted), are left out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from assistant.core.config import Config
from assistant.decide.build import build_chain
from assistant.decide.decision import Decision
from assistant.decide.engine import DecisionEngine
from assistant.evaluation.judge_eval import out_of_fold_judges
from assistant.evaluation.metrics import binary_decision_metrics
from models.candidates import Candidate
from models.judge.data import Group
from models.judge.infer import Judge

NEEDS, NO_NEED = "needs_help", "no_help"
CandidateSource = Callable[[DecisionEngine, Group], Decision]


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


def engine_candidates(engine: DecisionEngine, group: Group) -> Decision:
    """What the product does: the engine's own candidates for this history, judged by its judge."""
    return engine.step(list(group.history))[0]


def dataset_candidates(engine: DecisionEngine, group: Group) -> Decision:
    """The tasks annotators judged for this history (isolates the judge from the candidate generator)."""
    cands = [Candidate(t, "dataset" if t else "none", "template") for t in group.tasks]
    return engine.judge_candidates(list(group.history), cands)


def timing_decisions(
    pairs: Sequence[tuple[DecisionEngine, Group]], candidates: CandidateSource = engine_candidates
) -> tuple[list[bool], list[bool]]:
    """(needs help, proposed) for every classified history; each history is decided by its paired engine."""
    needs, proposed = [], []
    for engine, g in pairs:
        label = classify_history(g.categories)
        if label is None:
            continue
        needs.append(label == NEEDS)
        proposed.append(candidates(engine, g).proposes)
    return needs, proposed


def timing_report(
    pairs: Sequence[tuple[DecisionEngine, Group]], candidates: CandidateSource = engine_candidates
) -> dict:
    """Engine metrics next to the always-propose baseline, plus how many histories were left out."""
    needs, proposed = timing_decisions(pairs, candidates)
    engine = pairs[0][0] if pairs else None
    return {
        "threshold": engine.threshold if engine else None,
        "gate_threshold": engine.gate_threshold if engine else None,
        "left_out": len(pairs) - len(needs),
        "engine": binary_decision_metrics(needs, proposed),
        "always_propose": binary_decision_metrics(needs, [True] * len(needs)),
    }


def evaluate_timing(cfg: Config, groups: list[Group], judge: Judge, folds: int) -> dict:
    """The timing report for the judge in use and for judges trained on the other sessions (grouped CV),
    each with the engine's candidates and with the annotated ones; every engine comes from `build_chain`."""
    in_use = [(build_chain(cfg, judge=judge).engine, g) for g in groups]
    oof = [(build_chain(cfg, judge=j).engine, g) for j, held_out in out_of_fold_judges(groups, folds)
           for g in held_out]
    return {
        "judge": str(judge.source),
        "threshold": cfg["judge.threshold"],
        "folds": folds,
        "judge_in_use": {
            "engine_candidates": timing_report(in_use, engine_candidates),
            "annotated_candidates": timing_report(in_use, dataset_candidates),
        },
        "grouped_cv": {
            "engine_candidates": timing_report(oof, engine_candidates),
            "annotated_candidates": timing_report(oof, dataset_candidates),
        },
    }
