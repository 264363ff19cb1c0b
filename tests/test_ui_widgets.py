"""Cards, dashboard and settings rendered offscreen (QT_QPA_PLATFORM=offscreen) against a real SQLite log.

Set UI_SHOTS=/some/dir to also save a PNG of every window state these tests reach.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from assistant.app import control
from assistant.app.status import Part, Status
from assistant.core import config, paths
from assistant.core.events import Event
from assistant.core.proposal import Proposal
from assistant.log import EventWriter, open_db
from assistant.log.housekeeping import forget
from assistant.log.proposals import record_label, record_proposal
from tests.logsql import sql
from ui import card as card_module
from ui import data
from ui.card import CardSlot, SuggestionCard, why_now
from ui.dashboard import ACTIVITY, TIMELINE, Dashboard
from ui.settings import SettingsDialog

TASK = "Turn the meeting notes in notes.md into a list of action items"


def shot(widget, name: str) -> None:
    folder = os.environ.get("UI_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(folder) / f"{name}.png"))


@pytest.fixture
def db(home: Path):
    database = open_db()
    yield database
    database.close()


def make_proposal(db, task: str = TASK, at: float | None = None, score: float = 0.8) -> Proposal:
    p = Proposal(time=time.time() if at is None else at, task=task, score=score, context="Text Editor:notes.md",
                 trigger="stall", history=["The user opens 'notes.md' in Text Editor",
                                           "The user types in 'notes.md' in Text Editor for 2 minutes"],
                 observation_event_ids=[[1], [2]], why="You stopped typing in 'notes.md' 2 minutes ago.")
    p.id = record_proposal(db, p, surfaced=True)
    return p


def labels_of(db, proposal_id: int) -> list[tuple[str, str | None]]:
    return [tuple(r) for r in sql(db, "SELECT label, reason FROM labels WHERE proposal_id = ?",
                                  (proposal_id,))]


def recorder(db):
    """What the tray hands a card: the runtime's answer path (the log, then the engine)."""
    return lambda proposal_id, label, reason: control.answer(db, proposal_id, label, reason)


def show_card(qtbot, db, proposal: Proposal, timeout: float = 45.0) -> SuggestionCard:
    card = SuggestionCard(proposal, recorder(db), timeout)
    qtbot.addWidget(card)
    card.show()
    qtbot.waitExposed(card)
    return card


# ------------------------------------------------------------------ the card

def test_accept_records_label_and_says_the_answer_comes(qtbot, db):
    p = make_proposal(db)
    card = show_card(qtbot, db, p)
    shot(card, "card")
    assert card.task_label.text() == TASK
    assert card.why_label.text() == "You stopped typing in 'notes.md' 2 minutes ago."  # the evidence, in words
    with qtbot.waitSignal(card.finished, timeout=5000):
        qtbot.mouseClick(card.accept_button, Qt.MouseButton.LeftButton)
        assert labels_of(db, p.id) == [("accepted", None)]
        assert "the answer opens beside this card" in card.feedback.text()
        shot(card, "card-accepted")


def test_not_now_records_not_now(qtbot, db):
    p = make_proposal(db)
    card = show_card(qtbot, db, p)
    with qtbot.waitSignal(card.finished, timeout=5000):
        qtbot.mouseClick(card.not_now_button, Qt.MouseButton.LeftButton)
    assert labels_of(db, p.id) == [("not-now", None)]


def test_reject_then_a_preset_reason(qtbot, db):
    p = make_proposal(db)
    card = show_card(qtbot, db, p)
    qtbot.mouseClick(card.reject_button, Qt.MouseButton.LeftButton)
    assert labels_of(db, p.id) == []  # waits for the reason (or Skip)
    assert all(chip.isVisible() for chip in card.reason_chips)
    shot(card, "card-reject")
    already_done = next(c for c in card.reason_chips if c.text() == "Already done")
    with qtbot.waitSignal(card.finished, timeout=5000):
        qtbot.mouseClick(already_done, Qt.MouseButton.LeftButton)
    assert labels_of(db, p.id) == [("rejected", "already done")]


def test_reject_with_a_typed_reason_takes_focus_only_when_asked(qtbot, db):
    p = make_proposal(db)
    card = show_card(qtbot, db, p)
    assert card.windowFlags() & Qt.WindowType.WindowDoesNotAcceptFocus
    assert card.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    qtbot.mouseClick(card.reject_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(card.reason_edit, Qt.MouseButton.LeftButton)
    assert not card.windowFlags() & Qt.WindowType.WindowDoesNotAcceptFocus
    qtbot.keyClicks(card.reason_edit, "too vague")
    shot(card, "card-reason-typed")
    with qtbot.waitSignal(card.finished, timeout=5000):
        qtbot.mouseClick(card.send_button, Qt.MouseButton.LeftButton)
    assert labels_of(db, p.id) == [("rejected", "too vague")]


def test_reject_and_skip_records_no_reason(qtbot, db):
    p = make_proposal(db)
    card = show_card(qtbot, db, p)
    qtbot.mouseClick(card.reject_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(card.finished, timeout=5000):
        qtbot.mouseClick(card.skip_button, Qt.MouseButton.LeftButton)
    assert labels_of(db, p.id) == [("rejected", None)]


def test_a_rejection_left_waiting_for_its_reason_is_recorded_with_what_was_typed(qtbot, db, monkeypatch):
    monkeypatch.setattr(card_module, "REASON_SECONDS", 0.5)
    p = make_proposal(db)
    card = show_card(qtbot, db, p)
    qtbot.mouseClick(card.reject_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(card.reason_edit, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(card.reason_edit, "meh")
    with qtbot.waitSignal(card.finished, timeout=5000):
        pass
    assert labels_of(db, p.id) == [("rejected", "meh")]


def test_reject_close_to_the_deadline_is_recorded_at_once(qtbot, db):
    p = make_proposal(db, at=time.time() - 42)
    card = show_card(qtbot, db, p, timeout=45)
    qtbot.mouseClick(card.reject_button, Qt.MouseButton.LeftButton)
    assert labels_of(db, p.id) == [("rejected", None)]


def test_unanswered_card_closes_by_itself_and_records_nothing(qtbot, db):
    p = make_proposal(db)
    card = show_card(qtbot, db, p, timeout=0.6)
    with qtbot.waitSignal(card.finished, timeout=5000):
        pass
    assert labels_of(db, p.id) == []


def test_answer_for_a_forgotten_proposal_says_so(qtbot, db):
    p = make_proposal(db)
    card = show_card(qtbot, db, p)
    forget(db, everything=True)
    qtbot.mouseClick(card.accept_button, Qt.MouseButton.LeftButton)
    assert "Could not save your answer" in card.feedback.text()
    assert f"no proposal #{p.id}" in card.feedback.text()


def test_one_card_at_a_time_at_the_bottom_right_a_new_one_takes_its_place(qtbot, db):
    slot = CardSlot()
    cards = []
    for i in range(4):
        card = SuggestionCard(make_proposal(db, f"Task number {i}"), recorder(db), 45)
        qtbot.addWidget(card)
        slot.add(card)
        cards.append(card)
    assert [c.proposal.task for c in slot.cards] == ["Task number 3"]
    assert [c.isVisible() for c in cards] == [False, False, False, True]  # never two on screen
    assert all(c.replaced for c in cards[:3])
    area = QGuiApplication.primaryScreen().availableGeometry()
    shown = slot.cards[0].geometry()
    assert area.contains(shown) and shown.right() > area.right() - 40 and shown.bottom() > area.bottom() - 40
    slot.close_all()
    assert slot.cards == []
    for card in cards:
        assert not labels_of(db, card.proposal.id)  # the chain records 'superseded', not the card


def test_a_long_task_is_cut_at_a_word_with_an_ellipsis_and_readable_whole_on_hover(qtbot, db):
    task = ("Explain the error 'requests.exceptions.ConnectionError: HTTPSConnectionPool(host=api.example.org, "
            "port=443): Max retries exceeded with url: /v2/invoices/export?format=csv' and suggest a fix in "
            "'export_invoices.py' before the nightly job runs again.")
    card = show_card(qtbot, db, make_proposal(db, task))
    shot(card, "card-long-task")
    shown = card.task_label.text()
    assert shown.endswith("\u2026") and shown.count("\n") == 2  # three lines, then the ellipsis
    kept = shown[:-1].replace("\n", "")
    assert task.replace(" ", "").startswith(kept.replace(" ", ""))
    cut = len(kept.replace(" ", ""))
    assert not (task.replace(" ", "")[cut - 1].isalnum() and task.replace(" ", "")[cut].isalnum()), kept  # not
    # cut inside a word
    assert card.task_label.toolTip() == task
    assert card.task_label.height() >= card.task_label.fontMetrics().lineSpacing() * 3  # no line clipped


def test_why_now_is_the_evidence_in_plain_words():
    p = Proposal(time=0.0, task="x", score=0.5, context="", trigger="error_again", history=["The user ..."],
                 observation_event_ids=[[1]])
    assert why_now(p) == "The same error came back."
    p.why = "The same error came back: 'KeyError: total' (2 times in 3 minutes)."
    assert why_now(p) == p.why


# ------------------------------------------------------------------ the dashboard

def fill(db_path: Path, now: float) -> dict[str, int]:
    writer = EventWriter(db_path).start()
    writer.put(Event("window", "focus", start=now - 600, duration=240, app="gedit", title="notes.md - gedit"))
    writer.put(Event("window", "focus", start=now - 300, duration=200, app="firefox",
                     title="Quarterly planning - Mozilla Firefox", data={"url": "https://wiki.example.org/plan"}))
    writer.put(Event("window", "focus", start=now - 90, duration=60, app="gedit", title="notes.md - gedit"))
    writer.flush()
    writer.stop()
    db = open_db(db_path)
    sql(db, "INSERT INTO observations (time, sentence, event_ids) VALUES (?, ?, '[1]')",
        (now - 7200, "The user reads the release checklist in Firefox"))
    sql(db, "INSERT INTO observations (time, sentence, event_ids) VALUES (?, ?, '[1]')",
        (now - 3 * 86400, "An observation from another day"))
    ids = {}
    for n, (task, label) in enumerate([("Draft the agenda for Monday", "accepted"),
                                       ("Open the planning wiki page", "rejected"),
                                       ("Summarise notes.md", "ignored"),
                                       ("Save notes.md", None)]):
        p = make_proposal(db, task, at=now - 500 + n * 60, score=0.6 + n / 10)
        if label:
            record_label(db, p.id, label, "wrong time" if label == "rejected" else None)
        ids[task] = p.id
    db.close()
    return ids


def test_dashboard_shows_todays_counts_answers_and_activity(qtbot, home, db):
    now = data.start_of_day(time.time()) + 12 * 3600  # noon today: everything filled in falls on today
    fill(paths.db_path(), now)
    status = Status(running=True, pid=1, headless=False, paused=False, paused_until=None, parts=[
        Part("collector window", "running"), Part("collector input", "disabled", "no X display (DISPLAY unset)"),
        Part("judge", "ready", "shipped judge"), Part("model", "off", "templates and judge only")])
    dash = Dashboard(db, lambda: status, clock=lambda: now)
    qtbot.addWidget(dash)
    dash.show()
    qtbot.waitExposed(dash)
    counts = {key: label.text() for key, label in dash.tile_values.items()}
    assert counts == {"active": "8.3 min", "away": "0 s", "shown": "4", "accepted": "1", "rejected": "1",
                      "ignored": "1", "not_now": "0"}  # 240 + 200 + 60 s at the keyboard
    table = dash.proposals_table
    rows = {table.item(r, 1).text(): table.item(r, 3).text() for r in range(table.rowCount())}
    assert rows["Draft the agenda for Monday"] == "Accepted"
    assert rows["Open the planning wiki page"] == "Rejected — wrong time"
    assert rows["Save notes.md"] == "Waiting"
    accepted = [dash.accepted_list.item(i).text() for i in range(dash.accepted_list.count())]
    assert len(accepted) == 1 and accepted[0].endswith("Draft the agenda for Monday")
    dash.tabs.setCurrentIndex(ACTIVITY)
    noticed = dash.activity_tab.noticed
    activity = " ".join(noticed.item(i).text() for i in range(noticed.count()))
    assert "Firefox" in activity and "notes.md" in activity
    assert "release checklist" in activity  # a stored observation tops up the quiet half hour
    parts_text = " ".join(w.text() for w in dash.findChildren(type(dash.status_pill)))
    assert "no X display (DISPLAY unset)" in parts_text and "templates and judge only" in parts_text
    assert "Running" in dash.status_pill.text()
    shot(dash, "dashboard-activity")
    dash.tabs.setCurrentIndex(TIMELINE)
    shot(dash, "dashboard")


def test_dashboard_pause_and_resume(qtbot, db):
    dash = Dashboard(db, lambda: Status(running=True, pid=1, headless=False, paused=False, paused_until=None))
    qtbot.addWidget(dash)
    dash.show()
    qtbot.mouseClick(dash.pause30_button, Qt.MouseButton.LeftButton)
    info = data.pause_info(db)
    assert info.paused and info.until == pytest.approx(time.time() + 1800, abs=5)
    assert "Paused until" in dash.status_pill.text() and dash.resume_button.isVisible()
    shot(dash, "dashboard-paused")
    qtbot.mouseClick(dash.resume_button, Qt.MouseButton.LeftButton)
    assert not data.pause_info(db).paused
    assert dash.pause_button.isVisible() and not dash.resume_button.isVisible()


# ------------------------------------------------------------------ settings

def test_settings_refuses_an_invalid_regex_and_keeps_the_file(qtbot, home):
    config.load()  # writes the commented default
    before = paths.config_path().read_text()
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.regex_edits["privacy.exclude_titles"].setPlainText("(?i)incognito\n(unclosed")
    problem = dialog.fields["privacy.exclude_titles"][1]
    assert not problem.isHidden() and "(unclosed" in problem.text()  # shown while typing
    assert dialog.save() is False
    assert dialog.isVisible() and dialog.tabs.tabText(dialog.tabs.currentIndex()) == "Privacy"
    assert paths.config_path().read_text() == before
    shot(dialog, "settings-invalid")


def test_settings_writes_a_valid_change_that_load_returns(qtbot, home):
    config.load()
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.fields["policy.max_proposals_per_hour"][0]() == 4
    shot(dialog, "settings")
    dialog.tabs.setCurrentIndex(1)
    shot(dialog, "settings-collectors")
    dialog.tabs.setCurrentIndex(3)
    shot(dialog, "settings-model")
    dialog.widgets["policy.max_proposals_per_hour"].setValue(7)
    dialog.text_checks["collectors.clipboard.record_text"].setChecked(True)
    dialog.regex_edits["privacy.exclude_apps"].setPlainText("(?i)keepass\n(?i)my-bank")
    dialog.gguf.setText("/models/other.gguf")
    assert dialog.save() is True
    cfg = config.load()
    assert cfg["policy.max_proposals_per_hour"] == 7
    assert cfg["collectors.clipboard.record_text"] is True
    assert cfg["privacy.exclude_apps"] == ["(?i)keepass", "(?i)my-bank"]
    assert cfg["model.gguf_path"] == "/models/other.gguf"
    assert cfg["privacy.exclude_titles"] == config.default_config()["privacy.exclude_titles"]
    text = paths.config_path().read_text()
    assert text.startswith("# Proactive assistant settings.")
    assert "# At most this many suggestions are shown per hour." in text
    assert oct(paths.config_path().stat().st_mode & 0o777) == "0o600"
