"""Learning from the user's own answers: small, kind-aware corrections on top of the shipped judge.

What is learned is a deterministic function of the list of labels (`fit_preferences`), so the engine rebuilds
exactly the same judge from its labels table on every start: nothing is learned only in memory.

Each answer becomes evidence about two things (see `evidence`):
* content, "is this kind of task useful here": keyed by the task's kind, alone and paired with each part of
  the context (app, site, file type, kind of app, time of day); no "anything anywhere" key: what is said
  about one kind moves that kind, not the others;
* timing, "is help wanted here now": keyed by each part of the context.
An accept is evidence for both; a reject with a timing reason ("wrong time", "not now") only about timing,
with a content reason ("not useful", "already know") only about content, without a reason mostly about
content; "not now" is about timing; an ignored card is weak evidence against the task (0.4) and weaker
against the moment (0.2); a Helpful / Not helpful rating of an answer adds content evidence.

The corrections are logistic regressions with the shipped judge's logit as an offset and an L2 prior centred
on zero (Newton's method, models.judge.logistic): the shipped judge stays the prior, one answer moves a score
by a few points, and a few dozen consistent answers in one place outweigh the prior there. A louder step needs
LOUDER_PRIOR times the evidence of a quieter one (answers only come from cards that were shown). The guard
(models.judge.guard) validates each family of keys (`family`) on the user's later answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace

from assistant.core.proposal import LABELS
from models.judge.guard import FitCache, GuardVerdict, Row, validate
from models.judge.kinds import Context, task_kind
from models.judge.logistic import newton, posterior_variance

PRIOR_STRENGTH = 10.0  # L2 precision of a correction weight in one place (larger = each answer moves less)
FAST_STRENGTH = 1.0
Learner = tuple[float, bool]  # (prior strength, adaptive: see _relevance)
# The learners the guard validates, slowest first (models.judge.guard); a later one replaces an earlier one
# that passes only when it predicted the user's later answers better by FASTER_MARGIN nats. The first is
# adaptive: the slow prior, but a key whose answers agree (every morning card rejected as "Wrong time",
# every error-help card "Not useful") is freed, down to ADAPTIVE_FLOOR, when it makes the assistant quieter.
CONTENT_LEARNERS: tuple[Learner, ...] = ((PRIOR_STRENGTH, True), (FAST_STRENGTH, False))
TIMING_LEARNERS: tuple[Learner, ...] = ((PRIOR_STRENGTH, True), (FAST_STRENGTH, False))
STRENGTHS = (PRIOR_STRENGTH, FAST_STRENGTH)
FASTER_MARGIN = 1.0  # nats of prequential gain a faster learner must add over a slower one that passes
# Precision per kind of key, times the learner's strength. "Help wanted everywhere" (timing) needs five times
# the evidence (it only moves the operating point). Main effects before interactions, so what is learned about
# a kind carries over to places not yet seen: an answer touches the kind everywhere and one pair per part of
# its place (up to CONTEXT_PARTS), and the pairs' prior is set so that the kind everywhere takes at least half
# of what the answers in one place teach (prior variance 1/KIND_EVERYWHERE_PRIOR against CONTEXT_PARTS/PAIR_PRIOR).
EVERYTHING_PRIOR = 5.0
KIND_EVERYWHERE_PRIOR = 0.5
CONTEXT_PARTS = len(fields(Context))  # app, site, file type, kind of app, time of day
PAIR_PRIOR = CONTEXT_PARTS * KIND_EVERYWHERE_PRIOR
ADAPTIVE_FLOOR = 0.1  # the adaptive learner frees a key down to this precision (a tenth of the fast learner)
ADAPTIVE_ROUNDS = 8
# A louder step (a positive weight) needs LOUDER_PRIOR times the evidence of a quieter one: answers only ever
# come from cards the engine showed, so the cards a louder judge would newly show are never checked, neither
# by the fit nor by the guard (acceptances of shown cards confirm the judge rather than make it louder).
LOUDER_PRIOR = 4.0
LOUDER_ROUNDS = 4  # refits while a weight changes side (deterministic: the same answers give the same weights)
SHOWN_EFFECT = 0.2  # a change is described once it moves the answered places by this much (in logits)
TIMING_REASON = re.compile(r"(?i)\b(time|now|later|busy|moment|interrupt\w*|focus\w*|meeting|quiet)\b")
CONTENT_REASON = re.compile(
    r"(?i)\b(useful|helpful|relevant|already|know|knew|done|wrong|irrelevant|not what|need|want|bad|"
    r"accurate|quality|obvious|unrelated)\b"
)
RATINGS = ("helpful", "not-helpful")


@dataclass(frozen=True, slots=True)
class LabelRecord:
    """One answer of the user, as the judge learns from it (the engine maps its labels table onto this)."""

    history: tuple[str, ...]  # the narrated sentences the proposal was made on
    task: str | None  # the proposed task (None: a silent moment the user rated)
    label: str  # one of assistant.core.proposal.LABELS
    task_kind: str = ""  # the candidate's kind (explain_error, ...) or a coarse kind; "" = from the wording
    context: Context = field(default_factory=Context)
    reason: str | None = None  # the reason chip or typed reason of a rejection
    rating: str | None = None  # "helpful" / "not-helpful": the user's rating of an answer, where one exists
    time: float = 0.0
    candidates: tuple[str | None, ...] = ()  # the other candidates judged with the task (optional)

    def __post_init__(self) -> None:
        if self.label not in LABELS:
            raise ValueError(f"label: expected one of {', '.join(LABELS)}, got {self.label!r}")
        if self.rating is not None and self.rating not in RATINGS:
            raise ValueError(f"rating: expected one of {', '.join(RATINGS)} or None, got {self.rating!r}")

    @property
    def kind(self) -> str:
        return task_kind(self.task, self.task_kind)


def reason_kind(reason: str | None) -> str:
    """'timing', 'content' or 'none' for the reason given with a rejection."""
    if not reason or not reason.strip():
        return "none"
    if TIMING_REASON.search(reason):
        return "timing"
    return "content" if CONTENT_REASON.search(reason) else "none"


def evidence(record: LabelRecord) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
    """(content, timing) evidence of one answer, each a list of (outcome 1/0, weight)."""
    content: list[tuple[int, float]] = []
    timing: list[tuple[int, float]] = []
    if record.label == "accepted":
        content.append((1, 1.0))
        timing.append((1, 1.0))
    elif record.label == "rejected":
        why = reason_kind(record.reason)
        if why == "timing":
            timing.append((0, 1.0))
        elif why == "content":
            content.append((0, 1.0))
        else:
            content.append((0, 0.7))
            timing.append((0, 0.3))
    elif record.label == "not-now":
        timing.append((0, 1.0))
    elif record.label == "ignored":  # not wanted, most likely; whether the moment was wrong is less sure
        content.append((0, 0.4))
        timing.append((0, 0.2))
    elif record.label == "other-help":  # the moment was right, the task was not
        content.append((0, 1.0))
        timing.append((1, 0.5))
    elif record.label == "help-needed":  # a silent moment where help was needed (review)
        timing.append((1, 1.0))
    elif record.label == "no-help-needed":
        timing.append((0, 1.0))
    if record.rating == "helpful":
        content.append((1, 0.5))
    elif record.rating == "not-helpful":
        content.append((0, 0.5))
    if record.task is None:
        content = []  # no task: only the moment was judged
    return content, timing


def timing_keys(context: Context) -> list[str]:
    return ["all"] + [f"{name}={value}" for name, value in context.parts()]


def content_keys(kind: str, context: Context) -> list[str]:
    return [f"task={kind}"] + [f"task={kind}|{name}={value}" for name, value in context.parts()]


@dataclass
class Correction:
    """Weights per key on top of an offset logit: logit = offset + sum of the weights of the active keys."""

    weights: dict[str, float] = field(default_factory=dict)

    def shift(self, keys: Sequence[str]) -> float:
        return sum(self.weights.get(k, 0.0) for k in keys)


def _breadth(key: str) -> float:
    if key == "all":
        return EVERYTHING_PRIOR
    if key.startswith("task="):
        return PAIR_PRIOR if "|" in key else KIND_EVERYWHERE_PRIOR
    return 1.0


def fit_correction(
    keys: list[list[str]], offsets: list[float], outcomes: list[tuple[int, float]],
    strength: float = PRIOR_STRENGTH, adaptive: bool = False, louder: float = LOUDER_PRIOR,
) -> Correction:
    """MAP logistic weights per key with the offsets fixed and an L2 prior (`strength`) centred on 0, `louder`
    times as strong on a weight that makes the assistant louder (positive).

    Solved by Newton's method in pure Python (the problem is small and strictly convex: one weight per key
    seen), so learning in the live loop loads neither numpy nor SciPy."""
    if not keys:
        return Correction()
    names = sorted({k for ks in keys for k in ks})
    column = {k: i for i, k in enumerate(names)}
    rows = [[column[k] for k in ks] for ks in keys]
    off = [float(o) for o in offsets]
    y = [float(o) for o, _ in outcomes]
    w = [float(wt) for _, wt in outcomes]
    base = [strength * _breadth(k) for k in names]
    beta = newton(rows, off, y, w, base)
    prior = base
    loud = louder * max(1.0, PRIOR_STRENGTH / strength)  # a louder step never moves faster than the slow learner
    for _ in range(LOUDER_ROUNDS if louder != 1.0 else 0):  # the prior of each weight by the side it fell on
        sided = [q * loud if b > 0 else q for q, b in zip(base, beta)]
        if sided == prior:
            break
        prior = sided
        beta = newton(rows, off, y, w, prior, start=beta)
    if adaptive:
        floor = [q if q > b else min(ADAPTIVE_FLOOR * _breadth(k), q) for k, q, b in zip(names, prior, base)]
        beta = _relevance(rows, off, y, w, prior, floor, beta)
    return Correction({k: round(float(b), 9) for k, b in zip(names, beta)})


def _relevance(rows: list[list[int]], off: list[float], y: list[float], w: list[float], prior: list[float],
               floor: list[float], beta: list[float]) -> list[float]:
    """Automatic relevance determination: each key's prior precision re-estimated from its own evidence
    (MacKay's update: (1 - precision * posterior variance) / weight^2, which converges in a few rounds where
    the EM update 1 / (weight^2 + variance) needs dozens), between `floor` and the starting `prior`. A key whose answers
    agree with each other and disagree with the shipped judge (every morning card rejected) is freed to move
    as fast as the fast learner; keys whose answers are explained by another key, or are mixed, keep the
    slow prior. Deterministic: a fixed number of rounds from the same start."""
    precision = list(prior)
    for _ in range(ADAPTIVE_ROUNDS):
        variance = posterior_variance(rows, off, w, precision, beta)
        precision = [min(hi, max(lo, max(0.0, 1.0 - q * v) / (b * b + 1e-12)))
                     for b, v, q, lo, hi in zip(beta, variance, precision, floor, prior)]
        beta = newton(rows, off, y, w, precision, start=beta)
    return beta


@dataclass
class Preferences:
    """What the user's answers taught: content and timing corrections, and what they were learned from."""

    content: Correction = field(default_factory=Correction)
    timing: Correction = field(default_factory=Correction)
    records: tuple[LabelRecord, ...] = ()
    guard: dict[str, GuardVerdict] = field(default_factory=dict)  # side -> used or not, and why

    def task_shift(self, kind: str, context: Context) -> float:
        return self.content.shift(content_keys(kind, context))

    def gate_shift(self, context: Context) -> float:
        return self.timing.shift(timing_keys(context))


def _rows(
    records: Sequence[LabelRecord], task_offset: list[float], gate_offset: list[float]
) -> tuple[list[list[Row]], list[list[Row]]]:
    """Per answer, its (content, timing) evidence as rows of (keys, prior logit, (outcome, weight))."""
    content_rows: list[list[Row]] = []
    timing_rows: list[list[Row]] = []
    for record, task_z, gate_z in zip(records, task_offset, gate_offset):
        content, timing = evidence(record)
        content_rows.append([(content_keys(record.kind, record.context), task_z, o) for o in content])
        timing_rows.append([(timing_keys(record.context), gate_z, o) for o in timing])
    return content_rows, timing_rows


def _fit_rows(rows: list[Row], learner: Learner) -> Correction:
    strength, adaptive = learner
    return fit_correction([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], strength, adaptive)


def family(key: str) -> str:
    """What a key is about: 'all', 'task' (a kind everywhere), 'task|app' (a kind in an app), ..., 'app', 'when'.
    Keys of one family never share an answer (one app, one time of day per answer), so each family is validated
    on its own: a good correction about the time of day is not held back by a weak one about sites."""
    if key == "all":
        return "all"
    if key.startswith("task="):
        return "task|" + key.split("|", 1)[1].split("=", 1)[0] if "|" in key else "task"
    return key.split("=", 1)[0]


def _restricted(c: Correction, name: str) -> Correction:
    """One family's share of a correction fitted on all keys together."""
    return Correction({k: w for k, w in c.weights.items() if family(k) == name})


def _all(c: Correction) -> Correction:
    return c


def _quieter(c: Correction) -> Correction:
    """Only the steps that make the assistant quieter (negative weights)."""
    return Correction({k: w for k, w in c.weights.items() if w < 0})


def _joined(parts: Sequence[Correction]) -> Correction:
    weights: dict[str, float] = {}
    for c in parts:
        for k, w in c.weights.items():
            weights[k] = weights.get(k, 0.0) + w
    return Correction(weights)


@dataclass(frozen=True, slots=True)
class _Choice:
    """One family's validated correction: which learner, which part, and its verdict."""

    name: str
    learner: Learner
    keep: Callable[[Correction], Correction]
    part: str  # "all" of the family's weights or only its "quieter" ones
    verdict: GuardVerdict


def _prefix_ids(records: tuple[LabelRecord, ...]) -> list[int]:
    """A hash chain over the records: ids[k] names records[:k] for the fit cache (no tuple hashed per fit)."""
    ids = [0]
    for r in records:
        ids.append(hash((ids[-1], r)))
    return ids


def fit_preferences(
    records: Sequence[LabelRecord],
    task_offset: list[float],
    gate_offset: list[float],
    guarded: bool = True,
    cache: FitCache | None = None,
    thresholds: tuple[float, float] = (0.5, 0.5),
) -> Preferences:
    """Corrections learned from `records` (oldest first); the offsets are the shipped judge's logits for each
    record. With `guarded`, a correction is kept only when it predicted later answers better than the prior
    (models.judge.guard) at the (task, help gate) `thresholds`, family by family (`family`): each family's
    learner is chosen on its own, then the families that pass are joined, best first, while the joined
    correction still predicts the later answers better. `cache` keeps fits of earlier prefixes."""
    records = tuple(records)
    cache = cache if cache is not None else FitCache()
    ids = _prefix_ids(records)
    sides = dict(zip(("content", "timing"), _rows(records, task_offset, gate_offset)))
    fitted: dict[str, Correction] = {}
    verdicts: dict[str, GuardVerdict] = {}
    for (side, per_record), threshold in zip(sides.items(), thresholds):

        def fit(k: int, learner: Learner, name: str, side: str = side,
                per_record: list[list[Row]] = per_record) -> Correction:
            whole: Correction = cache.get((side, learner, k, ids[k]),  # type: ignore[assignment]
                                          lambda: _fit_rows([r for a in per_record[:k] for r in a], learner))
            return _restricted(whole, name) if name else whole

        if not guarded:
            verdicts[side], fitted[side] = GuardVerdict(True), fit(len(records), (PRIOR_STRENGTH, False), "")
            continue
        names = sorted({family(k) for answer in per_record for keys, _, _ in answer for k in keys})
        best: tuple[GuardVerdict, list[_Choice]] = (GuardVerdict(), [])
        # each learner (slowest first), family by family; a faster learner replaces a slower one that passes
        # only when it predicted the later answers clearly better (FASTER_MARGIN) and its changed show / stay
        # silent decisions were worth at least as much (a sharper fit that hides fewer unwanted cards loses)
        for learner in CONTENT_LEARNERS if side == "content" else TIMING_LEARNERS:
            verdict, chosen = _families(per_record, fit, learner, names, threshold)
            if chosen and (not best[1] or (verdict.gain > best[0].gain + FASTER_MARGIN
                                           and verdict.decisions >= best[0].decisions)):
                best = (verdict, chosen)
        verdict, chosen = best
        if chosen:
            learner = chosen[0].learner
            verdicts[side] = replace(verdict, part="quieter" if all(c.part == "quieter" for c in chosen) else "all",
                                     strength=learner[0], adaptive=learner[1],
                                     families=tuple(c.name for c in chosen))
            fitted[side] = _joined([c.keep(fit(len(records), learner, c.name)) for c in chosen])
        else:  # why nothing is used: the whole correction of the slowest learner, as it was checked
            first = (CONTENT_LEARNERS if side == "content" else TIMING_LEARNERS)[0]
            verdicts[side] = replace(validate(per_record, lambda k: fit(k, first, "").shift, threshold), used=False)
            fitted[side] = Correction()
    return Preferences(fitted["content"], fitted["timing"], records, verdicts)


def _families(per_record: list[list[Row]], fit: Callable[[int, Learner, str], Correction], learner: Learner,
              names: list[str], threshold: float) -> tuple[GuardVerdict, list[_Choice]]:
    """The families of one learner's correction that predict the later answers better: each family's share
    whole, else its quieter steps alone, validated on its own; then joined, best first, while the join still
    predicts better. Families share the one fit, so joining them counts no evidence twice."""
    choices = []
    for name in names:
        for part, keep in (("all", _all), ("quieter", _quieter)):
            verdict = validate(per_record, lambda k, keep=keep, name=name: keep(fit(k, learner, name)).shift,
                               threshold)
            if verdict.used:
                choices.append(_Choice(name, learner, keep, part, verdict))
                break  # its quieter steps alone are only tried when the whole fails
    choices.sort(key=lambda c: (-c.verdict.gain, c.name))
    chosen: list[_Choice] = []
    best = GuardVerdict()
    for choice in choices:
        trial = [*chosen, choice]
        verdict = validate(per_record, lambda k, trial=trial: _joined(
            [c.keep(fit(k, learner, c.name)) for c in trial]).shift, threshold)
        if verdict.used and (not chosen or verdict.gain > best.gain):
            chosen, best = trial, verdict
    return best, chosen
