"""Away-from-keyboard collector: kinds "afk" and "not-afk" with heartbeats.

You count as away after `collectors.afk.timeout_seconds` without keyboard or mouse input, or while the screen
is locked (logind LockedHint, best effort). A state change is a new event: "afk" starts at the last input
(the idle period already counted), "not-afk" when input came back. Heartbeats (about every 5 s) extend the
current one: "afk" up to now, "not-afk" up to the latest input (pauses shorter than the timeout stay inside).
With the shared input hub the loop does not poll: it sleeps until the timeout could expire, and input while
away wakes it at once.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from assistant.core.events import Event
from collectors.base import Collector
from collectors.idle import LockProbe
from collectors.privacy import Emitter

HEARTBEAT = 5.0


class AfkCollector(Collector):
    name = "afk"

    def __init__(self, emit: Emitter, idle, timeout_seconds: float = 180.0, poll_seconds: float | None = None,
                 lock_probe: LockProbe | None = None, **kw: Any):
        super().__init__(emit, **kw)
        self.idle = idle
        self.timeout = timeout_seconds
        # with the input hub the loop sleeps until the timeout can expire or input arrives while away;
        # other idle sources are polled every `poll` seconds
        self.poll = poll_seconds or min(1.0, timeout_seconds / 4)
        self.heartbeat = max(self.poll, HEARTBEAT)
        self.locks = lock_probe or LockProbe()
        self._wake = threading.Event()
        self._away = False

    def unavailable(self) -> str | None:
        return self.idle.problem()

    def running_reason(self) -> str:
        lock = "; screen lock from logind" if self.locks.available else ""
        return f"away after {self.timeout:g} s without input{lock}"

    # input hub callback (listener thread): only a return from away needs an immediate wake-up
    def on_input(self) -> None:
        if self._away:
            self._wake.set()

    def wake(self) -> None:
        self._wake.set()

    def _sleep(self, stop: threading.Event, seconds: float) -> bool:
        """Sleep up to `seconds` or until woken; True when stopping."""
        if self.idle.evented:
            self._wake.wait(max(0.05, seconds))
            self._wake.clear()
        else:
            stop.wait(min(self.poll, max(0.05, seconds)))
        return stop.is_set()

    def run(self, stop: threading.Event) -> None:
        self.idle.open(self)
        try:
            self._loop(stop)
        finally:
            self.idle.close(self)
            self._away = False

    def _loop(self, stop: threading.Event) -> None:
        state: str | None = None
        last_beat_input = last_beat = 0.0
        delay = 0.0
        while not stop.is_set():
            if state is not None and self._sleep(stop, delay):
                break
            if not self.idle.alive():
                raise RuntimeError("the input listener stopped")
            now = time.time()
            if self.paused.is_set():
                state, self._away, delay = "paused", False, self.heartbeat
                continue
            last_input = min(self.idle.last_input(), now)
            locked = self.locks.locked()
            away = now - last_input >= self.timeout or locked
            new = "afk" if away else "not-afk"
            if new != state:
                if state == "afk":  # close the away period where input came back
                    self.emit(Event("afk", "afk", start=last_input, pulsetime=self.heartbeat + 1.0))
                elif state == "not-afk" and last_input > last_beat_input:  # ...and activity at its last input
                    self.emit(Event("afk", "not-afk", start=last_input,
                                    pulsetime=self.timeout + self.heartbeat + 1))
                start = last_input if (new == "afk" or state not in (None, "paused")) else now
                self.emit(Event("afk", new, start=min(start, now), duration=max(0.0, now - start) if away else 0.0))
                state, last_beat_input, last_beat = new, last_input, now
            elif new == "afk" and now - last_beat >= self.heartbeat * 0.95:
                self.emit(Event("afk", "afk", start=now, pulsetime=self.heartbeat + 1.0))
                last_beat = now
            elif new == "not-afk" and last_input > last_beat_input and now - last_beat >= self.heartbeat * 0.95:
                self.emit(Event("afk", "not-afk", start=last_input, pulsetime=self.timeout + self.heartbeat + 1))
                last_beat_input, last_beat = last_input, now
            self._away = away
            until_timeout = last_input + self.timeout - now
            delay = self.heartbeat if away else min(self.heartbeat, until_timeout + 0.05)
            if locked or self.locks.available:
                delay = min(delay, self.locks.every)
