"""The dashboard with real widgets (offscreen) on a log written through the real API: charts with a day of data,
tiles that count what is stored (spooled rows too), the Settings button, status truth (paused, failed model),
settings applied to the running app."""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from assistant.app import control
from assistant.app.runtime import Runtime
from assistant.app.status import collect
from assistant.core import config
from assistant.core.events import Event
from assistant.log import EventWriter, open_db
from bench.dashboard import record_days
from tests.conftest import REPO, run_cli
from tests.logsql import one
from ui import data, settings_io
from ui.app import TrayApp
from ui.dashboard import SEARCH, SUGGESTIONS, Dashboard
from ui.settings import COLLECTORS, SettingsDialog

ARTIFACTS = REPO / "tests" / "artifacts"
QUIET = {**{f"collectors.{name}.enabled": False for name in COLLECTORS}, "model.gguf_path": "/nonexistent.gguf"}


def quiet_config(**extra) -> config.Config:
    _, problems = settings_io.save({**QUIET, **extra})
    assert not problems, problems
    return config.load()


def evening() -> float:
    """17:45 today, local time: a whole working day of synthetic use lies before it."""
    return dt.datetime.combine(dt.date.today(), dt.time(17, 45)).timestamp()


@pytest.fixture
def day_log(home: Path):
    now = evening()
    made = record_days(home / "events.db", days=3, now=now)
    db = open_db(home / "events.db")
    yield db, now, made
    db.close()


def test_charts_render_a_day_of_recorded_data(qtbot, day_log):
    db, now, _ = day_log
    board = Dashboard(db, clock=lambda: now)
    qtbot.addWidget(board)
    board.resize(1180, 780)
    board.show()
    qtbot.waitExposed(board)
    board.refresh()

    start = dt.datetime.combine(dt.date.today(), dt.time()).timestamp()
    period = board.period
    assert board.timeline.bar_count == len(period.pieces) > 100  # every stay at the keyboard is a bar
    shown_today = one(db, "SELECT count(*) FROM proposals WHERE time >= ?", (start,))[0]
    assert board.timeline.mark_count == shown_today == int(board.tile_values["shown"].text())
    assert board.timeline.lanes[0] == "code"  # the synthetic day is mostly spent in the editor
    assert board.apps_chart.names[0] == "code" and "Coding" in board.categories_chart.names
    shown_total = sum(f.units for f in board.apps_chart.figures)  # bars add up to the tile, as written
    assert board.tile_values["active"].text() == data.minutes_text(shown_total)
    assert sum(f.units for f in board.categories_chart.figures) == shown_total
    ARTIFACTS.mkdir(exist_ok=True)
    board.grab().save(str(ARTIFACTS / "dashboard-today.png"))

    board.tabs.setCurrentIndex(SUGGESTIONS)
    assert len(board.answers_chart.days) == 3
    assert "answered or ignored" in board.rate_label.text() and "ignored (closed unanswered)" in \
        board.rate_label.text()
    assert board.proposals_table.rowCount() > 0
    board.grab().save(str(ARTIFACTS / "dashboard-suggestions.png"))

    board.tabs.setCurrentIndex(SEARCH)
    assert board.search_tab.search("budget") > 0
    assert "budget" in board.search_tab.results.item(0, 2).text()
    assert board.search_tab.search("no such window anywhere") == 0


def test_tiles_count_the_events_a_running_writer_stored(qtbot, home):
    writer = EventWriter(home / "events.db", sync_interval=60).start()  # the app's default: spool, then commit
    try:
        for i in range(25):
            writer.put(Event("window", "focus", start=time.time() - 100 + i, duration=1.5, app="gedit",
                             title=f"notes {i}.md - gedit"))
        writer.flush()
        db = open_db(home / "events.db")
        board = Dashboard(db)
        qtbot.addWidget(board)
        # 25 stays of 1.5 s starting a second apart, spooled and not committed yet: each ends where the next begins
        assert board.tile_values["active"].text() == data.duration_text(24 * 1.0 + 1.5)
        assert board.apps_chart.names == ["gedit"]
    finally:
        writer.stop()


@pytest.fixture
def runtime(consented: Path):
    said: list[str] = []
    rt = Runtime(quiet_config(**{"collectors.processes.enabled": True}), headless=False, say=said.append)
    rt.said = said
    rt.start()
    yield rt
    rt.stop()


def test_settings_button_opens_settings_and_saving_applies_live(qtbot, qapp, runtime):
    app = TrayApp(qapp, runtime)
    try:
        app.open_dashboard()
        board = app.dashboard
        assert board.isVisible()
        qtbot.mouseClick(board.settings_button, qtbot_button())
        assert isinstance(app.settings, SettingsDialog) and app.settings.isVisible()
        area = app.settings.screen().availableGeometry()
        assert app.settings.frameGeometry().top() >= area.top()  # title bar on screen

        app.settings.widgets["judge.threshold"].setValue(80)  # "How sure it must be", in %
        app.settings.widgets["policy.max_proposals_per_hour"].setValue(9)
        app.settings.widgets["collectors.window.enabled"].setChecked(True)
        app.settings.save_button.click()
        assert runtime.live.chain.engine.threshold == pytest.approx(0.8)
        assert runtime.live.chain.policy.s.max_per_hour == 9
        assert runtime.cfg["collectors.window.enabled"] is False  # waits for the restart, and says so
        assert any("After a restart: collectors.window.enabled" in line for line in runtime.said), runtime.said
    finally:
        app.shutdown()


def qtbot_button():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_paused_shows_paused_everywhere_at_once(qtbot, runtime, home):
    db = open_db(runtime.db_path)
    running = collect(db, runtime)
    assert ("collector processes", "running") in [(p.name, p.state) for p in running.parts]
    control.pause(db, None)  # as `proactive pause` from another process: the runtime has not polled yet
    status = collect(db, runtime)
    states = {p.name: p.state for p in status.parts if p.name.startswith("collector ")}
    assert states["collector processes"] == "paused" and "running" not in states.values()
    board = Dashboard(db, lambda: collect(db, runtime))
    qtbot.addWidget(board)
    board.show()
    assert "Paused" in board.status_pill.text()
    assert ("collector processes", "paused") in [(n, s) for n, s, _ in board.health.rows]
    assert board.resume_button.isVisible() and not board.pause_button.isVisible()
    runtime.pause(None)  # what its loop does within a second; then the snapshot other processes read
    runtime._write_status()
    out = run_cli("status", home=home)
    assert "paused" in out.stdout and "collector processes" in out.stdout
    assert "processes            running" not in out.stdout, out.stdout
    db.close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_dead_model_server_shows_failed_with_its_reason(qtbot, consented):
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    rt = Runtime(quiet_config(**{"model.backend": "openai", "model.server_url": url}), headless=True,
                 say=lambda _: None)
    rt.start()
    try:
        qtbot.waitUntil(lambda: rt.live.model_part["state"] != "loading", timeout=15000)
        db = open_db(rt.db_path)
        model = next(p for p in collect(db, rt).parts if p.name == "model")
        assert model.state == "failed" and "cannot reach model server" in model.reason
        board = Dashboard(db, lambda: collect(db, rt))
        qtbot.addWidget(board)
        assert "failed" in board.status_pill.text()
        assert any(n == "model" and s == "failed" and "cannot reach" in r for n, s, r in board.health.rows)
        rt._write_status()
        out = run_cli("status", home=consented)  # another process: the same function, from the snapshot
        assert re.search(r"\n  model +failed +cannot reach model server", out.stdout), out.stdout
        db.close()
    finally:
        rt.stop()


def test_config_check_reports_a_model_file_that_does_not_exist(home):
    quiet_config()
    out = run_cli("config", "check", home=home)
    assert out.returncode == 2
    assert "model.gguf_path: no such model file '/nonexistent.gguf'" in out.stderr
    assert "Traceback" not in out.stderr
