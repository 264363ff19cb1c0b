"""Events in, at most one card per need out: policy -> episodes -> narrator -> candidates -> (model) -> judge.

`Pipeline` is the one door into the decision chain. It is clock-driven and thread-free, so the live loop,
`proactive replay`, the evaluations and the benchmarks run the same logic:

    chain = build_chain(cfg)          # assistant.decide.build: Pipeline(...).configure(cfg)
    chain.feed(event_id, event)       # every stored event, in order
    verdict, proposal = chain.tick(now)   # on each event and every few seconds
    chain.learn(label_rows)           # the user's answers (assistant.log.proposals.LabelRow)
    chain.configure(new_cfg)          # settings changed while running

Needs, not events: evidence is attached to a need episode (assistant.decide.episodes); an episode gets at most
one card, and the card's task must be about that need. One card on screen: while a card is unanswered,
evidence about another need waits, or, when it is strong and the card has been up for SUPERSEDE_AFTER_S,
replaces it (the old card is then recorded as 'superseded': no judgement about its task).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, replace

from assistant.core.config import Config
from assistant.core.events import Event
from assistant.core.proposal import Proposal
from assistant.decide.candidates import Candidate
from assistant.decide.decision import CHECK_IN_WHY, check_in_due
from assistant.decide.engine import DecisionEngine
from assistant.decide.episodes import Episode, Episodes, normalise, same_task
from assistant.decide.narrator import Observation, narrate
from assistant.decide.policy import GATE_RELIEF, Policy, PolicySettings, Verdict
from assistant.decide.proposer import Proposer
from assistant.decide.rest import rests_from
from assistant.log.proposals import LabelRow
from models.judge.kinds import context_from_history, time_of_day
from models.judge.learning import LabelRecord

WINDOW_SECONDS = 30 * 60
WINDOW_EVENTS = 3000  # a count cap as well: a flood of events must not grow memory or narration time
HISTORY_SENTENCES = 12
REPEAT_SECONDS = 3600  # the same task (or a near-duplicate wording of it) is not shown twice within this long
SUPERSEDE_AFTER_S = 20.0  # a card unanswered this long may give way to strong evidence about another need
MODEL_WAIT_SECONDS = 30.0  # how long a silent decision waits for the model's own proposal
CARD_TIMEOUT_SECONDS = 45.0  # ui.card_timeout_seconds' default


@dataclass
class Card:
    """The card on screen: its proposal, the need it is about and how strong the evidence was."""

    proposal: Proposal
    episode: Episode
    strength: str


def label_record(row: LabelRow) -> LabelRecord:
    """A stored answer as the judge learns from it."""
    return LabelRecord(history=tuple(row.history), task=row.task, label=row.label, task_kind=row.kind or "",
                       context=replace(context_from_history(row.history), when=time_of_day(row.proposed_at)),
                       reason=row.reason, time=row.time,
                       candidates=tuple(row.candidates))


def gate_threshold(cfg: Config, judge: object) -> float | None:
    """The help gate's threshold (stored with the judge), or None when `judge.help_gate` is off."""
    return float(getattr(judge, "gate_threshold", 0.5)) if cfg["judge.help_gate"] else None


class Pipeline:
    """Feed it stored events (with their ids); `tick(now)` returns a Proposal when the policy consults."""

    def __init__(self, policy: Policy, engine: DecisionEngine, model_name: str = "",
                 window_seconds: float = WINDOW_SECONDS, wait_for_model: bool = False):
        self.policy = policy
        self.engine = engine
        self.model_name = model_name
        self.window_seconds = window_seconds
        self.wait_for_model = wait_for_model
        self.window: deque[tuple[int, Event]] = deque(maxlen=WINDOW_EVENTS)
        self.shown: deque[tuple[float, str]] = deque()
        self.episodes = Episodes()
        self.card: Card | None = None
        self.silent_consults = 0  # consults without a card since the last one (decision.check_in_due)
        self.card_timeout_s = CARD_TIMEOUT_SECONDS
        self.learn_from_labels = True
        self.learned: set[int] = set()  # label ids already taken
        self.records: dict[int, LabelRecord] = {}  # label id -> answer, oldest first: the judge is rebuilt
        self.standing: dict[int, LabelRow] = {}  # the same answers as stored: the week's rests come from them
        # from the standing answers (a relabel replaces the answer it changes)
        self._retry: tuple[float, Verdict, list[str], Episode] | None = None

    # ------------------------------------------------------------ settings and the model

    def configure(self, cfg: Config) -> Pipeline:
        """Take every chain setting from `cfg` (at build time, and again when the user changes settings)."""
        self.policy.s = PolicySettings.from_config(cfg)
        self.policy.state.switch_repeat = self.policy.s.switch_repeat
        self.engine.threshold = cfg["judge.threshold"]
        self.engine.gate_threshold = gate_threshold(cfg, self.engine.judge)
        self.engine.model_wait_s = None if self.wait_for_model else cfg["model.wait_seconds"]
        self.card_timeout_s = cfg["ui.card_timeout_seconds"]
        self.episodes.snooze_s = self.policy.s.cooldown_ignore_s
        self.learn_from_labels = cfg["judge.learn_from_labels"]
        return self

    def use_model(self, proposer: Proposer | None, name: str) -> None:
        """Let the model word its own candidate from now on (the live app calls this once it has loaded);
        None: templates and the judge only."""
        self.engine.use_model(proposer)
        self.model_name = name

    @property
    def model_problem(self) -> str:
        """Why the model's last proposal call produced nothing ('' when it did, or there is no model)."""
        return getattr(self.engine.proposer, "last_reason", None) or ""

    def describe_learning(self) -> list[str]:
        """What the user's answers changed, in words (empty before any answer was learned)."""
        judge = self.engine.judge
        return judge.describe() if getattr(judge, "labels_learned", 0) else []

    def resting(self, now: float) -> list[str]:
        """The kinds of task resting a week in a place, in words (assistant.decide.rest)."""
        return [r.words() for r in self.policy.rests.active(now)]

    def judge_part(self) -> dict:
        """What a served reward model says about itself (which judge decides now); {} for the local judge."""
        served = getattr(self.engine.judge, "part", None)
        return served() if callable(served) else {}

    def quiet(self, until: float | None) -> None:
        """The user asked for quiet: no card until `until` (None or 0: cards again)."""
        self.policy.quiet(until or 0.0)

    # ------------------------------------------------------------ events in

    def feed(self, event_id: int, event: Event, merged: bool = False) -> None:
        if merged and self.window and self.window[-1][0] == event_id:
            self.window[-1] = (event_id, event)  # a heartbeat lengthened the newest event
        elif merged:
            for i in range(len(self.window) - 1, max(-1, len(self.window) - 50), -1):
                if self.window[i][0] == event_id:
                    self.window[i] = (event_id, event)
                    break
        else:
            self.window.append((event_id, event))
        while self.window and self.window[0][1].end < event.start - self.window_seconds:
            self.window.popleft()
        found = self.policy.observe(event)
        if found is not None:
            self.episodes.attach(found)

    def forget(self, since: float, at: float) -> None:
        """Drop remembered events (and the needs first seen among them) that overlap [since, at]."""
        self.window = deque(((i, e) for i, e in self.window if e.end < since or e.start > at), maxlen=WINDOW_EVENTS)
        self.episodes.forget(since, at)

    def observations(self, now: float | None = None) -> list[Observation]:
        """The narration of the remembered events; with `now`, a pause in typing still going on is narrated."""
        return narrate(list(self.window), now)

    # ------------------------------------------------------------ deciding

    def tick(self, now: float | None = None) -> tuple[Verdict, Proposal | None]:
        """Consult when the policy sees evidence of a need that may have a card now; else perhaps revisit a
        silent decision once the model's own candidate arrived."""
        now = time.time() if now is None else now
        if self.card is not None and now >= self.card.proposal.time + self.card_timeout_s:
            self.episodes.answered(self.card.proposal.time, "ignored", now)  # the card closed unanswered
            self.card = None
        verdict = self.policy.check(now)
        if not verdict.consult:
            return verdict, self._retry_with_model(now)
        episode = self.episodes.attach(verdict.evidence)
        why_not = self.episodes.why_not(episode, now)
        if why_not:
            self.policy.spent(verdict)
            return replace(verdict, consult=False, reason=why_not), None
        old = self.card
        if old is not None and old.episode is not episode and (
                verdict.strength != "strong" or now - old.proposal.time < SUPERSEDE_AFTER_S):
            return replace(verdict, consult=False, reason="waiting: a card about another need is on screen"), None
        self.policy.consulted(now, verdict)
        proposal = self.decide(now, verdict, episode)
        if proposal.task is not None and old is not None and self.card is not old:
            proposal.supersedes = old.proposal
            self.episodes.answered(old.proposal.time, "superseded", now)
        if proposal.task is None and self.engine.proposer is not None and not self.wait_for_model:
            self._retry = (now, verdict, proposal.history, episode)
        return verdict, proposal

    def decide(self, now: float, verdict: Verdict, episode: Episode | None = None) -> Proposal:
        """One decision about `episode` (the need the verdict's evidence is about) at `now`."""
        started = time.perf_counter()
        if episode is None and verdict.evidence is not None:
            episode = self.episodes.attach(verdict.evidence)
        observations = self.observations(now)[-HISTORY_SENTENCES:]
        history = [o.sentence for o in observations]
        rejected, cooling = self.policy.excluded(verdict.context, now)
        kinds = episode.kinds if episode else frozenset()
        decision, _timing = self.engine.step(history, exclude=self._recently_shown(now) | rejected,
                                             exclude_kinds=cooling, prefer_kinds=kinds,
                                             gate_relief=GATE_RELIEF.get(verdict.strength, 0.0),
                                             eligible=(lambda c: _about(c, episode, kinds)) if episode else None,
                                             error=episode.subject if episode and episode.need == "error" else None,
                                             when=time_of_day(now),
                                             check_in=check_in_due(self.silent_consults, self.engine.judge))
        self.silent_consults = 0 if decision.task else self.silent_consults + 1
        chosen = decision.candidate
        why = verdict.evidence.why if verdict.evidence is not None else ""
        if decision.task and decision.reason.startswith("checking in"):
            why = f"{why} {CHECK_IN_WHY}".strip()  # the evidence first: the card elides the rest
        proposal = Proposal(
            time=now, task=decision.task, score=decision.score, context=verdict.context, trigger=verdict.trigger,
            history=history, observation_event_ids=[list(o.event_ids) for o in observations],
            history_times=[o.time for o in observations],
            kind=chosen.kind if chosen else "none", source=chosen.source if chosen else "template",
            latency_ms=(time.perf_counter() - started) * 1000, reason=decision.reason,
            model=self.model_name if chosen and chosen.source == "model" else "",
            candidates=[(c.task, round(p, 4)) for c, p in decision.scores], why=why,
            episode=episode.id if episode else None,
        )
        if proposal.task:
            self.policy.record_surfaced(now)
            self.shown.append((now, proposal.task))
            if episode is not None:
                self.episodes.carded(episode, now, proposal.task)
                self.card = Card(proposal, episode, verdict.strength)
        return proposal

    def _retry_with_model(self, now: float) -> Proposal | None:
        """A silent decision may be revisited once, when the model's proposal for that same moment lands."""
        if self._retry is None:
            return None
        started, verdict, history, episode = self._retry
        if now - started > MODEL_WAIT_SECONDS:
            self._retry = None
        elif not self.engine.model_busy:
            self._retry = None
            if (self.engine.model_answered(history) and self.card is None
                    and self.episodes.why_not(episode, now) is None):
                proposal = self.decide(now, verdict, episode)
                if proposal.task is not None:
                    return proposal
        return None

    # ------------------------------------------------------------ answers

    def learn(self, rows: Iterable[LabelRow]) -> None:
        """The user's answers (new ones, or all of them again after a restart: each label id counts once).

        An answer closes or snoozes the need its card was about and frees the screen; it quiets its place
        (the policy), joins the tasks accepted before, keeps its task from coming back within the hour, and
        the judge is rebuilt from the standing answers. 'superseded' is no answer: it teaches nothing."""
        fresh = [r for r in rows if r.id not in self.learned]
        self.learned.update(r.id for r in fresh)
        for row in fresh:
            self.episodes.answered(row.proposed_at, row.label, row.time)
            if self.card is not None and abs(self.card.proposal.time - row.proposed_at) < 1e-3:
                self.card = None
            if row.task:
                self.remember_shown(row.proposed_at, row.task)  # survives a restart: not shown twice
            if row.replaces is not None:
                self.records.pop(row.replaces, None)
                self.standing.pop(row.replaces, None)
            self.records[row.id] = label_record(row)
            self.standing[row.id] = row
            if row.label == "superseded":
                continue
            if row.label == "accepted" and row.task:
                self.engine.accepted_before.append((row.history, row.task))
            self.policy.record_label(row.where, row.label, row.time, kind=row.kind, task=row.task,
                                     reason=row.reason)
        if fresh:
            self.policy.rests = rests_from(self.standing.values())
        if fresh and self.learn_from_labels:
            taught = [r for r in self.records.values() if r.label != "superseded"]
            self.engine.judge.learn(taught)  # the same answers, the same judge

    def remember_shown(self, at: float, task: str) -> None:
        """A task shown before (e.g. before a restart) is not shown again within the hour."""
        if not any(same_task(t, task) for _, t in self.shown):
            self.shown.append((at, task))
            self.shown = deque(sorted(self.shown))

    def _recently_shown(self, now: float) -> frozenset[str]:
        while self.shown and self.shown[0][0] < now - REPEAT_SECONDS:
            self.shown.popleft()
        return frozenset(t for _, t in self.shown)


def _about(candidate: Candidate, episode: Episode, kinds: frozenset[str]) -> bool:
    """May this candidate be the card for `episode`? Its kind fits the need, or (a remembered or model-worded
    task) it names what the need is about."""
    if candidate.kind in kinds:
        return True
    if candidate.source in ("memory", "model") and candidate.task:
        subject = {w for w in normalise(episode.subject).split() if len(w) >= 4}
        return bool(subject & set(normalise(candidate.task).split()))
    return False
