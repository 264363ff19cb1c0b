"""The Collector contract the runtime relies on: name, start(), stop(), pause(), resume(), status().

A subclass implements `unavailable()` (cheap check, lazy platform imports; a string disables it with that
reason) and `run(stop)` (the blocking loop; it may raise, the supervisor restarts it). It emits through
`self.emit`, which applies the privacy filter and the shared pause switch before the runtime's sink.

Pausing: every collector built by the registry shares one `threading.Event` (`Emitter.paused`); while it is
set nothing is emitted and input is not even counted. `pause()`/`resume()` on any collector flip it for all;
the runtime may also pass its own Event to `build_collectors(..., paused=...)`.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from collectors.privacy import Emitter
from collectors.supervisor import Backoff, Supervisor


class WakePipe:
    """A pipe that a loop blocked in select() also watches, so `wake()` from another thread ends the wait."""

    def __init__(self) -> None:
        self.read_fd, self._write_fd = os.pipe()

    def wake(self) -> None:
        try:
            os.write(self._write_fd, b"x")
        except OSError:
            pass

    def drain(self) -> None:
        os.read(self.read_fd, 64)

    def close(self) -> None:
        os.close(self.read_fd)
        os.close(self._write_fd)


class Collector:
    name = "collector"

    def __init__(self, emit: Emitter, backoff: Backoff | None = None):
        self.emit = emit
        self.paused = emit.paused
        self.backoff = backoff
        self.state = "stopped"
        self.reason = "not started"
        self._restarts = 0
        self._last_error: str | None = None
        self._stop = threading.Event()
        self._supervisor: Supervisor | None = None
        self._lock = threading.Lock()

    # ---- to override
    def unavailable(self) -> str | None:
        """Why this collector cannot run here (None when it can). Called by start()."""
        return None

    def run(self, stop: threading.Event) -> None:
        """Collect until `stop` is set. Raise on failure; the supervisor restarts with backoff."""
        raise NotImplementedError

    def running_reason(self) -> str:
        return "running"

    _wake_pipe: WakePipe | None = None  # set by collectors whose run() blocks in select()

    def wake(self) -> None:
        """Interrupt a blocking wait in run() so stop() returns quickly."""
        if self._wake_pipe is not None:
            self._wake_pipe.wake()

    def cleanup(self) -> None:
        """Release resources after run() ended (normally or by an exception)."""

    # ---- contract
    def start(self) -> None:
        if self._supervisor and self._supervisor.thread.is_alive():
            return
        try:
            reason = self.unavailable()
        except Exception as exc:  # noqa: BLE001 - a broken platform library disables, never crashes
            reason = f"cannot load platform support ({type(exc).__name__}: {exc})"
        if reason:
            self.set_state("disabled", reason)
            return
        self._stop.clear()
        self._supervisor = Supervisor(self, self._stop, self.backoff)
        self.set_state("running", self.running_reason())
        self._supervisor.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self.wake()
        if self._supervisor:
            self._supervisor.join(timeout)
        if self.state not in ("disabled",):
            self.set_state("stopped", "stopped")

    def pause(self) -> None:
        self.paused.set()
        self.wake()

    def resume(self) -> None:
        self.paused.clear()
        self.wake()

    def status(self) -> dict[str, Any]:
        with self._lock:
            return {"name": self.name, "state": self.state, "reason": self.reason,
                    "restarts": self._restarts, "last_error": self._last_error}

    def set_state(self, state: str, reason: str) -> None:
        with self._lock:
            self.state, self.reason = state, reason

    def record_failure(self, error: str) -> None:
        with self._lock:
            self._last_error = error

    def record_restart(self) -> None:
        with self._lock:
            self._restarts += 1


class DisabledCollector(Collector):
    """A collector turned off in the config: shows up in status with the key that turns it on."""

    def __init__(self, emit: Emitter, name: str, reason: str):
        super().__init__(emit)
        self.name = name
        self._disabled_reason = reason
        self.set_state("disabled", reason)

    def unavailable(self) -> str | None:
        return self._disabled_reason
