"""Judge evaluation on reward rows, and grouped cross-validation by session next to trivial baselines."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from assistant.evaluation.metrics import calibration, classification_metrics
from models.judge.data import Group, session_id
from models.judge.infer import Judge
from models.judge.train import fit_params

Scorer = Callable[[list[str], list[str | None]], list[float]]


def score_groups(score: Scorer, groups: list[Group]) -> tuple[list[int], list[float], list[str]]:
    """Scores every group's candidates jointly; returns labels, probabilities and categories, row-aligned."""
    y, p, cats = [], [], []
    for g in groups:
        p.extend(score(g.history, g.tasks))
        y.extend(int(a) for a in g.accepted)
        cats.extend(g.categories)
    return y, p, cats


def _with_calibration(y: list[int], p: list[float], cats: list[str], threshold: float = 0.5) -> dict:
    """Classification metrics, calibration, and ROC AUC separately on task rows and on no-task rows."""
    out = classification_metrics(y, p, cats, threshold)
    out["calibration"] = calibration(y, p)
    ya, pa, null = np.asarray(y), np.asarray(p), np.asarray([c in ("CR", "MN") for c in cats])
    for name, sel in (("roc_auc_tasks", ~null), ("roc_auc_no_task", null)):
        part = ya[sel]
        out[name] = classification_metrics(part, pa[sel])["roc_auc"] if len(set(part.tolist())) > 1 else None
    return out


def evaluate(judge: Judge, groups: list[Group], threshold: float = 0.5) -> dict:
    y, p, cats = score_groups(judge.score, groups)
    return _with_calibration(y, p, cats, threshold)


def baselines(groups: list[Group]) -> dict:
    """Reject everything; accept the null candidate and reject every task (both as probabilities 0/1); and
    the base rates: every task scored at the share of tasks accepted, every null at the share of nulls
    accepted (rates taken from these very rows, so slightly flattering; the calibration baseline)."""
    y = [int(a) for g in groups for a in g.accepted]
    cats = [c for g in groups for c in g.categories]
    null = [1.0 if t is None else 0.0 for g in groups for t in g.tasks]
    rate = {
        is_null: float(np.mean([a for a, n in zip(y, null) if n == is_null] or [0.0]))
        for is_null in (0.0, 1.0)
    }
    return {
        "reject_all": _with_calibration(y, [0.0] * len(y), cats),
        "accept_null_reject_tasks": _with_calibration(y, null, cats),
        "base_rates": _with_calibration(y, [rate[n] for n in null], cats),
    }


def session_folds(groups: list[Group], n_folds: int) -> list[tuple[list[Group], list[Group]]]:
    """GroupKFold by session: no session (and so no history) is in both train and validation."""
    from sklearn.model_selection import GroupKFold

    sessions = [g.session for g in groups]
    n_folds = max(2, min(n_folds, len(set(sessions))))
    idx = np.arange(len(groups))
    return [
        ([groups[i] for i in tr], [groups[i] for i in va])
        for tr, va in GroupKFold(n_splits=n_folds).split(idx, groups=sessions)
    ]


def cross_validate(groups: list[Group], n_folds: int = 8, threshold: float = 0.5) -> dict:
    """Out-of-fold judge scores pooled over folds, the same metrics per fold's mean, and the baselines."""
    y_all, p_all, c_all, fold_acc, fold_auc = [], [], [], [], []
    for train_groups, val_groups in session_folds(groups, n_folds):
        judge = Judge(fit_params(train_groups))
        y, p, cats = score_groups(judge.score, val_groups)
        y_all += y
        p_all += p
        c_all += cats
        fold = classification_metrics(y, p, threshold=threshold)
        fold_acc.append(fold["accuracy"])
        if fold["roc_auc"] is not None:
            fold_auc.append(fold["roc_auc"])
    return {
        "folds": len(fold_acc),
        "sessions": len({g.session for g in groups}),
        "histories": len(groups),
        "judge": _with_calibration(y_all, p_all, c_all, threshold),
        "fold_accuracy": {
            "mean": float(np.mean(fold_acc)),
            "min": float(np.min(fold_acc)),
            "max": float(np.max(fold_acc)),
        },
        "fold_roc_auc_mean": float(np.mean(fold_auc)) if fold_auc else None,
        **baselines(groups),
    }


def out_of_fold_judges(groups: list[Group], n_folds: int = 8) -> list[tuple[Judge, list[Group]]]:
    """(judge trained without these sessions, the held-out groups) per fold, for grouped timing evaluation."""
    return [(Judge(fit_params(tr)), va) for tr, va in session_folds(groups, n_folds)]


def judge_without_session(groups: list[Group], first_sentence: str) -> Judge:
    """A judge trained on `groups` minus the session that starts with `first_sentence` (honest trace eval)."""
    session = session_id([first_sentence])
    return Judge(fit_params([g for g in groups if g.session != session]), source=None)
