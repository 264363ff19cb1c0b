"""Every figure the dashboard shows, checked against a day whose focus and away spans are known to the second:
away time and the app's own windows are left out, a focus span ends where the next begins, overlapping away
spans count once, a span still open is cut at now, and the parts written on screen add up to the totals."""

from __future__ import annotations

import datetime as dt
import json
import os
import re

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from assistant.core.events import Event
from assistant.core.paths import display_path
from assistant.core.proposal import Proposal
from assistant.log import EventWriter, open_db
from assistant.log.proposals import record_label, record_proposal
from collectors.browser_titles import page_info
from tests.conftest import run_cli
from ui import data
from ui.dashboard import ACTIVITY, SEARCH, SUGGESTIONS, TIMELINE, Dashboard

# Yesterday, so that the whole day lies in the past whatever the hour the suite runs at: the CLI reads the real
# clock, and at 03:00 a day that starts at 09:00 today has not happened yet.
DAY = dt.datetime.combine(dt.date.today() - dt.timedelta(days=1), dt.time()).timestamp()
NOW = DAY + 18 * 3600  # 18:00 that day
CODE = ("code", "billing.py — acme — Visual Studio Code")
YOUTUBE = ("firefox", "Lo-fi beats - YouTube — Mozilla Firefox")
GITHUB = ("firefox", "Fix totals · Pull Request #42 · acme/shop · GitHub — Mozilla Firefox")
XTERM = ("xterm", "pytest -q tests/")
GIMP = ("gimp", "logo.xcf - GIMP")
SLACK = ("slack", "#billing | Acme - Slack")


def at(hhmmss: str) -> float:
    h, m, s = (float(x) for x in hhmmss.split(":"))
    return DAY + h * 3600 + m * 60 + s


FOCUS = [  # (start, seconds as stored, window)
    ("09:00:00", 1200, CODE),
    ("09:20:00", 1500, YOUTUBE),  # away 09:25-09:40 inside it: 600 s at the keyboard
    ("09:51:00", 170.4, XTERM),  # a fraction of a second counts
    ("09:53:50.4", 400, GIMP),  # the next window takes the focus at 09:55: 69.6 s
    ("09:55:00", 1500, CODE),  # away 10:10-10:25 (two overlapping spans): 900 s
    ("10:25:00", 0.6, GITHUB),  # under a second, still counted
    ("17:59:00", 600, SLACK),  # still open at 18:00: 60 s
]
AWAY = [("09:25:00", 900), ("10:10:00", 600), ("10:15:00", 600)]
OWN = [  # what an older version stored about the app's own windows: it must appear nowhere
    Event("window", "focus", start=at("09:45:00"), duration=300, app="proactive",
          title="Proactive assistant — Settings", data={"pid": 4242}),
    Event("input", "counts", start=at("09:45:05"), duration=5, app="proactive",
          title="Proactive assistant — Settings", data={"keys": 12}),
    Event("window", "focus", start=at("09:50:00"), duration=60, app="python3",
          title="Proactive assistant — Dashboard"),
    Event("input", "counts", start=at("09:50:05"), duration=5, app="python3", title="Proactive assistant — Dashboard",
          data={"keys": 3, "clicks": 1}),
]
APPS = {"code": 2100.0, "firefox": 600.6, "xterm": 170.4, "gimp": 69.6, "slack": 60.0}
ACTIVE, AWAY_S = 3000.6, 1800.0
CATEGORIES = {"Coding": 2100 + 170.4 + 0.6, "Media": 600.0, "Other": 69.6, "Communication": 60.0}
SITES = {"YouTube": 600.0, "GitHub": 0.6}


def write_day(path) -> None:
    events = [Event("window", "focus", start=at(s), duration=d, app=a, title=t, data={"pid": 900, **page_info(a, t)})
              for s, d, (a, t) in FOCUS]
    events += [Event("afk", "afk", start=at(s), duration=d) for s, d in AWAY]
    events += [Event("input", "counts", start=at(s) + 5, duration=5, app=a, title=t, data={"keys": 20})
               for s, d, (a, t) in FOCUS if d > 60]
    writer = EventWriter(path, sync_interval=0).start()
    for event in sorted(events + OWN, key=lambda e: e.start):
        writer.put(event)
    writer.flush()
    writer.stop()


@pytest.fixture
def day(home):
    path = home / "data" / "events.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_day(path)
    db = open_db(path)
    answers = ["accepted", "rejected", "ignored", "ignored", None]
    for i, answer in enumerate(answers):
        p = Proposal(time=at(f"1{i}:00:00"), task=f"Task {i}", score=0.7, context="code|.py", trigger="stall",
                     history=["The user types in 'billing.py' in Visual Studio Code."], observation_event_ids=[])
        pid = record_proposal(db, p, surfaced=True)
        if answer:
            record_label(db, pid, answer, None, at(f"1{i}:00:30"))
    yield db
    db.close()


def test_the_figures_are_exact_to_the_second(day):
    period = data.period(day, DAY, 1, NOW)
    assert dict(period.apps) == pytest.approx(APPS, abs=1e-6)
    assert period.active == pytest.approx(ACTIVE, abs=1e-6)
    assert period.away_seconds == pytest.approx(AWAY_S, abs=1e-6)
    assert dict(period.categories) == pytest.approx(CATEGORIES, abs=1e-6)
    assert dict(period.sites) == pytest.approx(SITES, abs=1e-6)
    titles = {(a, t): s for a, t, s in period.titles}
    assert titles[CODE] == pytest.approx(2100) and titles[XTERM] == pytest.approx(170.4)
    assert sum(p.seconds for p in period.pieces) == pytest.approx(sum(APPS.values()), abs=1e-6)
    week = data.period(day, data.start_of_week(NOW), 7, NOW)
    assert dict(week.apps) == pytest.approx(APPS, abs=1e-6)  # the same day seen in its week


def test_what_is_written_adds_up():
    assert data.shares([170.4, 69.6, 0.6]) == [28, 12, 0]  # 4.0 min = 2.8 + 1.2 + 0.0, not 2.8 + 1.2 + 0.1
    assert sum(data.shares([2.84 * 60, 1.23 * 60])) == round((2.84 + 1.23) * 10)
    assert data.minutes_text(28) == "2.8 min" and data.minutes_text(5) == "30 s"
    assert data.minutes_text(1234) == "2 h 3.4 min" and data.exact_text(170.4) == "2 min 50 s"
    assert data.minutes_text(4570) == "7 h 37 min"  # no "37.0"


def test_the_dashboard_names_the_log_in_the_home_folder_as_a_person_reads_it(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert display_path(tmp_path / ".local/share/proactive/events.db") == "~/.local/share/proactive/events.db"
    assert display_path("/srv/events.db") == "/srv/events.db"


def test_every_dashboard_figure_matches_the_day(qtbot, day):
    board = Dashboard(day, clock=lambda: NOW)
    qtbot.addWidget(board)
    board.resize(1280, 820)
    board.show()
    qtbot.waitExposed(board)
    board.refresh()
    units_active, units_away = data.shares([ACTIVE, AWAY_S])
    assert (units_active, units_away) == (500, 300)
    assert board.tile_values["active"].text() == "50.0 min" and board.tile_values["away"].text() == "30.0 min"
    assert "50 min 01 s" in board.tile_values["active"].toolTip()  # exact, to the second
    apps = {f.name: f for f in board.apps_chart.figures}
    assert {n: f.seconds for n, f in apps.items()} == pytest.approx(APPS, abs=1e-6)
    assert sum(f.units for f in apps.values()) == units_active
    assert [apps[n].text for n in ("code", "firefox", "xterm", "gimp", "slack")] == \
        ["35.0 min", "10.0 min", "2.8 min", "1.2 min", "1.0 min"]
    categories = {f.name: f for f in board.categories_chart.figures}
    assert {n: f.seconds for n, f in categories.items()} == pytest.approx(CATEGORIES, abs=1e-6)
    assert sum(f.units for f in categories.values()) == units_active
    assert "active 50.0 min" in board.apps_caption.text()

    chart = board.timeline
    assert chart.bar_count == len(board.period.pieces) == 8 and set(chart.lanes) == set(APPS)  # away splits one
    lane = next(i for i, r in enumerate(chart.rows) if r.name == "xterm")
    hover = chart.describe_at((at("09:52:00") - DAY) / 3600, chart._y(lane) + 0.5)
    assert "xterm" in hover and "pytest -q tests/" in hover and "09:51:00–09:53:50" in hover and "2 min 50 s" in hover
    lo, hi = chart.box.viewRange()[0]
    assert lo <= 9 and hi >= 18  # the day's hours, on a clock axis
    assert chart.axis.tickStrings([9.0, 9.5], 1, 0.5) == ["09:00", "09:30"]

    board.tabs.setCurrentIndex(ACTIVITY)
    tab = board.activity_tab
    assert "active 50.0 min · away 30.0 min" in tab.summary.text()
    rows = {(tab.titles.item(r, 0).text(), tab.titles.item(r, 1).text()): tab.titles.item(r, 2).text()
            for r in range(tab.titles.rowCount())}
    assert rows[CODE] == "35.0 min" and rows[XTERM] == "2.8 min"
    sites = {tab.sites.item(r, 0).text(): tab.sites.item(r, 1).text() for r in range(tab.sites.rowCount())}
    assert sites == {"YouTube": "10.0 min", "GitHub": "0 s"}

    board.tabs.setCurrentIndex(SUGGESTIONS)
    text = board.rate_label.text()
    assert "5 shown · 1 accepted (25 % of the 4 answered or ignored)" in text and "2 ignored" in text, text
    assert "1 waiting" in text

    board.tabs.setCurrentIndex(SEARCH)
    assert board.search_tab.search("billing.py") == 2  # two visits to billing.py, not one row per event
    visits = board.search_tab.visits
    assert [(v.start, round(v.seconds, 3)) for v in visits] == [(at("09:55:00"), 1500), (at("09:00:00"), 1200)]
    assert board.search_tab.search("billing") == 3  # and the #billing channel
    board.search_tab.search("billing.py")
    board.search_tab.choose(1)
    assert board.tabs.currentIndex() == TIMELINE and chart.highlight is not None
    lo, hi = chart.box.viewRange()[0]
    assert lo <= 9.0 and 9.33 <= hi < 10.5  # zoomed to 09:00-09:20


def test_own_windows_appear_in_no_view_or_export(qtbot, day, home):
    own = re.compile(r"Proactive assistant|proactive\b|python3")
    board = Dashboard(day, clock=lambda: NOW)
    qtbot.addWidget(board)
    board.refresh()
    assert not [n for n in board.timeline.lanes + board.apps_chart.names if own.search(n)]
    assert board.search_tab.search("Proactive assistant") == 0 and board.search_tab.search("Settings") == 0
    board.tabs.setCurrentIndex(ACTIVITY)
    tab = board.activity_tab
    assert not [r for r in range(tab.titles.rowCount()) if own.search(tab.titles.item(r, 1).text())]
    noticed = data.recent_activity(day, at("09:52:00"), 50)
    assert noticed and not [n for n in noticed if "Proactive assistant" in n.sentence]
    events = run_cli("events", "--since", "2d", "--json", home=home)
    assert events.returncode == 0 and "Proactive assistant" not in events.stdout
    assert any(e["app"] == "code" for e in json.loads(events.stdout))
    export = run_cli("export", "--format", "events", home=home)
    assert export.returncode == 0 and "Proactive assistant" not in export.stdout and "billing.py" in export.stdout
