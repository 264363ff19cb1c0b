"""Replaying real traces step by step through the engine, and a PAUC-style time-aware score.

Time-aware score (defined here, used by `proactive eval trace`):

* A trace is a list of steps. A step is a *help step* when annotators were shown candidate tasks there
  (its `candidate_task` list is non-empty). A *stretch* is a maximal run of consecutive help steps.
* Credit of a stretch: if the engine first proposes at offset k inside it (k = 0 at the stretch's first
  step), the stretch earns 1 / (1 + k); a stretch with no proposal earns 0. Proposing late earns less.
* A proposal at a step that is not a help step is a false alarm. false_alarm_rate = false alarms / number of
  non-help steps (0 when there are none).
* score = mean stretch credit x (1 - false_alarm_rate), in [0, 1]. Always proposing scores 0 (every
  non-help step is a false alarm), never proposing scores 0 (no credit); only timely, quiet help scores
  high.
  Several traces are pooled: mean credit over all their stretches, false alarms over all their non-help steps.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.core.paths import read_regular
from assistant.decide.engine import DecisionEngine


class TraceError(ValueError):
    """A trace file is missing or malformed; the message names the file and the step."""


@dataclass
class TraceStep:
    time: str
    sentence: str
    shown: list[str]  # candidate tasks annotators were shown at this step (empty: no help step)


def load_trace(path: str | Path) -> list[TraceStep]:
    path = Path(path)
    try:
        items = json.loads(read_regular(path, 1 << 30).decode("utf-8"))
    except FileNotFoundError as exc:
        raise TraceError(f"{path}: no such file") from exc
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise TraceError(f"{path}: not readable JSON ({exc})") from exc
    if not isinstance(items, list):
        raise TraceError(f"{path}: expected a list of steps")
    steps = []
    for i, item in enumerate(items):
        try:
            obs = item["observation"]
            shown = (item.get("agent_response") or {}).get("candidate_task") or []
            steps.append(TraceStep(str(obs.get("time", "")), str(obs["event"]), [str(t) for t in shown]))
        except (KeyError, TypeError, AttributeError) as exc:
            raise TraceError(
                f"{path}: step {i}: expected {{observation: {{time, event}}, agent_response: "
                f"{{candidate_task: [...]}}}} ({exc.__class__.__name__}: {exc})"
            ) from exc
    if not steps:
        raise TraceError(f"{path}: no steps")
    return steps


def stretches(help_steps: Sequence[bool]) -> list[tuple[int, int]]:
    """(start, end exclusive) of each maximal run of help steps."""
    runs, start = [], None
    for i, h in enumerate(list(help_steps) + [False]):
        if h and start is None:
            start = i
        elif not h and start is not None:
            runs.append((start, i))
            start = None
    return runs


@dataclass
class TimeAwareScore:
    credits: list[float] = field(default_factory=list)  # one per stretch
    false_alarms: int = 0
    non_help_steps: int = 0

    @property
    def mean_credit(self) -> float:
        return sum(self.credits) / len(self.credits) if self.credits else 0.0

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.non_help_steps if self.non_help_steps else 0.0

    @property
    def score(self) -> float:
        return self.mean_credit * (1.0 - self.false_alarm_rate)

    def __add__(self, other: TimeAwareScore) -> TimeAwareScore:
        return TimeAwareScore(
            self.credits + other.credits,
            self.false_alarms + other.false_alarms,
            self.non_help_steps + other.non_help_steps,
        )

    def as_dict(self) -> dict:
        return {
            "score": self.score,
            "mean_credit": self.mean_credit,
            "stretches": len(self.credits),
            "stretches_helped": sum(1 for c in self.credits if c > 0),
            "false_alarms": self.false_alarms,
            "non_help_steps": self.non_help_steps,
            "false_alarm_rate": self.false_alarm_rate,
        }


def time_aware_score(help_steps: Sequence[bool], proposed: Sequence[bool]) -> TimeAwareScore:
    """Score one trace; see the module docstring for the definition."""
    if len(help_steps) != len(proposed):
        raise ValueError("help_steps and proposed must have one entry per step")
    credits = []
    for start, end in stretches(help_steps):
        first = next((k for k in range(end - start) if proposed[start + k]), None)
        credits.append(0.0 if first is None else 1.0 / (1.0 + first))
    non_help = [p for h, p in zip(help_steps, proposed) if not h]
    return TimeAwareScore(credits, sum(non_help), len(non_help))


@dataclass
class StepResult:
    index: int
    sentence: str
    shown: list[str]
    proposed: str | None
    source: str | None
    score: float
    reason: str
    latency_s: float
    model_s: float


def replay(steps: Sequence[TraceStep], engine: DecisionEngine) -> list[StepResult]:
    """Feed the trace's sentences one by one (history grows) to `engine.step` and record each decision."""
    results = []
    history: list[str] = []
    for i, step in enumerate(steps):
        history.append(step.sentence)
        decision, timing = engine.step(history)
        results.append(
            StepResult(
                i,
                step.sentence,
                step.shown,
                decision.task,
                decision.candidate.source if decision.candidate else None,
                decision.score,
                decision.reason,
                timing.total_s,
                timing.model_s,
            )
        )
    return results


def score_replay(results: Sequence[StepResult]) -> TimeAwareScore:
    return time_aware_score([bool(r.shown) for r in results], [r.proposed is not None for r in results])

