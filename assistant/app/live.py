"""The live decision loop: a thread that feeds stored events to the Pipeline and surfaces proposals.

The model loads in the background; until it is ready (or if it cannot load) templates and the judge decide
alone and `status()` says why. User answers arrive through the `labels` table (from the tray, or from
`proactive answer` in a terminal) and change what happens next: cooldowns, remembered tasks, the judge.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.core.config import Config
from assistant.core.events import Event
from assistant.core.proposal import Proposal
from assistant.decide.engine import DecisionEngine
from assistant.decide.pipeline import Pipeline
from assistant.decide.policy import Policy, PolicySettings
from assistant.log import labels as labels_mod
from assistant.log import open_db

log = logging.getLogger(__name__)

TICK_SECONDS = 5.0  # without new events the loop only needs to notice stalls and answers
LABEL_POLL_SECONDS = 5.0
OBSERVATION_SETTLE_SECONDS = 60.0
OBSERVATION_STORE_SECONDS = 60.0
MODEL_BUDGET_SECONDS = 2.0
MODEL_WAIT_SECONDS = 30.0  # how long a silent decision waits for the model's own proposal


class Engine:
    def __init__(self, cfg: Config, db_path: Path, surface: Callable[[Proposal], None],
                 load_model: bool = True):
        self.cfg = cfg
        self.db_path = db_path
        self.surface = surface
        self.load_model = load_model
        self.inbox: queue.SimpleQueue = queue.SimpleQueue()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.model_state = {"state": "loading", "reason": ""}
        self.judge_state = {"state": "loading", "reason": ""}
        self.last_label_id = 0
        self.last_obs_event_id = 0
        self.shown: dict[int, str] = {}  # proposal id -> context, to apply labels to the right place
        self.last_verdict = ""
        self.backend: Any = None
        self._forget_seen = time.time()
        self._retry: tuple[float, Any, list[str]] | None = None

    # ------------------------------------------------------------ wiring

    def on_event(self, event_id: int, event: Event, merged: bool) -> None:
        """Writer-thread callback: never blocks."""
        self.inbox.put((event_id, event, merged))
        self._wake.set()

    def status(self) -> dict[str, Any]:
        state = "running" if self._thread and self._thread.is_alive() else "stopped"
        reason = f"judge {self.judge_state['state']}; model {self.model_state['state']}"
        if self.model_state.get("reason"):
            reason += f" ({self.model_state['reason']})"
        return {"state": state, "reason": reason}

    def start(self) -> None:
        from models.judge.infer import load_judge

        self.judge = load_judge(self.cfg["judge.model_dir"])
        self.judge_state = {"state": "ready", "reason": str(self.judge.source)}
        self.decider = DecisionEngine(self.judge, self.cfg["judge.threshold"], proposer=None,
                                      model_budget_s=MODEL_BUDGET_SECONDS,
                                      model_wait_s=self.cfg["model.wait_seconds"])
        self.pipeline = Pipeline(Policy(PolicySettings.from_config(self.cfg)), self.decider)
        self.db = open_db(self.db_path, check=False)
        self._learn_from_history()
        if self.load_model:
            threading.Thread(target=self._load_model, name="model-loader", daemon=True).start()
        else:
            self.model_state = {"state": "off", "reason": "templates and judge only"}
        self._thread = threading.Thread(target=self._run, name="decision-engine", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(10)
            try:
                self._store_observations(time.time() + OBSERVATION_SETTLE_SECONDS)  # keep what was narrated
            except Exception:
                log.exception("could not store the last observations")
        close = getattr(self.backend, "close", None)
        if close is not None:
            close()  # waits for a generation in flight; freeing llama.cpp under it would segfault

    def _load_model(self) -> None:
        from models.backends import BackendError
        from models.default_model import backend_from_config
        from models.proposer import Proposer

        try:
            backend = backend_from_config(self.cfg)
            self.backend = backend
            self.decider.proposer = Proposer(backend, max_tokens=self.cfg["model.max_tokens"])
            self.pipeline.model_name = backend.name
            self.model_state = {"state": "ready", "reason": backend.name}
            if self._stop.is_set() and hasattr(backend, "close"):
                backend.close()  # stopped while loading
        except (BackendError, OSError, ValueError) as exc:
            self.model_state = {"state": "disabled", "reason": f"{exc}; proposing from templates only"}
            log.warning("model unavailable: %s", exc)

    # ------------------------------------------------------------ the loop

    def _run(self) -> None:
        last_labels = 0.0
        last_observations = time.time()
        while not self._stop.is_set():
            self._drain()
            now = time.time()
            try:
                verdict, proposal = self.pipeline.tick(now)
                self.last_verdict = verdict.reason
                if proposal is not None:
                    self._handle(proposal)
                    if proposal.task is None and self.decider.proposer is not None:
                        self._retry = (now, verdict, proposal.history)
                elif self._retry is not None:
                    self._retry_with_model(now)
                if now - last_labels >= LABEL_POLL_SECONDS:
                    self._poll_labels(now)
                    last_labels = now
                if now - last_observations >= OBSERVATION_STORE_SECONDS:
                    self._store_observations(now)  # derived data: one small commit a minute is enough
                    last_observations = now
            except Exception:  # one bad moment must not end the loop
                log.exception("decision step failed")
            self._wake.wait(TICK_SECONDS)  # a new event wakes the loop at once
            self._wake.clear()

    def _retry_with_model(self, now: float) -> None:
        """A silent decision may be revisited once, when the model's proposal for that same moment lands."""
        started, verdict, history = self._retry
        background = self.decider._background
        if background is None or now - started > MODEL_WAIT_SECONDS:
            self._retry = None
        elif not background.busy:
            self._retry = None
            if background.latest(history):
                proposal = self.pipeline.decide(now, verdict)
                if proposal.task is not None:
                    self._handle(proposal)

    def _drain(self) -> None:
        while True:
            try:
                event_id, event, merged = self.inbox.get_nowait()
            except queue.Empty:
                return
            self.pipeline.feed(event_id, event, merged)

    def _handle(self, proposal: Proposal) -> None:
        surfaced = proposal.task is not None
        proposal.id = labels_mod.record_proposal(self.db, proposal, surfaced)
        if surfaced:
            self.shown[proposal.id] = proposal.context
            self.surface(proposal)

    # ------------------------------------------------------------ learning from answers

    def _learn_from_history(self) -> None:
        rows = labels_mod.labels_since(self.db, 0)
        self.last_label_id = rows[-1]["id"] if rows else 0
        self._learn(rows)

    def _learn(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            if row["label"] == "accepted" and row["task"]:
                self.decider.accepted_before.append((row["context"]["history"], row["task"]))
            self.pipeline.policy.record_label(row["context"].get("where", ""), row["label"], row["time"])
        examples = labels_mod.training_examples(rows)
        if examples and self.cfg["judge.learn_from_labels"]:
            self.judge.update(examples)

    def _honour_forget(self) -> None:
        """After `proactive forget`, drop what the engine remembers from the forgotten stretch."""
        from assistant.log import queries

        state = queries.get_state(self.db, "forget")
        if state is None or state[1] <= self._forget_seen:
            return
        self._forget_seen = state[1]
        since, at = state[0]["since"], state[0]["at"]
        self.pipeline.forget(since, at)

    def _poll_labels(self, now: float) -> None:
        self._honour_forget()
        timeout = self.cfg["ui.card_timeout_seconds"]
        for proposal_id in labels_mod.unanswered(self.db, now - timeout):
            labels_mod.record_label(self.db, proposal_id, "ignored", "no answer before the card closed", now)
        rows = labels_mod.labels_since(self.db, self.last_label_id)
        if rows:
            self.last_label_id = rows[-1]["id"]
            self._learn(rows)

    def _store_observations(self, now: float) -> None:
        """Keep settled narrated sentences (their events ended a minute ago) in `observations`."""
        import json

        fresh = []
        for obs in self.pipeline.observations():
            ids = list(obs.event_ids)
            if not ids or min(ids) <= self.last_obs_event_id or obs.time > now - OBSERVATION_SETTLE_SECONDS:
                continue
            fresh.append((obs.time, obs.sentence, json.dumps(ids)))
            self.last_obs_event_id = max(ids)
        if fresh:
            conn = self.db.conn
            conn.execute("BEGIN")  # one commit for the batch: autocommit would write pages per row
            try:
                conn.executemany("INSERT INTO observations (time, sentence, event_ids) VALUES (?,?,?)", fresh)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
