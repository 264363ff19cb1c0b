"""Point-and-click rules: "never record this app / site / titles like this" and "put it in a category" from the
dashboard, written to config.yaml with its comments kept and applied to the running app at once; the settings
window shows them as lists and edits categories; the timeline navigates days and weeks and zooms."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from assistant.app.runtime import Runtime
from assistant.core import config, paths
from assistant.core.events import Event
from collectors.browser_titles import page_info
from collectors.privacy import Emitter, PrivacyFilter
from tests.test_dashboard_truth import DAY, NOW, write_day
from ui import data, settings_io
from ui.app import TrayApp
from ui.categories import Category, parse
from ui.dashboard import Dashboard
from ui.rule_actions import RuleActions, title_guess
from ui.settings import COLLECTORS, SettingsDialog

QUIET = {**{f"collectors.{name}.enabled": False for name in COLLECTORS}, "model.gguf_path": "/nonexistent.gguf"}


def _window(app: str, title: str) -> Event:
    return Event("window", "focus", app=app, title=title, data=page_info(app, title))


@pytest.fixture
def board(qtbot, home):
    config.load()  # the commented default file
    path = home / "data" / "events.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_day(path)
    from assistant.log import open_db

    db = open_db(path)
    dash = Dashboard(db, clock=lambda: NOW)
    dash.rules.confirm = False
    qtbot.addWidget(dash)
    yield dash
    db.close()


def test_never_record_rules_are_written_with_the_comments_kept(board):
    rules = board.rules
    menu = [a.text() for a in rules.menu("firefox", "Cats - YouTube — Mozilla Firefox", "Cats - YouTube").actions()]
    assert menu[:3] == ["Never record firefox…", "Never record YouTube…", "Never record titles like this…"]
    assert "Put firefox in category" in menu and "Put YouTube in category" in menu
    changed = []
    rules.changed.connect(lambda: changed.append(1))
    assert rules.never_app("gimp") and rules.never_site("youtube.com")
    assert rules.never_title("evince", "budget-2024.pdf - Document Viewer", text="budget-2024")
    assert len(changed) == 3
    text = paths.config_path().read_text()
    assert text.startswith("# Proactive assistant settings.") and "# Apps (regex on the process name)" in text
    privacy = PrivacyFilter.from_config(config.load())
    assert privacy.apply(_window("gimp", "logo.xcf - GIMP")) is None
    assert privacy.apply(_window("firefox", "Cats - YouTube — Mozilla Firefox")) is None
    assert privacy.apply(_window("firefox", "https://www.youtube.com/watch?v=1 — Mozilla Firefox")) is None
    assert privacy.apply(_window("evince", "budget-2024.pdf - Document Viewer")) is None
    assert privacy.apply(_window("firefox", "youtube tutorials I wrote - notes — Mozilla Firefox")) is not None
    assert privacy.apply(_window("gimp-helper", "x")) is not None  # exactly that app


def test_put_in_a_category_moves_the_time(board):
    board.refresh()
    before = dict(board.period.categories)
    assert before["Other"] == pytest.approx(69.6, abs=1e-6)  # gimp
    assert board.rules.categorise("Design", "gimp", "app")
    after = dict(board.period.categories)
    assert after["Design"] == pytest.approx(69.6, abs=1e-6) and "Other" not in after
    assert parse(config.load()["dashboard.categories"])[0] == Category("Design", apps=("gimp",))
    assert board.rules.categorise("Coding", "gimp", "app")  # moved, not in two categories
    cats = {c.name: c for c in parse(config.load()["dashboard.categories"])}
    assert "gimp" in cats["Coding"].apps and cats["Design"].apps == ()


def test_a_rule_from_the_dashboard_applies_to_the_running_app_at_once(qtbot, qapp, consented):
    settings_io.save({**QUIET, "collectors.processes.enabled": True})
    runtime = Runtime(config.load(), headless=False, say=lambda _: None)
    runtime.start()
    app = TrayApp(qapp, runtime)
    try:
        app.open_dashboard()
        app.dashboard.rules.confirm = False
        emitters = [c.emit for c in runtime.collectors if isinstance(getattr(c, "emit", None), Emitter)]
        assert emitters and not emitters[0].privacy.excluded("xterm", "pytest")
        assert app.dashboard.rules.never_app("xterm")
        assert all(e.privacy.excluded("xterm", "pytest") for e in emitters)
    finally:
        app.shutdown()
        runtime.stop()


def test_titles_like_this_guesses_the_part_that_names_the_thing():
    assert title_guess("evince", "budget-2024.pdf - evince") == "budget-2024.pdf"
    assert title_guess("firefox", "Cats - YouTube — Mozilla Firefox", "Cats - YouTube") == "Cats"
    assert title_guess("xterm", "pytest -q tests/") == "pytest -q tests/"


def test_settings_show_rules_as_lists_and_edit_categories(qtbot, home):
    config.load()
    settings_io.save({"privacy.exclude_apps": [*config.load()["privacy.exclude_apps"], settings_io.app_rule("slack")]})
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    lists = dialog.privacy.lists
    assert [lists["app"].item(i).text() for i in range(lists["app"].count())] == ["slack"]
    assert "keepass" in dialog.regex_edits["privacy.exclude_apps"].toPlainText()  # built-ins: Advanced
    dialog.privacy.add("site", "netflix.com")
    lists["app"].setCurrentRow(0)
    lists["app"].item(0).setSelected(True)
    dialog.privacy.remove_selected("app")
    page = dialog.categories
    page.add(Category("Reading", titles=("pdf",), sites=("arxiv.org",), color="#123456"))
    page.list.setCurrentRow(len(page.categories) - 1)
    page.move(-1)
    assert dialog.save()
    cfg = config.load()
    assert settings_io.app_rule("slack") not in cfg["privacy.exclude_apps"]
    assert settings_io.site_rule("netflix.com") in cfg["privacy.exclude_titles"]
    names = [c.name for c in parse(cfg["dashboard.categories"])]
    assert names[-2:] == ["Reading", "Files"]
    assert cfg["dashboard.categories"]["Reading"] == {"titles": ["pdf"], "sites": ["arxiv.org"], "color": "#123456"}


def test_the_timeline_moves_through_days_and_weeks_and_zooms(board):
    board.refresh()
    assert board.view_label.text() == "Today" and not board.next_button.isEnabled()
    board.step(-1)
    assert board.view_label.text() == "Yesterday" and board.timeline.bar_count == 0
    assert board.next_button.isEnabled()
    board.go_today()
    assert board.timeline.bar_count == 8
    board.week_button.setChecked(True)
    assert len(board.timeline.rows) == 7 and board.view_start == data.start_of_week(NOW)
    assert board.timeline.bar_count == 8
    board.week_button.setChecked(False)
    lo, hi = board.timeline.box.viewRange()[0]
    board.timeline.zoom(0.5)
    lo2, hi2 = board.timeline.box.viewRange()[0]
    assert hi2 - lo2 == pytest.approx((hi - lo) / 2, rel=0.05)
    board.timeline.fit()
    assert board.timeline.box.viewRange()[0] == pytest.approx([lo, hi], abs=0.01)
    assert board.view_start == DAY
