"""What the user's answers taught, in words (`Judge.describe`): how many answers, what is held back by
the guard, and the strongest changes with the answers behind them."""

from __future__ import annotations

from assistant.core.proposal import LABELS
from models.judge.kinds import TASK_KIND_WORDS
from models.judge.learning import SHOWN_EFFECT, Preferences, evidence, timing_keys

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
