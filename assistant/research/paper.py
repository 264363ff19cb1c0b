"""Rows in the ProactiveBench paper's own shapes: the reward model's training conversation and the traces (the
agent-input steps of its test data, and the judged steps its agent-performance script scores)."""

from __future__ import annotations

import bisect
from typing import Any

from assistant.log.decisions import DecisionRecord
from assistant.research.formats import Verdict, decision_meta, stamp, verdict
from models.judge.reward_prompt import answer_message, observations, reward_messages

# What the answer kind says, in the first person: the reward row's "thought" (the real answer, never invented).
THOUGHTS = {
    "accepted": "The proposed task fits what I am doing right now and is worth the interruption, so I accept it.",
    "rejected": "I do not need this right now; the proposal would only interrupt me, so I reject it.",
    "not-now": "This could be useful, but not at this moment; being interrupted now is not worth it, so I reject it.",
    "other-help": "I do need help here, but not with this task, so I reject it.",
    "no-help-needed": "I do not need any help at this moment, so proposing nothing is right and I accept it.",
    "help-needed": "I needed help at this point; proposing nothing misses that, so I reject it.",
}


def thought(d: DecisionRecord, v: Verdict) -> str:
    said = THOUGHTS.get(v.label)
    if said is None:  # an answer kind added later: say only what the verdict says
        said = ("The proposal is right for me now, so I accept it." if v.valid
                else "The proposal is not right for me now, so I reject it.")
    return said


def reward_row(d: DecisionRecord, v: Verdict, versions: dict[str, str], style: str = "unix") -> dict[str, Any]:
    """The paper's reward-model training row: {"conversations": [system, user, assistant]} with OpenAI-style
    role/content messages, plus this app's `meta`."""
    obs = observations([stamp(t, style) for t in d.times], d.history)
    conversation = reward_messages(obs, d.task) + [
        {"role": "assistant", "content": answer_message(thought(d, v), v.valid)}]
    return {"conversations": conversation, "meta": decision_meta(d, versions, with_history=True, style=style)}


def trace_steps(observed: list[tuple[float, str]], decisions: list[DecisionRecord], versions: dict[str, str],
                style: str = "unix", judged: bool = False) -> list[dict[str, Any]]:
    """One step per stored observation; each decision belongs to the last observation at or before it (a
    decision before the first observation is left out: the caller counts it).

    Agent-input shape (the official test traces): agent_response {"candidate_task": [...]}, task_status.
    Judged shape (what the paper's judge step writes and its performance script reads): agent_response is the
    list of judged proposals at the step (a task, or null for a moment the assistant stayed silent) and
    judgement their users' verdicts (true: the proposal, or the silence, was right). Steps nobody judged have
    empty lists (the script counts nothing there); unjudged decisions stay in meta.decisions."""
    steps: list[dict[str, Any]] = []
    for t, s in observed:
        step: dict[str, Any] = {"observation": {"time": stamp(t, style), "event": s}}
        step["agent_response"] = [] if judged else {"candidate_task": []}
        if judged:
            step["judgement"] = []
        step["task_status"] = False
        step["meta"] = {"decisions": [], "help_needed": None} if judged else {"decisions": []}
        steps.append(step)
    times = [t for t, _ in observed]
    for d in decisions:
        i = bisect.bisect_right(times, d.time) - 1
        if i < 0:
            continue
        step = steps[i]
        step["meta"]["decisions"].append(decision_meta(d, versions, with_history=True, style=style))
        if judged:
            v = verdict(d)
            if v is None:
                continue
            step["agent_response"].append(d.task)
            step["judgement"].append(v.valid)
            step["task_status"] = step["task_status"] or bool(d.task)
            step["meta"]["help_needed"] = bool(step["meta"]["help_needed"]) or v.help_needed
        elif d.task or not step["agent_response"]["candidate_task"]:
            step["agent_response"]["candidate_task"] = [c for c, _ in d.candidates if c] or \
                ([d.task] if d.task else [])
            step["task_status"] = bool(d.task)
    return steps


def attached(steps: list[dict[str, Any]]) -> int:
    return sum(len(s["meta"]["decisions"]) for s in steps)
