"""Honest figures for the judge: folds grouped by session, calibration, and beating the trivial baselines."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.evaluation.judge_eval import cross_validate, session_folds
from assistant.evaluation.metrics import calibration
from models.judge.data import default_data_dir, group_rows, load_rows

DATA = default_data_dir() / "reward_train.jsonl"


@pytest.fixture(scope="module")
def groups():
    return group_rows(load_rows([DATA]))


def test_no_session_is_in_both_train_and_validation(groups) -> None:
    folds = session_folds(groups, 8)
    assert len(folds) == 8
    seen_in_validation: list[str] = []
    for train, validation in folds:
        train_sessions = {g.session for g in train}
        validation_sessions = {g.session for g in validation}
        assert not train_sessions & validation_sessions
        assert len(train) + len(validation) == len(groups)
        seen_in_validation += [g.session for g in validation]
    # every history is validated exactly once
    assert sorted(seen_in_validation) == sorted(g.session for g in groups)


def test_calibration_tells_a_calibrated_score_from_a_wrong_one() -> None:
    rng = np.random.default_rng(7)
    p = rng.uniform(size=4000)
    y = (rng.uniform(size=4000) < p).astype(int)
    good, flipped = calibration(y, p), calibration(y, 1.0 - p)
    assert good["ece"] < 0.03 and flipped["ece"] > 0.3
    assert good["brier"] < flipped["brier"]
    assert sum(row["n"] for row in good["reliability"]) == 4000
    for row in good["reliability"]:
        assert row["low"] <= row["mean_score"] < row["high"] + 1e-9
        assert abs(row["mean_score"] - row["accepted"]) < 0.08


def test_grouped_cv_beats_the_trivial_baselines_and_is_calibrated(groups) -> None:
    result = cross_validate(groups, n_folds=4)
    judge = result["judge"]
    assert result["folds"] == 4 and judge["n"] == sum(len(g.tasks) for g in groups)
    for name in ("reject_all", "accept_null_reject_tasks", "base_rates"):
        assert judge["roc_auc"] > result[name]["roc_auc"] + 0.05, name
        assert judge["accuracy"] > result[name]["accuracy"], name
    # better calibrated than scoring every task and every null at their base rates
    assert judge["calibration"]["brier"] < result["base_rates"]["calibration"]["brier"]
    assert judge["calibration"]["ece"] < 0.06
    # it ranks within the tasks and within the null rows, not just "null above task"
    assert judge["roc_auc_tasks"] > 0.6 and judge["roc_auc_no_task"] > 0.6
