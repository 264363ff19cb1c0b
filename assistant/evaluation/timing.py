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
from assistant.evaluation.baselines import timing_baselines
from assistant.evaluation.judge_eval import out_of_fold_judges
from assistant.evaluation.metrics import binary_decision_metrics
from assistant.decide.candidates import Candidate
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
) -> tuple[list[bool], list[bool], list[list[str]]]:
    """(needs help, proposed, history) for every classified history, each decided by its paired engine."""
    needs, proposed, histories = [], [], []
    for engine, g in pairs:
        label = classify_history(g.categories)
        if label is None:
            continue
        needs.append(label == NEEDS)
        proposed.append(candidates(engine, g).proposes)
        histories.append(list(g.history))
    return needs, proposed, histories


def timing_report(
    pairs: Sequence[tuple[DecisionEngine, Group]], candidates: CandidateSource = engine_candidates
) -> dict:
    """Engine metrics next to the baselines (always propose, random at the engine's rate, keyword rule),
    plus how many histories were left out."""
    needs, proposed, histories = timing_decisions(pairs, candidates)
    engine = pairs[0][0] if pairs else None
    rate = sum(proposed) / len(proposed) if proposed else 0.0
    return {
        "threshold": engine.threshold if engine else None,
        "gate_threshold": engine.gate_threshold if engine else None,
        "left_out": len(pairs) - len(needs),
        "engine": binary_decision_metrics(needs, proposed),
        **timing_baselines(histories, needs, rate),
    }


def evaluate_timing(cfg: Config, groups: list[Group], judge: Judge, folds: int) -> dict:
    """The timing report for the judge in use and for judges trained on the other sessions (grouped CV),
    each with the engine's candidates and with the annotated ones; every engine comes from `build_chain`."""
    gate_off, gate_on = (cfg.with_overrides({"judge.help_gate": on}) for on in (False, True))
    in_use = [(build_chain(cfg, judge=judge).engine, g) for g in groups]
    folds_ = out_of_fold_judges(groups, folds)
    oof = [(build_chain(gate_off, judge=j).engine, g) for j, held_out in folds_ for g in held_out]
    oof_gate = [(build_chain(gate_on, judge=j).engine, g) for j, held_out in folds_ for g in held_out]
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
            "engine_candidates_gate_on": timing_report(oof_gate, engine_candidates),
            "annotated_candidates_gate_on": timing_report(oof_gate, dataset_candidates),
        },
    }
