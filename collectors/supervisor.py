"""Runs a collector's loop in its own thread and restarts it with exponential backoff when it throws.

Every failure is visible in the collector's status (state "failed", the error, the restart count); after
`Backoff.give_up_after` failures in a row the collector stays "failed" instead of retrying forever.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger("collectors")


@dataclass(frozen=True)
class Backoff:
    base: float = 1.0
    factor: float = 2.0
    maximum: float = 300.0
    healthy_after: float = 60.0  # a run this long resets the failure streak
    give_up_after: int = 8

    def delay(self, failures: int) -> float:
        return min(self.maximum, self.base * self.factor ** max(0, failures - 1))


def describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class Supervised(Protocol):
    """What the supervisor needs of a collector (collectors.base.Collector provides it)."""

    name: str
    state: str

    def run(self, stop: threading.Event) -> None: ...

    def cleanup(self) -> None: ...

    def running_reason(self) -> str: ...

    def set_state(self, state: str, reason: str) -> None: ...

    def record_failure(self, error: str) -> None: ...

    def record_restart(self) -> None: ...


class Supervisor:
    """One daemon thread per collector: run, catch, back off, restart."""

    def __init__(self, collector: Supervised, stop: threading.Event, backoff: Backoff | None = None):
        self.collector = collector
        self.stop = stop
        self.backoff = backoff or Backoff()
        self.thread = threading.Thread(target=self._loop, name=f"collector-{collector.name}", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def join(self, timeout: float) -> bool:
        self.thread.join(timeout)
        return not self.thread.is_alive()

    def _loop(self) -> None:
        c = self.collector
        failures = 0
        while not self.stop.is_set():
            started = time.monotonic()
            c.set_state("running", c.running_reason())
            try:
                c.run(self.stop)
                if self.stop.is_set():
                    break
                raise RuntimeError("the collector loop returned while it should still run")
            except Exception as exc:
                if self.stop.is_set():
                    break
                if time.monotonic() - started >= self.backoff.healthy_after:
                    failures = 0
                failures += 1
                error = describe(exc)
                c.record_failure(error)
                log.warning("collector %s failed (%d in a row): %s", c.name, failures, error, exc_info=exc)
                if failures >= self.backoff.give_up_after:
                    c.set_state("failed", f"gave up after {failures} failures in a row: {error}")
                    break
                delay = self.backoff.delay(failures)
                c.set_state("failed", f"crashed ({error}); restarting in {delay:g} s")
                if self.stop.wait(delay):
                    break
                c.record_restart()
            finally:
                c.cleanup()
        if c.state != "failed" or self.stop.is_set():
            c.set_state("stopped", "stopped")
