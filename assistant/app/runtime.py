"""The running app: collectors -> privacy -> writer, the decision loop, and status for other processes."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from assistant.app import control
from assistant.app.display import display_available, x_display_reachable  # noqa: F401 - re-exported
from assistant.app.instance import take_instance_lock
from assistant.app.live import LiveLoop
from assistant.app.status import writer_part
from assistant.core import config, paths
from assistant.core.config import Config
from assistant.core.consent import OPT_INS, not_agreed
from assistant.core.events import Event
from assistant.core.proposal import Proposal
from assistant.log import EventWriter, LogError, housekeeping, open_db
from assistant.log.db import cannot_write
from assistant.log.proposals import LabelRow
from assistant.log.state import RuntimeSnapshot, write_runtime
from collectors.privacy import Emitter, PrivacyFilter
from collectors.registry import build_collectors

log = logging.getLogger(__name__)

RESTART_SECTIONS = ("collectors", "storage")  # read once at start: a change waits for the next start
RESTART_KEYS = ("ui.tray",)
STATUS_EVERY = 5.0
UNBLOCK_EVERY = 5.0  # while the event log cannot be written, try again this often
STATUS_REFRESH = 300.0  # an unchanged status is rewritten this often, so readers can tell a stuck app
RETENTION_EVERY = 3600.0


class Runtime:
    """Wires the parts together and keeps running until stopped; every part may be disabled with a reason."""

    def __init__(self, cfg: Config, headless: bool = False, say: Callable[[str], None] = print,
                 load_model: bool = True, accept_defaults: bool = False):
        self.cfg = cfg
        self.accept_defaults = accept_defaults  # `run --accept-defaults`: record that consent once the log is writable
        self.headless = headless
        self.load_model = load_model
        self.say = say
        self.db_path = paths.db_path()
        self.db = None
        self.writer: EventWriter | None = None
        self.live: LiveLoop | None = None
        self.collectors: list[Any] = []
        self.failed_parts: list[dict[str, Any]] = []
        self.paused = False
        self.running = False
        self._stop = threading.Event()
        self._model_said: str | None = None  # the model state last announced (ready, failed)
        self._paused_switch = threading.Event()  # shared with the collectors: set = collect nothing
        self.on_proposal: Callable[[Proposal], None] | None = None  # the tray sets this
        self._last_snapshot: RuntimeSnapshot | None = None
        self._lock_file = None
        self.waiting_for_consent = False
        self._file_opt_ins: dict[str, bool] = {}  # the opt-ins as the config file has them (before consent holds)
        self.blocked = ""  # why the event log cannot be written (read-only / full folder): collection is paused
        self._next_unblock = 0.0

    # ------------------------------------------------------------ events in

    def sink(self, event: Event) -> None:
        if self.paused or self.writer is None or self.waiting_for_consent:
            return
        self.writer.put(event)

    def _refused(self, reason: str) -> None:
        if self.writer is not None:
            self.writer.refuse(reason)

    # ------------------------------------------------------------ lifecycle

    def _take_instance_lock(self) -> None:
        self._lock_file = take_instance_lock()

    def start(self) -> None:
        if os.name == "posix":
            self._take_instance_lock()
        self.running = True
        if not self._open_log():
            self._write_status()
            return
        self._after_log()

    def _open_log(self) -> bool:
        """Start the writer. A log that cannot be written (read-only or full folder) is no reason to stop: the
        app runs with collection paused, says why, and tries again every few seconds (False then)."""
        try:
            self.writer = EventWriter(self.db_path, queue_size=self.cfg["storage.queue_size"],
                                      commit_interval=self.cfg["storage.commit_interval"],
                                      sync_interval=self.cfg["storage.sync_interval"]).start()
        except RuntimeError as exc:
            why = cannot_write(exc.__cause__ or exc, self.db_path.parent)
            if not why:
                raise
            self.writer = None
            if not self.blocked:
                self.say(f"The event log cannot be written ({why}: {self.db_path.parent}): collection is paused "
                         "until it can; nothing is recorded meanwhile.")
            self.blocked = f"{why}: collection is paused until the event log can be written"
            self._next_unblock = time.monotonic() + UNBLOCK_EVERY
            return False
        if self.blocked:
            self.say("The event log can be written again: collection starts.")
        self.blocked = ""
        return True

    def _after_log(self) -> None:
        self.db = open_db(self.db_path)
        recovered = self.writer.db.recovered_from if self.writer.db else None
        if recovered:
            saved = sum(self.writer.db.salvaged.values())
            self.say(f"The event log was damaged; it was kept at {recovered}, a new one was started and "
                     f"{saved} readable rows were saved into it.")
        self._retention()
        if control.consent_needed(self.db) and self.accept_defaults:
            self._consent_by_flag()
        if control.consent_needed(self.db):
            self.waiting_for_consent = True  # nothing is collected, not even the app's own start event
            self.say(control.HOW_TO_CONSENT)
        else:
            self._begin_collecting()
        self._write_status()

    def _consent_by_flag(self) -> None:
        try:
            control.give_consent(self.db, {}, via="flag")
            self.say("Consent recorded (--accept-defaults: the defaults, no opt-ins).")
        except (control.ConsentError, LogError, OSError) as exc:
            log.warning("consent could not be recorded yet: %s", exc)

    def _begin_collecting(self) -> None:
        """Consent is recorded: log the start, then start the collectors and the engine. An opt-in that is on in
        the config but not agreed to stays off, and says so."""
        self.waiting_for_consent = False
        self._hold_unagreed()
        self._apply_pause(control.pause_state(self.db).paused)
        self.writer.put(Event("app", "start", data={"headless": self.headless}))
        self._start_collectors()
        self._start_engine()

    def _check_consent(self) -> None:
        """While waiting: consent given meanwhile (e.g. `proactive consent` in a terminal) starts collecting,
        with the config as it is now (the opt-ins may have just been written)."""
        if control.consent_needed(self.db) and self.accept_defaults:
            self._consent_by_flag()
        if control.consent_needed(self.db):
            return
        try:
            self.cfg = config.load()
        except config.ConfigError as exc:
            self.say(f"The config changed and is invalid ({exc.problems[0]}); the one read at start is used.")
        self.say("Consent recorded: collecting starts now.")
        self._begin_collecting()
        self._write_status()

    def _hold_unagreed(self) -> None:
        self._file_opt_ins = {k: bool(self.cfg[k]) for k in OPT_INS}  # as the config file says
        refused = not_agreed({k: bool(self.cfg[k]) for k in OPT_INS}, control.consent_state(self.db))
        self.failed_parts = [p for p in self.failed_parts if p.get("name") != "opt-ins"]
        if not refused:
            return
        self.cfg = self.cfg.with_overrides(dict.fromkeys(refused, False))
        self.failed_parts.append({"name": "opt-ins", "state": "off", "reason": (
            f"on in the config but not agreed to, so off: {', '.join(refused)}; to agree: `proactive consent "
            + " ".join(f"--opt-in {k}" for k in refused) + "`")})

    def _start_collectors(self) -> None:
        self.collectors = build_collectors(self.cfg, self.sink, paused=self._paused_switch, refused=self._refused)
        for collector in self.collectors:
            try:
                collector.start()
            except Exception as exc:  # a collector must never take the app down
                log.exception("collector %s failed to start", getattr(collector, "name", collector))
                self.failed_parts.append({"name": f"collector {collector.name}", "state": "failed",
                                          "reason": str(exc)})

    def _start_engine(self) -> None:
        try:
            self.live = LiveLoop(self.cfg, self.db_path, surface=self._surface, load_model=self.load_model)
            self.live.start()
            self.writer.listeners.append(self.live.on_event)
        except Exception as exc:
            log.exception("decision engine failed to start")
            self.live = None
            self.failed_parts.append({"name": "engine", "state": "failed", "reason": str(exc)})

    def _surface(self, proposal: Proposal) -> None:
        if self.on_proposal is not None:
            self.on_proposal(proposal)
            return
        sure = f"{100 * proposal.score:.0f} % sure; " if proposal.score is not None else ""
        self.say(f"\nSuggestion #{proposal.id}: {proposal.task}\n"
                 f"  ({sure}answer with: proactive answer {proposal.id} accept, reject or not-now)")

    def parts(self) -> list[dict[str, Any]]:
        """Every part with its state and reason, computed now (see assistant.app.status)."""
        out: list[dict[str, Any]] = []
        if self.blocked:
            out.append({"name": "event log", "state": "failed", "reason": self.blocked})
            out.append({"name": "collection", "state": "paused", "reason": self.blocked})
        if self.waiting_for_consent:
            out.append({"name": "consent", "state": "waiting",
                        "reason": "nothing is collected before you agree (`proactive consent`)"})
        for collector in self.collectors:
            try:
                st = collector.status()
            except Exception as exc:
                st = {"name": getattr(collector, "name", "?"), "state": "failed", "reason": str(exc)}
            entry = {"name": f"collector {st['name']}", "state": st["state"], "reason": st.get("reason") or ""}
            if self.paused and entry["state"] == "running":
                entry = {**entry, "state": "paused", "reason": "paused: nothing is collected"}
            out.append(entry)
        if self.writer is not None:
            out.append(writer_part(self.writer.snapshot()))
        if self.live is not None:
            out += self.live.parts()
        return out + [dict(p) for p in self.failed_parts]

    def describe(self) -> str:
        lines = ["Running headless: no tray; proposals are printed here."] if self.headless else []
        for part in self.parts():
            reason = f" ({part['reason']})" if part.get("reason") else ""
            lines.append(f"  {part['name']}: {part['state']}{reason}")
        lines.append(f"  data: {self.db_path}")
        return "\n".join(lines)

    def run(self, duration: float | None = None) -> None:
        deadline = time.monotonic() + duration if duration else None
        last_status = last_retention = time.monotonic()
        while not self._stop.is_set():
            if deadline and time.monotonic() >= deadline:
                break
            self._stop.wait(1.0)
            self._announce_model()
            if self.blocked:
                if time.monotonic() >= self._next_unblock and self._open_log():
                    self._after_log()
                continue
            if self.waiting_for_consent:
                self._check_consent()
            else:
                self._apply_pause(control.pause_state(self.db).paused)
            if time.monotonic() - last_status >= STATUS_EVERY:
                self._write_status()
                last_status = time.monotonic()
            if time.monotonic() - last_retention >= RETENTION_EVERY:
                last_retention = time.monotonic()
                self._retention()

    def _announce_model(self) -> None:
        """Say once that the model can be used (it loads when needed) or cannot be, so a headless terminal knows."""
        part = self.live.model_part if self.live is not None else None
        state = part["state"] if part else None
        state = "ready" if state == "idle" and self._model_said != "ready" else state  # idle: loads when needed
        if state == self._model_said or state not in ("ready", "failed"):
            return
        self._model_said = state
        if state == "ready":
            self.say(f"Model ready: {part['reason']}.")
        else:
            self.say(f"Model unavailable: {part['reason']}.")

    def request_stop(self) -> None:
        """Ask `run()` to return soon (safe from any thread or a signal handler)."""
        self._stop.set()

    def stop(self) -> None:
        self._stop.set()
        if self.live is not None:
            self.live.stop()
        for collector in self.collectors:
            try:
                collector.stop()
            except Exception:
                log.exception("collector %s failed to stop", getattr(collector, "name", collector))
        self.running = False
        if self.writer:
            if not self.waiting_for_consent:
                self.writer.put(Event("app", "stop"))
            self._write_status()
            self.writer.stop()
        if self._lock_file is not None:
            self._lock_file.close()

    # ------------------------------------------------------------ what the tray asks (in process)

    def reload_config(self, cfg: Config) -> tuple[list[str], list[str]]:
        """Apply a saved config to the running app: privacy rules, thresholds, budget, cooldowns, model and
        display settings at once. Returns (keys applied now, keys that wait for a restart), both dotted."""
        switched_on = [k for k in OPT_INS if cfg[k] and not self._file_opt_ins.get(k, self.cfg[k])]
        if switched_on and self.db is not None:  # ticked in Settings: the user agrees to them knowingly
            control.agree_to(self.db, switched_on, via="settings")
        changed = _changed_keys(self.cfg.data, cfg.data)
        later = [k for k in changed if k.split(".")[0] in RESTART_SECTIONS or k in RESTART_KEYS]
        applied = [k for k in changed if k not in later]
        keep = {k: self.cfg[k] for k in later}  # what runs keeps its settings until the restart
        self.cfg = cfg.with_overrides(keep) if keep else cfg
        if self.db is not None and not self.waiting_for_consent:
            self._hold_unagreed()
        if any(k.startswith("privacy.") for k in applied):
            privacy = PrivacyFilter.from_config(self.cfg)
            for emitter in {id(c.emit): c.emit for c in self.collectors
                            if isinstance(getattr(c, "emit", None), Emitter)}.values():
                emitter.privacy = privacy
        if self.live is not None:
            self.live.reconfigure(self.cfg)
        return applied, later

    def pause(self, seconds: float | None = None) -> None:
        control.pause(self.db, seconds)
        self._apply_pause(True)

    def resume(self) -> None:
        control.resume(self.db)
        self._apply_pause(False)

    def forget(self, last_seconds: float | None = None, everything: bool = False) -> dict[str, int]:
        """Runs on a fresh connection (VACUUM can take a moment; call it from a worker thread). The engine makes
        no decision meanwhile and forgets the same stretch."""
        now = time.time()
        since = 0.0 if everything else now - float(last_seconds or 0)
        held = self.live.forgetting(since, now) if self.live is not None else contextlib.nullcontext()
        db = open_db(self.db_path)
        try:
            with held:
                return control.forget(db, last_seconds=last_seconds, everything=everything)
        finally:
            db.close()

    def answer(self, proposal_id: int, answer: str, reason: str | None = None) -> LabelRow:
        """Record the user's answer and hand it to the engine at once."""
        row = control.answer(self.db, proposal_id, answer, reason)
        if self.live is not None:
            self.live.on_label(row)
        return row

    def quiet(self, until: float | None) -> None:
        """No cards until `until` (None: cards again); collection goes on."""
        control.quiet(self.db, until)
        if self.live is not None:
            self.live.quiet(until)

    def answer_backend(self) -> tuple[Any, str]:
        """The model for carrying out accepted tasks (loaded when first used), or (None, why not) in words."""
        holder = self.live.backend if self.live is not None else None
        if holder is not None and holder.state != "failed":
            return holder, ""
        part = self.live.model_part if self.live is not None else {"state": "off", "reason": "no engine"}
        return None, f"No model to carry the task out ({part['reason']}). Copy the task, or see `proactive " \
                     "model list` for a model."

    # ------------------------------------------------------------ pause and status

    def _apply_pause(self, paused: bool) -> None:
        if paused == self.paused:
            return
        self.paused = paused
        if paused:
            self.writer.put(Event("app", "pause"))
            self._paused_switch.set()
            self.say("Paused: nothing is collected until you resume.")
        else:
            self._paused_switch.clear()
            self.writer.put(Event("app", "resume"))
            self.say("Resumed.")

    def _retention(self) -> None:
        try:
            housekeeping.apply_retention(self.db, self.cfg["storage.retention_days"])
        except Exception as exc:  # a busy DB: try again next time
            log.warning("retention skipped: %s", exc)

    def snapshot(self) -> RuntimeSnapshot:
        return RuntimeSnapshot(pid=os.getpid(), running=self.running, headless=self.headless,
                               paused=self.paused, parts=self.parts(), updated=time.time())

    def _write_status(self) -> None:
        """Write the snapshot for other processes when a state or reason changed (a part's volatile `detail`
        does not count, so a quiet desktop costs no I/O), and every STATUS_REFRESH seconds regardless, so a
        reader can tell a live app from a stuck one."""
        if self.db is None:
            return  # the log cannot be opened for writing yet (read-only or full folder)
        snap = self.snapshot()
        last = self._last_snapshot
        if last is not None and _stable(snap) == _stable(last) and snap.updated - last.updated < STATUS_REFRESH:
            return
        try:
            write_runtime(self.db, snap)
        except Exception as exc:  # a locked or full disk must not stop the app; the next pass retries
            log.warning("could not record status: %s", exc)
            return
        self._last_snapshot = snap


def _changed_keys(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[str]:
    out: list[str] = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict) and key != "categories":
            out += _changed_keys(a, b, f"{prefix}{key}.")
        elif a != b:
            out.append(f"{prefix}{key}")
    return out


def _stable(snap: RuntimeSnapshot) -> tuple:
    parts = tuple((p.get("name"), p.get("state"), p.get("reason")) for p in snap.parts)
    return snap.running, snap.paused, parts
