"""A fitted logistic model over dense features and hashed words, as plain numbers (JSON in, floats out).

Fitting is scikit-learn's LogisticRegression (see models.judge.train); this module only holds the numbers and
computes logits. Scoring one row (`logit`) is pure Python, so the live loop never loads numpy; `logits` scores
a matrix with numpy for training and evaluation. Words enter as binary indicators weighted by idf and
l2-normalised per row (scikit-learn's TfidfVectorizer(binary=True) on hashed words).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass
class LinearModel:
    mean: Sequence[float]  # dense feature means (a numpy array when fitted, a tuple when read from JSON)
    scale: Sequence[float]  # dense feature scales (standard deviations)
    coef: Sequence[float]  # dense coefficients on standardised features
    intercept: float
    word_idf: dict[int, float]  # bucket -> idf (only buckets seen often enough in training)
    word_coef: dict[int, float]  # bucket -> coefficient

    def word_value(self, buckets: set[int]) -> float:
        kept = [b for b in buckets if b in self.word_idf]
        if not kept:
            return 0.0
        norm = math.sqrt(sum(self.word_idf[b] ** 2 for b in kept))
        return sum(self.word_idf[b] * self.word_coef[b] for b in kept) / norm

    def logit(self, row: Sequence[float], buckets: set[int]) -> float:
        """Logit of one row, in pure Python: standardised dense part + intercept + word part."""
        dense = math.fsum((x - m) / s * c for x, m, s, c in zip(row, self.mean, self.scale, self.coef,
                                                                    strict=True))
        return dense + self.intercept + self.word_value(buckets)

    def logits(self, dense: Any, words: Sequence[set[int]]) -> Any:
        """Logit per row of a numpy matrix (training and evaluation): the same numbers as `logit`."""
        import numpy as np

        z = ((np.asarray(dense) - np.asarray(self.mean)) / np.asarray(self.scale)) @ np.asarray(self.coef)
        return z + self.intercept + np.asarray([self.word_value(b) for b in words])

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
            mean=tuple(float(v) for v in data["mean"]),
            scale=tuple(float(v) for v in data["scale"]),
            coef=tuple(float(v) for v in data["coef"]),
            intercept=float(data["intercept"]),
            word_idf={b: v[0] for b, v in words.items()},
            word_coef={b: v[1] for b, v in words.items()},
        )


def sigmoid(z: float) -> float:
    """1 / (1 + e^-z), z clipped to [-30, 30] (pure Python: scoring one candidate needs no numpy)."""
    return 1.0 / (1.0 + math.exp(-min(30.0, max(-30.0, z))))
