"""Replaying real traces step by step through the engine, and a PAUC-style time-aware score.

Time-aware score (defined here, used by `proactive eval trace`):

* A trace is a list of steps. A step is a *help step* when help was needed there, read from the trace:
  - this app's exports (steps with `meta.decisions`, judged or not): from the users' own answers at that step
    (an accepted task, "help, not this", or a silent moment reviewed as "help was needed" mean help was needed;
    a rejected or not-now task, or a silent moment reviewed as "no help needed", mean it was not). Steps nobody
    answered are *unknown* and count for nothing: what the engine considered never decides it (that would score
    the engine against itself);
  - the paper's judged traces (`agent_response` [task or null] with `judgement` [bool]): an accepted task or a
    rejected null is help needed, an accepted null or a rejected task is not;
  - the official agent-input traces (`agent_response.candidate_task`): annotators were shown candidate tasks
    there (the list is non-empty).
  A *stretch* is a maximal run of consecutive help steps (unknown steps are left out first).
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
from assistant.core.proposal import JUDGEMENTS, Judgement
from assistant.decide.engine import DecisionEngine


class TraceError(ValueError):
    """A trace file is missing or malformed; the message names the file and the step."""


@dataclass
class TraceStep:
    time: str
    sentence: str
    shown: list[str]  # tasks proposed or shown to annotators at this step
    help: bool | None  # help was needed here (None: nobody answered; left out of the score)


def step_help(item: dict) -> tuple[list[str], bool | None]:
    """(tasks at the step, help needed there or None when unknown) for one trace step."""
    meta = item.get("meta") if isinstance(item.get("meta"), dict) else None
    response = item.get("agent_response")
    if isinstance(response, list):  # the judged shape
        shown = [str(t) for t in response if t is not None]
    else:
        shown = [str(t) for t in ((response or {}).get("candidate_task") or [])]
    if meta is not None and "help_needed" in meta:
        return shown, meta["help_needed"] if isinstance(meta["help_needed"], bool) else None
    if meta is not None and isinstance(meta.get("decisions"), list):
        needs = [j.help_needed for j in (_judgement(d) for d in meta["decisions"]) if j is not None]
        return shown, (any(needs) if needs else None)
    if isinstance(response, list) and isinstance(item.get("judgement"), list):
        pairs = list(zip(response, item["judgement"]))
        if not pairs:
            return shown, None
        return shown, any((t is not None) == bool(ok) for t, ok in pairs)
    return shown, bool(shown)


def _judgement(decision: object) -> Judgement | None:
    """The standing answer's judgement of one exported decision (latest answer per annotator, majority)."""
    if not isinstance(decision, dict):
        return None
    latest: dict[str, str] = {}
    for entry in decision.get("labels") or []:
        if isinstance(entry, dict):
            latest[str(entry.get("annotator"))] = str(entry.get("label"))
    found = [j for j in (JUDGEMENTS.get(lab) for lab in latest.values()) if j is not None]
    if not found:
        return None
    need = sum(j.help_needed for j in found)
    return Judgement(True, need * 2 > len(found) or (need * 2 == len(found) and found[0].help_needed))


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
            shown, needed = step_help(item)
            steps.append(TraceStep(str(obs.get("time", "")), str(obs["event"]), shown, needed))
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


def time_aware_score(help_steps: Sequence[bool | None], proposed: Sequence[bool]) -> TimeAwareScore:
    """Score one trace; see the module docstring for the definition (None in `help_steps`: unknown, left out)."""
    if len(help_steps) != len(proposed):
        raise ValueError("help_steps and proposed must have one entry per step")
    known = [(h, p) for h, p in zip(help_steps, proposed) if h is not None]
    help_steps, proposed = [h for h, _ in known], [p for _, p in known]
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
    help: bool | None
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
    shown: set[str] = set()
    for i, step in enumerate(steps):
        history.append(step.sentence)
        decision, timing = engine.step(history, exclude=shown)
        if decision.task:
            shown.add(decision.task)
        results.append(
            StepResult(
                i,
                step.sentence,
                step.shown,
                step.help,
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
    return time_aware_score([r.help for r in results], [r.proposed is not None for r in results])

