"""How far annotators agree on `valid` (was the decision right), as in the reward data's `annotation`.

- majority agreement (the ProactiveBench paper's figure, its `calculate_human_agreement.py`): every annotation
  compared with its decision's majority `valid`, the share that agree; over decisions with two annotators or
  more (a lone annotation always agrees with itself). On the official test split this is the paper's 91.67 %.
- pairwise agreement: the share of annotator pairs on one decision that agree (a stricter number).
- Cohen's kappa per pair of named annotators, Fleiss' kappa over the decisions judged by the most common number
  of annotators (both corrected for chance).

Votes come from the log (each annotator's standing answer; a study participant's annotators are kept apart), or
from ProactiveBench rows (`annotation`, positional and unnamed unless the row carries this app's `meta`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from assistant.core.proposal import JUDGEMENTS, category
from assistant.log.decisions import DecisionRecord
from assistant.research.formats import FormatError, verdict


@dataclass
class Agreement:
    judged: int = 0  # decisions with at least one judgement
    multi: int = 0  # ... with two annotators or more
    annotators: dict[str, int] = field(default_factory=dict)  # name -> decisions judged
    majority: float | None = None  # the paper's figure
    majority_votes: int = 0
    pairwise: float | None = None
    cohen: dict[tuple[str, str], tuple[float | None, int]] = field(default_factory=dict)  # pair -> (kappa, n)
    fleiss: float | None = None
    fleiss_items: int = 0
    fleiss_raters: int = 0
    categories: Counter = field(default_factory=Counter)


@dataclass(frozen=True)
class Item:
    """One judged decision: each annotator's `valid` (names None when unknown), the majority, the category."""

    votes: list[tuple[str | None, bool]]
    valid: bool
    category: str | None


def rater(annotator: str, participant: str | None) -> str:
    """Annotators of different study participants are different people even when both are called `me`."""
    return f"{participant}/{annotator}" if participant else annotator


def votes_of(d: DecisionRecord) -> dict[str, bool]:
    """Each annotator's standing `valid` (answers that are no judgement are no vote)."""
    out = {}
    for name, entry in d.standing().items():
        j = JUDGEMENTS.get(entry.label)
        if j is not None:
            out[rater(name, d.participant)] = j.valid
    return out


def items_from_log(found: Iterable[DecisionRecord]) -> list[Item]:
    out = []
    for d in found:
        votes = votes_of(d)
        v = verdict(d)
        if votes and v is not None:
            out.append(Item(list(votes.items()), v.valid, category(d.task, v.valid)))
    return out


def items_from_rows(paths: Iterable[Path]) -> list[Item]:
    """Items from ProactiveBench rows (official or exported); FormatError names the file and line."""
    out = []
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise FormatError(f"{path}: cannot read ({exc})") from None
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                annotation = [bool(a) for a in row["annotation"]]
                valid = bool(row["valid"])
                meta = row.get("meta") if isinstance(row.get("meta"), dict) else {}
                names = _named(meta, len(annotation))
                out.append(Item(list(zip(names, annotation, strict=True)), valid, row.get("category")))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise FormatError(f"{path}:{n}: expected a ProactiveBench row with `annotation` and `valid` "
                                  f"({exc.__class__.__name__}: {exc})") from None
    return out


def _named(meta: dict, n: int) -> list[str | None]:
    """Annotator names for a row's annotation list, from this app's meta (standing answers in order of first
    answer, the same order `annotation` was written in); unnamed when they cannot be matched."""
    latest: dict[str, str] = {}
    for entry in meta.get("labels") or []:
        if isinstance(entry, dict):
            latest[str(entry.get("annotator"))] = str(entry.get("label"))
    standing = [a for a, label in latest.items() if JUDGEMENTS.get(label) is not None]
    names = [rater(a, meta.get("participant")) for a in standing]
    return list(names) if len(names) == n else [None] * n


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


def agreement_of(items: list[Item]) -> Agreement:
    out = Agreement(judged=len(items))
    judged_by: Counter = Counter()
    for item in items:
        if item.category:
            out.categories[item.category] += 1
        judged_by.update(name for name, _ in item.votes if name is not None)
    out.annotators = dict(sorted(judged_by.items()))
    multi = [item for item in items if len(item.votes) >= 2]
    out.multi = len(multi)
    against = [v == item.valid for item in multi for _, v in item.votes]
    out.majority, out.majority_votes = (sum(against) / len(against) if against else None), len(against)
    pairs = [(x == y) for item in multi for (_, x), (_, y) in combinations(item.votes, 2)]
    out.pairwise = sum(pairs) / len(pairs) if pairs else None
    named = [dict((n, v) for n, v in item.votes if n is not None) for item in items]
    for a, b in combinations(sorted(judged_by), 2):
        both = [v for v in named if a in v and b in v]
        out.cohen[(a, b)] = (cohen_kappa([v[a] for v in both], [v[b] for v in both]), len(both))
    if multi:
        raters = Counter(len(item.votes) for item in multi).most_common(1)[0][0]
        rated = [[v for _, v in item.votes] for item in multi if len(item.votes) == raters]
        out.fleiss, out.fleiss_items, out.fleiss_raters = fleiss_kappa(rated), len(rated), raters
    return out


def agreement(found: Iterable[DecisionRecord]) -> Agreement:
    return agreement_of(items_from_log(found))
