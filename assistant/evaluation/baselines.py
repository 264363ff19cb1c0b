"""Honest baselines printed beside the engine: rules that need no model at all.

* always propose;
* random at the engine's own proposal rate (the expected figures over many seeded draws, so a rate alone
  earns no credit);
* propose every k-th step, with the best k for these traces (k chosen on the very traces it is scored on, so
  this baseline is flattering);
* a keyword rule: propose when the latest sentence mentions an error, a search or a question.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from assistant.evaluation.metrics import binary_decision_metrics
from assistant.evaluation.trace import TimeAwareScore, time_aware_score
from models.judge.text import HELP_SEEKING_RE

KEYWORD_RE = HELP_SEEKING_RE  # an error, a search, "how to", "stuck" or a question mark
DRAWS = 200
MAX_K = 10


def keyword_rule(history: Sequence[str]) -> bool:
    """Propose when the latest sentence mentions an error, a search or a question."""
    return bool(history) and bool(KEYWORD_RE.search(history[-1]))


def _random_choices(n: int, rate: float, rng: np.random.Generator) -> list[bool]:
    """Exactly round(rate * n) proposals at random positions."""
    chosen = np.zeros(n, dtype=bool)
    chosen[rng.choice(n, size=min(n, round(rate * n)), replace=False)] = True
    return chosen.tolist()


def _mean_dicts(dicts: list[dict]) -> dict:
    return {k: float(np.mean([d[k] for d in dicts])) for k in dicts[0]}


def timing_baselines(
    histories: Sequence[Sequence[str]], needs_help: Sequence[bool], engine_rate: float, seed: int = 0
) -> dict:
    """Propose-or-not baselines per history, scored like the engine (binary_decision_metrics)."""
    n = len(needs_help)
    rng = np.random.default_rng(seed)
    random_runs = [
        binary_decision_metrics(needs_help, _random_choices(n, engine_rate, rng)) for _ in range(DRAWS)
    ]
    return {
        "always_propose": binary_decision_metrics(needs_help, [True] * n),
        "random_at_engine_rate": {"rate": engine_rate, **_mean_dicts(random_runs)} if n else {},
        "keyword_rule": binary_decision_metrics(needs_help, [keyword_rule(h) for h in histories]),
    }


def _pooled(help_steps: Sequence[Sequence[bool]], proposals: Sequence[Sequence[bool]]) -> TimeAwareScore:
    total = TimeAwareScore()
    for helps, proposed in zip(help_steps, proposals):
        total += time_aware_score(helps, proposed)
    return total


def trace_baselines(
    sentences: Sequence[Sequence[str]],
    help_steps: Sequence[Sequence[bool]],
    engine_rate: float,
    seed: int = 0,
) -> dict:
    """Time-aware scores (pooled over traces) of the baselines; `sentences` and `help_steps` per trace."""
    rng = np.random.default_rng(seed)
    always = _pooled(help_steps, [[True] * len(h) for h in help_steps])
    random_runs = [
        _pooled(help_steps, [_random_choices(len(h), engine_rate, rng) for h in help_steps]).as_dict()
        for _ in range(DRAWS)
    ]
    every = {
        k: _pooled(help_steps, [[(i + 1) % k == 0 for i in range(len(h))] for h in help_steps])
        for k in range(2, MAX_K + 1)
    }
    best_k = max(every, key=lambda k: (every[k].score, -k))
    keyword = _pooled(
        help_steps, [[keyword_rule(list(steps[: i + 1])) for i in range(len(steps))] for steps in sentences]
    )
    return {
        "always_propose": always.as_dict(),
        "random_at_engine_rate": {"rate": engine_rate, **_mean_dicts(random_runs)},
        "every_kth_step": {"k": best_k, **every[best_k].as_dict()},
        "keyword_rule": keyword.as_dict(),
    }
