"""The live loop: a thread that feeds new events to the decision chain (`Pipeline`) and surfaces its cards.

Everything reaches the loop through one inbox: events from the writer and answers from the tray (in process);
a forget in this process holds the loop while it deletes (`forgetting`). Answers given in another process
(`proactive answer`) and forgets asked by another process arrive through the log and are picked up every few
seconds. `step(now)` is the whole of one pass; the thread only calls it on each wake, so tests drive it with
their own clock. The chain is used only through its door (feed, tick, learn, configure, quiet, forget), so
replay, evaluation and the benchmarks run exactly what this loop runs.

The model is held by a `models.holder.ModelHolder`: loaded at the first accepted task (or in the background at
start when it words proposals), released `model.keep_alive` after its last use. Until it is loaded (or if it
cannot load) templates and the judge decide alone and `parts()` says why.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from assistant.core.config import Config
from assistant.core.durations import parse_duration
from assistant.core.events import Event
from assistant.core.proposal import Proposal
from assistant.decide.build import attach_model, build_chain, load_backend, model_proposes
from assistant.decide.pipeline import Pipeline
from assistant.log import Database, open_db
from assistant.log import proposals as plog
from assistant.log.proposals import LabelRow
from assistant.log.state import read_forget_request, read_quiet
from models.backends import Backend, ModelUnavailable
from models.default_model import backend_name, check_backend
from models.holder import ModelHolder
from models.judge.infer import SHIPPED_DIR
from models.judge.remote import judge_from_config

log = logging.getLogger(__name__)

TICK_SECONDS = 5.0  # without new events the loop only needs to notice stalls and answers
POLL_SECONDS = 5.0  # answers and forgets from other processes
OBSERVATION_SETTLE_SECONDS = 60.0
OBSERVATION_STORE_SECONDS = 60.0


class LiveLoop:
    """Runs the decision chain on the live event stream (not to be confused with `DecisionEngine`, the one
    decision for one moment inside the chain)."""

    def __init__(self, cfg: Config, db_path: Path, surface: Callable[[Proposal], None],
                 load_model: bool = True, clock: Callable[[], float] = time.time):
        self.cfg = cfg
        self.db_path = db_path
        self.surface = surface
        self.load_model = load_model
        self.clock = clock
        self.inbox: queue.SimpleQueue = queue.SimpleQueue()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._model_off = {"state": "loading", "reason": "starting"}  # the model part while no holder exists
        self.judge_part = {"state": "loading", "reason": ""}
        self.chain: Pipeline | None = None
        self.db: Database | None = None
        self.backend: ModelHolder | None = None  # the model, loaded when needed
        self.labels_polled = 0  # highest label id read from the log
        self.last_obs_event_id = 0
        self.last_verdict = ""
        self._forget_seen = time.time()
        self._last_poll = float("-inf")
        self._last_observations = 0.0
        self._model_gate = threading.Lock()  # one model load or close at a time (see models.holder)
        self._step_lock = threading.Lock()  # a forget in progress holds it: no decision sees half-deleted data

    # ------------------------------------------------------------ inputs (any thread; never block)

    def on_event(self, event_id: int, event: Event, merged: bool) -> None:
        """Writer-thread callback."""
        self.inbox.put(("event", event_id, event, merged))
        self._wake.set()

    def on_label(self, row: LabelRow) -> None:
        """An answer given in this process (the tray): learned on the next pass."""
        self.inbox.put(("label", row))
        self._wake.set()

    def quiet(self, until: float | None) -> None:
        """The user asked for quiet (in this process): no card until `until`."""
        if self.chain is not None:
            self.chain.quiet(until)

    @contextlib.contextmanager
    def forgetting(self, since: float, at: float) -> Iterator[None]:
        """Hold decisions while the caller deletes [since, at] from the log, then drop it from memory too, so
        no proposal is ever recorded from what is being forgotten."""
        with self._step_lock:
            yield
            if self.chain is not None:
                self.chain.forget(since, at)

    # ------------------------------------------------------------ lifecycle

    def open(self) -> None:
        """Load the judge, build the chain, relearn from the stored answers (no thread yet)."""
        judge, problem = judge_from_config(self.cfg)
        self.judge_part = {"state": "fallback" if problem else "ready", "reason": problem or (
            "shipped judge" if judge.source == SHIPPED_DIR else f"judge from {judge.source}")}
        self.chain = build_chain(self.cfg, judge=judge)
        self.db = open_db(self.db_path)
        self.chain.silent_consults = plog.quiet_consults(self.db)  # the quiet stretch goes on after a restart
        self._last_observations = self.clock()
        self._poll(self.clock(), force=True)

    def start(self) -> None:
        self.open()
        if self.load_model:
            self._hold_model(self.cfg)
        else:
            self._model_off = {"state": "off", "reason": "templates and judge only (--no-model)"}
        self._thread = threading.Thread(target=self._run, name="decision-engine", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(10)
        if self.chain is not None and self.db is not None:
            try:
                self._store_observations(self.clock() + OBSERVATION_SETTLE_SECONDS)  # keep what was narrated
            except Exception:
                log.exception("could not store the last observations")
        if self.backend is not None:
            self.backend.close()  # stops a generation in flight first; freeing llama.cpp under it would segfault

    def _hold_model(self, cfg: Config) -> None:
        """A holder for the configured model (nothing loads yet, unless the model words proposals)."""
        holder = ModelHolder(lambda: _loaded(cfg), backend_name(cfg), parse_duration(str(cfg["model.keep_alive"])),
                             gate=self._model_gate)
        try:
            check_backend(cfg)  # a missing file or server URL says so at once, without loading anything
        except ModelUnavailable as exc:
            holder.fail(str(exc))
            log.warning("model unavailable: %s", exc)
        old, self.backend = self.backend, holder
        attach_model(self.chain, cfg, holder)
        if old is not None:
            old.retire()  # after the chain moved to the new one; an answer being written ends first
        if model_proposes(cfg):
            holder.warm()  # it words proposals: load it now, in the background

    @property
    def model_part(self) -> dict[str, str]:
        """The model's state in words: idle (loads when needed), loading, ready or failed."""
        holder = self.backend
        if holder is None:
            return dict(self._model_off)
        state = holder.state
        keep = self.cfg["model.keep_alive"]
        if state == "failed":
            return {"state": "failed", "reason": f"{holder.reason}; proposing from templates only"}
        if state == "idle":
            when = "when it words a proposal or a task is accepted" if model_proposes(self.cfg) else \
                "at the first accepted task"
            again = " again" if holder.loads else ""
            return {"state": "idle", "reason": f"{holder.name}: loads{again} {when}, released after {keep} unused"}
        return {"state": state, "reason": holder.name}

    def reconfigure(self, cfg: Config) -> None:
        """Take new thresholds, budget and cooldowns at once; reload the model in the background when its
        settings changed (the old one keeps wording proposals until the new one is ready)."""
        def loaded_with(c: Config) -> dict[str, Any]:  # every setting of the loaded model
            return {k: v for k, v in c.data["model"].items() if k not in ("wait_seconds", "keep_alive")}

        model_changed = loaded_with(self.cfg) != loaded_with(cfg)
        with self._step_lock:
            self.cfg = cfg
            if self.chain is not None:
                self.chain.configure(cfg)
        if model_changed and self.load_model:
            self._hold_model(cfg)
        elif self.backend is not None:
            self.backend.keep_alive_s = parse_duration(str(cfg["model.keep_alive"]))

    def parts(self) -> list[dict[str, Any]]:
        """The engine's parts as `proactive status` shows them."""
        running = self._thread is not None and self._thread.is_alive()
        model = dict(self.model_part)
        reason = self.chain.model_problem if self.chain is not None else ""
        if model["state"] == "ready" and reason.startswith("backend failed"):
            model = {"state": "failed", "reason": reason}
        return [
            {"name": "engine", "state": "running" if running else "stopped", "reason": "",
             "detail": f"last check: {self.last_verdict}" if self.last_verdict else ""},
            {"name": "judge", **self._judge_part()},
            {"name": "model", **model},
        ]

    def _judge_part(self) -> dict[str, Any]:
        part = dict(self.judge_part)
        if self.chain is not None:
            part.update(self.chain.judge_part())  # a served reward model says which judge decides now
        said = self.chain.describe_learning() if self.chain is not None else []
        if said:  # first line: how many answers; then what changed, in words
            part["reason"] = "; ".join(s.strip().rstrip(".") for s in [part["reason"], *said[:3]] if s.strip())
        return part

    # ------------------------------------------------------------ the loop

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.step(self.clock())
            except Exception:  # one bad moment must not end the loop
                log.exception("decision step failed")
            self._wake.wait(TICK_SECONDS)  # a new event wakes the loop at once
            self._wake.clear()

    def step(self, now: float) -> list[Proposal]:
        """One pass: take the inbox, decide, surface, learn, keep observations. Returns what was recorded."""
        with self._step_lock:
            return self._step(now)

    def _step(self, now: float) -> list[Proposal]:
        recorded: list[Proposal] = []
        self._drain()
        self._poll(now)
        verdict, proposal = self.chain.tick(now)
        self.last_verdict = verdict.reason
        if proposal is not None:
            recorded.append(self._handle(proposal, now))
        if now - self._last_observations >= OBSERVATION_STORE_SECONDS:
            self._store_observations(now)  # derived data: one small commit a minute is enough
            self._last_observations = now
        return recorded

    def _drain(self) -> None:
        while True:
            try:
                item = self.inbox.get_nowait()
            except queue.Empty:
                return
            if item[0] == "event":
                self.chain.feed(item[1], item[2], item[3])
            elif item[0] == "label":
                self.chain.learn([item[1]])

    def _handle(self, proposal: Proposal, now: float) -> Proposal:
        surfaced = proposal.task is not None
        proposal.id = plog.record_proposal(self.db, proposal, surfaced)
        old = proposal.supersedes
        if old is not None and old.id is not None:  # the card it replaces closes without an answer
            plog.record_label(self.db, old.id, "superseded", "replaced by a card about another need", now)
        if surfaced:
            self.surface(proposal)
        return proposal

    def _poll(self, now: float, force: bool = False) -> None:
        """Answers and forgets from other processes, and cards that timed out, through the log."""
        if not force and now - self._last_poll < POLL_SECONDS:
            return
        self._last_poll = now
        self.chain.quiet(read_quiet(self.db))
        request = read_forget_request(self.db)
        if request is not None and request.updated > self._forget_seen:
            self._forget_seen = request.updated
            self.chain.forget(request.since, request.at)
        for proposal_id in plog.unanswered(self.db, now - self.cfg["ui.card_timeout_seconds"]):
            plog.record_label(self.db, proposal_id, "ignored", "no answer before the card closed", now)
        rows = plog.labels_since(self.db, self.labels_polled)
        if rows:
            self.labels_polled = rows[-1].id
            self.chain.learn(rows)

    def _store_observations(self, now: float) -> None:
        """Keep settled narrated sentences (their events ended a minute ago) in the log."""
        fresh = []
        for obs in self.chain.observations():
            ids = list(obs.event_ids)
            if not ids or min(ids) <= self.last_obs_event_id or obs.time > now - OBSERVATION_SETTLE_SECONDS:
                continue
            fresh.append((obs.time, obs.sentence, ids))
            self.last_obs_event_id = max(ids)
        plog.store_observations(self.db, fresh)


def _loaded(cfg: Config) -> Backend:
    """The configured backend, loaded; a server that does not answer is 'failed' with its reason, never 'ready'."""
    backend = load_backend(cfg)
    probe = getattr(backend, "probe", None)
    if probe is not None:
        probe()
    return backend
