"""Classification metrics as in the reward-model table of the Proactive Agent paper (accepted = positive)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from models.judge.data import CATEGORY_CODES


def classification_metrics(
    y_true: Sequence[int],
    prob: Sequence[float],
    categories: Sequence[str] | None = None,
    threshold: float = 0.5,
) -> dict:
    """Accuracy, balanced accuracy, precision, recall, F1, ROC AUC and accuracy per category (CD/FA/CR/MN).

    A row is predicted accepted when prob >= threshold. ROC AUC is None when only one class is present.
    """
    from sklearn.metrics import (
        accuracy_score,
        balanced_accuracy_score,
        f1_score,
        precision_score,
        recall_score,
        roc_auc_score,
    )

    y = np.asarray(y_true, dtype=int)
    p = np.asarray(prob, dtype=float)
    pred = (p >= threshold).astype(int)
    out = {
        "n": len(y),
        "accuracy": float(accuracy_score(y, pred)),
        "balanced_accuracy": float(balanced_accuracy_score(y, pred)) if len(set(y)) > 1 else None,
        "precision": float(precision_score(y, pred, zero_division=0)),
        "recall": float(recall_score(y, pred, zero_division=0)),
        "f1": float(f1_score(y, pred, zero_division=0)),
        "roc_auc": float(roc_auc_score(y, p)) if len(set(y)) > 1 else None,
    }
    if categories is not None:
        cats = np.asarray(categories)
        out["per_category"] = {
            c: {
                "n": int((cats == c).sum()),
                "accuracy": float((pred[cats == c] == y[cats == c]).mean()) if (cats == c).any() else None,
            }
            for c in CATEGORY_CODES
        }
    return out


def calibration(y_true: Sequence[int], prob: Sequence[float], bins: int = 10) -> dict:
    """Brier score, expected calibration error and a reliability table (equal-width bins of the score).

    Each table row: the bin's score range, how many rows fell in it, their mean score and the share of them
    that was actually accepted; a calibrated judge has mean score ~= accepted share in every bin.
    """
    from sklearn.metrics import brier_score_loss

    y = np.asarray(y_true, dtype=float)
    p = np.clip(np.asarray(prob, dtype=float), 0.0, 1.0)
    which = np.minimum((p * bins).astype(int), bins - 1)
    table, ece = [], 0.0
    for b in range(bins):
        sel = which == b
        n = int(sel.sum())
        if not n:
            continue
        mean_p, rate = float(p[sel].mean()), float(y[sel].mean())
        ece += n / len(y) * abs(mean_p - rate)
        table.append(
            {"low": b / bins, "high": (b + 1) / bins, "n": n, "mean_score": mean_p, "accepted": rate}
        )
    return {"brier": float(brier_score_loss(y, p)), "ece": ece, "reliability": table}


def binary_decision_metrics(needs_help: Sequence[bool], proposed: Sequence[bool]) -> dict:
    """Precision/recall/F1 of "propose" against "help was needed", plus the false-alarm rate.

    false_alarm_rate = proposals where no help was needed / all proposals (0 when nothing was proposed).
    """
    need = np.asarray(needs_help, dtype=bool)
    prop = np.asarray(proposed, dtype=bool)
    tp = int((need & prop).sum())
    fp = int((~need & prop).sum())
    fn = int((need & ~prop).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "n": len(need),
        "needs_help": int(need.sum()),
        "proposals": int(prop.sum()),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "false_alarm_rate": fp / (tp + fp) if tp + fp else 0.0,
    }
