"""The first-run screen with real widgets (offscreen): what it says, opt-ins unticked, ticking one is recorded and
written to the config, Not now records nothing. Saves tests/artifacts/first_run.png."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel

from assistant.app import control
from assistant.core import config
from assistant.core.consent import CONSENT_VERSION, OPT_INS
from assistant.log import open_db
from assistant.log.consent import consent_history
from tests.conftest import REPO
from ui.first_run import EMBEDDED, FirstRunDialog

SHOT = REPO / "tests" / "artifacts" / "first_run.png"  # gitignored; docs/screenshots holds a reviewed copy


def _text(dialog: FirstRunDialog) -> str:
    return "\n".join(label.text() for label in dialog.findChildren(QLabel))


def _tick(qtbot, dialog: FirstRunDialog, key: str) -> None:
    """Click the box itself (a check box only answers to clicks on its box and its text)."""
    box = dialog.opt_ins[key]
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert box.isChecked()


def test_the_screen_says_what_is_collected_and_ticking_an_opt_in_is_recorded(qtbot, home: Path):
    db = open_db()
    dialog = FirstRunDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    text = _text(dialog)
    for needed in ("What it collects", "never collects unless you turn it on", "Where it is stored",
                   str(home / "data"), "proactive pause", "proactive forget", "proactive export"):
        assert needed in text, needed
    assert all(not box.isChecked() for box in dialog.opt_ins.values())
    assert not dialog.opt_ins["collectors.clipboard.record_text"].isEnabled()  # needs the clipboard first
    assert dialog.chosen_model() == EMBEDDED and dialog.model.count() > 1
    SHOT.parent.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SHOT))

    _tick(qtbot, dialog, "collectors.clipboard.enabled")
    assert dialog.opt_ins["collectors.clipboard.record_text"].isEnabled()
    assert control.consent_needed(db)
    qtbot.mouseClick(dialog.agree_button, Qt.MouseButton.LeftButton)

    [row] = consent_history(db)
    assert row.via == "gui" and row.text_version == CONSENT_VERSION and row.model == EMBEDDED
    assert row.opt_ins == {key: key == "collectors.clipboard.enabled" for key in OPT_INS}
    assert not control.consent_needed(db)
    cfg = config.load()
    assert cfg["collectors.clipboard.enabled"] is True and cfg["collectors.clipboard.record_text"] is False
    assert dialog.result_consent == row and not dialog.isVisible()


def test_not_now_records_nothing(qtbot, home: Path):
    db = open_db()
    dialog = FirstRunDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    _tick(qtbot, dialog, "collectors.input.record_text")
    qtbot.mouseClick(dialog.not_now_button, Qt.MouseButton.LeftButton)
    assert dialog.result_consent is None and consent_history(db) == []
    assert config.load()["collectors.input.record_text"] is False
