"""A realistic recorded week for screenshots and demos: a developer's working days, written through the same path
the collectors use (the privacy filter and redaction, then the real EventWriter), with suggestions and answers.

Today runs 09:00-17:45: coding on a billing bug (editor, terminal with a failing test, Stack Overflow, a pull
request on GitHub), mail and chat, a meeting, a report, music on YouTube, lunch and a coffee away, and a few
minutes in the assistant's own dashboard (which the privacy filter drops, as it drops them live). The six days
before are lighter and seeded. Suggestions are narrated from the events before them, as the engine does.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from pathlib import Path

from assistant.core.config import default_config
from assistant.core.events import Event
from assistant.core.proposal import Proposal
from assistant.decide.narrator import narrate
from assistant.log import EventWriter, open_db
from assistant.log.events import events_between
from assistant.log.proposals import record_label, record_proposal
from collectors.browser_titles import page_info
from collectors.privacy import Emitter, PrivacyFilter

FF = " — Mozilla Firefox"
CODE, TERM, WEB, MAIL, CHAT, DOC = "code", "gnome-terminal-server", "firefox", "thunderbird", "slack", "libreoffice"
WINDOWS = {
    "billing": (CODE, "billing.py — acme-shop — Visual Studio Code"),
    "tests": (CODE, "test_billing.py — acme-shop — Visual Studio Code"),
    "pytest": (TERM, "alice@laptop: ~/src/acme-shop — pytest -q tests/test_billing.py"),
    "so": (WEB, "KeyError: 'total' when summing invoices - Stack Overflow" + FF),
    "pr": (WEB, "Fix invoice totals by alice · Pull Request #42 · acme/acme-shop · GitHub" + FF),
    "docs": (WEB, "collections — Container datatypes — Python 3.12 documentation" + FF),
    "music": (WEB, "Lo-fi beats to code to - YouTube" + FF),
    "admin": (WEB, "Invoices · Acme Admin" + FF),
    "mail": (MAIL, "Inbox - Work - Mozilla Thunderbird"),
    "chat": (CHAT, "#billing | Acme - Slack"),
    "report": (DOC, "Q3 report.odt - LibreOffice Writer"),
    "meeting": ("zoom", "Zoom Meeting"),
    "pdf": ("evince", "invoice-0042.pdf"),
    "files": ("nautilus", "Downloads"),
    "own": ("proactive", "Proactive assistant — Dashboard"),
}
# (start "HH:MM", minutes, window) for today; gaps are filled by `away`
TODAY = [
    ("09:00", 6, "mail"), ("09:06", 4, "chat"), ("09:10", 14, "billing"), ("09:24", 3, "pytest"),
    ("09:27", 5, "billing"), ("09:32", 2, "pytest"), ("09:34", 6, "so"), ("09:40", 9, "billing"),
    ("09:49", 2, "pytest"), ("09:51", 4, "docs"), ("09:55", 12, "billing"), ("10:07", 3, "pytest"),
    ("10:10", 4, "so"), ("10:14", 16, "billing"), ("10:30", 5, "tests"), ("10:35", 2, "pytest"),
    ("10:37", 8, "pr"), ("10:45", 6, "chat"), ("10:51", 9, "mail"), ("11:00", 30, "meeting"),
    ("11:30", 7, "chat"), ("11:37", 13, "report"), ("11:50", 4, "admin"), ("11:54", 16, "report"),
    ("12:10", 3, "own"), ("12:13", 12, "music"), ("13:15", 8, "mail"), ("13:23", 22, "report"),
    ("13:45", 5, "pdf"), ("13:50", 6, "admin"), ("13:56", 19, "report"), ("14:15", 4, "chat"),
    ("14:19", 21, "billing"), ("14:40", 3, "pytest"), ("14:43", 10, "tests"), ("14:53", 2, "pytest"),
    ("14:55", 15, "pr"), ("15:25", 6, "mail"), ("15:31", 9, "pdf"), ("15:40", 7, "admin"),
    ("15:47", 18, "billing"), ("16:05", 3, "files"), ("16:08", 22, "tests"), ("16:30", 3, "pytest"),
    ("16:33", 12, "docs"), ("16:45", 20, "billing"), ("17:05", 4, "chat"), ("17:09", 8, "pr"),
    ("17:17", 10, "music"), ("17:27", 18, "billing"),
]
AWAY_TODAY = [("12:25", 50), ("15:10", 15)]  # lunch (while the music played on), a coffee
# (time, task, kind, answer, reason) of today's suggestions
SUGGESTIONS = [
    ("09:36", "Explain the error 'KeyError: total' in billing.py and suggest a fix.", "explain_error", "accepted",
     None),
    ("10:12", "Summarise the Stack Overflow answers about 'KeyError: total'.", "summarise_pages", "rejected",
     "Already done"),
    ("11:33", "Draft a reply to the #billing thread in Slack.", "draft_reply", "not-now", None),
    ("13:58", "Continue the section of 'Q3 report.odt' you paused on.", "continue_document", "ignored", None),
    ("15:42", "Compare invoice-0042.pdf with the Invoices page in Acme Admin.", "combine", "accepted", None),
    ("16:31", "Review test_billing.py for missing cases.", "review_file", "rejected", "Not useful"),
    ("17:30", "Look up how to name pytest parametrize cases.", "research", None, None),
]


def _at(day: float, hhmm: str) -> float:
    h, m = hhmm.split(":")
    return day + int(h) * 3600 + int(m) * 60


def _focus(emit: Emitter, start: float, seconds: float, key: str, rng: random.Random) -> None:
    """A window in focus for `seconds`, with input counts every 5 s (typing in editors, reading elsewhere)."""
    app, title = WINDOWS[key]
    pid = os.getpid() if key == "own" else 4000 + list(WINDOWS).index(key)  # the dashboard runs in the app
    data = {"pid": pid, **page_info(app, title)}
    emit(Event("window", "focus", start=start, duration=seconds, app=app, title=title, data=data))
    typing = app in (CODE, TERM, DOC, CHAT, MAIL)
    for s in range(0, int(seconds) - 4, 5):
        if rng.random() < (0.7 if typing else 0.35):
            keys = rng.randint(8, 45) if typing else rng.randint(0, 3)
            emit(Event("input", "counts", start=start + s, duration=5, app=app, title=title,
                       data={"keys": keys, "clicks": rng.randint(0, 2), "mouse_px": rng.randint(0, 900)}))


def _day_plan(rng: random.Random) -> list[tuple[str, int, str]]:
    """A lighter, seeded day for the week before."""
    keys = ["billing", "tests", "pytest", "so", "pr", "docs", "mail", "chat", "report", "admin", "pdf", "music"]
    weights = [10, 5, 4, 3, 3, 2, 4, 4, 5, 2, 1, 2]
    plan, t = [], 9 * 60 + rng.randint(0, 30)
    while t < 17 * 60 + 30:
        minutes = max(1, int(rng.expovariate(1 / 9)))
        plan.append((f"{t // 60:02d}:{t % 60:02d}", minutes, rng.choices(keys, weights)[0]))
        t += minutes + (45 if 12 * 60 + 20 <= t < 12 * 60 + 40 else 0)
    return plan


def record_sample_week(path: Path, now: float, seed: int = 11) -> dict[str, int]:
    """Write today (up to `now`, at most 17:45) and the six days before into the log at `path`."""
    rng = random.Random(seed)
    today = dt.datetime.combine(dt.datetime.fromtimestamp(now).date(), dt.time()).timestamp()
    events: list[Event] = []
    privacy = PrivacyFilter.from_config(default_config())
    emit = Emitter(privacy, events.append)
    for back in range(6, 0, -1):
        day = today - back * 86400
        if dt.datetime.fromtimestamp(day).weekday() >= 5:
            continue  # a weekend off
        for start, minutes, key in _day_plan(rng):
            _focus(emit, _at(day, start), minutes * 60 - rng.randint(0, 20), key, rng)
        emit(Event("afk", "afk", start=_at(day, "12:30"), duration=2700))
    for start, minutes, key in TODAY:
        if _at(today, start) < now:
            _focus(emit, _at(today, start), min(minutes * 60, now - _at(today, start)), key, rng)
    for start, minutes in AWAY_TODAY:
        emit(Event("afk", "afk", start=_at(today, start), duration=minutes * 60))
    events = [e for e in events if e.start < now]
    writer = EventWriter(path, queue_size=len(events) + 100, sync_interval=0).start()
    for event in sorted(events, key=lambda e: e.start):
        writer.put(event)
    writer.flush(timeout=600)
    writer.stop()
    db = open_db(path)
    shown = 0
    try:
        for back in range(13, -1, -1):  # two weeks of answers for the Suggestions tab
            day = today - back * 86400
            plan = SUGGESTIONS if back == 0 else [
                (f"{rng.randint(9, 16):02d}:{rng.randint(0, 59):02d}", task, kind,
                 rng.choice(["accepted", "accepted", "rejected", "ignored", "not-now"]), None)
                for _, task, kind, _, _ in rng.sample(SUGGESTIONS[:-1], rng.randint(2, 5))]
            for hhmm, task, kind, answer, reason in plan:
                t = _at(day, hhmm)
                if t >= now:
                    continue
                shown += _suggest(db, t, task, kind, answer, reason, rng)
    finally:
        db.close()
    return {"events": len(events), "dropped_by_privacy": emit.excluded, "shown": shown}


def _suggest(db, t: float, task: str, kind: str, answer: str | None, reason: str | None,
             rng: random.Random) -> int:
    observations = narrate(events_between(db, t - 300, t))[-4:]
    history = [o.sentence for o in observations] or ["The user works in Visual Studio Code."]
    where = "firefox|stackoverflow.com" if "Stack" in task else "code|.py"
    p = Proposal(time=t, task=task, score=round(rng.uniform(0.55, 0.9), 2), context=where, trigger="stall",
                 history=history, observation_event_ids=[o.event_ids for o in observations], kind=kind,
                 history_times=[o.time for o in observations])
    pid = record_proposal(db, p, surfaced=True)
    if answer:
        record_label(db, pid, answer, reason, t + rng.uniform(5, 40))
    return 1
