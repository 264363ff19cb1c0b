"""The run-time judge: P(user accepts candidate | history), scored jointly over sibling candidates.

Loading reads one JSON file and scoring is numpy only (no scikit-learn import), so it stays well under
20 ms per call. `update()` folds the user's own accept/reject answers in (see its docstring).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from models.judge.features import FEATURE_NAMES, HashedTfidf, history_features, pair_features
from models.judge.train import ARTIFACT_NAME, FORMAT_VERSION

SHIPPED_DIR = Path(__file__).resolve().parent / "artifact"
USER_EXAMPLES = "user_examples.jsonl"
UPDATE_EPOCHS = 5
UPDATE_STEP = 0.05  # constant SGD step: each label nudges, the shipped fit stays the prior
UPDATE_L2 = 1e-3

Example = tuple[Sequence[str], "str | None", bool]


class JudgeLoadError(RuntimeError):
    """No usable judge artefact at the given place; the message says what is wrong."""


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


class Judge:
    def __init__(self, params: dict, source: Path | None = None) -> None:
        if params.get("format") != FORMAT_VERSION or params.get("feature_names") != list(FEATURE_NAMES):
            raise JudgeLoadError(
                f"{source}: judge artefact of another format/feature set; retrain it with "
                "`proactive judge train`"
            )
        self.params = params
        self.source = source
        self.tfidf = HashedTfidf({int(k): v for k, v in params["idf"].items()}, params["default_idf"])
        self.mean = np.asarray(params["mean"])
        self.scale = np.asarray(params["scale"])
        self.base_coef = np.asarray(params["coef"])
        self.base_intercept = float(params["intercept"])
        self.coef, self.intercept = self.base_coef.copy(), self.base_intercept
        gate = params["gate"]
        self._gate = (
            np.asarray(gate["mean"]),
            np.asarray(gate["scale"]),
            np.asarray(gate["coef"]),
            float(gate["intercept"]),
        )
        self.user_examples: list[tuple[list[str], str | None, bool]] = []

    # ---- loading / saving ----
    @classmethod
    def load(cls, model_dir: str | Path | None = None) -> Judge:
        """The judge in `model_dir` (a `proactive judge train --out` folder); None or "" = the shipped one."""
        directory = Path(model_dir) if model_dir else SHIPPED_DIR
        path = directory / ARTIFACT_NAME
        try:
            params = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise JudgeLoadError(
                f"{path}: no judge artefact (train one with `proactive judge train`)"
            ) from exc
        except (OSError, json.JSONDecodeError) as exc:
            raise JudgeLoadError(f"{path}: unreadable judge artefact ({exc})") from exc
        judge = cls(params, directory)
        examples = directory / USER_EXAMPLES
        if examples.is_file():
            rows = [json.loads(line) for line in examples.read_text(encoding="utf-8").splitlines() if line]
            judge.update([(r["history"], r["task"], r["accepted"]) for r in rows])
        return judge

    def save(self, model_dir: str | Path) -> Path:
        """Write the base artefact and the user's examples (private: only into the user's own data dir)."""
        directory = Path(model_dir)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / ARTIFACT_NAME).write_text(
            json.dumps(self.params, separators=(",", ":")), encoding="utf-8"
        )
        lines = [
            json.dumps({"history": h, "task": t, "accepted": a}, ensure_ascii=False)
            for h, t, a in self.user_examples
        ]
        (directory / USER_EXAMPLES).write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
        return directory

    # ---- scoring ----
    def features(self, history: Sequence[str], tasks: Sequence[str | None]) -> np.ndarray:
        return (pair_features(list(history), list(tasks), self.tfidf) - self.mean) / self.scale

    def score(self, history: Sequence[str], tasks: Sequence[str | None]) -> list[float]:
        """P(accepted) per candidate; `tasks` are all sibling candidates for this history (None = no task)."""
        if not tasks:
            return []
        return _sigmoid(self.features(history, tasks) @ self.coef + self.intercept).tolist()

    def help_needed(self, history: Sequence[str]) -> float:
        """P(the user needs help now | history), from the help_needed labels of the training rows."""
        mean, scale, coef, intercept = self._gate
        return float(_sigmoid(((history_features(list(history)) - mean) / scale) @ coef + intercept))

    # ---- learning from the user's labels ----
    def update(self, examples: Iterable[Example]) -> int:
        """Add the user's (history, task, accepted) answers and refit; returns how many examples are held.

        The refit starts from the shipped coefficients and takes a few constant-step logistic SGD epochs
        (scikit-learn's SGDClassifier.partial_fit) over all of the user's examples, so the shipped data acts
        as the prior and each answer moves the judge a little. A task answered for a history is scored
        together with the other candidates answered for that same history.
        """
        from sklearn.linear_model import SGDClassifier

        self.user_examples.extend((list(h), t, bool(a)) for h, t, a in examples)
        if not self.user_examples:
            return 0
        by_history: dict[tuple, list[tuple[str | None, bool]]] = {}
        for h, t, a in self.user_examples:
            by_history.setdefault(tuple(h), []).append((t, a))
        X = np.vstack([self.features(list(h), [t for t, _ in items]) for h, items in by_history.items()])
        y = np.asarray([int(a) for items in by_history.values() for _, a in items])
        sgd = SGDClassifier(
            loss="log_loss", learning_rate="constant", eta0=UPDATE_STEP, alpha=UPDATE_L2, shuffle=False
        )
        sgd.coef_ = self.base_coef.reshape(1, -1).copy()
        sgd.intercept_ = np.asarray([self.base_intercept])
        for _ in range(UPDATE_EPOCHS):
            sgd.partial_fit(X, y, classes=np.asarray([0, 1]))
        self.coef, self.intercept = sgd.coef_[0].copy(), float(sgd.intercept_[0])
        return len(self.user_examples)


_SHIPPED: Judge | None = None


def load_judge(model_dir: str | Path | None = None) -> Judge:
    """Cached shipped judge when `model_dir` is empty, else the judge in `model_dir`."""
    global _SHIPPED
    if model_dir:
        return Judge.load(model_dir)
    if _SHIPPED is None:
        _SHIPPED = Judge.load(None)
    return _SHIPPED
