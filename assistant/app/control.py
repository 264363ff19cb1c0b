"""What a user can ask of the assistant: consent, pause, resume, forget, answer. One implementation for the CLI (another
process: through the log) and the tray (in process: `Runtime` calls these and tells its parts at once)."""

from __future__ import annotations

import datetime as dt
import time

from assistant.core import config
from assistant.core.consent import CONSENT_VERSION, OPT_INS, Consent
from assistant.core.durations import parse_duration
from assistant.core.proposal import LABELS
from assistant.log import Database, housekeeping
from assistant.log import proposals as plog
from assistant.log.consent import latest_consent, record_consent
from assistant.log.proposals import LabelRow
from assistant.log.state import Pause, clear_pause, read_pause, read_quiet, write_pause, write_quiet

ALIASES = {"accept": "accepted", "yes": "accepted", "reject": "rejected", "no": "rejected",
           "later": "not-now", "not-now": "not-now", "ignore": "ignored", "other": "other-help",
           "needed": "help-needed", "fine": "no-help-needed"}


HOW_TO_CONSENT = ("Nothing is collected until you agree: run `proactive consent` in a terminal (or start with "
                  "`proactive run --accept-defaults`).")


class ConsentError(Exception):
    """The consent could not be recorded as given (e.g. the config could not take the opt-ins)."""


def consent_needed(db: Database) -> bool:
    """True while no consent is recorded, or the recorded one is for an older consent text."""
    last = latest_consent(db)
    return last is None or _version(last.text_version) < _version(CONSENT_VERSION)


def _version(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in text.split("."))
    except ValueError:
        return (0,)


def consent_state(db: Database) -> Consent | None:
    """The consent in force (None when none is, or it is for an older text)."""
    return None if consent_needed(db) else latest_consent(db)


def give_consent(db: Database, opt_ins: dict[str, bool] | None = None, model: str = "", via: str = "gui",
                 now: float | None = None) -> Consent:
    """Record the user's agreement. Ticked opt-ins are written to config.yaml (comments kept); an unticked
    opt-in that the config has on is turned off. Nothing is recorded when the config cannot be written."""
    ticked = {key: bool((opt_ins or {}).get(key, False)) for key in OPT_INS}
    try:
        current = config.load()
        changes = {key: on for key, on in ticked.items() if current[key] != on}
    except config.ConfigError:
        changes = {key: on for key, on in ticked.items() if on}
    if changes:
        from assistant.core import settings  # here: ruamel.yaml serves only a change of the file

        _, problems = settings.apply_changes(changes)
        if problems:
            raise ConsentError(f"the opt-ins could not be written to the config: {problems[0]}")
    consent = Consent(time=time.time() if now is None else now, text_version=CONSENT_VERSION, via=via,
                      opt_ins=ticked, model=model)
    record_consent(db, consent)
    return consent


def agree_to(db: Database, keys: list[str], via: str = "settings", now: float | None = None) -> Consent | None:
    """Extend the consent in force by `keys` (opt-ins the user switched on knowingly, e.g. in Settings); a new
    consent row keeps the history. None when no consent is in force (nothing to extend)."""
    current = consent_state(db)
    if current is None or not keys:
        return current
    unknown = [k for k in keys if k not in OPT_INS]
    if unknown:
        raise ValueError(f"not an opt-in: {', '.join(unknown)} (expected one of {', '.join(OPT_INS)})")
    if all(current.opt_ins.get(k) for k in keys):
        return current
    consent = Consent(time=time.time() if now is None else now, text_version=current.text_version, via=via,
                      opt_ins={**{k: bool(current.opt_ins.get(k)) for k in OPT_INS}, **dict.fromkeys(keys, True)},
                      model=current.model)
    record_consent(db, consent)
    return consent


def pause(db: Database, seconds: float | None = None, now: float | None = None) -> Pause:
    """Stop collecting for `seconds` (None: until resumed). A running app obeys within a second."""
    now = time.time() if now is None else now
    return write_pause(db, now + seconds if seconds else None, now)


def resume(db: Database) -> None:
    clear_pause(db)


def pause_state(db: Database, now: float | None = None) -> Pause:
    return read_pause(db, now)


def quiet_until(spec: str, now: float | None = None) -> float | None:
    """'1h', '30m', 'today' (until local midnight) or 'off' -> until when (None for off). ValueError otherwise."""
    now = time.time() if now is None else now
    spec = spec.strip().lower()
    if spec in ("off", "0", "no"):
        return None
    if spec == "today":
        tomorrow = dt.datetime.fromtimestamp(now).date() + dt.timedelta(days=1)
        return dt.datetime.combine(tomorrow, dt.time()).timestamp()
    return now + parse_duration(spec)


def quiet(db: Database, until: float | None) -> None:
    """No suggestion cards until `until` (None: cards again); the running app obeys within a few seconds."""
    write_quiet(db, until)


def quiet_state(db: Database, now: float | None = None) -> float | None:
    until = read_quiet(db)
    return until if until > (time.time() if now is None else now) else None


def forget(db: Database, last_seconds: float | None = None, everything: bool = False) -> dict[str, int]:
    """Delete for real (rows and derived data), compact the file; a running app forgets what it remembers."""
    return housekeeping.forget(db, last_seconds=last_seconds, everything=everything)


def normalise_label(answer: str) -> str:
    """'accept' -> 'accepted', ...; ValueError naming the accepted answers otherwise."""
    label = ALIASES.get(answer, answer)
    if label not in LABELS:
        raise ValueError(f"expected one of accept, reject, not-now, ignore, other-help (help, but not this), "
                         f"help-needed or no-help-needed (a silent moment), got {answer!r}")
    return label


def answer(db: Database, proposal_id: int, answer: str, reason: str | None = None,
           now: float | None = None, annotator: str = "me", relabel: bool = False) -> LabelRow:
    """Record an answer to a proposal (or, under review, to a silent moment); returns it joined with its
    proposal (for the engine). A second answer by the same annotator is refused unless `relabel`."""
    label = normalise_label(answer)
    label_id = plog.record_label(db, proposal_id, label, reason, now, annotator=annotator, relabel=relabel)
    return next(r for r in plog.labels_since(db, label_id - 1) if r.id == label_id)

