"""The running app: collectors -> privacy -> writer, the decision loop, status for other processes."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from assistant.core.config import Config
from assistant.core.events import Event
from assistant.log import EventWriter, open_db, queries

log = logging.getLogger(__name__)

STATUS_EVERY = 5.0
RETENTION_EVERY = 3600.0


def display_available() -> tuple[bool, str]:
    """Whether a graphical session is reachable, with the reason when it is not."""
    if os.name == "nt" or os.uname().sysname == "Darwin":
        return True, ""
    if os.environ.get("DISPLAY"):
        return True, ""
    if os.environ.get("WAYLAND_DISPLAY"):
        return False, "Wayland session without X (DISPLAY unset)"
    return False, "no display (DISPLAY unset)"


class Runtime:
    """Wires the parts together and keeps running until stopped; every part may be disabled with a reason."""

    def __init__(self, cfg: Config, headless: bool = False, say: Callable[[str], None] = print,
                 load_model: bool = True):
        self.cfg = cfg
        self.headless = headless
        self.load_model = load_model
        self.say = say
        self.db_path = None
        self.writer: EventWriter | None = None
        self.collectors: list[Any] = []
        self.parts: dict[str, dict[str, Any]] = {}
        self.paused = False
        self._stop = threading.Event()
        self._paused_switch = threading.Event()  # shared with the collectors: set = collect nothing
        self.engine = None
        self.on_proposal: Callable[[Any], None] | None = None  # the tray sets this
        self._last_status: dict[str, Any] | None = None

    # ------------------------------------------------------------ events in

    def sink(self, event: Event) -> None:
        if self.paused or self.writer is None:
            return
        self.writer.put(event)

    # ------------------------------------------------------------ lifecycle

    def _take_instance_lock(self) -> None:
        """One running app per data dir: a second one would interleave event ids."""
        import fcntl

        from assistant.core import paths

        lock_path = paths.ensure_private_dir(paths.data_dir()) / "run.lock"
        self._lock_file = open(lock_path, "a+")
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock_file.seek(0)
            other = self._lock_file.read().strip() or "?"
            raise RuntimeError(f"another proactive assistant (pid {other}) is already running on "
                               f"{paths.data_dir()}; stop it first") from None
        self._lock_file.truncate(0)
        self._lock_file.write(str(os.getpid()))
        self._lock_file.flush()

    def start(self) -> None:
        from assistant.core import paths

        if os.name == "posix":
            self._take_instance_lock()
        self.db_path = paths.db_path()
        self.writer = EventWriter(self.db_path, queue_size=self.cfg["storage.queue_size"],
                                  commit_interval=self.cfg["storage.commit_interval"],
                                  sync_interval=self.cfg["storage.sync_interval"]).start()
        self.db = open_db(self.db_path, check=False)
        recovered = getattr(self.writer.db, "recovered_from", None)
        if recovered:
            self.say(f"The event log was damaged; it was kept at {recovered} and a new one was started.")
        queries.apply_retention(self.db, self.cfg["storage.retention_days"])
        self._check_pause()
        self.writer.put(Event("app", "start", data={"headless": self.headless}))
        self._start_collectors()
        self._start_engine()
        self._write_status()

    def _start_collectors(self) -> None:
        try:
            from collectors.registry import build_collectors
        except ImportError as exc:
            self.parts["collectors"] = {"state": "disabled", "reason": f"collectors not installed: {exc}"}
            return
        self.collectors = build_collectors(self.cfg, self.sink, paused=self._paused_switch)
        for collector in self.collectors:
            try:
                collector.start()
            except Exception as exc:  # a collector must never take the app down
                log.exception("collector %s failed to start", getattr(collector, "name", collector))
                self.parts[f"collector:{collector.name}"] = {"state": "failed", "reason": str(exc)}

    def _start_engine(self) -> None:
        try:
            from assistant.app.live import Engine
        except ImportError as exc:
            self.parts["engine"] = {"state": "disabled", "reason": f"decision engine unavailable: {exc}"}
            return
        try:
            self.engine = Engine(self.cfg, self.db_path, surface=self._surface, load_model=self.load_model)
            self.engine.start()
            self.writer.listeners.append(self.engine.on_event)
            self.parts["engine"] = self.engine.status()
        except Exception as exc:
            log.exception("decision engine failed to start")
            self.parts["engine"] = {"state": "disabled", "reason": str(exc)}

    def _surface(self, proposal: Any) -> None:
        if self.on_proposal is not None:
            self.on_proposal(proposal)
            return
        self.say(f"\nSuggestion #{proposal.id}: {proposal.task}\n"
                 f"  (judge {proposal.score:.2f}; answer with: proactive answer {proposal.id} "
                 f"accept|reject|not-now)")

    def collector_status(self) -> list[dict[str, Any]]:
        out = []
        for collector in self.collectors:
            try:
                out.append(collector.status())
            except Exception as exc:
                out.append({"name": getattr(collector, "name", "?"), "state": "failed", "reason": str(exc)})
        return out

    def describe(self) -> str:
        lines = []
        if self.headless:
            lines.append("Running headless: no tray; proposals are printed here.")
        for st in self.collector_status():
            reason = f" ({st.get('reason')})" if st.get("reason") else ""
            lines.append(f"  collector {st['name']}: {st['state']}{reason}")
        for name, st in self.parts.items():
            reason = f" ({st.get('reason')})" if st.get("reason") else ""
            lines.append(f"  {name}: {st.get('state')}{reason}")
        lines.append(f"  event log: {self.db_path}")
        return "\n".join(lines)

    def run(self, duration: float | None = None) -> None:
        deadline = time.monotonic() + duration if duration else None
        last_status = time.monotonic()
        last_retention = time.monotonic()
        while not self._stop.is_set():
            if deadline and time.monotonic() >= deadline:
                break
            self._stop.wait(1.0)
            self._check_pause()
            if time.monotonic() - last_status >= STATUS_EVERY:
                self._write_status()
                last_status = time.monotonic()
            if time.monotonic() - last_retention >= RETENTION_EVERY:
                last_retention = time.monotonic()
                try:
                    queries.apply_retention(self.db, self.cfg["storage.retention_days"])
                except Exception as exc:  # a busy DB: try again next time
                    log.warning("retention skipped: %s", exc)

    def request_stop(self) -> None:
        """Ask `run()` to return soon (safe from any thread or a signal handler)."""
        self._stop.set()

    def stop(self) -> None:
        self._stop.set()
        if self.engine is not None:
            self.engine.stop()
        for collector in self.collectors:
            try:
                collector.stop()
            except Exception:
                log.exception("collector %s failed to stop", getattr(collector, "name", collector))
        if self.writer:
            self.writer.put(Event("app", "stop"))
            self._write_status(running=False)
            self.writer.stop()
        if getattr(self, "_lock_file", None) is not None:
            self._lock_file.close()

    # ------------------------------------------------------------ pause and status

    def _check_pause(self) -> None:
        state = queries.get_state(self.db, "pause")
        value = state[0] if state else None
        paused = bool(value) and (value.get("until") is None or value["until"] > time.time())
        if paused != self.paused:
            if paused:
                self.writer.put(Event("app", "pause", data={"until": value.get("until")}))
                self.paused = True
                self._paused_switch.set()
                self.say("Paused: nothing is collected until you resume.")
            else:
                self.paused = False
                self._paused_switch.clear()
                self.writer.put(Event("app", "resume"))
                self.say("Resumed.")

    def _write_status(self, running: bool = True) -> None:
        if self.engine is not None:
            self.parts["engine"] = self.engine.status()
        status = {
            "pid": os.getpid(),
            "running": running,
            "headless": self.headless,
            "paused": self.paused,
            "collectors": self.collector_status(),
            "parts": self.parts,
        }
        if status == self._last_status:
            return  # unchanged: no write, so a quiet desktop costs no disk I/O
        self._last_status = status
        try:
            queries.set_state(self.db, "runtime", status)
        except Exception as exc:  # a locked DB must not stop the app
            log.warning("could not record status: %s", exc)
