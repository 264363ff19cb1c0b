"""Input collector: counts per window per bucket, shortcut names, and (opt-in only) typed text bursts.

Every `bucket_seconds` it emits, for each window that got input, one event
source "input", kind "counts", app/title of that window, start = bucket start, duration = bucket length,
data = {"keys": n, "clicks": n, "scrolls": n, "mouse_px": n, "shortcuts": ["ctrl+s", ...]} where a missing
field means 0. `keys` counts every key press, modifiers included. No key content is kept by default.

With `collectors.input.record_text: true` typed characters are also kept as short bursts per window
(kind "text", data {"text": str}), flushed after 3 s without typing, on a window change or at 200 characters
(cut at the last line break or space, so a secret being typed is never split across two events; a single
token keeps growing up to 1,000 characters);
never for excluded apps, titles hinting at a password/login field, or titles that carry a secret; and the
text itself goes through redaction like every other field.
"""

from __future__ import annotations

import math
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from assistant.core.events import Event
from collectors.base import Collector
from collectors.input_hub import InputHub
from collectors.privacy import Emitter
from collectors.window import FocusState

_CHORD_MODS = ("ctrl", "alt", "shift", "super")
PASSWORD_HINT = re.compile(r"(?i)pass(word|wort|phrase|code)?\b|\bpin\b|log ?in|sign ?in|credential|secret|"
                           r"unlock|authenticat|\bsudo\b|\b2fa\b|one-time|otp\b|pinentry|polkit|ssh-askpass")
MAX_SHORTCUTS = 20
BURST_IDLE = 3.0
BURST_MAX = 200
BURST_HARD_MAX = 1000  # one token without spaces is flushed whole up to this length
IDLE_CHECK = 30.0  # with no input the loop only wakes this often (to notice a dead listener)


@dataclass
class Counts:
    keys: int = 0
    clicks: int = 0
    scrolls: int = 0
    mouse_px: float = 0.0
    shortcuts: list[str] = field(default_factory=list)

    def as_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name in ("keys", "clicks", "scrolls"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        if self.mouse_px >= 1:
            data["mouse_px"] = round(self.mouse_px)
        if self.shortcuts:
            data["shortcuts"] = self.shortcuts
        return data


def shortcut_name(name: str, mods: frozenset[str]) -> str | None:
    """'ctrl+shift+t' when a ctrl/alt/super chord is pressed with a non-modifier key, else None."""
    if name in _CHORD_MODS or not mods & {"ctrl", "alt", "super"}:
        return None
    return "+".join([m for m in _CHORD_MODS if m in mods] + [name])


class InputCollector(Collector):
    name = "input"

    def __init__(self, emit: Emitter, hub: InputHub, focus: FocusState, bucket_seconds: float = 5.0,
                 record_text: bool = False, **kw: Any):
        super().__init__(emit, **kw)
        self.hub = hub
        self.focus = focus
        self.bucket = bucket_seconds
        self.record_text = record_text
        self._counts: dict[tuple[str | None, str | None], Counts] = {}
        self._bucket_start = 0.0
        self._burst: dict[str, Any] | None = None
        self._data_lock = threading.Lock()
        self._activity = threading.Event()

    def unavailable(self) -> str | None:
        return self.hub.problem()

    def running_reason(self) -> str:
        text = "with typed text (opt-in)" if self.record_text else "counts and shortcut names only"
        return f"{text}, {self.bucket:g} s buckets"

    # ---- hub callbacks (listener threads)
    def _window(self) -> Counts | None:
        if self.paused.is_set():
            return None
        app, title, excluded = self.focus.get()
        if excluded:  # an excluded app leaves no trace, not even counts
            return None
        return self._counts.setdefault((app, title), Counts())

    def on_key(self, name: str, char: str | None, mods: frozenset[str]) -> None:
        with self._data_lock:
            counts = self._window()
            if counts is None:
                self._burst = None
                return
            counts.keys += 1
            shortcut = shortcut_name(name, mods)
            if shortcut and len(counts.shortcuts) < MAX_SHORTCUTS:
                counts.shortcuts.append(shortcut)
            if self.record_text:
                self._type(name, None if shortcut else char)

    def on_click(self) -> None:
        with self._data_lock:
            counts = self._window()
            if counts:
                counts.clicks += 1

    def on_scroll(self) -> None:
        with self._data_lock:
            counts = self._window()
            if counts:
                counts.scrolls += 1

    def on_move(self, distance: float) -> None:
        with self._data_lock:
            counts = self._window()
            if counts:
                counts.mouse_px += distance

    # ---- typed text (opt-in)
    def text_allowed(self, app: str | None, title: str | None) -> bool:
        privacy = self.emit.privacy
        for text in (app, title):
            if text and (PASSWORD_HINT.search(text) or privacy.has_secret(text)):
                return False
        return not privacy.excluded(app, title)

    def _type(self, name: str, char: str | None) -> None:
        app, title, _ = self.focus.get()
        now = time.time()
        burst = self._burst
        if burst and (burst["app"], burst["title"]) != (app, title):
            self._flush_burst()
            burst = None
        if name == "backspace" and burst and burst["chars"]:
            burst["chars"].pop()
            burst["last"] = now
            return
        if char is None or not self.text_allowed(app, title):
            return
        if burst is None:
            burst = self._burst = {"app": app, "title": title, "start": now, "last": now, "chars": []}
        burst["chars"].append(char)
        burst["last"] = now
        if len(burst["chars"]) >= BURST_MAX:
            self._flush_full_burst(burst, now)

    def _flush_full_burst(self, burst: dict[str, Any], now: float) -> None:
        """Flush a full burst up to its last line break (else space); the rest starts the next burst."""
        chars = burst["chars"]
        cut = next((i for i in range(len(chars) - 1, 0, -1) if chars[i] == "\n"), 0) \
            or next((i for i in range(len(chars) - 1, 0, -1) if chars[i].isspace()), 0)
        if cut == 0 and len(chars) < BURST_HARD_MAX:
            return  # one long token: keep it whole so redaction sees all of it
        rest = chars[cut + 1:] if cut else []
        burst["chars"] = chars[:cut + 1] if cut else chars
        self._flush_burst()
        if rest:
            self._burst = {"app": burst["app"], "title": burst["title"], "start": now, "last": now, "chars": rest}

    def _flush_burst(self) -> None:
        burst, self._burst = self._burst, None
        if burst and burst["chars"] and not self.paused.is_set():
            self.emit(Event("input", "text", start=burst["start"], duration=burst["last"] - burst["start"],
                            app=burst["app"], title=burst["title"], data={"text": "".join(burst["chars"])}))

    # ---- loop
    def flush(self, now: float | None = None) -> None:
        """Emit the finished bucket (one event per window) and any idle text burst."""
        now = time.time() if now is None else now
        with self._data_lock:
            counts, self._counts = self._counts, {}
            start, self._bucket_start = self._bucket_start, math.floor(now / self.bucket) * self.bucket
            if self._burst and (now - self._burst["last"] >= BURST_IDLE or self.paused.is_set()):
                self._flush_burst()
        for (app, title), c in counts.items():
            data = c.as_data()
            if data and not self.paused.is_set():
                self.emit(Event("input", "counts", start=start, duration=self.bucket, app=app, title=title,
                                data=data))

    def on_input(self) -> None:
        if not self._activity.is_set():
            self._activity.set()

    def wake(self) -> None:
        self._activity.set()

    def run(self, stop: threading.Event) -> None:
        self._bucket_start = math.floor(time.time() / self.bucket) * self.bucket
        self.hub.acquire(self)
        try:
            while not stop.is_set():
                if not self._counts and self._burst is None:  # nothing to flush: sleep until input
                    self._activity.wait(IDLE_CHECK)
                    self._activity.clear()
                    with self._data_lock:
                        self._bucket_start = math.floor(time.time() / self.bucket) * self.bucket
                else:
                    next_edge = self._bucket_start + self.bucket
                    if stop.wait(max(0.05, next_edge - time.time())):
                        break
                    self.flush()
                if not self.hub.alive():
                    raise RuntimeError("the shared input listener stopped")
        finally:
            self.hub.release(self)
            with self._data_lock:
                self._flush_burst()
            self.flush()
