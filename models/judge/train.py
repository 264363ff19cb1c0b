"""Fitting the judge: hashed idf weights, a task model, and a help gate with its own threshold.

* Task model: P(a task is accepted | history, the other candidates), an L2 logistic regression
  (scikit-learn) over the dense and sibling features plus hashed words of the task and of the latest
  sentence, fitted on the share of annotators who accepted each task (soft labels: less label noise).
* Help gate: P(help is needed now | history), an L2 logistic regression over history features and hashed
  words of the latest sentence, fitted on `help_needed`. "No task" is accepted exactly when no help was
  needed, so the null candidate scores 1 - gate. Its threshold maximises F1 of "help needed" on scores the
  gate gave to sessions it was not trained on (GroupKFold inside the training data), and is stored with it.

To carry over to situations it never saw (docs/situations.md), the rows this app narrated are weighed so
that each of their sessions (a situation family) counts the same, and a hashed word enters either model only
when ProactiveBench's free sentences hold it or at least MIN_SESSIONS of the narrated sessions do (the app's
templated sentences differ between situations mostly by names).

The result is a JSON artefact of numbers (no sentences), written byte for byte the same from the same data. The
shipped one learns from ProactiveBench and from the app's own narrations of the scripted situations
(bench/situations/rows.jsonl, written by `python -m bench.situations`; each family is its own session):
    proactive judge train $PROACTIVE_DATA/reward_train.jsonl bench/situations/rows.jsonl --out models/judge/artifact
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import numpy as np

from models.judge.data import Group, group_rows, load_rows
from models.judge.features import (
    FEATURE_NAMES,
    HISTORY_FEATURES,
    gate_word_buckets,
    history_features,
    task_features,
    task_word_buckets,
)
from models.judge.linear import LinearModel
from models.judge.stored import ARTIFACT_NAME, FORMAT_VERSION
from models.judge.text import N_BUCKETS, HashedTfidf, hashed_counts, narrated_share

# Chosen once by session-grouped CV on reward_train.jsonl (a small grid; see README "Evaluation").
TASK_C = 1.0  # inverse L2 strength of the task model
TASK_DENSE_WEIGHT = 0.1  # dense features are scaled by this after standardising (a stronger penalty on them)
TASK_MIN_DF = 3  # a word bucket must occur in this many training task rows
# The two summary columns of models.judge.activity (the task is the help the activity points at; the activity
# points at a need) are scaled by this instead (a weaker penalty: they carry over between kinds of need).
ACTIVITY_WEIGHT = 1.0
# A history this app narrated (bench/situations/rows.jsonl: the target domain) weighs this many
# ProactiveBench rows in both models. With sessions balanced (below) 2 and 3 gain nothing on the held-out
# families (docs/situations.md), and above 1 the shipped judge grows so sure that a user's answers have
# little left to correct (tests/test_judge_learning.py), so it stays 1.
APP_ROW_WEIGHT = 1.0
GATE_C = 0.3
GATE_DENSE_WEIGHT = 0.2
GATE_MIN_DF = 2
GATE_FOLDS = 4
# Generalising to situations (sessions, families) never seen, both models (docs/situations.md):
# a hashed word is kept only when this many distinct sessions hold it (one family's file, page and window
# names are "this place", not "this need"; offers' and activities' words recur across sessions) ...
MIN_SESSIONS = 4
# ... and every family of the app's own situations weighs the same in total (a family of many situations
# teaches no more than one of few).
SESSION_BALANCE = True


def fit_idf(groups: list[Group]) -> HashedTfidf:
    """Smoothed idf (as scikit-learn's TfidfVectorizer) over distinct sentences and tasks, per hash bucket."""
    from scipy.sparse import csr_matrix
    from sklearn.feature_extraction.text import TfidfTransformer

    docs = sorted({s for g in groups for s in g.history} | {t for g in groups for t in g.tasks if t})
    indptr, indices, data = [0], [], []
    for d in docs:
        for b, c in sorted(hashed_counts(d).items()):
            indices.append(b)
            data.append(c)
        indptr.append(len(indices))
    counts = csr_matrix((data, indices, indptr), shape=(len(docs), N_BUCKETS))
    idf_all = TfidfTransformer(smooth_idf=True).fit(counts).idf_
    seen = np.unique(counts.indices)
    return HashedTfidf({int(b): round(float(idf_all[b]), 4) for b in seen}, round(float(idf_all.max()), 4))


def _fit_linear(
    dense: np.ndarray,
    words: list[set[int]],
    y: np.ndarray,
    weight: np.ndarray,
    c: float,
    dense_weight: float | np.ndarray,
    min_df: int,
    sessions: list[str | None] | None = None,
) -> LinearModel:
    """L2 logistic regression on [standardised dense * dense_weight, idf-weighted l2-normalised words]. A word
    is kept when `min_df` rows hold it and, given `sessions` (per row: its session where this app narrated it,
    None elsewhere), a row outside the app's narration or MIN_SESSIONS distinct narrated sessions do."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.linear_model import LogisticRegression

    df = Counter(b for ws in words for b in ws)
    spread: Counter[int] = Counter()
    if sessions is not None:
        free = {b for s, ws in zip(sessions, words) if s is None for b in ws}
        narrated = {(s, b) for s, ws in zip(sessions, words) if s is not None for b in ws}
        spread = Counter(b for _, b in narrated) + Counter({b: MIN_SESSIONS for b in free})
    kept = sorted(b for b, n in df.items() if n >= min_df and (sessions is None or spread[b] >= MIN_SESSIONS))
    column = {b: i for i, b in enumerate(kept)}
    idf = {b: round(float(np.log((1 + len(words)) / (1 + df[b])) + 1.0), 4) for b in kept}
    indptr, indices, values = [0], [], []
    for ws in words:
        row = sorted(b for b in ws if b in column)
        norm = float(np.sqrt(sum(idf[b] ** 2 for b in row))) or 1.0
        indices += [column[b] for b in row]
        values += [idf[b] / norm for b in row]
        indptr.append(len(indices))
    sparse = csr_matrix((values, indices, indptr), shape=(len(words), len(kept)))
    mean = dense.mean(axis=0)
    scale = dense.std(axis=0)
    scale = np.where(scale > 1e-9, scale, 1.0)
    X = hstack([csr_matrix((dense - mean) / scale * dense_weight), sparse]).tocsr()
    clf = LogisticRegression(C=c, max_iter=5000).fit(X, y, sample_weight=weight)
    coef = clf.coef_[0]
    n_dense = dense.shape[1]
    return LinearModel(
        mean=mean,
        scale=scale,
        coef=coef[:n_dense] * dense_weight,
        intercept=float(clf.intercept_[0]),
        word_idf=idf,
        word_coef={b: float(coef[n_dense + column[b]]) for b in kept},
    )


def _domain_weight(group: Group) -> float:
    """APP_ROW_WEIGHT for a history this app narrated (the target domain), 1 for others (ProactiveBench's)."""
    return APP_ROW_WEIGHT if narrated_share(group.history) >= 0.5 else 1.0


def _narrated_session(group: Group) -> str | None:
    """The session of a history this app narrated, None for others (their words are not filtered by spread)."""
    return group.session if narrated_share(group.history) >= 0.5 else None


def _group_weights(groups: list[Group]) -> list[float]:
    """Per history: its domain's weight; with SESSION_BALANCE, a history this app narrated is also scaled by
    the mean number of narrated histories per session over its own session's, so a family of many situations
    teaches no more than one of few. ProactiveBench's sessions keep their natural weights (balancing them cost
    a little calibration in session-grouped CV)."""
    weights = [_domain_weight(g) for g in groups]
    if not SESSION_BALANCE:
        return weights
    size = Counter(s for s in (_narrated_session(g) for g in groups) if s is not None)
    if not size:
        return weights
    mean = sum(size.values()) / len(size)
    return [w * mean / size[s] if s is not None else w for w, s in zip(weights, map(_narrated_session, groups))]


def _dense_weights(names: tuple[str, ...], weight: float) -> np.ndarray:
    """Per dense column: `weight`, and ACTIVITY_WEIGHT for the activity columns (models.judge.activity)."""
    activity = {"fits_any", "act_any_need"}
    return np.asarray([ACTIVITY_WEIGHT if n.removeprefix("hist_") in activity else weight for n in names])


def fit_task_model(groups: list[Group], tfidf: HashedTfidf) -> LinearModel:
    dense, words, votes = [], [], []
    for g in groups:
        tasks = [t for t in g.tasks if t is not None]
        dense.append(task_features(g.history, tasks, tfidf))
        words += [task_word_buckets(g.history, t) for t in tasks]
        votes += [v for t, v in zip(g.tasks, g.votes) if t is not None]
    X = np.vstack(dense)
    v = np.asarray(votes)
    dom = np.asarray([w for g, w in zip(groups, _group_weights(groups)) for t in g.tasks if t is not None])
    scale = _dense_weights(FEATURE_NAMES, TASK_DENSE_WEIGHT)
    sessions = [_narrated_session(g) for g in groups for t in g.tasks if t is not None]
    # soft labels: each row once as accepted (weight = share of yes votes) and once as rejected
    return _fit_linear(
        np.vstack([X, X]),
        words + words,
        np.r_[np.ones(len(v)), np.zeros(len(v))],
        np.r_[v * dom, (1.0 - v) * dom],
        TASK_C,
        scale,
        TASK_MIN_DF,
        sessions + sessions,
    )


def fit_gate(groups: list[Group], tfidf: HashedTfidf) -> LinearModel:
    H = np.vstack([history_features(g.history, tfidf) for g in groups])
    y = np.asarray([int(g.help_needed) for g in groups])
    if len(set(y.tolist())) < 2:  # one class only: a constant gate at that rate
        rate = float(np.clip(y.mean(), 0.01, 0.99))
        n = H.shape[1]
        return LinearModel(np.zeros(n), np.ones(n), np.zeros(n), float(np.log(rate / (1 - rate))), {}, {})
    words = [gate_word_buckets(g.history) for g in groups]
    scale = _dense_weights(HISTORY_FEATURES, GATE_DENSE_WEIGHT)
    dom = np.asarray(_group_weights(groups))
    return _fit_linear(H, words, y, dom, GATE_C, scale, GATE_MIN_DF, [_narrated_session(g) for g in groups])


def gate_logits(gate: LinearModel, groups: list[Group], tfidf: HashedTfidf) -> np.ndarray:
    H = np.vstack([history_features(g.history, tfidf) for g in groups])
    return gate.logits(H, [gate_word_buckets(g.history) for g in groups])


def best_f1_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The probability cut that maximises F1 of y (ties: the higher cut, i.e. the quieter one)."""
    from sklearn.metrics import precision_recall_curve

    precision, recall, cuts = precision_recall_curve(y, p)
    f1 = 2 * precision[:-1] * recall[:-1] / np.maximum(precision[:-1] + recall[:-1], 1e-12)
    best = np.flatnonzero(f1 >= f1.max() - 1e-12)[-1]
    return float(cuts[best])


def gate_threshold(groups: list[Group]) -> float:
    """Threshold of the gate from out-of-fold scores over the training sessions (0.5 if too few sessions)."""
    from sklearn.model_selection import GroupKFold

    sessions = [g.session for g in groups]
    n = min(GATE_FOLDS, len(set(sessions)))
    y = np.asarray([int(g.help_needed) for g in groups])
    if n < 2 or len(set(y)) < 2:
        return 0.5
    p = np.zeros(len(groups))
    for tr, va in GroupKFold(n_splits=n).split(np.arange(len(groups)), groups=sessions):
        train_groups = [groups[i] for i in tr]
        if len({groups[i].help_needed for i in tr}) < 2:
            p[va] = y[tr].mean()
            continue
        tfidf = fit_idf(train_groups)
        gate = fit_gate(train_groups, tfidf)
        p[va] = 1.0 / (1.0 + np.exp(-gate_logits(gate, [groups[i] for i in va], tfidf)))
    return best_f1_threshold(y, p)


def fit_params(groups: list[Group], with_gate_threshold: bool = True) -> dict:
    """Everything the judge needs at run time, as plain JSON-able numbers."""
    tfidf = fit_idf(groups)
    gate = fit_gate(groups, tfidf)
    return {
        "format": FORMAT_VERSION,
        "feature_names": list(FEATURE_NAMES),
        "n_buckets": N_BUCKETS,
        "idf": {str(k): v for k, v in sorted(tfidf.idf.items())},
        "default_idf": tfidf.default_idf,
        "task_model": fit_task_model(groups, tfidf).to_json(),
        "gate": {
            "feature_names": list(HISTORY_FEATURES),
            "model": gate.to_json(),
            "threshold": round(gate_threshold(groups), 6) if with_gate_threshold else 0.5,
        },
        "settings": {
            "task_c": TASK_C,
            "task_dense_weight": TASK_DENSE_WEIGHT,
            "task_min_df": TASK_MIN_DF,
            "activity_weight": ACTIVITY_WEIGHT,
            "app_row_weight": APP_ROW_WEIGHT,
            "gate_c": GATE_C,
            "gate_dense_weight": GATE_DENSE_WEIGHT,
            "gate_min_df": GATE_MIN_DF,
            "gate_folds": GATE_FOLDS,
            "min_sessions": MIN_SESSIONS,
            "session_balance": SESSION_BALANCE,
        },
    }


def dumps(params: dict) -> str:
    """The artefact's exact bytes: sorted keys, no spaces, one trailing newline."""
    return json.dumps(params, sort_keys=True, separators=(",", ":")) + "\n"


def train(paths: list[str | Path], out_dir: str | Path) -> dict:
    """Train on the reward rows in `paths` and write `out_dir/judge.json`; returns a short summary."""
    rows = load_rows(paths)
    groups = group_rows(rows)
    params = fit_params(groups)
    params["trained_on"] = {
        "rows": len(rows),
        "histories": len(groups),
        "sessions": len({g.session for g in groups}),
        "categories": dict(sorted(Counter(r.category for r in rows).items())),
        "sha256": [hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths],
    }
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / ARTIFACT_NAME).write_text(dumps(params), encoding="utf-8")
    return {"artifact": str(out / ARTIFACT_NAME), **params["trained_on"]}
