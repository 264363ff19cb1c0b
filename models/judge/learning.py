"""Learning from the user's own answers: small, kind-aware corrections on top of the shipped judge.

What is learned is a deterministic function of the list of labels (`fit_preferences`), so the engine rebuilds
exactly the same judge from its labels table on every start: nothing is learned only in memory.

Each answer becomes evidence about two things (see `evidence`):
* content, "is this kind of task useful here": keyed by the task's kind, alone and paired with each part of
  the context (app, site, file type, kind of app);
* timing, "is help wanted here now": keyed by each part of the context.
An accept is evidence for both; a reject with a timing reason ("wrong time", "not now") only about timing,
with a content reason ("not useful", "already know") only about content, without a reason mostly about
content; "not now" is about timing; an ignored card is weak evidence against both; a Helpful / Not helpful
rating of an answer adds content evidence.

The corrections are logistic regressions with the shipped judge's logit as an offset and an L2 prior centred
on zero (Newton's method, models.judge.logistic): the shipped judge stays the prior, one answer moves a score by a few points, and
a few dozen consistent answers in one place outweigh the prior there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from assistant.core.proposal import LABELS
from models.judge.guard import FitCache, GuardVerdict, Row, validate
from models.judge.kinds import Context, task_kind
from models.judge.logistic import newton, posterior_variance

PRIOR_STRENGTH = 10.0  # L2 precision of a correction weight in one place (larger = each answer moves less)
FAST_STRENGTH = 1.0
Learner = tuple[float, bool]  # (prior strength, adaptive: see _relevance)
# The learners the guard validates, slowest first (models.judge.guard); a later one replaces an earlier one
# that passes only when it predicted the user's later answers better by FASTER_MARGIN nats. Timing also
# tries the adaptive learner: the slow prior, but a key whose answers agree (every morning card rejected
# as "Wrong time") is freed to move as fast as the fast learner.
CONTENT_LEARNERS: tuple[Learner, ...] = ((PRIOR_STRENGTH, False), (FAST_STRENGTH, False))
TIMING_LEARNERS: tuple[Learner, ...] = ((PRIOR_STRENGTH, False), (PRIOR_STRENGTH, True), (FAST_STRENGTH, False))
STRENGTHS = (PRIOR_STRENGTH, FAST_STRENGTH)
FASTER_MARGIN = 1.0  # nats of prequential gain a faster learner must add over a slower one that passes
# Precision per kind of key, times the learner's strength. "Everything everywhere" needs five times the
# evidence (it only moves the operating point). A kind everywhere needs half that of a kind in one place:
# main effects before interactions, so what is learned about a kind carries over to places not yet seen.
EVERYTHING_PRIOR = 5.0
KIND_EVERYWHERE_PRIOR = 0.5
PAIR_PRIOR = 1.0
ADAPTIVE_FLOOR = FAST_STRENGTH  # the adaptive learner frees a key down to this precision
ADAPTIVE_ROUNDS = 8
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
    elif record.label == "ignored":
        content.append((0, 0.4))
        timing.append((0, 0.4))
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
    return ["all", f"task={kind}"] + [f"task={kind}|{name}={value}" for name, value in context.parts()]


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
    strength: float = PRIOR_STRENGTH, adaptive: bool = False,
) -> Correction:
    """MAP logistic weights per key with the offsets fixed and an L2 prior (`strength`) centred on 0.

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
    prior = [strength * _breadth(k) for k in names]
    beta = newton(rows, off, y, w, prior)
    if adaptive:
        floor = [min(ADAPTIVE_FLOOR * _breadth(k), q) for k, q in zip(names, prior)]
        beta = _relevance(rows, off, y, w, prior, floor, beta)
    return Correction({k: round(float(b), 9) for k, b in zip(names, beta)})


def _relevance(rows: list[list[int]], off: list[float], y: list[float], w: list[float], prior: list[float],
               floor: list[float], beta: list[float]) -> list[float]:
    """Automatic relevance determination: each key's prior precision re-estimated from its own evidence
    (EM: 1 / (weight^2 + posterior variance)), between `floor` and the starting `prior`. A key whose answers
    agree with each other and disagree with the shipped judge (every morning card rejected) is freed to move
    as fast as the fast learner; keys whose answers are explained by another key, or are mixed, keep the
    slow prior. Deterministic: a fixed number of rounds from the same start."""
    precision = list(prior)
    for _ in range(ADAPTIVE_ROUNDS):
        variance = posterior_variance(rows, off, w, precision, beta)
        precision = [min(hi, max(lo, 1.0 / (b * b + v))) for b, v, lo, hi in zip(beta, variance, floor, prior)]
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


def _all(c: Correction) -> Correction:
    return c


def _quieter(c: Correction) -> Correction:
    """Only the steps that make the assistant quieter (negative weights)."""
    return Correction({k: w for k, w in c.weights.items() if w < 0})


def fit_preferences(
    records: Sequence[LabelRecord],
    task_offset: list[float],
    gate_offset: list[float],
    guarded: bool = True,
    cache: FitCache | None = None,
    thresholds: tuple[float, float] = (0.5, 0.5),
) -> Preferences:
    """Corrections learned from `records` (oldest first); the offsets are the shipped judge's logits for each
    record. With `guarded`, a side's correction is kept only when it predicted later answers better than the
    prior (models.judge.guard) at the (task, help gate) `thresholds`; `cache` keeps fits of earlier prefixes."""
    records = tuple(records)
    cache = cache if cache is not None else FitCache()
    sides = dict(zip(("content", "timing"), _rows(records, task_offset, gate_offset)))
    fitted: dict[str, Correction] = {}
    verdicts: dict[str, GuardVerdict] = {}
    for (side, per_record), threshold in zip(sides.items(), thresholds):

        def fit(k: int, learner: Learner, side: str = side, per_record: list[list[Row]] = per_record) -> Correction:
            rows = [row for answer in per_record[:k] for row in answer]
            return cache.get((side, learner, records[:k]),  # type: ignore[return-value]
                             lambda: _fit_rows(rows, learner))

        if not guarded:
            verdicts[side], fitted[side] = GuardVerdict(True), fit(len(records), (PRIOR_STRENGTH, False))
            continue
        verdicts[side], fitted[side] = GuardVerdict(), Correction()
        # each learner (prior strength) whole, else its quieter steps alone; a faster learner replaces a slower
        # one that passes only when it predicted the later answers clearly better (FASTER_MARGIN)
        for learner in CONTENT_LEARNERS if side == "content" else TIMING_LEARNERS:
            for part, keep in (("all", _all), ("quieter", _quieter)):
                verdict = validate(per_record, lambda k, ln=learner, fit=fit, keep=keep: keep(fit(k, ln)).shift,
                                   threshold)
                best = verdicts[side].gain if verdicts[side].used else 0.0
                if verdict.used and (not verdicts[side].used or verdict.gain > best + FASTER_MARGIN):
                    verdicts[side] = replace(verdict, part=part, strength=learner[0], adaptive=learner[1])
                    fitted[side] = keep(fit(len(records), learner))
                elif not verdicts[side].used and not verdicts[side].checked:
                    verdicts[side] = verdict  # why nothing is used: the first learner's figures
                if verdict.used:
                    break  # its quieter steps alone are only tried when the whole fails
    return Preferences(fitted["content"], fitted["timing"], records, verdicts)
