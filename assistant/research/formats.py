"""Stored decisions as research files, and back.

Formats (rows built here and in `assistant.research.paper`, read back by `decisions_from`; docs/research-data.md
describes each field against the official ProactiveBench files):
  proactivebench       the reward data's rows: obs [{time, event}], pred_task, valid, help_needed, annotation,
                       category, plus `meta` (the decision, every annotator's answers with relabel history)
  trace                the test traces' steps (agent input): observation, agent_response.candidate_task,
                       task_status; with `judged=True` the judged shape the paper's agent-performance script
                       reads: agent_response [task or null], judgement [bool], from the users' real answers
  sft                  LLaMA-Factory alpaca rows teaching a proposer: observations -> task (or "no help needed")
  reward-model         the paper's reward-model conversation (LLaMA-Factory sharegpt, role/content): system prompt,
                       observations and proposal as JSON, answer JSON {"thought", "judgement"}
  reward-model-alpaca  the earlier alpaca variant: observations and a proposal -> yes / no

Times: one format per file, unix seconds as a string (as the official rows have them, "1717338232.283") or, with
time style "iso", ISO 8601 UTC; every time of a row (its observations and its `meta`) uses the same one. `meta` has
one type per field in every row (Arrow / `datasets` infer one schema for the column).

How answers map (see assistant.core.proposal.JUDGEMENTS): accepted -> valid, help needed (CD); rejected and
not-now -> not valid, no help needed (FA; not-now is a timing answer, kept in meta.labels); other-help -> not
valid, help needed (FA); a silent moment labelled under review: help-needed -> MN, no-help-needed -> CR.
Answers that are no judgement (ignored, superseded, any label without a Judgement) are left out of the labelled
formats and kept in trace's meta. Several annotators: `annotation` lists each one's `valid`; `valid` and
`help_needed` are the majority, a tie going to the first annotator.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.core.proposal import JUDGEMENTS, category
from assistant.log.decisions import AnswerEntry, DecisionRecord, LabelEntry

FORMATS = ("proactivebench", "trace", "events", "sft", "reward-model", "reward-model-alpaca")
DATASET_FILES = {"sft": "proactive_sft.jsonl", "reward-model": "proactive_reward.jsonl",
                 "reward-model-alpaca": "proactive_reward_alpaca.jsonl"}
DATASET_NAMES = {"sft": "proactive_sft", "reward-model": "proactive_reward",
                 "reward-model-alpaca": "proactive_reward_alpaca"}
TIME_STYLES = ("unix", "iso")


def meta_file(data_file: Path) -> Path:
    """The side file holding a dataset's `meta` rows: LLaMA-Factory reads only `file_name`, and its loader
    infers one Arrow schema from the first rows, which nested, often empty answer lists would break."""
    return data_file.with_name(data_file.name.removesuffix(".jsonl") + ".meta.jsonl")
SFT_INSTRUCTION = ("You watch what a user does on their computer. From the observations, propose one short task "
                   "you could do for them now, or answer 'No help needed.' when they do not need help.")
REWARD_INSTRUCTION = ("You judge a proactive assistant. From the observations and its proposal, answer 'yes' if "
                      "the user would accept the proposal now (or rightly stays undisturbed), else 'no'.")
NO_HELP = "No help needed."


class FormatError(ValueError):
    """A file that is not in the format it claims; the message names the line."""


# ------------------------------------------------------------------ times

def iso(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> float:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def stamp(t: float, style: str = "unix") -> str:
    """A time as the chosen style writes it: unix seconds as a string, to the millisecond ("1717338232.283",
    "1717377997.0", as the official rows), or ISO 8601 UTC."""
    return iso(t) if style == "iso" else repr(round(float(t), 3))


def parse_time(value: Any) -> float:
    """Seconds since the epoch from a number, a unix-seconds string or an ISO 8601 string; ValueError else."""
    if isinstance(value, bool):
        raise ValueError(f"not a time: {value!r}")
    if isinstance(value, int | float):
        out = float(value)
    elif isinstance(value, str):
        try:
            out = float(value)
        except ValueError:
            out = parse_iso(value.strip())
    else:
        raise ValueError(f"not a time: {value!r}")
    if not math.isfinite(out):
        raise ValueError(f"not a finite time: {value!r}")
    return out


def time_style_of(value: Any) -> str:
    """Which style a time string was written in (numbers count as unix)."""
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return "iso"
    return "unix"


# ------------------------------------------------------------------ the judgement

@dataclass(frozen=True)
class Verdict:
    valid: bool
    help_needed: bool
    annotation: list[bool]
    label: str  # the standing answer of the first annotator on the majority's side (what the row teaches)


def verdict(d: DecisionRecord) -> Verdict | None:
    """The decision's judgement from every annotator's standing answer; None when nobody judged it."""
    votes = [(e.label, j) for e in d.standing().values() if (j := JUDGEMENTS.get(e.label)) is not None]
    if not votes:
        return None

    def majority(values: list[bool]) -> bool:
        yes = sum(values)
        return values[0] if yes * 2 == len(values) else yes * 2 > len(values)

    valid = [j.valid for _, j in votes]
    decided = majority(valid)
    label = next(lab for lab, j in votes if j.valid == decided)
    return Verdict(decided, majority([j.help_needed for _, j in votes]), valid, label)


# ------------------------------------------------------------------ the decision as a plain dict (meta)

def _float(x: Any) -> float | None:
    return None if x is None else float(x)


def decision_meta(d: DecisionRecord, versions: dict[str, str], with_history: bool,
                  style: str = "unix") -> dict[str, Any]:
    """Everything about a decision, one type per field whatever the row (strings, floats or null; lists of
    objects with fixed keys), so a JSON loader infers one schema for the column."""
    meta: dict[str, Any] = {
        "proposal_id": int(d.id), "time": stamp(d.time, style), "surfaced": bool(d.surfaced),
        "trigger": str(d.trigger), "where": str(d.where), "kind": d.kind, "source": d.source, "model": d.model,
        "judge_score": _float(d.score), "reason": d.reason, "participant": d.participant,
        "candidates": [{"task": task, "score": _float(score)} for task, score in d.candidates],
        "labels": [{"annotator": str(e.annotator), "label": str(e.label), "reason": e.reason,
                    "time": stamp(e.time, style)} for e in d.labels],
        "answers": [{"text": str(a.text), "model": str(a.model), "time": stamp(a.time, style), "rating": a.rating,
                     "followups": [{"role": str(f.get("role", "")), "content": str(f.get("content", ""))}
                                   for f in a.followups if isinstance(f, dict)]} for a in d.answers],
        **versions,
    }
    if with_history:
        meta["task"] = d.task
        meta["history"] = list(d.history)
        meta["times"] = [stamp(t, style) for t in d.times]
    return meta


def _candidate(c: Any) -> tuple[str | None, float | None]:
    if isinstance(c, dict):  # {"task", "score"}
        score = c.get("score")
        return c.get("task"), None if score is None else float(score)
    return c[0], (float(c[1]) if len(c) > 1 and c[1] is not None else None)  # [task, score], written before


def decision_from_meta(meta: dict[str, Any], history: list[str] | None = None,
                       times: list[float] | None = None, task: str | None = None) -> DecisionRecord:
    """Rebuild a decision from `meta` (and the row's own history/task where the row holds them)."""
    labels = [LabelEntry(str(x["annotator"]), str(x["label"]), x.get("reason"), parse_time(x["time"]))
              for x in meta.get("labels") or []]
    answers = [AnswerEntry(str(a.get("text") or ""), str(a.get("model") or ""), parse_time(a["time"]),
                           a.get("rating"), [dict(f) for f in a.get("followups") or [] if isinstance(f, dict)])
               for a in meta.get("answers") or []]
    hist = [str(s) for s in meta["history"]] if history is None else history
    when = [parse_time(t) for t in meta["times"]] if times is None else times
    return DecisionRecord(
        id=int(meta["proposal_id"]), time=parse_time(meta["time"]), task=task if history is not None else
        meta.get("task"), kind=meta.get("kind"), source=meta.get("source"), model=meta.get("model"),
        score=_float(meta.get("judge_score")), surfaced=bool(meta.get("surfaced", True)), reason=meta.get("reason"),
        trigger=str(meta.get("trigger") or ""), where=str(meta.get("where") or ""), history=hist, times=when,
        candidates=[_candidate(c) for c in meta.get("candidates") or []], labels=labels, answers=answers,
        participant=str(meta["participant"]) if meta.get("participant") else None)


# ------------------------------------------------------------------ rows per format

def proactivebench_row(d: DecisionRecord, v: Verdict, versions: dict[str, str],
                       style: str = "unix") -> dict[str, Any]:
    return {
        "obs": [{"time": stamp(t, style), "event": s} for t, s in zip(d.times, d.history, strict=True)],
        "pred_task": d.task, "valid": v.valid, "help_needed": v.help_needed, "annotation": v.annotation,
        "category": category(d.task, v.valid), "meta": decision_meta(d, versions, with_history=False, style=style),
    }


def observations_text(d: DecisionRecord, style: str = "unix") -> str:
    return "\n".join(f"[{stamp(t, style)}] {s}" for t, s in zip(d.times, d.history, strict=True))


def sft_row(d: DecisionRecord, v: Verdict, versions: dict[str, str], style: str = "unix") -> dict[str, Any] | None:
    """Only decisions whose right output is known: an accepted task, or silence that was right."""
    if not v.valid:
        return None
    return {"instruction": SFT_INSTRUCTION, "input": observations_text(d, style), "output": d.task or NO_HELP,
            "meta": decision_meta(d, versions, with_history=True, style=style)}


def reward_alpaca_row(d: DecisionRecord, v: Verdict, versions: dict[str, str], style: str = "unix") -> dict[str, Any]:
    proposal = f"Proposal: {d.task}" if d.task else "Proposal: stay silent"
    return {"instruction": REWARD_INSTRUCTION, "input": f"{observations_text(d, style)}\n{proposal}",
            "output": "yes" if v.valid else "no", "meta": decision_meta(d, versions, with_history=True, style=style)}


def dataset_info(fmt: str) -> dict[str, Any]:
    """LLaMA-Factory's dataset_info.json entry: alpaca columns (sft, reward-model-alpaca) or sharegpt with
    OpenAI-style role/content messages (reward-model, as the paper's reward-model training set)."""
    entry: dict[str, Any] = {"file_name": DATASET_FILES[fmt]}
    if fmt == "reward-model":
        entry |= {"formatting": "sharegpt", "columns": {"messages": "conversations"},
                  "tags": {"role_tag": "role", "content_tag": "content", "user_tag": "user",
                           "assistant_tag": "assistant", "system_tag": "system"}}
    else:
        entry["columns"] = {"prompt": "instruction", "query": "input", "response": "output"}
    return {DATASET_NAMES[fmt]: entry}


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
        if "conversations" in first:
            return "reward-model"
        if "instruction" in first and "output" in first:
            return "reward-model-alpaca" if first.get("instruction") == REWARD_INSTRUCTION else "sft"
        if "start" in first and "source" in first and "kind" in first:
            return "events"
    raise FormatError(f"not a format this app writes ({', '.join(FORMATS)}) or reads (activitywatch)")


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
                                              [parse_time(o["time"]) for o in obs], row["pred_task"]))
            else:
                out.append(decision_from_meta(meta))
        except FormatError:
            raise
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
            raise FormatError(f"row {n}: {exc.__class__.__name__}: {exc}") from None
    return out


def observations_from_trace(steps: list[dict[str, Any]]) -> list[tuple[float, str]]:
    try:
        return [(parse_time(s["observation"]["time"]), str(s["observation"]["event"])) for s in steps]
    except (KeyError, TypeError, ValueError) as exc:
        raise FormatError(f"a trace step without observation time and event ({exc})") from None
