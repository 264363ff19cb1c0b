"""When to consult the model: meaningful changes only, within a budget, never while away or busy.

Pure logic over events and a clock, so tests can drive it with a fake clock.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field

from assistant.core.config import Config
from assistant.core.events import Event

ERROR_TITLE = re.compile(
    r"(?i)\b(error|exception|traceback|failed|failure|fatal|cannot|can't|could not|couldn't|undefined|"
    r"not found|segmentation fault|panic|stack ?trace|warning)\b|\b[A-Z]\w+(Error|Exception)\b")
HISTORY_SECONDS = 30 * 60


@dataclass(frozen=True)
class PolicySettings:
    max_per_hour: int = 4
    cooldown_reject_s: float = 30 * 60
    cooldown_ignore_s: float = 15 * 60
    min_gap_s: float = 60.0
    stall_s: float = 90.0
    switch_repeat: int = 3

    @classmethod
    def from_config(cls, cfg: Config) -> "PolicySettings":
        p = cfg.section("policy")
        return cls(p["max_proposals_per_hour"], p["cooldown_after_reject_minutes"] * 60,
                   p["cooldown_after_ignore_minutes"] * 60, p["min_gap_seconds"], p["stall_seconds"],
                   p["switch_repeat"])


@dataclass(frozen=True)
class Verdict:
    consult: bool
    reason: str
    context: str = ""
    trigger: str = ""


def context_of(event: Event) -> str:
    """A stable name for 'where the user is': the app and the window title (or page title)."""
    title = (event.data.get("page_title") if event.data else None) or event.title or ""
    return f"{event.app or '?'}|{title.strip()[:120]}"


@dataclass
class DesktopState:
    """What the policy knows about the desktop right now, updated event by event."""

    focus: Event | None = None
    afk: bool = False
    paused: bool = False
    switch_repeat: int = 3
    last_typing_end: float = 0.0
    last_input_end: float = 0.0
    recent_focus: deque = field(default_factory=lambda: deque(maxlen=12))
    seen_contexts: dict[str, float] = field(default_factory=dict)

    def update(self, event: Event) -> str | None:
        """Apply one event; return a trigger name when the event is a meaningful change."""
        if event.source == "afk":
            self.afk = event.kind == "afk"
            return None
        if event.source == "app" and event.kind in ("pause", "resume"):
            self.paused = event.kind == "pause"
            return None
        if event.source == "input":
            self.last_input_end = max(self.last_input_end, event.end)
            if (event.data or {}).get("keys", 0) > 0:
                self.last_typing_end = max(self.last_typing_end, event.end)
            return None
        is_focus = (event.source == "window" and event.kind == "focus") or (
            event.source == "browser" and event.kind == "tab")
        if not is_focus:
            return None
        previous = self.focus
        self.focus = event
        ctx = context_of(event)
        if previous is not None and context_of(previous) == ctx:
            return None  # a heartbeat or the same window again
        self.recent_focus.append(ctx)
        title = (event.data.get("page_title") if event.data else None) or event.title or ""
        first_time = ctx not in self.seen_contexts or event.start - self.seen_contexts[ctx] > HISTORY_SECONDS
        self.seen_contexts[ctx] = event.start
        if ERROR_TITLE.search(title):
            return "error"
        if self._switching():
            return "switching"
        if first_time:
            return "new_context"
        return None

    def _switching(self) -> bool:
        recent = list(self.recent_focus)
        need = 2 * self.switch_repeat
        tail = recent[-need:]
        return len(tail) == need and len(set(tail)) == 2


class Policy:
    """Decides, at a moment, whether consulting the model is worth an interruption."""

    def __init__(self, settings: PolicySettings):
        self.s = settings
        self.state = DesktopState(switch_repeat=settings.switch_repeat)
        self.surfaced_at: deque[float] = deque()
        self.last_consult = float("-inf")
        self.cooldown_until: dict[str, float] = {}
        self.pending_trigger: tuple[str, str] | None = None  # (trigger, context) waiting for a consult
        self.stall_fired_for = 0.0

    # ------------------------------------------------------------ inputs

    def observe(self, event: Event) -> None:
        trigger = self.state.update(event)
        if trigger and self.state.focus is not None:
            self.pending_trigger = (trigger, context_of(self.state.focus))

    def record_surfaced(self, now: float) -> None:
        self.surfaced_at.append(now)

    def record_label(self, context: str, label: str, now: float) -> None:
        """A rejection or an ignored card quiets this context for a while; 'not-now' like an ignore."""
        if label == "rejected":
            self.cooldown_until[context] = now + self.s.cooldown_reject_s
        elif label in ("ignored", "not-now"):
            self.cooldown_until[context] = now + self.s.cooldown_ignore_s

    # ------------------------------------------------------------ the decision

    def _stall(self, now: float) -> bool:
        st = self.state
        typed = st.last_typing_end
        if not typed or typed <= self.stall_fired_for:
            return False
        return now - typed >= self.s.stall_s and now - st.last_input_end >= self.s.stall_s

    def check(self, now: float, fullscreen: bool = False) -> Verdict:
        st = self.state
        if st.paused:
            return Verdict(False, "paused")
        if st.afk:
            return Verdict(False, "away from keyboard")
        if st.focus is None:
            return Verdict(False, "no window in focus yet")
        if fullscreen or (st.focus.data or {}).get("fullscreen"):
            return Verdict(False, "fullscreen app")
        trigger, ctx = self.pending_trigger or ("", context_of(st.focus))
        if not trigger and self._stall(now):
            trigger = "stall"
        if not trigger:
            return Verdict(False, "nothing new")
        if self.cooldown_until.get(ctx, 0) > now:
            return Verdict(False, "cooling down after your answer here", ctx, trigger)
        while self.surfaced_at and self.surfaced_at[0] <= now - 3600:
            self.surfaced_at.popleft()
        if len(self.surfaced_at) >= self.s.max_per_hour:
            return Verdict(False, f"hourly budget used ({self.s.max_per_hour} shown)", ctx, trigger)
        if now - self.last_consult < self.s.min_gap_s:
            return Verdict(False, "consulted too recently", ctx, trigger)
        return Verdict(True, trigger, ctx, trigger)

    def consulted(self, now: float, verdict: Verdict) -> None:
        """Mark a verdict as acted on: the trigger is spent."""
        self.last_consult = now
        self.pending_trigger = None
        if verdict.trigger == "stall":
            self.stall_fired_for = self.state.last_typing_end
