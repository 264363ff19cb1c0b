"""The settings dialog: the most used config keys, validated before anything is written.

Problems appear under the field they concern and Save refuses an invalid config. The running app takes
thresholds, budget, cooldowns, privacy rules and the model at once (Runtime.reload_config); collectors and
storage settings apply the next time it starts, and the dialog says so.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from assistant.core import paths
from assistant.core.config import ConfigProblem, validate
from assistant.core.config_schema import SCHEMA
from ui import settings_io, theme
from ui.settings_pages import CategoriesPage, PrivacyPage

COLLECTORS = ("window", "afk", "input", "processes", "clipboard", "browser_endpoint")
COLLECTOR_NAMES = {"window": "Active window", "afk": "Away from keyboard", "input": "Input counts",
                   "processes": "App launches", "clipboard": "Clipboard", "browser_endpoint": "Browser extension"}
TEXT_WARNING = ("<b>Privacy:</b> these keep the <i>text</i> you type or copy in the event log on this computer "
                "(secrets are redacted, password fields and excluded apps are skipped). Anyone who can read your "
                "files can read it. Leave them off unless you want suggestions about what you write.")


RESTART_NOTE = ("Suggestions, privacy, categories and model settings apply at once; the Collectors tab applies the "
               "next time the assistant starts.")
# what the Suggestions tab says under its fields (the config file's comments keep the precise terms)
HINTS = {
    "policy.max_proposals_per_hour": "Cards shown in any hour; moments it thinks you need help beyond this wait.",
    "judge.threshold": "Higher: fewer suggestions, each more likely to be useful. Lower: more, some off the mark.",
    "ui.card_timeout_seconds": "A card you do not answer closes after this long and counts as ignored.",
    "judge.learn_from_labels": "Accept, reject and not now change what it suggests next, and when.",
}


def _key(dotted: str) -> Any:
    node: Any = SCHEMA
    for part in dotted.split("."):
        node = node[part]
    return node


def _help(dotted: str) -> str:
    return HINTS.get(dotted) or _key(dotted).help


class SettingsDialog(QDialog):
    def __init__(self, path: Path | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.path = path or paths.config_path()
        self.cfg = settings_io.current(self.path)
        self.colors = theme.Colors.from_palette(self.palette())
        self.fields: dict[str, tuple[Callable[[], Any], QLabel]] = {}
        self.widgets: dict[str, QWidget] = {}
        self.setWindowTitle("Proactive assistant — Settings")
        self.setWindowIcon(theme.icon("assistant"))
        self.setStyleSheet(theme.window_css(self.colors))
        self.setMinimumWidth(640)
        self.resize(720, 680)
        self._build()

    # ------------------------------------------------------------ layout

    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(20, 18, 20, 16)
        root.setSpacing(theme.SPACING)
        title = QLabel("Settings")
        title.setFont(theme.scaled_font(self.font(), 1.35, QFont.Weight.Bold))
        root.addWidget(title)
        where = QLabel(f"Saved to {self.path}", objectName="muted")
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        root.addWidget(where)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.tabBar().setDrawBase(False)
        self.tabs.addTab(self._suggestions_tab(), "Suggestions")
        self.tabs.addTab(self._collectors_tab(), "Collectors")
        self.tabs.addTab(self._privacy_tab(), "Privacy")
        self.tabs.addTab(self._categories_tab(), "Categories")
        self.tabs.addTab(self._model_tab(), "Model")
        root.addWidget(self.tabs, 1)

        self.problems = QLabel(objectName="problem", wordWrap=True)
        self.problems.hide()
        root.addWidget(self.problems)
        bottom = QHBoxLayout()
        bottom.addWidget(QLabel(RESTART_NOTE, objectName="muted", wordWrap=True), 1)
        bottom.addStretch(1)
        self.cancel_button = QPushButton("Cancel", clicked=self.reject)
        self.save_button = QPushButton("Save", objectName="primary", clicked=self.save)
        self.save_button.setDefault(True)
        bottom.addWidget(self.cancel_button)
        bottom.addWidget(self.save_button)
        root.addLayout(bottom)

    def _page(self) -> tuple[QScrollArea, QVBoxLayout]:
        """A tab page that scrolls rather than squeezing wrapped help text when the window is small."""
        page = QWidget(objectName="page")
        box = QVBoxLayout(page)
        box.setContentsMargins(4, 16, 12, 8)
        box.setSpacing(14)
        scroll = QScrollArea()
        scroll.setWidget(page)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        return scroll, box

    def _add(self, box: QVBoxLayout, dotted: str, label: str, widget: QWidget, getter: Callable[[], Any],
             hint: bool = True, stretch: bool = False) -> None:
        """A field: its name, the widget, the key's help below it and a (hidden) problem line."""
        column = QVBoxLayout()
        column.setSpacing(4)
        if label:
            column.addWidget(QLabel(label, objectName="title"))
        row = QHBoxLayout()
        row.addWidget(widget, 1 if stretch else 0)
        if not stretch:
            row.addStretch(1)
        column.addLayout(row)
        if hint:
            column.addWidget(QLabel(_help(dotted), objectName="muted", wordWrap=True))
        problem = QLabel(objectName="problem", wordWrap=True)
        problem.hide()
        column.addWidget(problem)
        box.addLayout(column)
        widget.setToolTip(dotted)
        self.fields[dotted] = (getter, problem)
        self.widgets[dotted] = widget

    def _spin(self, dotted: str, double: bool = False, step: float = 1, maximum: float = 10_000):
        spec = _key(dotted)
        spin = QDoubleSpinBox() if double else QSpinBox()
        if double:
            spin.setDecimals(2)
        spin.setSingleStep(step)
        spin.setRange(spec.minimum if spec.minimum is not None else 0,
                      spec.maximum if spec.maximum is not None else maximum)
        spin.setValue(self.cfg[dotted])
        spin.setMaximumWidth(140)
        return spin

    def _suggestions_tab(self) -> QWidget:
        page, box = self._page()
        per_hour = self._spin("policy.max_proposals_per_hour", maximum=120)
        self._add(box, "policy.max_proposals_per_hour", "Suggestions per hour, at most", per_hour, per_hour.value)
        sure = QSpinBox(suffix=" %", minimum=0, maximum=100, singleStep=5)
        sure.setValue(round(100 * self.cfg["judge.threshold"]))
        sure.setMaximumWidth(140)
        self._add(box, "judge.threshold", "How sure it must be before suggesting", sure, lambda: sure.value() / 100)
        timeout = QSpinBox(suffix=" s", minimum=int(_key("ui.card_timeout_seconds").minimum or 5), maximum=3600,
                           singleStep=5)
        timeout.setValue(round(self.cfg["ui.card_timeout_seconds"]))
        timeout.setMaximumWidth(140)
        self._add(box, "ui.card_timeout_seconds", "A card stays on screen for", timeout,
                  lambda: float(timeout.value()))
        learn = QCheckBox("Learn from my answers")
        learn.setChecked(self.cfg["judge.learn_from_labels"])
        self._add(box, "judge.learn_from_labels", "", learn, learn.isChecked)
        box.addStretch(1)
        return page

    def _collectors_tab(self) -> QWidget:
        page, box = self._page()
        for name in COLLECTORS:
            check = QCheckBox(COLLECTOR_NAMES[name])
            check.setChecked(self.cfg[f"collectors.{name}.enabled"])
            self._add(box, f"collectors.{name}.enabled", "", check, check.isChecked)
        box.addSpacing(4)
        heading = QLabel("Text recording (opt-in)", objectName="title")
        box.addWidget(heading)
        warning = QLabel(TEXT_WARNING, objectName="warning", wordWrap=True)
        warning.setTextFormat(Qt.TextFormat.RichText)
        box.addWidget(warning)
        self.text_checks: dict[str, QCheckBox] = {}
        for dotted, text in (("collectors.input.record_text", "Keep typed text"),
                             ("collectors.clipboard.record_text", "Keep clipboard text")):
            check = QCheckBox(text)
            check.setChecked(self.cfg[dotted])
            self._add(box, dotted, "", check, check.isChecked)
            self.text_checks[dotted] = check
        box.addStretch(1)
        return page

    def _privacy_tab(self) -> QWidget:
        page, box = self._page()
        keys = ("privacy.exclude_apps", "privacy.exclude_titles", "privacy.secret_patterns")
        self.privacy = PrivacyPage({k: list(self.cfg[k]) for k in keys})
        self.regex_edits = self.privacy.regex_edits
        box.addWidget(self.privacy)
        for key in keys:  # the page shows them; each key still gets its problem line
            problem = QLabel(objectName="problem", wordWrap=True)
            problem.hide()
            box.addWidget(problem)
            self.fields[key] = (lambda k=key: self.privacy.value(k), problem)
            self.widgets[key] = self.privacy
        self.privacy.changed.connect(self._check_live)
        return page

    def _categories_tab(self) -> QWidget:
        page, box = self._page()
        self.categories = CategoriesPage(self.cfg["dashboard.categories"])
        box.addWidget(self.categories, 1)
        problem = QLabel(objectName="problem", wordWrap=True)
        problem.hide()
        box.addWidget(problem)
        self.fields["dashboard.categories"] = (self.categories.value, problem)
        self.widgets["dashboard.categories"] = self.categories
        return page

    def _model_tab(self) -> QWidget:
        page, box = self._page()
        self.backend = QComboBox()
        self.backend.addItem("Local GGUF model (llama.cpp)", "llama")
        self.backend.addItem("OpenAI-compatible server", "openai")
        self.backend.setCurrentIndex(max(0, self.backend.findData(self.cfg["model.backend"])))
        self.backend.currentIndexChanged.connect(self._backend_changed)
        self._add(box, "model.backend", "Backend", self.backend, self.backend.currentData)

        row = QWidget()
        row_box = QHBoxLayout(row)
        row_box.setContentsMargins(0, 0, 0, 0)
        self.gguf = QLineEdit(self.cfg["model.gguf_path"], placeholderText="(the embedded SmolLM2-135M)")
        browse = QPushButton("Browse…", clicked=self._browse)
        row_box.addWidget(self.gguf, 1)
        row_box.addWidget(browse)
        self._add(box, "model.gguf_path", "GGUF file", row, lambda: self.gguf.text().strip(), stretch=True)
        self.server_url = QLineEdit(self.cfg["model.server_url"], placeholderText="http://127.0.0.1:8080/v1")
        self._add(box, "model.server_url", "Server URL", self.server_url, lambda: self.server_url.text().strip(),
                  stretch=True)
        self.server_model = QLineEdit(self.cfg["model.server_model"])
        self._add(box, "model.server_model", "Server model", self.server_model,
                  lambda: self.server_model.text().strip(), stretch=True)
        self.keep_alive = QLineEdit(str(self.cfg["model.keep_alive"]), placeholderText="5m")
        self.keep_alive.setMaximumWidth(120)
        self._add(box, "model.keep_alive", "Keep the model loaded after its last use for", self.keep_alive,
                  lambda: self.keep_alive.text().strip())
        box.addStretch(1)
        self._backend_changed()
        return page

    # ------------------------------------------------------------ behaviour

    def _backend_changed(self) -> None:
        server = self.backend.currentData() == "openai"
        self.server_url.setEnabled(server)
        self.server_model.setEnabled(server)
        self.gguf.setEnabled(not server)

    def _browse(self) -> None:
        start = self.gguf.text() or str(Path.home())
        chosen, _ = QFileDialog.getOpenFileName(self, "Proactive assistant — Choose a GGUF model", start,
                                                "GGUF models (*.gguf);;All files (*)")
        if chosen:
            self.gguf.setText(chosen)

    def _check_live(self, dotted: str) -> None:
        getter, _ = self.fields[dotted]
        _, problems = validate(settings_io.with_changes({}, {dotted: getter()}), "settings")
        self._show_problems([p for p in problems if p.key == dotted], only=dotted)

    def _show_problems(self, problems: list[ConfigProblem], only: str | None = None) -> None:
        """Each problem under its field; problems about keys not shown here go to the bottom line."""
        by_key = {p.key: p.message for p in problems}
        for dotted, (_, label) in self.fields.items():
            if only is not None and dotted != only:
                continue
            label.setText(by_key.get(dotted, ""))
            label.setVisible(dotted in by_key)
        if only is None:
            other = [str(p) for p in problems if p.key not in self.fields]
            self.problems.setText("\n".join(other))
            self.problems.setVisible(bool(other))

    def changes(self) -> dict[str, Any]:
        """The keys whose value differs from the file's (untouched keys keep their layout and comments)."""
        out = {}
        for dotted, (getter, _) in self.fields.items():
            value = getter()
            if value != self.cfg[dotted]:
                out[dotted] = value
        return out

    def save(self) -> bool:
        """Write the config when valid and close; otherwise show the problems and keep the dialog open."""
        cfg, problems = settings_io.save(self.changes(), self.path)
        self._show_problems(problems)
        if cfg is None:
            if any(p.key.startswith("privacy.") for p in problems):  # the offending regex is under Advanced
                self.privacy.advanced_button.setChecked(True)
            for index in range(self.tabs.count()):  # bring the first tab with a problem to the front
                page = self.tabs.widget(index)
                if any(page.isAncestorOf(label) and not label.isHidden() for _, label in self.fields.values()):
                    self.tabs.setCurrentIndex(index)
                    break
            return False
        self.cfg = cfg
        self.accept()
        return True

