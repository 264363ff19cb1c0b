"""How far annotators agree: pairwise agreement (what the ProactiveBench paper reports), Cohen's kappa per pair
of annotators and Fleiss' kappa over the moments every one of the most common number of annotators judged.
The judged value is `valid` (was the decision right), as in the reward data's `annotation`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

from assistant.core.proposal import JUDGEMENTS, category
from assistant.log.decisions import DecisionRecord
from assistant.research.formats import verdict


@dataclass
class Agreement:
    judged: int = 0  # decisions with at least one judgement
    multi: int = 0  # ... with two annotators or more
    annotators: dict[str, int] = field(default_factory=dict)  # name -> decisions judged
    pairwise: float | None = None
    cohen: dict[tuple[str, str], tuple[float | None, int]] = field(default_factory=dict)  # pair -> (kappa, n)
    fleiss: float | None = None
    fleiss_items: int = 0
    fleiss_raters: int = 0
    categories: Counter = field(default_factory=Counter)


def votes_of(d: DecisionRecord) -> dict[str, bool]:
    """Each annotator's standing `valid` (ignored answers are no vote)."""
    out = {}
    for name, entry in d.standing().items():
        j = JUDGEMENTS.get(entry.label)
        if j is not None:
            out[name] = j.valid
    return out


def cohen_kappa(a: list[bool], b: list[bool]) -> float | None:
    n = len(a)
    if n == 0:
        return None
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    pa, pb = sum(a) / n, sum(b) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    return None if expected == 1 else (observed - expected) / (1 - expected)


def fleiss_kappa(items: list[list[bool]]) -> float | None:
    """Items each rated by the same number of raters (>= 2), two categories."""
    if not items:
        return None
    n = len(items[0])
    p_i = []
    yes_total = 0
    for votes in items:
        yes = sum(votes)
        yes_total += yes
        no = n - yes
        p_i.append((yes * (yes - 1) + no * (no - 1)) / (n * (n - 1)))
    p_yes = yes_total / (len(items) * n)
    p_e = p_yes ** 2 + (1 - p_yes) ** 2
    p_bar = sum(p_i) / len(p_i)
    return None if p_e == 1 else (p_bar - p_e) / (1 - p_e)


def agreement(found: Iterable[DecisionRecord]) -> Agreement:
    out = Agreement()
    per_item: list[dict[str, bool]] = []
    judged_by: Counter = Counter()
    for d in found:
        votes = votes_of(d)
        if not votes:
            continue
        out.judged += 1
        v = verdict(d)
        if v is not None:
            out.categories[category(d.task, v.valid)] += 1
        judged_by.update(votes.keys())
        per_item.append(votes)
    out.annotators = dict(sorted(judged_by.items()))
    multi = [v for v in per_item if len(v) >= 2]
    out.multi = len(multi)
    pairs = [(x == y) for votes in multi for x, y in combinations(votes.values(), 2)]
    out.pairwise = sum(pairs) / len(pairs) if pairs else None
    for a, b in combinations(sorted(judged_by), 2):
        both = [v for v in per_item if a in v and b in v]
        out.cohen[(a, b)] = (cohen_kappa([v[a] for v in both], [v[b] for v in both]), len(both))
    if multi:
        raters = Counter(len(v) for v in multi).most_common(1)[0][0]
        items = [list(v.values()) for v in multi if len(v) == raters]
        out.fleiss, out.fleiss_items, out.fleiss_raters = fleiss_kappa(items), len(items), raters
    return out
