"""The judge's rows from the app's own decisions on the situations, and the judge held out by family.

Rows: at every consult of a replay (the loop decided, task or silence) each candidate the judge scored becomes
one row in the ProactiveBench reward shape (`obs` [{time, event}], `pred_task`, `valid`, `help_needed`,
`annotation`, `category`); so does every candidate the generator offers at the moments sampled every 30 s
between consults (replay.SAMPLE_S: what the loop had narrated then, `meta.consulted` false), so the quiet
families, where the loop rarely consults, are represented too. A history already seen in that situation is
not repeated. Each row is labelled by the ground truth at that moment:

* inside a need: help_needed; a task is valid when its kind is welcome for that need; "no task" is not valid;
* outside every need: no help needed; every task is invalid; "no task" is valid.

`meta` carries the situation, its family (the `session` field too, for grouping) and the candidate's kind, so
`proactive judge train` reads the file as it reads ProactiveBench's.

Held out (leave-one-family-out): for each family, a judge is trained (models.judge.train.fit_params) on the
ProactiveBench reward rows plus the rows of every other family, and scores that family's rows; the scores of
all families are pooled. Accuracy is at P(accepted) >= 0.5 (the metrics of `proactive judge cv`); the majority
baseline predicts the more frequent label of those same pooled rows for all of them. Both are also given on
the consult rows alone (`consults`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from assistant.core.proposal import category
from assistant.evaluation.judge_eval import score_groups
from assistant.evaluation.metrics import classification_metrics
from assistant.research.formats import iso
from bench.situations.replay import Run, welcome
from models.judge.data import group_rows, load_rows
from models.judge.infer import Judge, load_judge
from models.judge.train import fit_params


def judge_rows(runs: Iterable[Run]) -> list[dict]:
    """One ProactiveBench-shaped row per candidate per consult (see the module docstring)."""
    rows = []
    for run in runs:
        rec = run.recording
        seen: set[tuple[str, ...]] = set()
        for c in sorted(run.consults, key=lambda c: (c.at, not c.consulted)):
            need = rec.need_at(c.at)
            obs = [{"time": iso(t), "event": s} for t, s in zip(c.times, c.history, strict=True)]
            if not obs or c.history in seen:
                continue
            seen.add(c.history)
            for task, _score, kind in c.candidates:
                if task is None:
                    valid = need is None
                else:
                    valid = need is not None and welcome(kind, task, need)
                rows.append({"obs": obs, "pred_task": task, "valid": valid, "help_needed": need is not None,
                             "annotation": [valid], "category": category(task, valid),
                             "meta": {"source": "bench.situations", "situation": rec.name, "family": rec.family,
                                      "session": rec.family, "consult_at": c.at, "kind": kind,
                                      "chosen": task == c.task and task is not None, "trigger": c.trigger,
                                      "consulted": c.consulted}})
    return rows


def write_rows(rows: Sequence[dict], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def _groups(rows: Sequence[dict], tmp: Path) -> list:
    """Rows through the same reader as ProactiveBench's (a file), grouped by history."""
    write_rows(rows, tmp)
    return group_rows(load_rows([tmp]))


def _majority(y: Sequence[int]) -> float | None:
    if not y:
        return None
    share = sum(y) / len(y)
    return round(max(share, 1 - share), 4)


def heldout(rows: Sequence[dict], proactivebench: Path, tmp_dir: Path) -> dict:
    """Leave-one-family-out accuracy of a judge trained on ProactiveBench + the other families' rows, the
    majority baseline on the same rows, and the shipped judge on all rows (see the module docstring)."""
    families = list(dict.fromkeys(r["meta"]["family"] for r in rows))
    base = group_rows(load_rows([proactivebench]))
    consulted = {tuple(o["event"] for o in r["obs"]) for r in rows if r["meta"]["consulted"]}
    y_all: list[int] = []
    p_all: list[float] = []
    in_consult: list[bool] = []
    per_family = {}
    for fam in families:
        train = _groups([r for r in rows if r["meta"]["family"] != fam], tmp_dir / "train.jsonl")
        test = _groups([r for r in rows if r["meta"]["family"] == fam], tmp_dir / "test.jsonl")
        judge = Judge(fit_params(base + train))
        y, p, _ = score_groups(judge.score, test)
        y_all += y
        p_all += p
        in_consult += [tuple(g.history) in consulted for g in test for _ in g.tasks]
        per_family[fam] = {"rows": len(y), "accuracy": _accuracy(y, p), "majority_baseline": _majority(y)}
    every = _groups(list(rows), tmp_dir / "all.jsonl")
    y_s, p_s, _ = score_groups(load_judge().score, every)
    y_c = [y for y, c in zip(y_all, in_consult, strict=True) if c]
    p_c = [p for p, c in zip(p_all, in_consult, strict=True) if c]
    return {
        "judge_heldout_accuracy": _accuracy(y_all, p_all),
        "majority_baseline": _majority(y_all),
        "rows": len(y_all),
        "consults": {"rows": len(y_c), "accuracy": _accuracy(y_c, p_c), "majority_baseline": _majority(y_c)},
        "shipped_judge_accuracy": _accuracy(y_s, p_s),
        "by_family": per_family,
    }


def _accuracy(y: Sequence[int], p: Sequence[float]) -> float | None:
    return round(classification_metrics(y, p)["accuracy"], 4) if y else None
