"""Events in, at most one proposal out: policy -> narrator -> candidates -> (model) -> judge -> decision.

`Pipeline` is clock-driven and thread-free so the live app, `proactive replay` and tests share one path.
"""

from __future__ import annotations

import time
from collections import deque

from assistant.core.events import Event
from assistant.core.proposal import Proposal
from assistant.decide.engine import DecisionEngine
from assistant.decide.narrator import Observation, narrate
from assistant.decide.policy import EVIDENCE_KINDS, GATE_RELIEF, Policy, Verdict
from models.proposer import Proposer

WINDOW_SECONDS = 30 * 60
WINDOW_EVENTS = 3000  # a count cap as well: a flood of events must not grow memory or narration time
HISTORY_SENTENCES = 12
REPEAT_SECONDS = 3600  # the same task is not shown twice within this long


class Pipeline:
    """Feed it stored events (with their ids); `tick(now)` returns a Proposal when the policy consults."""

    def __init__(self, policy: Policy, engine: DecisionEngine, model_name: str = "",
                 window_seconds: float = WINDOW_SECONDS):
        self.policy = policy
        self.engine = engine
        self.model_name = model_name
        self.window_seconds = window_seconds
        self.window: deque[tuple[int, Event]] = deque(maxlen=WINDOW_EVENTS)
        self.shown: deque[tuple[float, str]] = deque()

    def use_model(self, proposer: Proposer | None, name: str) -> None:
        """Let the model word its own candidate from now on (the live app calls this once it has loaded);
        None: templates and the judge only."""
        self.engine.use_model(proposer)
        self.model_name = name

    def feed(self, event_id: int, event: Event, merged: bool = False) -> None:
        if merged and self.window and self.window[-1][0] == event_id:
            self.window[-1] = (event_id, event)  # a heartbeat lengthened the newest event
        elif merged:
            for i in range(len(self.window) - 1, max(-1, len(self.window) - 50), -1):
                if self.window[i][0] == event_id:
                    self.window[i] = (event_id, event)
                    break
        else:
            self.window.append((event_id, event))
        while self.window and self.window[0][1].end < event.start - self.window_seconds:
            self.window.popleft()
        self.policy.observe(event)

    def forget(self, since: float, at: float) -> None:
        """Drop remembered events that overlap a forgotten stretch [since, at]."""
        self.window = deque(((i, e) for i, e in self.window if e.end < since or e.start > at), maxlen=WINDOW_EVENTS)

    def observations(self) -> list[Observation]:
        return narrate(list(self.window))

    def tick(self, now: float | None = None) -> tuple[Verdict, Proposal | None]:
        now = time.time() if now is None else now
        verdict = self.policy.check(now)
        if not verdict.consult:
            return verdict, None
        self.policy.consulted(now, verdict)
        return verdict, self.decide(now, verdict)

    def decide(self, now: float, verdict: Verdict) -> Proposal:
        started = time.perf_counter()
        observations = self.observations()[-HISTORY_SENTENCES:]
        history = [o.sentence for o in observations]
        rejected, cooling = self.policy.excluded(verdict.context, now)
        decision, _timing = self.engine.step(history, exclude=self._recently_shown(now) | rejected,
                                             exclude_kinds=cooling,
                                             prefer_kinds=EVIDENCE_KINDS.get(verdict.trigger, frozenset()),
                                             gate_relief=GATE_RELIEF.get(verdict.strength, 0.0))
        chosen = decision.candidate
        proposal = Proposal(
            time=now, task=decision.task, score=decision.score, context=verdict.context, trigger=verdict.trigger,
            history=history, observation_event_ids=[list(o.event_ids) for o in observations],
            history_times=[o.time for o in observations],
            kind=chosen.kind if chosen else "none", source=chosen.source if chosen else "template",
            latency_ms=(time.perf_counter() - started) * 1000, reason=decision.reason,
            model=self.model_name if chosen and chosen.source == "model" else "",
            candidates=[(c.task, round(p, 4)) for c, p in decision.scores],
        )
        if proposal.task:
            self.policy.record_surfaced(now)
            self.shown.append((now, proposal.task.lower()))
        return proposal

    def remember_shown(self, at: float, task: str) -> None:
        """A task shown before (e.g. before a restart) is not shown again within the hour."""
        if not any(t == task.lower() for _, t in self.shown):
            self.shown.append((at, task.lower()))
            self.shown = deque(sorted(self.shown))

    def _recently_shown(self, now: float) -> frozenset[str]:
        while self.shown and self.shown[0][0] < now - REPEAT_SECONDS:
            self.shown.popleft()
        return frozenset(t for _, t in self.shown)
