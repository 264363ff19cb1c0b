"""A fitted logistic model over dense features and hashed words, as plain numbers (JSON in, numpy out).

Fitting is scikit-learn's LogisticRegression (see models.judge.train); this module only holds the numbers and
computes logits, so scoring needs numpy alone. Words enter as binary indicators weighted by idf and
l2-normalised per row (scikit-learn's TfidfVectorizer(binary=True) on hashed words).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass
class LinearModel:
    mean: np.ndarray  # dense feature means
    scale: np.ndarray  # dense feature scales (standard deviations)
    coef: np.ndarray  # dense coefficients on standardised features
    intercept: float
    word_idf: dict[int, float]  # bucket -> idf (only buckets seen often enough in training)
    word_coef: dict[int, float]  # bucket -> coefficient

    def word_value(self, buckets: set[int]) -> float:
        kept = [b for b in buckets if b in self.word_idf]
        if not kept:
            return 0.0
        norm = math.sqrt(sum(self.word_idf[b] ** 2 for b in kept))
        return sum(self.word_idf[b] * self.word_coef[b] for b in kept) / norm

    def logits(self, dense: np.ndarray, words: Sequence[set[int]]) -> np.ndarray:
        """Logit per row: standardised dense part + word part + intercept."""
        z = ((dense - self.mean) / self.scale) @ self.coef + self.intercept
        return z + np.asarray([self.word_value(b) for b in words])

    def to_json(self, digits: int = 6) -> dict:
        return {
            "mean": [round(float(v), digits) for v in self.mean],
            "scale": [round(float(v), digits) for v in self.scale],
            "coef": [round(float(v), digits) for v in self.coef],
            "intercept": round(float(self.intercept), digits),
            "words": {
                str(b): [round(self.word_idf[b], 4), round(self.word_coef[b], digits)]
                for b in sorted(self.word_idf)
            },
        }

    @classmethod
    def from_json(cls, data: dict) -> LinearModel:
        words = {int(b): (float(v[0]), float(v[1])) for b, v in data["words"].items()}
        return cls(
            mean=np.asarray(data["mean"], dtype=np.float64),
            scale=np.asarray(data["scale"], dtype=np.float64),
            coef=np.asarray(data["coef"], dtype=np.float64),
            intercept=float(data["intercept"]),
            word_idf={b: v[0] for b, v in words.items()},
            word_coef={b: v[1] for b, v in words.items()},
        )


def sigmoid(z: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
