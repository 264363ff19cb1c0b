"""Dashboard refresh with a month of history: how long the queries and a full redraw of the charts take.

    .venv/bin/python -m bench.dashboard [--days 30] [--repeat 10]

Records `--days` days of synthetic desktop use through the real writer (window focus changes, input counts,
away spans, suggestions with answers), then times today's and this week's active time with every breakdown
(`ui.data.period`), `answers_over_days`, `today_counts`, the status collection, a search by visits and a whole
`Dashboard.refresh()` on the Timeline, Activity and Suggestions tabs, offscreen.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from assistant.core.events import Event
from assistant.core.proposal import Proposal
from assistant.log import EventWriter, open_db
from assistant.log.proposals import record_label, record_proposal
from bench.harness import percentile, report

APPS = [("code", "main.py - project - Visual Studio Code"), ("firefox", "Pull requests · acme/app — Mozilla Firefox"),
        ("xterm", "pytest -q tests/"), ("slack", "general | acme - Slack"), ("evince", "budget-2024.pdf"),
        ("libreoffice", "report draft.odt - LibreOffice Writer"), ("thunderbird", "Inbox - Mozilla Thunderbird"),
        ("nautilus", "Downloads"), ("spotify", "Spotify Premium"), ("gimp", "logo.xcf - GIMP")]
ANSWERS = ["accepted", "rejected", "ignored", "not-now", "accepted", None]
TASKS = ["Summarise the failing test output", "Draft a reply to the review comment", "Look up the flask error",
         "Write down the decisions from the call", "Open the budget figures next to the report"]


def day_events(rng: random.Random, day_start: float, end: float) -> list[Event]:
    """One working day (09:00-17:30 local, with a lunch away and short breaks): focus, input counts, afk."""
    out: list[Event] = []
    t = day_start + 9 * 3600 + rng.uniform(0, 1200)
    stop = min(end, day_start + 17.5 * 3600)
    weights = [8, 6, 5, 3, 2, 2, 2, 1, 1, 1]
    while t < stop:
        if rng.random() < 0.02 or abs(t - (day_start + 12.5 * 3600)) < 30:  # a break (lunch at 12:30)
            away = 2700.0 if abs(t - (day_start + 12.5 * 3600)) < 30 else rng.uniform(300, 900)
            out.append(Event("afk", "afk", start=t, duration=min(away, stop - t)))
            t += away
            continue
        app, title = rng.choices(APPS, weights)[0]
        length = min(rng.expovariate(1 / 90), stop - t)
        out.append(Event("window", "focus", start=t, duration=length, app=app, title=title,
                         data={"pid": 1000 + APPS.index((app, title))}))
        for s in range(0, int(length), 5):
            out.append(Event("input", "counts", start=t + s, duration=5, app=app, title=title,
                             data={"keys": rng.randint(0, 40), "clicks": rng.randint(0, 3), "scroll": 0,
                                   "distance": rng.randint(0, 2000)}))
        t += length
    return [e for e in out if e.start < end]


def record_days(path: Path, days: int, now: float | None = None, seed: int = 7) -> dict[str, int]:
    """Write `days` days up to `now` (today partly) through the real EventWriter and proposal log."""
    import datetime as dt

    now = time.time() if now is None else now
    rng = random.Random(seed)
    today = dt.datetime.combine(dt.datetime.fromtimestamp(now).date(), dt.time()).timestamp()
    events: list[Event] = []
    for d in range(days - 1, -1, -1):
        events += day_events(rng, today - d * 86400, now)
    writer = EventWriter(path, queue_size=len(events) + 100, sync_interval=0).start()
    for event in events:
        writer.put(event)
    writer.flush(timeout=600)
    writer.stop()
    db = open_db(path)
    shown = 0
    for d in range(days - 1, -1, -1):
        for _ in range(rng.randint(3, 8)):
            t = today - d * 86400 + rng.uniform(9.2, 17.3) * 3600
            if t >= now:
                continue
            p = Proposal(time=t, task=rng.choice(TASKS), score=rng.uniform(0.5, 0.95), context="code:main.py",
                         trigger="stall", history=["The user types in 'main.py'"], observation_event_ids=[])
            pid = record_proposal(db, p, surfaced=True)
            answer = rng.choice(ANSWERS)
            if answer:
                record_label(db, pid, answer, None, t + 20)
            shown += 1
    db.close()
    return {"events": len(events), "shown": shown}


def _totals(period) -> tuple:
    """Everything the Timeline and Activity tabs sum from a period (what a refresh computes)."""
    return period.apps, period.categories, period.sites, period.titles, period.active, period.away_seconds


def timed(fn, repeat: int) -> tuple[float, float]:
    """(median ms, p95 ms) of `repeat` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), percentile(times, 95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PROACTIVE_HOME"] = tmp
        path = Path(tmp) / "events.db"
        import datetime as dt

        now = dt.datetime.combine(dt.date.today(), dt.time(17, 45)).timestamp()  # today is a whole working day
        start = time.perf_counter()
        made = record_days(path, args.days, now=now)
        fill_s = time.perf_counter() - start

        from PySide6.QtWidgets import QApplication

        from assistant.app.status import collect
        from ui import data
        from ui.dashboard import Dashboard

        app = QApplication.instance() or QApplication([])
        db = open_db(path)
        rows: list[tuple[str, float | str, str, str]] = [
            ("events stored", float(made["events"]), "events", f"{args.days} days"),
            ("suggestions stored", float(made["shown"]), "rows", ""),
            ("database size", path.stat().st_size / 1e6, "MB", ""),
            ("active pieces today (timeline bars)", float(len(data.today(db, now).pieces)), "pieces", ""),
        ]
        cats = data.default_categories()
        week = data.start_of_week(now)
        for name, fn in (("query: today (active time, timeline, apps, categories, sites)",
                          lambda: _totals(data.today(db, now, cats))),
                         ("query: this week (7 days of active time)", lambda: _totals(data.period(db, week, 7, now,
                                                                                                  cats))),
                         ("query: answers over 14 days", lambda: data.answers_over_days(db, now)),
                         ("query: today's tiles", lambda: data.today_counts(db, now)),
                         ("query: status (health, storage)", lambda: collect(db, now=now)),
                         ("query: search 'budget' as visits (whole log)", lambda: data.visits(db, "budget"))):
            median, p95 = timed(fn, args.repeat)
            rows.append((name + " median", median, "ms", ""))
            rows.append((name + " p95", p95, "ms", "< 250"))
        board = Dashboard(db, clock=lambda: now)
        board.resize(1180, 780)
        board.show()
        app.processEvents()
        for index, tab in ((0, "Timeline"), (1, "Activity"), (2, "Suggestions")):
            board.tabs.setCurrentIndex(index)

            def redraw() -> None:  # new data: everything is drawn again
                board._drawn.clear()
                board.refresh()
                app.processEvents()
                board.grab()  # paint it

            def idle() -> None:  # the refresh every 4 s while nothing changed
                board.refresh()
                app.processEvents()
                board.grab()

            for what, fn in (("redraw", redraw), ("refresh, nothing new", idle)):
                median, p95 = timed(fn, args.repeat)
                rows.append((f"dashboard {what} + paint, {tab} tab, median", median, "ms", ""))
                rows.append((f"dashboard {what} + paint, {tab} tab, p95", p95, "ms", "< 250 (stays responsive)"))
        board.close()
        db.close()
    command = f"python -m bench.dashboard --days {args.days} --repeat {args.repeat}"
    report("dashboard", rows, {"days": args.days, "fill_seconds": round(fill_s, 1), "command": command})
    table = ["| metric | value | unit | target |", "| --- | ---: | --- | --- |"]
    table += [f"| {m} | {v:,.1f} | {u} | {t} |" if isinstance(v, float) else f"| {m} | {v} | {u} | {t} |"
              for m, v, u, t in rows]
    (Path(__file__).parent / "results" / "dashboard.md").write_text(
        f"# Dashboard refresh with {args.days} days of history\n\n`{command}` "
        f"({time.strftime('%Y-%m-%d')}, offscreen Qt)\n\n" + "\n".join(table) + "\n")


if __name__ == "__main__":
    main()
