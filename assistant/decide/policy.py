"""When to consult the model: only on evidence that the user needs help, never while away, busy or in flow.

A new window, file or page is not by itself a need. Evidence is built from what the user does over the last
few minutes (ProAgentBench found about five minutes of history to be the useful window):

strong  the same error seen again (a rerun), a search or an answer page right after an error
medium  back-and-forth between the same two windows, a stall after typing, reading a message then switching
        to a reply window
weak    a long read of one page or document

Strong evidence jumps the queue; only medium and weak evidence is rate-limited (a minimum gap and an hourly
budget of shown cards). Silence wins over evidence while paused, away, in fullscreen, in a meeting, in flow
(steady typing in one document) and while the user asked for quiet. Answers quiet the place they were given
in (app + site or file type, not the exact title), by kind of task after a content rejection.

Pure logic over events and a clock, so tests drive it with a fake clock.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urlparse

from assistant.core.config import Config
from assistant.core.events import Event

ERROR_TITLE = re.compile(
    r"(?i)\b(error|exception|traceback|failed|failure|fatal|cannot|can't|could not|couldn't|undefined|"
    r"not found|segmentation fault|panic|stack ?trace)\b|(?-i:\b[A-Z]\w+(Error|Exception)\b)")
SEARCH_TITLE = re.compile(
    r"(?i)(\s[-\u2013\u2014|]\s*(google( search)?|bing|duckduckgo|startpage|ecosia|brave search|kagi|qwant)\s*$|"
    r"\bat duckduckgo\s*$|stack ?overflow|stackexchange|github issues?|\bdocs?\b|documentation|reddit|\bmdn\b)")
BROWSERS = re.compile(r"(?i)firefox|chrom|brave|vivaldi|opera|edge|safari|epiphany|browser")
REPLY_TITLE = re.compile(r"(?i)^(re|aw|sv|antw|rif|odp)\s*:|\b(reply|compose|new message|write:|draft)\b")
MESSAGE_APPS = re.compile(r"(?i)thunderbird|evolution|outlook|geary|kmail|mailspring|slack|teams|discord|"
                          r"element|signal|telegram|mattermost|zulip|gmail|mail")
MEETING = re.compile(r"(?i)\b(zoom meeting|google meet|meet\.google|microsoft teams meeting|jitsi|webex|"
                     r"whereby|bigbluebutton)\b|^zoom$|^zoom\.us$")
VIDEO = re.compile(r"(?i)youtube|vimeo|netflix|twitch|\bvlc\b|\bmpv\b|totem|celluloid|media player")
TIMING_REASON = re.compile(r"(?i)\b(time|now|later|busy|moment|interrupt\w*|focus\w*|meeting|quiet)\b")
EVIDENCE_S = 5 * 60
RESEARCH_PAGES = 3  # distinct pages read after one search
GATE_RELIEF = {"strong": 0.12, "medium": 0.06, "weak": 0.0}  # evidence of need lowers the help gate this much
# what each kind of evidence says about which help fits (the decision prefers these kinds of task)
EVIDENCE_KINDS = {
    "error_again": frozenset({"explain_error", "find_fix"}),
    "search_after_error": frozenset({"explain_error", "find_fix"}),
    "reply": frozenset({"draft_reply"}),
    "research": frozenset({"summarise_pages", "research"}),
    "switching": frozenset({"combine"}),
    "stall": frozenset({"continue_document", "review_file", "resume"}),
    "long_read": frozenset({"summarise_pages"}),
}


@dataclass(frozen=True)
class PolicySettings:
    max_per_hour: int = 4
    cooldown_reject_s: float = 30 * 60
    cooldown_ignore_s: float = 15 * 60
    min_gap_s: float = 60.0
    stall_s: float = 90.0
    switch_repeat: int = 3
    long_read_s: float = 240.0
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


def title_of(event: Event) -> str:
    return ((event.data.get("page_title") if event.data else None) or event.title or "").strip()


def place_of(event: Event) -> str:
    """Where the user is, coarsely: the app and the site (browsers) or the file type; not the exact title, so
    an answer given about one file or page also covers the next one of the same kind."""
    app = (event.app or "?").lower()
    url = (event.data or {}).get("url") if event.data else None
    if url:
        host = urlparse(str(url)).hostname or ""
        return f"{app}|{host.removeprefix('www.')}"
    title = title_of(event)
    match = re.search(r"\.([A-Za-z][A-Za-z0-9]{0,5})\b", title.split(" - ")[0]) if title else None
    if match:
        return f"{app}|.{match.group(1).lower()}"
    if ERROR_TITLE.search(title):
        return f"{app}|error"
    return f"{app}|"


def context_of(event: Event) -> str:
    """A stable name for one window: the app and its title (used to tell windows apart)."""
    return f"{event.app or '?'}|{title_of(event)[:120]}"


@dataclass
class DesktopState:
    """What the policy knows about the desktop right now, updated event by event."""

    focus: Event | None = None
    focus_since: float = 0.0
    present_since: float = 0.0
    afk: bool = False
    paused: bool = False
    switch_repeat: int = 3
    last_typing_end: float = 0.0
    typing_since: float = 0.0  # start of the current stretch of steady typing in the focused window
    last_input_end: float = 0.0
    recent_focus: deque = field(default_factory=lambda: deque(maxlen=16))  # (time, window)
    errors: deque = field(default_factory=lambda: deque(maxlen=16))  # (time, app, window, title)
    last_message_read: float = float("-inf")
    last_search: float = float("-inf")
    search_title: str = ""
    pages_since_search: set = field(default_factory=set)

    def update(self, event: Event) -> tuple[str, str] | None:
        """Apply one event; return (evidence, strength) when it is evidence that help is needed."""
        if event.source == "afk":
            self.afk = event.kind == "afk"
            if not self.afk:
                self.present_since = event.start  # back at the keyboard: reading starts again from here
            return None
        if event.source == "app" and event.kind in ("pause", "resume"):
            self.paused = event.kind == "pause"
            return None
        if event.source == "input":
            self.last_input_end = max(self.last_input_end, event.end)
            if (event.data or {}).get("keys", 0) > 0:
                if event.start - self.last_typing_end > 30 or self.typing_since < self.focus_since:
                    self.typing_since = event.start
                self.last_typing_end = max(self.last_typing_end, event.end)
            return None
        is_focus = (event.source == "window" and event.kind == "focus") or (
            event.source == "browser" and event.kind == "tab")
        if not is_focus:
            return None
        previous = self.focus
        window = context_of(event)
        if previous is not None and context_of(previous) == window:
            self.focus = event  # a heartbeat or the same window again
            return None
        self.focus, self.focus_since = event, event.start
        self.recent_focus.append((event.start, window))
        title = title_of(event)
        if previous is not None and MESSAGE_APPS.search(previous.app or "") and not REPLY_TITLE.search(
                title_of(previous)):
            self.last_message_read = event.start
        return self._evidence(event, window, title)

    def _evidence(self, event: Event, window: str, title: str) -> tuple[str, str] | None:
        now = event.start
        recent_errors = [e for e in self.errors if now - e[0] <= EVIDENCE_S]
        url = str((event.data or {}).get("url") or "")
        browsing = bool(url) or bool(BROWSERS.search(event.app or "")) or event.source == "browser"
        if recent_errors and browsing and (SEARCH_TITLE.search(f"{title} {url}") or ERROR_TITLE.search(title)):
            return "search_after_error", "strong"  # looking the error up: the user is stuck on it
        if ERROR_TITLE.search(title):
            again = any(e[1] == event.app or e[3] == title for e in recent_errors)
            self.errors.append((now, event.app, window, title))
            if again:
                return "error_again", "strong"  # the same error after a rerun (or after looking elsewhere)
            return None  # the first sight of an error is not yet a need
        if REPLY_TITLE.search(title) and now - self.last_message_read <= EVIDENCE_S:
            return "reply", "medium"
        if browsing and re.search(r"(?i)\b(search|suche|recherche|buscar)\b|google|bing|duckduckgo", title):
            if title != self.search_title:  # a new search starts a new stretch of reading
                self.search_title, self.pages_since_search = title, set()
            self.last_search = now
        elif browsing and now - self.last_search <= EVIDENCE_S:
            self.pages_since_search.add(title)
            if len(self.pages_since_search) == RESEARCH_PAGES:
                return "research", "weak"  # several pages read for one search
        if self._switching(now):
            return "switching", "medium"
        return None

    def _switching(self, now: float) -> bool:
        recent = [w for t, w in self.recent_focus if now - t <= EVIDENCE_S]
        need = 2 * self.switch_repeat
        tail = recent[-need:]
        return len(tail) == need and len(set(tail)) == 2

    def in_flow(self, now: float, flow_s: float) -> bool:
        """Steady typing in one window for a while, still going: the user knows what they are doing."""
        return (self.typing_since >= self.focus_since and now - self.last_typing_end < 30
                and self.last_typing_end - self.typing_since >= flow_s)


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
        self.pending: tuple[str, str, float] | None = None  # (evidence, strength, seen at) waiting for a consult
        self.stall_fired_for = 0.0
        self.read_fired_for = 0.0

    # ------------------------------------------------------------ inputs

    def observe(self, event: Event) -> None:
        found = self.state.update(event)
        if found and self.state.focus is not None:
            evidence, strength = found
            if self.pending is None or strength == "strong" or self.pending[1] != "strong":
                self.pending = (evidence, strength, event.start)

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
        """(tasks, kinds) not to propose in `place` now: rejected tasks and kinds cooling down."""
        tasks = frozenset(t for t, at in self.rejected.get(place, {}).items() if now - at < self.s.rejected_task_s)
        kinds = frozenset(k for (p, k), until in self.kind_cooldown.items() if p == place and until > now)
        return tasks, kinds

    # ------------------------------------------------------------ the decision

    def _timed_evidence(self, now: float) -> tuple[str, str] | None:
        st = self.state
        typed = st.last_typing_end
        if (typed and typed > self.stall_fired_for and typed >= st.focus_since and now - typed >= self.s.stall_s
                and now - st.last_input_end >= self.s.stall_s):
            return "stall", "medium"
        title = title_of(st.focus)
        reading_since = max(st.focus_since, st.present_since)
        if (now - reading_since >= self.s.long_read_s and st.last_typing_end < st.focus_since
                and st.focus_since > self.read_fired_for and not VIDEO.search(f"{st.focus.app} {title}")):
            return "long_read", "weak"
        return None

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
        if self.pending is not None and now - self.pending[2] > EVIDENCE_S:
            self.pending = None  # evidence goes stale: five minutes later it says nothing about now
        evidence, strength = (self.pending[0], self.pending[1]) if self.pending else (None, None)
        if evidence is None:
            timed = self._timed_evidence(now)
            if timed is None:
                return Verdict(False, "no sign that help is needed")
            evidence, strength = timed
        if strength != "strong" and st.in_flow(now, self.s.flow_s):
            return Verdict(False, "in flow: steady typing in one document", place, evidence)
        if self.cooldown_until.get(place, 0) > now:
            return Verdict(False, "cooling down after your answer here", place, evidence)
        if strength != "strong":
            while self.surfaced_at and self.surfaced_at[0] <= now - 3600:
                self.surfaced_at.popleft()
            if len(self.surfaced_at) >= self.s.max_per_hour:
                return Verdict(False, f"hourly budget used ({self.s.max_per_hour} shown)", place, evidence)
            if now - self.last_consult < self.s.min_gap_s:
                return Verdict(False, "consulted too recently", place, evidence)
        return Verdict(True, f"{strength} evidence: {evidence}", place, evidence, strength)

    def consulted(self, now: float, verdict: Verdict) -> None:
        """Mark a verdict as acted on: the evidence is spent."""
        self.last_consult = now
        self.pending = None
        if verdict.trigger == "stall":
            self.stall_fired_for = self.state.last_typing_end
        if verdict.trigger == "long_read":
            self.read_fired_for = self.state.focus_since
