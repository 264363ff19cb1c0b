"""Away-from-keyboard collector: kinds "afk" and "not-afk" with heartbeats.

You count as away after `collectors.afk.timeout_seconds` without keyboard or mouse input, or while the screen
is locked (logind LockedHint, best effort). A state change is a new event: "afk" starts at the last input
(the idle period already counted), "not-afk" at the input that ended it. Heartbeats extend the current one:
"afk" up to now, "not-afk" up to the latest input (pauses shorter than the timeout stay inside it).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from assistant.events import Event
from collectors.base import Collector
from collectors.idle import LockProbe
from collectors.privacy import Emitter


class AfkCollector(Collector):
    name = "afk"

    def __init__(self, emit: Emitter, idle, timeout_seconds: float = 180.0, poll_seconds: float | None = None,
                 lock_probe: LockProbe | None = None, **kw: Any):
        super().__init__(emit, **kw)
        self.idle = idle
        self.timeout = timeout_seconds
        self.poll = poll_seconds or min(1.0, timeout_seconds / 4)
        self.locks = lock_probe or LockProbe()

    def unavailable(self) -> str | None:
        return self.idle.problem()

    def running_reason(self) -> str:
        lock = "; screen lock from logind" if self.locks.available else ""
        return f"away after {self.timeout:g} s without input{lock}"

    def run(self, stop: threading.Event) -> None:
        self.idle.open(self)
        try:
            self._loop(stop)
        finally:
            self.idle.close(self)

    def _loop(self, stop: threading.Event) -> None:
        state: str | None = None
        last_beat_input = 0.0
        while not stop.wait(0 if state is None else self.poll):
            if not self.idle.alive():
                raise RuntimeError("the input listener stopped")
            if self.paused.is_set():
                state = "paused"
                continue
            now = time.time()
            last_input = min(self.idle.last_input(), now)
            away = now - last_input >= self.timeout or self.locks.locked()
            new = "afk" if away else "not-afk"
            if new != state:
                start = last_input if (new == "afk" or state is not None and state != "paused") else now
                self.emit(Event("afk", new, start=min(start, now), duration=max(0.0, now - start) if away else 0.0))
                state, last_beat_input = new, last_input
            elif new == "afk":
                self.emit(Event("afk", "afk", start=now, pulsetime=self.poll + 1.0))
            elif last_input > last_beat_input:
                self.emit(Event("afk", "not-afk", start=last_input, pulsetime=self.timeout + 2 * self.poll))
                last_beat_input = last_input
