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
from models.judge.kinds import TASK_KIND_WORDS, Context, task_kind
from models.judge.logistic import newton

PRIOR_STRENGTH = 10.0  # L2 precision of a correction weight in one place (larger = each answer moves less)
# The guard may pick a faster learner when it predicts the user's later answers better (models.judge.guard).
STRENGTHS = (PRIOR_STRENGTH, 1.0)
FASTER_MARGIN = 1.0  # nats of prequential gain a faster learner must add over a slower one that passes
# Broader keys need more evidence: a kind everywhere twice as much, "everything everywhere" five times.
KIND_EVERYWHERE_PRIOR = 2.0
EVERYTHING_PRIOR = 5.0
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
    return KIND_EVERYWHERE_PRIOR if key.startswith("task=") and "|" not in key else 1.0


def fit_correction(
    keys: list[list[str]], offsets: list[float], outcomes: list[tuple[int, float]],
    strength: float = PRIOR_STRENGTH,
) -> Correction:
    """MAP logistic weights per key with the offsets fixed and an L2 prior (`strength`) centred on 0.

    Solved by Newton's method in pure Python (the problem is small and strictly convex: one weight per key
    seen), so learning in the live loop loads neither numpy nor SciPy."""
    if not keys:
        return Correction()
    names = sorted({k for ks in keys for k in ks})
    column = {k: i for i, k in enumerate(names)}
    beta = newton([[column[k] for k in ks] for ks in keys], [float(o) for o in offsets],
                  [float(o) for o, _ in outcomes], [float(wt) for _, wt in outcomes],
                  [strength * _breadth(k) for k in names])
    return Correction({k: round(float(b), 9) for k, b in zip(names, beta)})


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

    def describe(self) -> list[str]:
        """In words: how many answers were learned from, and what changed most (strongest first)."""
        return describe(self)


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


def _fit_rows(rows: list[Row], strength: float) -> Correction:
    return fit_correction([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], strength)


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

        def fit(k: int, strength: float, side: str = side, per_record: list[list[Row]] = per_record) -> Correction:
            rows = [row for answer in per_record[:k] for row in answer]
            return cache.get((side, strength, records[:k]),  # type: ignore[return-value]
                             lambda: _fit_rows(rows, strength))

        if not guarded:
            verdicts[side], fitted[side] = GuardVerdict(True), fit(len(records), PRIOR_STRENGTH)
            continue
        verdicts[side], fitted[side] = GuardVerdict(), Correction()
        # each learner (prior strength) whole, else its quieter steps alone; a faster learner replaces a slower
        # one that passes only when it predicted the later answers clearly better (FASTER_MARGIN)
        for strength in STRENGTHS:
            for part, keep in (("all", _all), ("quieter", _quieter)):
                verdict = validate(per_record, lambda k, st=strength, fit=fit, keep=keep: keep(fit(k, st)).shift,
                                   threshold)
                best = verdicts[side].gain if verdicts[side].used else 0.0
                if verdict.used and (not verdicts[side].used or verdict.gain > best + FASTER_MARGIN):
                    verdicts[side] = replace(verdict, part=part, strength=strength)
                    fitted[side] = keep(fit(len(records), strength))
                elif not verdicts[side].used and not verdicts[side].checked:
                    verdicts[side] = verdict  # why nothing is used: the first learner's figures
                if verdict.used:
                    break  # its quieter steps alone are only tried when the whole fails
    return Preferences(fitted["content"], fitted["timing"], records, verdicts)


_PLURAL = {
    "accepted": "acceptances",
    "rejected": "rejections",
    "not-now": "'not now' answers",
    "ignored": "ignored cards",
    "other-help": "'help, but not this' answers",
    "help-needed": "missed moments",
    "no-help-needed": "rightly silent moments",
}
_SINGULAR = {
    "accepted": "acceptance",
    "rejected": "rejection",
    "not-now": "'not now' answer",
    "ignored": "ignored card",
    "other-help": "'help, but not this' answer",
    "help-needed": "missed moment",
    "no-help-needed": "rightly silent moment",
}


def _count_words(labels: list[str]) -> str:
    parts = []
    for label in LABELS:
        n = labels.count(label)
        if n:
            parts.append(f"{n} {(_SINGULAR if n == 1 else _PLURAL)[label]}")
    return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)


def _place(key: str, names: dict[str, str]) -> str:
    if key == "all":
        return "everywhere"
    field_name, value = key.split("=", 1)
    shown = names.get(key, value)
    return {
        "app": f"in {shown}",
        "site": f"on {shown}",
        "file_type": f"in .{value} files",
        "kind": f"in the {value}",
        "when": "in meetings" if value == "meeting" else f"in the {value}",
    }[field_name]


PLACE_ORDER = ("app", "site", "file_type", "kind", "when")


def _place_rank(key: str) -> int:
    """Order in which equivalent keys are preferred when describing: kind in an app first, 'all' last."""
    if key == "all":
        return len(PLACE_ORDER) + 1
    place = key.rpartition("|")[2] if "|" in key else ("" if key.startswith("task=") else key)
    return PLACE_ORDER.index(place.split("=", 1)[0]) if place else len(PLACE_ORDER)


def describe(prefs: Preferences) -> list[str]:
    records = prefs.records
    if not records:
        return ["Learned from none of your answers yet: the shipped judge decides."]
    lines = [f"Learned from {len(records)} of your answers ({_count_words([r.label for r in records])})."]
    waiting = [side for side in ("content", "timing") if side in prefs.guard and prefs.guard[side].checked and not prefs.guard[side].used]
    if waiting:
        what = {"content": "which tasks you want", "timing": "when you want help"}
        lines.append(
            f"Not used yet for {' or '.join(what[s] for s in waiting)}: what was learned did not predict "
            "your later answers better than the shipped judge, so it still decides there."
        )
    names: dict[str, str] = {}
    for r in records:
        raw = {
            "app": r.context.app,
            "site": r.context.site,
            "file_type": r.context.file_type,
            "kind": r.context.kind,
            "when": r.context.when,
        }
        for name, value in r.context.parts():
            names.setdefault(f"{name}={value}", raw[name].strip())
    found: list[tuple[float, int, str, tuple]] = []
    for side, correction in (("timing", prefs.timing), ("content", prefs.content)):
        for key, w in correction.weights.items():
            if abs(w) < 1e-3:
                continue
            outcome = 1 if w > 0 else 0
            kind, _, place = key.partition("|") if key.startswith("task=") else ("", "", key)
            evid = tuple(
                i
                for i, r in enumerate(records)
                if (place in ("", "all") or place in timing_keys(r.context))
                and (not kind or (r.task is not None and f"task={r.kind}" == kind))
                and any(o == outcome for o, _ in evidence(r)[0 if side == "content" else 1])
            )
            if not evid:
                continue
            # the whole change where those answers were given (all keys together), not this key's share
            shifts = [
                prefs.gate_shift(records[i].context)
                if side == "timing"
                else prefs.task_shift(records[i].kind, records[i].context)
                for i in evid
            ]
            effect = sum(shifts) / len(shifts)
            if abs(effect) < SHOWN_EFFECT or (effect > 0) != (w > 0):
                continue
            where = "everywhere" if place in ("", "all") else _place(place, names)
            if side == "timing":
                text = f"{'more ready to help' if w > 0 else 'quieter'} {where}"
            elif kind:
                label = TASK_KIND_WORDS.get(kind[5:], kind[5:])
                text = f"{'more' if w > 0 else 'fewer'} {label} suggestions" + (
                    "" if place == "" else f" {where}"
                )
            else:
                text = f"{'more' if w > 0 else 'less'} eager to suggest anything"
            text += f" after {_count_words([records[i].label for i in evid])}"
            found.append((abs(effect), _place_rank(key), text, (side, kind, evid)))
    best: dict[tuple, tuple[float, int, str]] = {}
    for strength, rank, text, (side, _, evid) in found:
        same = (side, evid)  # the same answers behind several keys: say it once, at the most specific key
        if same not in best or rank < best[same][1]:
            best[same] = (strength, rank, text)
    lines += [text for _, _, text in sorted(best.values(), key=lambda b: (-b[0], b[2]))]
    return lines
