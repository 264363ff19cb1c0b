"""When to consult the judge and the model: on evidence that the user needs help, never while away, busy or
in flow.

Evidence comes from `assistant.decide.evidence` (strong: an error seen again or looked up; medium: switching,
a stall, a reply, a command rerun; weak: several pages read for one search). Strong evidence jumps the queue; only medium and weak evidence
is rate-limited (a minimum gap and an hourly budget of shown cards). Evidence goes stale after five minutes,
and medium or weak evidence is dropped when the user moves on to a window it was not about. Silence wins over
evidence while paused, away, in fullscreen, in a meeting, in flow (steady typing in one document) and while
the user asked for quiet. Answers quiet the place they were given in (app + site or file type, not the exact
title), by kind of task after a content rejection.

Pure logic over events and a clock, so tests drive it with a fake clock.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

from assistant.core.config import Config
from assistant.core.events import Event
from assistant.decide.episodes import Evidence, document_of, normalise
from assistant.decide.evidence import (
    EVIDENCE_S,
    MEETING,
    DesktopState,
    context_of,
    minutes,
    place_of,
    title_of,
)
from assistant.decide.rest import Rests

TIMING_REASON = re.compile(r"(?i)\b(time|now|later|busy|moment|interrupt\w*|focus\w*|meeting|quiet)\b")
GATE_RELIEF = {"strong": 0.12, "medium": 0.06, "weak": 0.0}  # evidence of need lowers the help gate this much


@dataclass(frozen=True)
class PolicySettings:
    max_per_hour: int = 4
    cooldown_reject_s: float = 30 * 60
    cooldown_ignore_s: float = 15 * 60
    min_gap_s: float = 60.0
    stall_s: float = 90.0
    switch_repeat: int = 3
    flow_s: float = 120.0
    rejected_task_s: float = 7 * 86400.0  # a task rejected in a place stays away from it this long

    @classmethod
    def from_config(cls, cfg: Config) -> PolicySettings:
        p = cfg.section("policy")
        return cls(p["max_proposals_per_hour"], p["cooldown_after_reject_minutes"] * 60,
                   p["cooldown_after_ignore_minutes"] * 60, p["min_gap_seconds"], p["stall_seconds"],
                   p["switch_repeat"])


@dataclass(frozen=True)
class Verdict:
    consult: bool
    reason: str
    context: str = ""  # the place: app + site or file type (what answers and cooldowns are keyed on)
    trigger: str = ""  # the evidence of need
    strength: str = ""  # strong | medium | weak
    evidence: Evidence | None = None  # what the need is about (see assistant.decide.episodes)


class Policy:
    """Decides, at a moment, whether consulting the judge and the model is worth an interruption."""

    def __init__(self, settings: PolicySettings):
        self.s = settings
        self.state = DesktopState(switch_repeat=settings.switch_repeat)
        self.surfaced_at: deque[float] = deque()
        self.last_consult = float("-inf")
        self.quiet_until = 0.0  # the user's "quiet for 1 hour / today"
        self.cooldown_until: dict[str, float] = {}  # place -> time
        self.kind_cooldown: dict[tuple[str, str], float] = {}  # (place, kind) -> time
        self.rejected: dict[str, dict[str, float]] = {}  # place -> task (lower-case) -> when rejected
        self.rests = Rests()  # kinds resting a week in a place after five "Not useful" (the pipeline sets it)
        self.pending: Evidence | None = None  # evidence of need waiting for a consult
        self.stall_fired_for = 0.0

    # ------------------------------------------------------------ inputs

    def observe(self, event: Event) -> Evidence | None:
        """Take one event; returns the evidence it gives (also a first sighting, which waits for no consult)."""
        found = self.state.update(event)
        if found and found.strength and self.state.focus is not None and (
                self.pending is None or found.strength == "strong" or self.pending.strength != "strong"):
            self.pending = found
        return found

    def record_surfaced(self, now: float) -> None:
        self.surfaced_at.append(now)

    def record_label(self, place: str, label: str, now: float, kind: str | None = None, task: str | None = None,
                     reason: str | None = None) -> None:
        """An answer quiets its place: a rejection about timing (or an ignored / not-now card) quiets the place for
        a while, a rejection about content quiets that kind of task there, and the rejected task itself stays
        away from that place for a week."""
        if label == "rejected":
            timing = bool(reason and TIMING_REASON.search(reason))
            if timing or not kind:
                self.cooldown_until[place] = max(self.cooldown_until.get(place, 0), now + self.s.cooldown_reject_s)
            else:
                key = (place, kind)
                self.kind_cooldown[key] = max(self.kind_cooldown.get(key, 0), now + self.s.cooldown_reject_s * 4)
            if task:
                self.rejected.setdefault(place, {})[task.lower()] = now
        elif label in ("ignored", "not-now"):
            self.cooldown_until[place] = max(self.cooldown_until.get(place, 0), now + self.s.cooldown_ignore_s)

    def quiet(self, until: float) -> None:
        self.quiet_until = until

    def excluded(self, place: str, now: float) -> tuple[frozenset[str], frozenset[str]]:
        """(tasks, kinds) not to propose in `place` now: rejected tasks, kinds cooling down or resting."""
        tasks = frozenset(t for t, at in self.rejected.get(place, {}).items() if now - at < self.s.rejected_task_s)
        kinds = frozenset(k for (p, k), until in self.kind_cooldown.items() if p == place and until > now)
        return tasks, kinds | self.rests.kinds(place, now)

    # ------------------------------------------------------------ the decision

    def _timed_evidence(self, now: float) -> Evidence | None:
        st = self.state
        typed = st.last_typing_end
        window = context_of(st.focus)
        title = title_of(st.focus)
        if (typed and typed > self.stall_fired_for and typed >= st.focus_since and now - typed >= self.s.stall_s
                and now - st.last_input_end >= self.s.stall_s):
            doc = document_of(title) or st.focus.app or "this window"
            return Evidence("stall", "medium", now, "document", normalise(doc), doc, frozenset({window}),
                            f"You stopped typing in '{doc}' {minutes(now - typed)} ago.")
        return None  # reading one page, however long, is not a need by itself

    def silence(self, now: float, fullscreen: bool = False) -> str | None:
        """Why the assistant must stay silent now (None: it may speak)."""
        st = self.state
        if st.paused:
            return "paused"
        if now < self.quiet_until:
            return "quiet: you asked for quiet"
        if st.afk:
            return "away from keyboard"
        if st.focus is None:
            return "no window in focus yet"
        if fullscreen or (st.focus.data or {}).get("fullscreen"):
            return "fullscreen app"
        if MEETING.search(f"{st.focus.app or ''} {title_of(st.focus)}"):
            return "in a meeting"
        return None

    def check(self, now: float, fullscreen: bool = False) -> Verdict:
        why_not = self.silence(now, fullscreen)
        if why_not:
            return Verdict(False, why_not)
        st = self.state
        place = place_of(st.focus)
        if self.pending is not None and now - self.pending.at > EVIDENCE_S:
            self.pending = None  # evidence goes stale: five minutes later it says nothing about now
        if (self.pending is not None and self.pending.strength != "strong" and self.pending.windows
                and context_of(st.focus) not in self.pending.windows):
            self.pending = None  # the user moved on: what they look at now is not what the evidence was about
        evidence = self.pending or self._timed_evidence(now)
        if evidence is None:
            return Verdict(False, "no sign that help is needed")
        trigger, strength = evidence.trigger, evidence.strength
        if strength != "strong" and st.in_flow(now, self.s.flow_s):
            return Verdict(False, "in flow: steady typing in one document", place, trigger)
        if self.cooldown_until.get(place, 0) > now:
            return Verdict(False, "cooling down after your answer here", place, trigger)
        if strength != "strong":
            while self.surfaced_at and self.surfaced_at[0] <= now - 3600:
                self.surfaced_at.popleft()
            if len(self.surfaced_at) >= self.s.max_per_hour:
                return Verdict(False, f"hourly budget used ({self.s.max_per_hour} shown)", place, trigger)
            if now - self.last_consult < self.s.min_gap_s:
                return Verdict(False, "consulted too recently", place, trigger)
        return Verdict(True, f"{strength} evidence: {trigger}", place, trigger, strength, evidence)

    def spent(self, verdict: Verdict) -> None:
        """The verdict's evidence is used up (acted on, or about a need that already had its card)."""
        if self.pending is not None and self.pending is verdict.evidence:
            self.pending = None
        if verdict.trigger == "stall":
            self.stall_fired_for = self.state.last_typing_end

    def consulted(self, now: float, verdict: Verdict) -> None:
        """Mark a verdict as acted on: the evidence is spent."""
        self.last_consult = now
        self.spent(verdict)
        self.pending = None
