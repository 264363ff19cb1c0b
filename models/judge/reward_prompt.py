"""The reward model's conversation, in the shape of the ProactiveBench paper's reward model (arXiv 2410.12361).

The paper's reward model reads a system prompt (its task, rules and answer format), then one user message that is
a JSON object with the keys ``"Observations (Time Ascending)"`` (a list of ``{"time", "event"}``), ``"Proposed
Task"`` (the task, or null for "propose nothing") and ``"Instruction"``, and answers a JSON object
``{"thought": ..., "judgement": "accepted" | "rejected"}``. The keys and the answer are the format a reward model
trained on that data expects; the prose of the system prompt and of the instruction below is our own.

The same conversation is written by `proactive export --format reward-model` (as training data) and sent by the
`openai` judge backend (as a question), so a model trained on one answers the other.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

SYSTEM = """<Task>
You are the user. A proactive assistant has watched what you did on your computer and now proposes a task it
could do for you, or proposes nothing. Judge the proposal as the user would.
</Task>

<Rule>
0. Read the observations, oldest first, to work out what you are doing and what you need at this moment.
1. When the proposed task is `null`, the assistant offers nothing at this moment:
   - accept it when you need no help now;
   - reject it when you did need help here.
2. Every proposal interrupts you: accept a task only when it is worth that interruption now.
3. Judge from the observations you are given and nothing else.
</Rule>

<Format>
Answer with this JSON object and nothing else:
{
    "thought": "Your reasoning, in the first person, before you decide.",
    "judgement": "accepted or rejected"
}
</Format>"""

INSTRUCTION = "Give your judgement now; reason in the first person, as the user."
OBSERVATIONS_KEY = "Observations (Time Ascending)"
TASK_KEY = "Proposed Task"
INSTRUCTION_KEY = "Instruction"
ACCEPTED, REJECTED = "accepted", "rejected"

# For servers with a JSON mode: the answer's shape (a bounded thought, then the judgement).
ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"thought": {"type": "string", "maxLength": 240},
                   "judgement": {"type": "string", "enum": [ACCEPTED, REJECTED]}},
    "required": ["thought", "judgement"],
}
_JUDGEMENT = re.compile(r'"judgement"\s*:\s*"(accepted|rejected)"', re.IGNORECASE)
_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


def observations(times: Sequence[str], events: Sequence[str]) -> list[dict[str, str]]:
    """The observation list as the paper's rows hold it: one {"time", "event"} per sentence."""
    return [{"time": t, "event": e} for t, e in zip(times, events, strict=True)]


def user_message(obs: Sequence[dict[str, str]], task: str | None) -> str:
    return json.dumps({OBSERVATIONS_KEY: list(obs), TASK_KEY: task, INSTRUCTION_KEY: INSTRUCTION},
                      ensure_ascii=False, indent=4)


def reward_messages(obs: Sequence[dict[str, str]], task: str | None, system: str = SYSTEM) -> list[dict[str, str]]:
    """The question: system prompt, then the observations and the proposed task as JSON."""
    return [{"role": "system", "content": system}, {"role": "user", "content": user_message(obs, task)}]


def answer_message(thought: str, accepted: bool) -> str:
    """The answer a reward model gives (and a training row teaches)."""
    return json.dumps({"thought": thought, "judgement": ACCEPTED if accepted else REJECTED}, ensure_ascii=False,
                      indent=4)


def parse_judgement(text: str) -> bool | None:
    """True (accepted), False (rejected) or None (no judgement found), read as the paper's scoring does: the
    answer as JSON (also inside a ```json fence), else the first `"judgement": "accepted|rejected"` in it."""
    for candidate in (text, *_FENCE.findall(text or "")):
        try:
            value = json.loads(candidate)
        except (ValueError, TypeError, RecursionError):
            continue
        if isinstance(value, dict) and isinstance(value.get("judgement"), str):
            word = value["judgement"].strip().lower()
            return True if word == ACCEPTED else False if word == REJECTED else None
    found = _JUDGEMENT.search(text or "")
    return None if found is None else found.group(1).lower() == ACCEPTED


def bounded(obs: Sequence[dict[str, str]], max_items: int, max_chars: int) -> list[dict[str, str]]:
    """The most recent observations that fit `max_items` and about `max_chars` of JSON (at least the last one):
    a served model has a context window, and the latest moments matter most."""
    out: list[dict[str, str]] = []
    used = 0
    for item in reversed(list(obs)[-max_items:] if max_items > 0 else []):
        size = len(json.dumps(item, ensure_ascii=False)) + 8
        if out and used + size > max_chars:
            break
        out.append(item)
        used += size
    return out[::-1]
