"""The first-run screen: what is collected, what never is by default, where it is kept, how to pause, forget and
export; opt-ins (unticked), the model to use, and Agree / Not now. Shown before the tray starts collecting.

    consent = ask_consent(db)   # None: the user chose Not now (or closed the window); nothing is collected
"""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from assistant.app import control
from assistant.core import paths
from assistant.core.consent import COLLECTED, CONTROLS, NEVER_BY_DEFAULT, OPT_IN_ITEMS, Consent
from assistant.log import Database
from models.catalog import CATALOG
from ui import theme

EMBEDDED = "embedded"
OPT_IN_LABELS = OPT_IN_ITEMS  # every listener and recorder beyond the defaults (assistant.core.consent)
SUGGESTED_MODELS = ("qwen2.5-1.5b", "qwen2.5-0.5b", "llama3.2-1b", "smollm2-1.7b")


def _bullets(items: tuple[str, ...]) -> QLabel:
    label = QLabel("<ul style='margin:0 0 0 -18px'>" + "".join(f"<li>{_html(i)}</li>" for i in items) + "</ul>")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


def _html(text: str) -> str:
    """Plain text to HTML, with `code` spans shown in a fixed-width font."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    parts = text.split("`")
    return "".join(f"<code>{p}</code>" if n % 2 else p for n, p in enumerate(parts))


class FirstRunDialog(QDialog):
    """The consent screen. `result_consent` holds the recorded consent after Agree, None otherwise."""

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.result_consent: Consent | None = None
        self.error = ""
        self.colors = theme.Colors.from_palette(self.palette())
        self.setWindowTitle("Proactive assistant — Before it starts")
        self.setWindowIcon(theme.icon("assistant"))
        self.setStyleSheet(theme.window_css(self.colors))
        self.setMinimumWidth(600)
        self.resize(680, 800)
        self.opt_ins: dict[str, QCheckBox] = {}
        self._build()

    def _section(self, box: QVBoxLayout, title: str) -> None:
        label = QLabel(title, objectName="title")
        box.addWidget(label)

    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(20, 18, 20, 16)
        root.setSpacing(theme.SPACING)
        title = QLabel("Before the assistant starts")
        title.setFont(theme.scaled_font(self.font(), 1.35, QFont.Weight.Bold))
        root.addWidget(title)
        root.addWidget(QLabel("Nothing has been collected yet. Read what it would collect, then agree or not.",
                              objectName="muted", wordWrap=True))

        page = QWidget(objectName="page")
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 4, 8, 4)
        box.setSpacing(8)
        self._section(box, "What it collects, on this computer only")
        box.addWidget(_bullets(COLLECTED))
        self._section(box, "What it never collects unless you turn it on")
        box.addWidget(_bullets(NEVER_BY_DEFAULT))
        self._section(box, "Turn on (optional)")
        for key, text in OPT_IN_LABELS:
            check = QCheckBox(text)
            check.setObjectName(key)
            check.setChecked(False)
            self.opt_ins[key] = check
            box.addWidget(check)
        copied_text = self.opt_ins["collectors.clipboard.record_text"]
        copied_text.setEnabled(False)
        self.opt_ins["collectors.clipboard.enabled"].toggled.connect(self._clipboard_toggled)
        self._section(box, "Where it is stored")
        where = QLabel(_html(f"`{paths.data_dir()}` (readable by you only). Nothing leaves this computer."),
                       wordWrap=True, textFormat=Qt.TextFormat.RichText)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(where)
        self._section(box, "What you can do at any time")
        box.addWidget(_bullets(CONTROLS))
        self._section(box, "Model that words suggestions and answers tasks")
        self.model = QComboBox()
        self.model.addItem("Embedded SmolLM2 135M — ready now, no download", EMBEDDED)
        entries = {e.name: e for e in CATALOG}
        for name in SUGGESTED_MODELS:
            e = entries[name]
            self.model.addItem(f"{e.title} — download {e.size_mb} MB, RAM ~{e.ram_gb:g} GB ({e.licence})", name)
        box.addWidget(self.model)
        box.addWidget(QLabel(_html("A downloaded model is fetched in the background (`proactive model pull "
                                   "NAME`); the embedded one answers until it is ready."), objectName="muted",
                             wordWrap=True, textFormat=Qt.TextFormat.RichText))
        box.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(page)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        root.addWidget(scroll, 1)

        self.problem = QLabel(objectName="problem", wordWrap=True)
        self.problem.hide()
        root.addWidget(self.problem)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        self.not_now_button = QPushButton("Not now", clicked=self.reject)
        self.agree_button = QPushButton("Agree and start", objectName="primary", clicked=self.agree)
        bottom.addWidget(self.not_now_button)
        bottom.addWidget(self.agree_button)
        root.addLayout(bottom)

    def _clipboard_toggled(self, on: bool) -> None:
        copied_text = self.opt_ins["collectors.clipboard.record_text"]
        copied_text.setEnabled(on)
        if not on:
            copied_text.setChecked(False)

    def chosen_opt_ins(self) -> dict[str, bool]:
        return {key: check.isChecked() for key, check in self.opt_ins.items()}

    def chosen_model(self) -> str:
        return str(self.model.currentData())

    def agree(self) -> None:
        """Record the consent (and write the ticked opt-ins); on a problem say it here and stay open."""
        try:
            self.result_consent = control.give_consent(self.db, self.chosen_opt_ins(), self.chosen_model(),
                                                       via="gui")
        except control.ConsentError as exc:
            self.problem.setText(f"Not recorded: {exc}")
            self.problem.show()
            return
        self.accept()


def ask_consent(db: Database) -> Consent | None:
    """Show the first-run screen and wait for the answer (a QApplication is made if there is none)."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Proactive assistant")
    dialog = FirstRunDialog(db)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    dialog.exec()
    return dialog.result_consent
