"""Replaying a recording through the live app's own decision loop, with someone answering its cards.

The loop is `assistant.app.live.LiveLoop` itself (the chain from `build_chain`, learning from answers as the
running app does), on a fresh event log and a fake clock. It is fed as `proactive replay` feeds the chain
(assistant/evaluation/replay.py): every event at its start time, and a pass every TICK seconds without events;
an answer wakes the loop as the tray's answer does (`control.answer`, then `LiveLoop.on_label`).

Who answers is a function `(recording, card) -> Answer | None`: `ground_truth` answers as the situation's
ground truth says (below); personas can bring their own. None leaves the card unanswered, and the loop records
it as ignored when it times out (ui.card_timeout_seconds), as in the app.

Ground truth's answers: a card shown while a need is open (need.start <= t <= need.end) whose kind of task is
welcome for that need is accepted; another card during a need is "other-help" (help was needed, not this); a
card outside every need is rejected, with the reason a person would pick: "Already done" when it offers help
welcome for a need that is over, "Wrong time" for one still to come, else "Not useful". A card's kind is the
candidate generator's; a task with another kind (remembered, from a model) counts by its wording's coarse kind
(models.judge.kinds).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.app import control
from assistant.app.live import LiveLoop
from assistant.core.config import Config, default_config
from assistant.core.proposal import Proposal
from assistant.decide.candidates import generate_candidates
from assistant.decide.pipeline import HISTORY_SENTENCES
from assistant.evaluation.replay import TICK
from bench.situations.recordings import Recording
from bench.situations.script import KINDS, Need
from models.judge.kinds import CANDIDATE_KINDS, task_kind

ANSWER_DELAY_S = 5.0  # a person reads a card for a few seconds before answering
SAMPLE_S = 30.0  # between consults, what the loop narrated is sampled this often (rows for the judge)


@dataclass(frozen=True)
class Card:
    """A card the app showed: when (seconds from the start), what, and why."""

    at: float
    task: str
    kind: str
    trigger: str
    reason: str
    proposal_id: int


@dataclass(frozen=True)
class Answer:
    """An answer to a card: accept, reject, not-now, other-help or ignore (`control.answer`'s words)."""

    label: str
    reason: str | None = None
    delay: float = ANSWER_DELAY_S


@dataclass(frozen=True)
class Consult:
    """One decision the loop made (a task or silence), with every candidate it judged and their kinds; or,
    with `consulted` False, a sample of what the loop had narrated at a moment it did not consult (the
    candidates the generator would offer then, unscored)."""

    at: float
    history: tuple[str, ...]
    times: tuple[float, ...]
    candidates: tuple[tuple[str | None, float | None, str], ...]  # (task, judge score, kind)
    task: str | None
    trigger: str
    consulted: bool = True


@dataclass
class Run:
    """What happened when a recording was replayed: the cards shown (with their answers) and every consult."""

    recording: Recording
    cards: list[tuple[Card, Answer | None]] = field(default_factory=list)
    consults: list[Consult] = field(default_factory=list)


Answerer = Callable[[Recording, Card], "Answer | None"]


def welcome(kind: str, task: str, need: Need) -> bool:
    """Would this kind of task help with `need`?"""
    if kind in KINDS:
        return kind in need.welcome
    return task_kind(task) in {CANDIDATE_KINDS[w] for w in need.welcome}


def ground_truth(recording: Recording, card: Card) -> Answer:
    """The answer the situation's ground truth gives (see the module docstring)."""
    need = recording.need_at(card.at)
    if need is not None:
        return Answer("accept") if welcome(card.kind, card.task, need) else Answer("other-help", "Not useful")
    fitting = [n for n in recording.needs if welcome(card.kind, card.task, n)]
    if any(n.end < card.at for n in fitting):
        return Answer("reject", "Already done")
    if any(n.start > card.at for n in fitting):
        return Answer("reject", "Wrong time")
    return Answer("reject", "Not useful")


class _Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _candidate_kinds(p: Proposal, accepted_before: list) -> tuple[tuple[str | None, float, str], ...]:
    kinds = {c.task: c.kind for c in generate_candidates(list(p.history), accepted_before or None)}
    return tuple((task, score, kinds.get(task, "none" if task is None else "memory"))
                 for task, score in p.candidates)


def replay(recording: Recording, answer: Answerer = ground_truth, cfg: Config | None = None) -> Run:
    """Run `recording` through the app's decision loop; `answer` answers the cards it shows."""
    cfg = cfg or default_config()
    run = Run(recording)
    with tempfile.TemporaryDirectory(prefix="situation-replay-") as tmp:
        clock = _Clock(recording.start)
        engine = LiveLoop(cfg, Path(tmp) / "events.db", surface=lambda p: None, load_model=False, clock=clock)
        engine.open()
        pending: list[tuple[float, int, Answer]] = []  # (due, proposal id, answer)
        last_sample = [recording.start]

        def step(now: float) -> None:
            clock.now = now
            for due, pid, a in [x for x in pending if x[0] <= now]:
                pending.remove((due, pid, a))
                engine.on_label(control.answer(engine.db, pid, a.label, a.reason, now=due))
            recorded = engine.step(now)
            for p in recorded:
                _note(run, engine, p, recording, answer, pending)
            if recorded:
                last_sample[0] = now
            elif now - last_sample[0] >= SAMPLE_S:
                last_sample[0] = now
                _sample(run, engine, now, recording.start)

        def until(t: float) -> float:
            """Passes of the loop before `t`: every TICK without a wake, and when an answer arrives."""
            now = clock.now
            while True:
                nxt = min([now + TICK] + [due for due, _, _ in pending])
                if nxt >= t:
                    return now
                now = nxt
                step(now)

        try:
            step(recording.start)
            for event_id, event in enumerate(sorted(recording.events, key=lambda e: e.start), 1):
                now = max(until(event.start), event.start)
                engine.on_event(event_id, event, False)
                step(now)
            until(recording.end + 1e-6)
        finally:
            engine.db.close()
    return run


def _sample(run: Run, engine: LiveLoop, now: float, start: float) -> None:
    at = now - start
    observations = engine.chain.observations(now)[-HISTORY_SENTENCES:]
    if not observations:
        return
    history = [o.sentence for o in observations]
    cands = generate_candidates(history, engine.chain.engine.accepted_before or None)
    run.consults.append(Consult(round(at, 2), tuple(history), tuple(o.time for o in observations),
                                tuple((c.task, None, c.kind) for c in cands), None, "", consulted=False))


def _note(run: Run, engine: LiveLoop, p: Proposal, recording: Recording, answer: Answerer,
          pending: list[tuple[float, int, Answer]]) -> None:
    at = round(p.time - recording.start, 2)
    run.consults.append(Consult(at, tuple(p.history), tuple(p.history_times),
                                _candidate_kinds(p, engine.chain.engine.accepted_before), p.task, p.trigger))
    if p.task and p.id is not None:
        card = Card(at, p.task, p.kind, p.trigger, p.reason, p.id)
        a = answer(recording, card)
        run.cards.append((card, a))
        if a is not None and a.label != "ignore":
            pending.append((p.time + a.delay, p.id, a))
