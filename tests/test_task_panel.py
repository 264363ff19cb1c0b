"""Accept carries the task out: the answer streams in (terminal and task panel), is kept with the label, can
be rated and followed up; the context is grounded in what the user did, and opt-ins are honoured."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from assistant.app.assist import TaskHelp, context_for, search_url
from assistant.core.config import default_config
from assistant.core.events import Event
from assistant.core.proposal import Proposal
from assistant.log import EventWriter, open_db
from assistant.log.answers import answers_for
from assistant.log.decisions import proposal_by_id
from assistant.log.proposals import record_proposal
from models.default_model import backend_from_config
from tests.conftest import run_cli

TASK = "Explain the error 'KeyError: total' and suggest a fix in 'billing.py'."
HISTORY = ["The user edits 'billing.py' in Visual Studio Code.",
           "The user runs 'python billing.py' in Terminal and sees 'KeyError: total'."]


def make_proposal(db, task: str = TASK, kind: str = "explain_error", history=HISTORY, ids=None) -> int:
    p = Proposal(time=time.time(), task=task, score=0.8, context="code|billing.py", trigger="error",
                 history=list(history), observation_event_ids=ids or [[1], [2]], kind=kind)
    return record_proposal(db, p, surfaced=True)


def test_accept_in_the_terminal_streams_the_answer_and_keeps_it(home):
    db = open_db()
    first, second = make_proposal(db), make_proposal(db, "Review 'billing.py' for bugs and possible improvements.",
                                                      "review_file")
    out = run_cli("answer", str(first), "accept", home=home, timeout=180)
    assert out.returncode == 0, out.stderr
    assert "Recorded: #%d accepted." % first in out.stderr
    assert "tiny built-in model" in out.stderr and "proactive model pull" in out.stderr
    [kept] = answers_for(open_db(), first)
    assert len(out.stdout.strip()) > 40 and kept.text.strip() == out.stdout.strip()
    assert kept.model.startswith("llama:SmolLM2") and kept.ttft_ms > 0 and kept.tokens_per_s > 0
    again = run_cli("answer", str(second), "accept", home=home, timeout=180)
    assert again.returncode == 0 and "tiny built-in model" not in again.stderr  # said once, not every time
    third = make_proposal(db)
    quiet = run_cli("answer", str(third), "accept", "--no-run", home=home)
    assert quiet.returncode == 0 and quiet.stdout == "" and answers_for(open_db(), third) == []


def test_a_search_task_offers_the_search_without_a_model(home):
    db = open_db()
    history = ["The user searches Google for 'pandas merge two dataframes on a column'."]
    pid = make_proposal(db, "Provide a short example for 'pandas merge two dataframes on a column' in Python.",
                        "find_example", history)
    url = search_url(proposal_by_id(db, pid), default_config())
    assert url == "https://duckduckgo.com/?q=pandas+merge+two+dataframes+on+a+column"
    cfg = default_config().with_overrides({"assist.search_url": "https://search.example/?s={query}"})
    assert search_url(proposal_by_id(db, pid), cfg).startswith("https://search.example/?s=pandas+merge")
    assert search_url(proposal_by_id(db, make_proposal(db)), default_config()) is None


def test_the_answer_reads_the_whole_error_the_card_names_a_line_of(home):
    from assistant.app.assist import evidence_for
    from models.facts import gather

    error = ("docker: Error response from daemon: driver failed programming external connectivity on endpoint web: "
             "Bind for 0.0.0.0:8080 failed: port is already allocated.")
    db = open_db()
    pid = make_proposal(db, "Explain the error 'docker: Error response from daemon: driver failed programming "
                        "external connectivity…' and suggest a fix.", "explain_error",
                        ["The user runs 'docker run -p 8080:80 nginx' in Terminal.",
                         f"The user switches to Terminal ('{error}')."])
    record = proposal_by_id(db, pid)
    ctx = context_for(db, record, default_config())
    assert ctx.error_line.endswith("port is already allocated")  # the part that says what went wrong
    sheet = gather(evidence_for(db, record, ctx, default_config()))
    assert any("Port 8080" in f.text for f in sheet.facts), sheet.to_dict()  # read from the error's end


def test_the_file_is_read_only_when_the_user_opted_in(home, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "billing.py").write_text("def total(invoice):\n    return invoice['total']  # KeyError here\n"
                                        "API_KEY = 'sk-proj-Tq8vXn2LmZ4pR7sKw9YbH3cJ'\n")
    editor = subprocess.Popen(["sleep", "60"], cwd=project)  # the process that shows the file
    try:
        writer = EventWriter(home / "data" / "events.db").start()
        writer.put(Event("window", "focus", app="code", title="billing.py - project - Visual Studio Code",
                         data={"pid": editor.pid}))
        assert writer.flush()
        writer.stop()
        db = open_db()
        record = proposal_by_id(db, make_proposal(db, ids=[[1], [1]]))
        off = context_for(db, record, default_config())
        assert off.file_name == "billing.py" and off.error_line and off.file_text is None
        assert context_for(db, record, default_config(), clipboard_text="copied").clipboard_text is None
        on_cfg = default_config().with_overrides({"assist.read_files": True, "assist.use_clipboard": True})
        on = context_for(db, record, on_cfg, clipboard_text="copied text")
        assert "return invoice['total']" in on.file_text and on.clipboard_text == "copied text"
    finally:
        editor.kill()
        editor.wait()
    from models.answer import build_messages

    prompt = "\n".join(m["content"] for m in build_messages(on, 6000))
    assert "invoice['total']" in prompt and "sk-proj-Tq8vXn2LmZ4pR7sKw9YbH3cJ" not in prompt  # redacted


@pytest.fixture(scope="module")
def backend():
    model = backend_from_config(default_config())
    yield model
    model.close()


def shot(widget, name: str) -> None:
    folder = os.environ.get("UI_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(folder) / f"{name}.png"))


def test_the_task_panel_streams_rates_and_follows_up(qtbot, home, backend):
    from ui.panel import TaskPanel

    db = open_db()
    pid = make_proposal(db)
    help_ = TaskHelp.open(db, pid, default_config())
    panel = TaskPanel(help_, db, backend, notice="The assistant runs on its tiny built-in model.")
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.stream is not None or panel.turns, timeout=5000)
    qtbot.waitUntil(lambda: panel.helpful_button.isEnabled(), timeout=120_000)
    [kept] = answers_for(db, pid)
    assert kept.text and kept.text == panel.answer_text()
    assert panel.browser.toPlainText().strip()  # rendered as Markdown
    assert "tokens" in panel.stats_label.text()
    shot(panel, "task-panel")
    qtbot.mouseClick(panel.helpful_button, Qt.MouseButton.LeftButton)
    assert answers_for(db, pid)[0].rating == "helpful"
    qtbot.keyClicks(panel.follow_edit, "Show it as a one-line fix")
    qtbot.mouseClick(panel.ask_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.stream is None and len(panel.turns) == 2, timeout=120_000)
    followups = answers_for(db, pid)[0].followups
    assert [f["role"] for f in followups] == ["user", "assistant"]
    assert followups[0]["content"] == "Show it as a one-line fix" and followups[1]["content"]
    qtbot.mouseClick(panel.copy_task_button, Qt.MouseButton.LeftButton)
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == TASK
    with qtbot.waitSignal(panel.closed, timeout=3000):
        qtbot.keyClick(panel, Qt.Key.Key_Escape)


def test_stop_keeps_what_was_written(qtbot, home, backend):
    from ui.panel import TaskPanel

    db = open_db()
    pid = make_proposal(db, "Write a long, detailed explanation of Python dictionaries with many examples.",
                        "explain_error")
    panel = TaskPanel(TaskHelp.open(db, pid, default_config()), db, backend)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: len(panel.current) > 10, timeout=60_000)
    qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.stream is None, timeout=30_000)
    assert "(stopped)" in panel.stats_label.text()
    assert answers_for(db, pid)[0].text == panel.answer_text() != ""


def test_without_a_model_the_panel_says_why_and_still_helps(qtbot, home):
    from ui.panel import TaskPanel

    db = open_db()
    pid = make_proposal(db)
    panel = TaskPanel(TaskHelp.open(db, pid, default_config()), db, None,
                      unavailable="No model to carry the task out (model file not found: /x.gguf).")
    qtbot.addWidget(panel)
    panel.show()
    assert panel.notice_label.isVisible() and "model file not found" in panel.notice_label.text()
    assert not panel.follow_edit.isEnabled() and not panel.helpful_button.isEnabled()
    assert panel.copy_task_button.isEnabled()
    shot(panel, "task-panel-no-model")
