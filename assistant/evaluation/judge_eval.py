"""Judge evaluation on reward rows, and grouped cross-validation by session next to trivial baselines."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

from assistant.evaluation.metrics import calibration, classification_metrics
from models.judge.data import Group, Row, session_id
from models.judge.infer import Judge
from models.judge.remote import ServerJudge
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


GROUPINGS = ("participant", "session")


class GroupingError(ValueError):
    """Rows that cannot be grouped as asked (no participant, a splits file that does not fit); names why."""


def default_grouping(groups: list[Group]) -> str:
    """participant where every row carries one (a merged study), else session."""
    return "participant" if groups and all(g.participant for g in groups) else "session"


def read_splits(path: Path) -> dict[int, str]:
    """Row index -> fold name from a merged study's splits.json ({"folds": [{"test": name, "rows": [...]}]})."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return {int(i): str(f["test"]) for f in doc["folds"] for i in f["rows"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise GroupingError(f"{path}: expected a study's splits.json with folds [{{test, rows}}] "
                            f"({exc.__class__.__name__}: {exc})") from None


def group_keys(groups: list[Group], by: str | dict[int, str]) -> list[str]:
    """The fold key of each group: its participant, its session, or its fold in a splits file (by row)."""
    if isinstance(by, dict):
        missing = [i for g in groups for i in g.rows if i not in by]
        if missing:
            raise GroupingError(f"the splits file names no fold for row {missing[0]} (it was written for "
                                "other data: give the merged study's labels.jsonl)")
        return [by[g.rows[0]] for g in groups]
    if by == "participant":
        if not all(g.participant for g in groups):
            raise GroupingError("--groups participant: these rows carry no participant (meta.participant, "
                                "written by `proactive study merge`); use --groups session")
        return [str(g.participant) for g in groups]
    if by == "session":
        return [g.session for g in groups]
    raise GroupingError(f"--groups: expected participant, session or a splits.json file, got {by!r}")


def grouped_folds(groups: list[Group], n_folds: int, by: str | dict[int, str] = "session"
                  ) -> list[tuple[list[Group], list[Group]]]:
    """GroupKFold by participant, session or the folds of a splits file: no group is in both train and
    validation. A splits file gives one fold per named group (leave one participant out)."""
    from sklearn.model_selection import GroupKFold

    keys = group_keys(groups, by)
    names = sorted(set(keys))
    if len(names) < 2:
        raise GroupingError(f"only one group ({names[0] if names else 'none'}): cross-validation needs two")
    n = len(names) if isinstance(by, dict) else max(2, min(n_folds, len(names)))
    idx = np.arange(len(groups))
    return [
        ([groups[i] for i in tr], [groups[i] for i in va])
        for tr, va in GroupKFold(n_splits=n).split(idx, groups=keys)
    ]


def session_folds(groups: list[Group], n_folds: int) -> list[tuple[list[Group], list[Group]]]:
    """GroupKFold by session: no session (and so no history) is in both train and validation."""
    return grouped_folds(groups, n_folds, "session")


def cross_validate(groups: list[Group], n_folds: int = 8, threshold: float = 0.5,
                   by: str | dict[int, str] = "session") -> dict:
    """Out-of-fold judge scores pooled over folds, the same metrics per fold's mean, and the baselines."""
    y_all, p_all, c_all, fold_acc, fold_auc = [], [], [], [], []
    for train_groups, val_groups in grouped_folds(groups, n_folds, by):
        judge = Judge(fit_params(train_groups))
        y, p, cats = score_groups(judge.score, val_groups)
        y_all += y
        p_all += p
        c_all += cats
        fold = classification_metrics(y, p, threshold=threshold)
        fold_acc.append(fold["accuracy"])
        if fold["roc_auc"] is not None:
            fold_auc.append(fold["roc_auc"])
    keys = group_keys(groups, by)
    return {
        "folds": len(fold_acc),
        "grouped_by": by if isinstance(by, str) else "splits file",
        "groups": len(set(keys)),
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


def evaluate_server(server: ServerJudge, rows: list[Row], threshold: float = 0.5,
                    progress: Callable[[int, int], None] | None = None) -> dict:
    """A served reward model on reward rows, as the app uses it: each row's (observations, proposed task) asked
    once. `paper`: scored as the paper's reward_model_scoring.py does (no judgement counts as wrong, and as not
    accepted in the confusion matrix); `with_fallback`: the scores the app would decide with (a row the server
    answers no judgement for is scored by the built-in judge, as a live decision falls back)."""
    y, p, cats, preds, seconds, errors = [], [], [], [], [], Counter()
    for n, r in enumerate(rows, 1):
        v = server.ask(r.history, r.task, r.times)
        preds.append(v.accepted)
        seconds.append(v.seconds)
        if v.accepted is None:
            errors[v.error.split(":")[0][:80]] += 1
            p.append(float(server.local.score(r.history, [r.task])[0]))
        else:
            p.append(1.0 if v.accepted else 0.0)
        y.append(int(r.accepted))
        cats.append(r.category)
        if progress is not None:
            progress(n, len(rows))
    per_cat = {}
    for code in ("MN", "CR", "CD", "FA"):
        picked = [(pred, bool(truth)) for pred, truth, c in zip(preds, y, cats) if c == code]
        per_cat[code] = {"n": len(picked), "accuracy": (sum(pr is not None and pr == t for pr, t in picked)
                                                        / len(picked)) if picked else None}
    tp = sum(1 for pr, t in zip(preds, y) if pr and t)
    fp = sum(1 for pr, t in zip(preds, y) if pr and not t)
    fn = sum(1 for pr, t in zip(preds, y) if not pr and t)
    tn = sum(1 for pr, t in zip(preds, y) if not pr and not t)
    eps = 1e-9
    return {
        "rows": len(rows), "answered": sum(pr is not None for pr in preds),
        "no_judgement": sum(pr is None for pr in preds), "failures": dict(errors.most_common(5)),
        "seconds": {"mean": float(np.mean(seconds)) if seconds else 0.0,
                    "max": float(np.max(seconds)) if seconds else 0.0},
        "paper": {"per_category": per_cat,
                  "average": sum(pr is not None and pr == bool(t) for pr, t in zip(preds, y)) / max(len(y), 1),
                  "confusion": {"TP": tp, "FP": fp, "TN": tn, "FN": fn},
                  "accuracy": (tp + tn) / max(len(y), 1), "precision": tp / (tp + fp + eps),
                  "recall": tp / (tp + fn + eps), "f1": 2 * tp / (2 * tp + fp + fn + eps)},
        "with_fallback": _with_calibration(y, p, cats, threshold),
    }
