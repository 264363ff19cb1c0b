"""Fitting the judge: hashed idf weights, a standardised logistic regression over pair features, and a
help-needed gate over history features. The result is a JSON artefact (numbers only, no sentences).

Reproduce the shipped artefact with:
    proactive judge train $PROACTIVE_DATA/reward_train.jsonl --out models/judge/artifact
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
    N_BUCKETS,
    HashedTfidf,
    hashed_counts,
    history_features,
    pair_features,
)

ARTIFACT_NAME = "judge.json"
FORMAT_VERSION = 1
C_PAIR = 0.1  # strong L2: only ~16 sessions (C in 0.03..0.3 and a boosted-tree model were compared once)
C_GATE = 0.1


def fit_idf(groups: list[Group]) -> HashedTfidf:
    """Smoothed idf (as scikit-learn's TfidfVectorizer) over distinct sentences and tasks, per hash bucket."""
    from scipy.sparse import csr_matrix
    from sklearn.feature_extraction.text import TfidfTransformer

    docs = sorted({s for g in groups for s in g.history} | {t for g in groups for t in g.tasks if t})
    indptr, indices, data = [0], [], []
    for d in docs:
        for b, c in hashed_counts(d).items():
            indices.append(b)
            data.append(c)
        indptr.append(len(indices))
    counts = csr_matrix((data, indices, indptr), shape=(len(docs), N_BUCKETS))
    idf_all = TfidfTransformer(smooth_idf=True).fit(counts).idf_
    seen = np.unique(counts.indices)
    default = float(idf_all.max())  # an unseen bucket is as rare as the rarest
    return HashedTfidf({int(b): round(float(idf_all[b]), 4) for b in seen}, default)


def build_matrix(groups: list[Group], tfidf: HashedTfidf) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for g in groups:
        xs.append(pair_features(g.history, g.tasks, tfidf))
        ys.extend(int(a) for a in g.accepted)
    return np.vstack(xs), np.asarray(ys)


def fit_params(groups: list[Group]) -> dict:
    """Everything the judge needs at run time, as plain JSON-able numbers."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    tfidf = fit_idf(groups)
    X, y = build_matrix(groups, tfidf)
    scaler = StandardScaler().fit(X)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    clf = LogisticRegression(C=C_PAIR, max_iter=2000).fit((X - scaler.mean_) / scale, y)

    H = np.vstack([history_features(g.history) for g in groups])
    h = np.asarray([int(g.help_needed) for g in groups])
    gate_scaler = StandardScaler().fit(H)
    gate_scale = np.where(gate_scaler.scale_ > 0, gate_scaler.scale_, 1.0)
    gate = LogisticRegression(C=C_GATE, max_iter=2000).fit((H - gate_scaler.mean_) / gate_scale, h)
    return {
        "format": FORMAT_VERSION,
        "feature_names": list(FEATURE_NAMES),
        "mean": scaler.mean_.round(6).tolist(),
        "scale": scale.round(6).tolist(),
        "coef": clf.coef_[0].round(6).tolist(),
        "intercept": round(float(clf.intercept_[0]), 6),
        "n_buckets": N_BUCKETS,
        "idf": {str(k): v for k, v in sorted(tfidf.idf.items())},
        "default_idf": round(tfidf.default_idf, 4),
        "gate": {
            "feature_names": list(HISTORY_FEATURES),
            "mean": gate_scaler.mean_.round(6).tolist(),
            "scale": gate_scale.round(6).tolist(),
            "coef": gate.coef_[0].round(6).tolist(),
            "intercept": round(float(gate.intercept_[0]), 6),
        },
    }


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
    (out / ARTIFACT_NAME).write_text(json.dumps(params, separators=(",", ":")), encoding="utf-8")
    return {"artifact": str(out / ARTIFACT_NAME), **params["trained_on"]}
