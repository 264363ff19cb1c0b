"""Choosing one task (or none) from the candidates, using the judge's joint scores.

Two decisions, as the field separates them. With a help gate (the default): *whether* is the gate,
P(help is needed now | history) against its own threshold (lowered a little by evidence of need); *which* is
the judge, and the best eligible task must be one the user would likely accept when they need help:
P(accepted) / P(help needed) >= threshold (a task is only ever accepted where help was needed, so this is the
judge's P(accepted | help needed)). Without a gate: the best task must clear the threshold and beat "no task".

`Decision.reason` says in numbers why, and always agrees with the decision taken.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass, field, replace
from typing import Protocol

from assistant.decide.candidates import Candidate
from models.judge.kinds import Context, task_kind

EVIDENCE_RELIEF = 0.15
Eligible = Callable[[Candidate], bool]
# A check-in: after this many consults in a row without a card, while the user's answers have taught the judge
# something, one moment is decided as the shipped judge would decide it. Learning only ever hears about cards
# it chose to show: a user who turned down every kind of card it showed (because the one kind they want was
# rarely shown) would otherwise never be shown anything again, and their answers could never correct it.
CHECK_IN_AFTER = 20
CHECK_IN_WHY = "(Checking in: you turned cards like this down lately.)"


class ScoringJudge(Protocol):
    def score(self, history: Sequence[str], tasks: Sequence[str | None], kinds: Sequence[str] | None = None,
              context: Context | None = None) -> list[float]: ...

    def help_needed(self, history: Sequence[str], context: Context | None = None) -> float: ...


def check_in_due(silent_consults: int, judge: object) -> bool:
    """Whether the next consult is a check-in: CHECK_IN_AFTER consults without a card, and something learned."""
    return silent_consults >= CHECK_IN_AFTER and getattr(judge, "labels_learned", 0) > 0


@dataclass
class Decision:
    task: str | None
    score: float  # judge score of the chosen candidate (the null's when no task)
    scores: list[tuple[Candidate, float]] = field(default_factory=list)
    reason: str = ""
    candidate: Candidate | None = None  # the chosen task candidate, None when no task

    @property
    def proposes(self) -> bool:
        return self.task is not None


def decide(
    history: Sequence[str],
    candidates: Sequence[Candidate],
    judge: ScoringJudge,
    threshold: float,
    gate_threshold: float | None = None,
    prefer_kinds: Set[str] = frozenset(),
    gate_relief: float = 0.0,
    eligible: Eligible | None = None,
    context: Context | None = None,
    check_in: bool = False,
) -> Decision:
    """Score all candidates together (the null is added if missing) and pick one task or none.

    `check_in` (see `check_in_due`): when what the judge learned keeps it silent here, decide as the shipped
    judge (`judge.shipped()`) would; the reason says so.

    `prefer_kinds`: kinds of task the evidence of need points at (an error seen again: explaining it). They
    rank EVIDENCE_RELIEF higher and clear the threshold that much sooner; the judge's own score is kept.
    `gate_relief`: how much the policy's evidence of need lowers the help gate (strong evidence more).
    `eligible`: which tasks may be chosen (the need at hand); every candidate is still judged as a sibling.
    `context`: where the user is, when the caller already knows (else the judge reads it from the history)."""
    decision = _decide(history, candidates, judge, threshold, gate_threshold, prefer_kinds, gate_relief, eligible,
                       context)
    shipped = getattr(judge, "shipped", None)
    if decision.task is not None or not check_in or shipped is None:
        return decision
    again = Decision(None, decision.score)
    for allowed in (_least_answered(candidates, judge, eligible), eligible):
        again = _decide(history, candidates, shipped(), threshold, gate_threshold, prefer_kinds, gate_relief,
                        allowed, context)
        if again.task is not None:
            break
    if again.task is None:
        return decision
    return replace(again, reason=f"checking in after {CHECK_IN_AFTER} quiet moments: your answers so far keep "
                                 f"this from being shown ({decision.reason}); without them: {again.reason}")


def _least_answered(candidates: Sequence[Candidate], judge: object, eligible: Eligible | None) -> Eligible:
    """The eligible candidates of the kind of task the user has answered least about (a check-in tries those
    first: what the user wants may be what was shown least)."""
    records = getattr(getattr(judge, "preferences", None), "records", ())
    answered = Counter(r.kind for r in records)
    ok = [c for c in candidates if c.task is not None and (eligible is None or eligible(c))]
    fewest = min((answered[task_kind(c.task, c.kind)] for c in ok), default=0)
    return lambda c: (eligible is None or eligible(c)) and answered[task_kind(c.task, c.kind)] == fewest


def _decide(history: Sequence[str], candidates: Sequence[Candidate], judge: ScoringJudge, threshold: float,
            gate_threshold: float | None, prefer_kinds: Set[str], gate_relief: float, eligible: Eligible | None,
            context: Context | None) -> Decision:
    cands = list(candidates)
    if not any(c.task is None for c in cands):
        cands.append(Candidate(None, "none", "template"))
    probs = judge.score(list(history), [c.task for c in cands], kinds=[c.kind for c in cands], context=context)
    scored = list(zip(cands, probs))
    null_score = max(p for c, p in scored if c.task is None)
    tasks = [(c, p) for c, p in scored if c.task is not None and (eligible is None or eligible(c))]
    if not tasks:
        what = "no task candidates" if eligible is None else "no task candidate about this need"
        return Decision(None, null_score, scored, what)

    def relief(c: Candidate) -> float:
        return EVIDENCE_RELIEF if c.kind in prefer_kinds else 0.0

    best, best_score = max(tasks, key=lambda cp: cp[1] + relief(cp[0]))
    if gate_threshold is None:
        if best_score + relief(best) < threshold:
            return Decision(None, null_score, scored,
                            f"best task {best_score:.2f} below threshold {threshold:.2f}")
        if null_score >= best_score:
            return Decision(None, null_score, scored,
                            f"no task {null_score:.2f} >= best task {best_score:.2f}")
        return Decision(best.task, best_score, scored,
                        f"best task {best_score:.2f} over no task {null_score:.2f} and threshold {threshold:.2f}",
                        best)
    need = judge.help_needed(list(history), context=context)
    gate = gate_threshold - gate_relief
    if need < gate:
        return Decision(None, null_score, scored, f"help needed {need:.2f} below gate {gate:.2f}")
    fit = min(1.0, best_score / max(need, 1e-6)) + relief(best)  # P(accepted | help needed), plus relief
    if fit < threshold:
        return Decision(None, null_score, scored,
                        f"help needed {need:.2f} >= gate {gate:.2f}, but best task fits {fit:.2f} below "
                        f"threshold {threshold:.2f}")
    return Decision(best.task, best_score, scored,
                    f"help needed {need:.2f} >= gate {gate:.2f}; best task fits {fit:.2f} >= threshold "
                    f"{threshold:.2f}", best)
