"""A small MAP logistic regression on binary features, in pure Python (learning in the live loop loads no numpy).

    newton(rows, offsets, outcomes, weights, prior) -> weights per column

Row i has the columns `rows[i]` set to 1 (all others 0) and a fixed offset logit; the weights minimise
sum_i w_i (log(1 + e^z_i) - y_i z_i) + sum_j prior_j / 2 * beta_j^2 with z_i = offset_i + sum of its columns'
weights. Newton's method with step halving (as numpy's dense solve did it, to the same optimum), but the Hessian is kept sparse
(columns only meet where they share a row) and solved by Gaussian elimination, the sparsest columns first: the
corrections' keys share rows only within one kind of task or one place, so this is fast without numpy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

ROUNDING = 1e-13  # a step that changes the loss by less than this (relative) is not a rise


def log1pexp(z: float) -> float:
    """log(1 + e^z) without overflow (numpy's logaddexp(0, z))."""
    if z == 0.0:
        return math.log(2.0)
    return z + math.log1p(math.exp(-z)) if z > 0 else math.log1p(math.exp(z))


def _factor(diag: list[float], pairs: dict[tuple[int, int], float]) -> tuple[list[int], list[dict[int, float]], list[list[tuple[int, float]]]]:
    """Gaussian elimination of the symmetric positive definite H = diag + pairs (j < k, both triangles), the
    sparsest columns first (little fill-in): the pivot order, the reduced rows and each pivot's row factors."""
    n = len(diag)
    a: list[dict[int, float]] = [{j: diag[j]} for j in range(n)]
    for (j, k), v in pairs.items():
        a[j][k] = v
        a[k][j] = v
    order = sorted(range(n), key=lambda j: (len(a[j]), j))
    done = [False] * n
    factors: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    for p in order:
        done[p] = True
        row, pivot = a[p], a[p][p]
        for r in [r for r in row if not done[r]]:
            factor = a[r].pop(p) / pivot
            target = a[r]
            for c, v in row.items():
                if not done[c]:
                    target[c] = target.get(c, 0.0) - factor * v
            factors[p].append((r, factor))
    return order, a, factors


def _substitute(eliminated: tuple[list[int], list[dict[int, float]], list[list[tuple[int, float]]]],
                rhs: list[float]) -> list[float]:
    """x with H x = rhs, from `_factor(H)`."""
    order, a, factors = eliminated
    b = list(rhs)
    for p in order:
        for r, factor in factors[p]:
            b[r] -= factor * b[p]
    x = [0.0] * len(b)
    for p in reversed(order):  # every column of a[p] still present was eliminated after p
        x[p] = (b[p] - sum(v * x[c] for c, v in a[p].items() if c != p)) / a[p][p]
    return x


def _solve(diag: list[float], pairs: dict[tuple[int, int], float], rhs: list[float]) -> list[float]:
    """x with H x = rhs for the symmetric positive definite H = diag + pairs."""
    return _substitute(_factor(diag, pairs), rhs)


def _hessian(rows: list[list[int]], p: list[float], weights: Sequence[float], prior: Sequence[float]
             ) -> tuple[list[float], dict[tuple[int, int], float]]:
    """The loss's Hessian at probabilities `p`: its diagonal and its off-diagonal pairs (j < k)."""
    diag = list(prior)
    pairs: dict[tuple[int, int], float] = {}
    for r, pi, w in zip(rows, p, weights):
        d = w * pi * (1.0 - pi)
        for i, j in enumerate(r):
            diag[j] += d
            for k in r[i + 1:]:
                pairs[j, k] = pairs.get((j, k), 0.0) + d
    return diag, pairs


def _probabilities(rows: list[list[int]], offsets: Sequence[float], beta: Sequence[float]) -> list[float]:
    return [1.0 / (1.0 + math.exp(-min(30.0, max(-30.0, off + sum(beta[j] for j in r)))))
            for r, off in zip(rows, offsets)]


def posterior_variance(rows: Sequence[Sequence[int]], offsets: Sequence[float], weights: Sequence[float],
                       prior: Sequence[float], beta: Sequence[float]) -> list[float]:
    """The diagonal of the inverse Hessian at `beta` (each weight's posterior variance, Laplace)."""
    rows = [sorted(set(r)) for r in rows]
    eliminated = _factor(*_hessian(rows, _probabilities(rows, offsets, beta), weights, prior))
    n = len(prior)
    return [_substitute(eliminated, [1.0 if i == j else 0.0 for i in range(n)])[j] for j in range(n)]


def newton(rows: Sequence[Sequence[int]], offsets: Sequence[float], outcomes: Sequence[float],
           weights: Sequence[float], prior: Sequence[float], tol: float = 1e-10, max_steps: int = 50,
           start: Sequence[float] | None = None) -> list[float]:
    """argmin of sum w (log(1 + e^z) - y z) + prior/2 * beta^2 with z = offset + the row's weights: Newton steps
    (halved while they would raise the loss) until the gradient vanishes."""
    rows = [sorted(set(r)) for r in rows]
    n = len(prior)

    def logits(beta: list[float]) -> list[float]:
        return [off + sum(beta[j] for j in r) for r, off in zip(rows, offsets)]

    def loss(beta: list[float]) -> float:
        data = math.fsum(w * (log1pexp(z) - y * z) for z, y, w in zip(logits(beta), outcomes, weights))
        return data + 0.5 * math.fsum(q * b * b for q, b in zip(prior, beta))

    beta = [0.0] * n if start is None else list(start)
    value = loss(beta)
    for _ in range(max_steps):
        p = _probabilities(rows, offsets, beta)
        grad = [q * b for q, b in zip(prior, beta)]
        for r, pi, y, w in zip(rows, p, outcomes, weights):
            g = w * (pi - y)
            for j in r:
                grad[j] += g
        if max((abs(g) for g in grad), default=0.0) < tol:
            break
        step = _solve(*_hessian(rows, p, weights, prior), grad)
        scale = 1.0
        while True:
            candidate = [b - scale * s for b, s in zip(beta, step)]
            new = loss(candidate)
            if new <= value + ROUNDING * abs(value) or scale < 1e-8:  # near the optimum: rounding noise
                break
            scale *= 0.5
        if max((abs(c - b) for c, b in zip(candidate, beta)), default=0.0) < 1e-15:
            break
        beta, value = candidate, new
    return beta
