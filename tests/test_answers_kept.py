"""Answers are kept where users look: `proactive answers` lists them (newest first, --since), shows one in full
and rates it later; the dashboard's accepted tasks open the kept answer again (copy, rate, follow-up)."""

from __future__ import annotations

import json
import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt

from assistant.app import control
from assistant.core.config import default_config
from assistant.core.proposal import Proposal
from assistant.log import open_db
from assistant.log.answers import AnswerRecord, answers_for, record_answer
from assistant.log.proposals import record_proposal
from tests.conftest import run_cli

FIX_ANSWER = ("**Fix** (checked on this computer):\n\nInstall scikit-learn for the Python that ran the command:\n"
              "```sh\npython3 -m pip install scikit-learn\n```\n\n**Explanation** (written by the model; not "
              "checked):\n\nThe import name is sklearn; the package is scikit-learn. Run `pip install sklearn`.\n\n"
              "**⚠ Not verified** (commands the model wrote that failed the checks; do not run them as they are):\n"
              "- `pip install sklearn`: `sklearn` is an import name; the package on PyPI is `scikit-learn`\n")


def accepted_with_answer(db, task: str, text: str, when: float) -> tuple[int, int]:
    pid = record_proposal(db, Proposal(time=when, task=task, score=0.8, context="code|train.py", trigger="error",
                                       history=["The user runs 'python train.py' in Terminal."],
                                       observation_event_ids=[[1]], kind="explain_error"), surfaced=True)
    control.answer(db, pid, "accept", now=when + 5)
    aid = record_answer(db, AnswerRecord(proposal_id=pid, text=text, model="llama:SmolLM2", time=when + 9,
                                         followups=[{"role": "user", "content": "And on Windows?"},
                                                    {"role": "assistant", "content": "Use py -m pip."}]))
    return pid, aid


def test_answers_are_listed_shown_and_rated_later_from_the_terminal(home):
    db = open_db()
    now = time.time()
    _, old = accepted_with_answer(db, "Explain the error 'KeyError: total'.", "Use invoice.get('total', 0).",
                                  now - 3 * 86400)
    _, new = accepted_with_answer(db, "Explain the error 'No module named sklearn'.", FIX_ANSWER, now - 60)
    listed = run_cli("answers", home=home)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert f"#{new}" in lines[0] and "sklearn" in lines[0] and "not rated" in lines[0]  # newest first
    assert "Fix: python3 -m pip install scikit-learn" in lines[1]  # what the answer says, at a glance
    assert any(f"#{old}" in line for line in lines)
    recent = run_cli("answers", "--since", "1d", "--json", home=home)
    assert [a["id"] for a in json.loads(recent.stdout)] == [new]
    shown = run_cli("answers", "--show", str(new), home=home)
    assert "python3 -m pip install scikit-learn" in shown.stdout and "You: And on Windows?" in shown.stdout
    rated = run_cli("answers", "--rate", str(old), "helpful", home=home)
    assert rated.returncode == 0 and answers_for(open_db(), answers_for(open_db(), 1)[0].proposal_id)
    assert json.loads(run_cli("answers", "--show", str(old), "--json", home=home).stdout)["rating"] == "helpful"
    missing = run_cli("answers", "--show", "999", home=home)
    assert missing.returncode == 2 and "no answer #999" in missing.stderr and "Traceback" not in missing.stderr


def test_the_dashboard_opens_the_kept_answer_to_copy_rate_and_read_flags(qtbot, home):
    from PySide6.QtGui import QGuiApplication

    from tests.test_task_panel import shot
    from ui.answer_view import open_kept_answer
    from ui.dashboard import ACCEPTED_ID_ROLE, Dashboard

    db = open_db()
    pid, aid = accepted_with_answer(db, "Explain the error 'No module named sklearn'.", FIX_ANSWER, time.time() - 60)
    dash = Dashboard(db)
    qtbot.addWidget(dash)
    opened = []

    def open_answer(proposal_id: int) -> None:
        panel = open_kept_answer(db, proposal_id, default_config(), None, "no model in this test")
        qtbot.addWidget(panel)
        panel.show()
        opened.append(panel)

    dash.answer_requested.connect(open_answer)
    dash.refresh()
    item = dash.accepted_list.item(0)
    assert item.data(ACCEPTED_ID_ROLE) == pid
    dash.accepted_list.itemActivated.emit(item)
    [panel] = opened
    shown = panel.browser.toPlainText()
    assert "python3 -m pip install scikit-learn" in shown and "And on Windows?" in shown
    assert "pip install sklearn ⚠" in shown  # the unverified command is marked where it stands
    assert "answered" in panel.stats_label.text() and "Follow-ups need a model" in panel.notice_label.text()
    shot(panel, "kept-answer")
    qtbot.mouseClick(panel.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "Use py -m pip."  # the latest reply
    [copy_fix] = [panel.code_row.itemAt(i).widget() for i in range(panel.code_row.count())
                  if panel.code_row.itemAt(i).widget() is not None]
    qtbot.mouseClick(copy_fix, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "python3 -m pip install scikit-learn"
    assert panel.helpful_button.isEnabled()
    qtbot.mouseClick(panel.unhelpful_button, Qt.MouseButton.LeftButton)
    assert answers_for(db, pid)[0].rating == "not-helpful" and answers_for(db, pid)[0].id == aid
    assert not panel.helpful_button.isEnabled()


def test_a_reply_outline_is_copied_as_text_beside_the_code(qtbot, home):
    from PySide6.QtGui import QGuiApplication

    from ui.answer_view import open_kept_answer

    outline = "Hi Anna,\n\n> Could you present the new checkout flow on Thursday at 14:00?\n[your answer]\n\nBest,\nSam"
    text = (FIX_ANSWER.split("**Explanation**")[0] + "**Reply outline** (built from the message, not by the model):\n"
            f"```text\n{outline}\n```\n")
    db = open_db()
    pid, _ = accepted_with_answer(db, "Draft a reply to 'Design review' in Thunderbird.", text, time.time() - 60)
    panel = open_kept_answer(db, pid, default_config(), None, "no model in this test")
    qtbot.addWidget(panel)
    buttons = [panel.code_row.itemAt(i).widget() for i in range(panel.code_row.count())
               if panel.code_row.itemAt(i).widget() is not None]
    assert [b.text() for b in buttons] == ["Copy code 1", "Copy text 2"]  # the outline is words, not code
    qtbot.mouseClick(buttons[1], Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == outline
