"""Stored decisions as research files, and back.

Formats (each is written by `rows_for` and read back by `decisions_from`):
  proactivebench  the reward data's shape: obs [{time, event}], pred_task, valid, help_needed, annotation,
                  category, plus `meta` (the decision, every annotator's answers with relabel history, the answer)
  trace           the ProactiveBench traces' shape: one step per observation, agent_response.candidate_task
  sft             LLaMA-Factory alpaca rows teaching a proposer: observations -> task (or "no help needed")
  reward-model    LLaMA-Factory alpaca rows teaching a judge (the paper's reward model): observations and a
                  proposal -> yes / no

How answers map (see assistant.core.proposal.JUDGEMENTS): accepted -> valid, help needed (CD); rejected and
not-now -> not valid, no help needed (FA; not-now is a timing answer, kept in meta.labels); other-help -> not
valid, help needed (FA); a silent moment labelled under review: help-needed -> MN, no-help-needed -> CR.
Ignored and superseded cards (closed unanswered; replaced by a card about another need) are no judgement:
they are left out of proactivebench / sft / reward-model and kept in trace.
Several annotators: `annotation` lists each one's `valid`; `valid` and `help_needed` are the majority, a tie
going to the first annotator.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from assistant.core.proposal import JUDGEMENTS, category
from assistant.log.decisions import AnswerEntry, DecisionRecord, LabelEntry

FORMATS = ("proactivebench", "trace", "events", "sft", "reward-model")
DATASET_FILES = {"sft": "proactive_sft.jsonl", "reward-model": "proactive_reward.jsonl"}
SFT_INSTRUCTION = ("You watch what a user does on their computer. From the observations, propose one short task "
                   "you could do for them now, or answer 'No help needed.' when they do not need help.")
REWARD_INSTRUCTION = ("You judge a proactive assistant. From the observations and its proposal, answer 'yes' if "
                      "the user would accept the proposal now (or rightly stays undisturbed), else 'no'.")
NO_HELP = "No help needed."


class FormatError(ValueError):
    """A file that is not in the format it claims; the message names the line."""


def iso(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> float:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


@dataclass(frozen=True)
class Verdict:
    valid: bool
    help_needed: bool
    annotation: list[bool]


def verdict(d: DecisionRecord) -> Verdict | None:
    """The decision's judgement from every annotator's standing answer; None when nobody judged it."""
    votes = [j for j in (JUDGEMENTS.get(e.label) for e in d.standing().values()) if j is not None]
    if not votes:
        return None

    def majority(values: list[bool]) -> bool:
        yes = sum(values)
        return values[0] if yes * 2 == len(values) else yes * 2 > len(values)

    valid = [v.valid for v in votes]
    return Verdict(majority(valid), majority([v.help_needed for v in votes]), valid)


# ------------------------------------------------------------------ the decision as a plain dict (meta)

def decision_meta(d: DecisionRecord, versions: dict[str, str], with_history: bool) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "proposal_id": d.id, "time": d.time, "surfaced": d.surfaced, "trigger": d.trigger, "where": d.where,
        "kind": d.kind, "source": d.source, "model": d.model, "judge_score": d.score, "reason": d.reason,
        "candidates": [list(c) for c in d.candidates],
        "labels": [{"annotator": e.annotator, "label": e.label, "reason": e.reason, "time": e.time}
                   for e in d.labels],
        "answers": [{"text": a.text, "model": a.model, "time": a.time, "rating": a.rating,
                     "followups": a.followups} for a in d.answers],
        **versions,
    }
    if with_history:
        meta["history"] = d.history
        meta["times"] = d.times
    return meta


def decision_from_meta(meta: dict[str, Any], history: list[str] | None = None,
                       times: list[float] | None = None, task: str | None = None) -> DecisionRecord:
    """Rebuild a decision from `meta` (and the row's own history/task where the row holds them)."""
    labels = [LabelEntry(str(x["annotator"]), str(x["label"]), x.get("reason"), float(x["time"]))
              for x in meta.get("labels") or []]
    answers = [AnswerEntry(str(a.get("text") or ""), str(a.get("model") or ""), float(a["time"]),
                           a.get("rating"), list(a.get("followups") or [])) for a in meta.get("answers") or []]
    hist = list(meta["history"]) if history is None else history
    when = [float(t) for t in meta["times"]] if times is None else times
    return DecisionRecord(
        id=int(meta["proposal_id"]), time=float(meta["time"]), task=task if history is not None else
        meta.get("task"), kind=meta.get("kind"), source=meta.get("source"), model=meta.get("model"),
        score=meta.get("judge_score"), surfaced=bool(meta.get("surfaced", True)), reason=meta.get("reason"),
        trigger=str(meta.get("trigger") or ""), where=str(meta.get("where") or ""), history=hist, times=when,
        candidates=[(c[0], c[1] if len(c) > 1 else None) for c in meta.get("candidates") or []],
        labels=labels, answers=answers)


# ------------------------------------------------------------------ rows per format

def proactivebench_row(d: DecisionRecord, v: Verdict, versions: dict[str, str]) -> dict[str, Any]:
    return {
        "obs": [{"time": iso(t), "event": s} for t, s in zip(d.times, d.history, strict=True)],
        "pred_task": d.task, "valid": v.valid, "help_needed": v.help_needed, "annotation": v.annotation,
        "category": category(d.task, v.valid), "meta": decision_meta(d, versions, with_history=False),
    }


def _observations_text(d: DecisionRecord) -> str:
    return "\n".join(f"[{iso(t)}] {s}" for t, s in zip(d.times, d.history, strict=True))


def sft_row(d: DecisionRecord, v: Verdict, versions: dict[str, str]) -> dict[str, Any] | None:
    """Only decisions whose right output is known: an accepted task, or silence that was right."""
    if not v.valid:
        return None
    meta = {**decision_meta(d, versions, with_history=True), "task": d.task}
    return {"instruction": SFT_INSTRUCTION, "input": _observations_text(d), "output": d.task or NO_HELP,
            "meta": meta}


def reward_row(d: DecisionRecord, v: Verdict, versions: dict[str, str]) -> dict[str, Any]:
    proposal = f"Proposal: {d.task}" if d.task else "Proposal: stay silent"
    meta = {**decision_meta(d, versions, with_history=True), "task": d.task}
    return {"instruction": REWARD_INSTRUCTION, "input": f"{_observations_text(d)}\n{proposal}",
            "output": "yes" if v.valid else "no", "meta": meta}


def trace_steps(observations: list[tuple[float, str]], decisions: list[DecisionRecord],
                versions: dict[str, str]) -> list[dict[str, Any]]:
    """One step per stored observation; each decision belongs to the last observation at or before it (a
    decision before the first observation gets a step of its own last history sentence)."""
    steps: list[dict[str, Any]] = [{"observation": {"time": repr(t), "event": s},
                                    "agent_response": {"candidate_task": []}, "task_status": False,
                                    "meta": {"decisions": []}} for t, s in observations]
    times = [t for t, _ in observations]
    for d in decisions:
        i = bisect.bisect_right(times, d.time) - 1
        if i < 0:
            continue
        step = steps[i]
        step["meta"]["decisions"].append(decision_meta(d, versions, with_history=True) | {"task": d.task})
        if d.task or not step["agent_response"]["candidate_task"]:
            step["agent_response"]["candidate_task"] = [c for c, _ in d.candidates if c] or \
                ([d.task] if d.task else [])
            step["task_status"] = bool(d.task)
    return steps


def dataset_info(fmt: str) -> dict[str, Any]:
    """LLaMA-Factory's dataset_info.json entry for an sft / reward-model export (alpaca columns)."""
    name = "proactive_sft" if fmt == "sft" else "proactive_reward"
    return {name: {"file_name": DATASET_FILES[fmt],
                   "columns": {"prompt": "instruction", "query": "input", "response": "output"}}}


def dumps(row: Any) -> str:
    return json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n"


# ------------------------------------------------------------------ reading back

def detect(first: Any) -> str:
    """The format of a parsed file (its first row for JSONL, the whole document for JSON)."""
    if isinstance(first, list) and (not first or isinstance(first[0], dict) and "observation" in first[0]):
        return "trace"
    if isinstance(first, dict):
        if "buckets" in first:
            return "activitywatch"
        if "obs" in first and "pred_task" in first:
            return "proactivebench"
        if "instruction" in first and "output" in first:
            return "reward-model" if first.get("instruction") == REWARD_INSTRUCTION else "sft"
        if "start" in first and "source" in first and "kind" in first:
            return "events"
    raise FormatError("not a format this app writes (proactivebench, trace, events, sft, reward-model) "
                      "or reads (activitywatch)")


def decisions_from(fmt: str, rows: Iterable[Any]) -> list[DecisionRecord]:
    """Decisions from parsed rows of a proactivebench / sft / reward-model file, or the steps of a trace."""
    out: list[DecisionRecord] = []
    for n, row in enumerate(rows, 1):
        try:
            if fmt == "trace":
                out += [decision_from_meta(m) for m in (row.get("meta") or {}).get("decisions") or []]
                continue
            meta = row.get("meta")
            if not isinstance(meta, dict) or "proposal_id" not in meta:
                raise FormatError(f"row {n}: no `meta` with a proposal id: this row was not exported by this "
                                  "app (the judge commands read such files directly)")
            if fmt == "proactivebench":
                obs = row["obs"]
                out.append(decision_from_meta(meta, [str(o["event"]) for o in obs],
                                              [parse_iso(str(o["time"])) for o in obs], row["pred_task"]))
            else:
                out.append(decision_from_meta(meta))
        except FormatError:
            raise
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise FormatError(f"row {n}: {exc.__class__.__name__}: {exc}") from None
    return out


def observations_from_trace(steps: list[dict[str, Any]]) -> list[tuple[float, str]]:
    try:
        return [(float(s["observation"]["time"]), str(s["observation"]["event"])) for s in steps]
    except (KeyError, TypeError, ValueError) as exc:
        raise FormatError(f"a trace step without observation time and event ({exc})") from None
