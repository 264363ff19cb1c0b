"""Two pages of the settings window: privacy rules as lists a person can read, and the category editor.

Privacy: apps, sites and title words that are never recorded, added and removed with buttons; the rules are
regular expressions in config.yaml (`ui.settings_io.app_rule` and friends write them and read them back), and
any other regex (the built-in ones for password managers, your own) stays editable under "Advanced".
Categories: name, colour and readable rules (apps, title words, sites), a regex for experts, in order.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFontDatabase
from PySide6.QtWidgets import (
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from assistant.core.safe_regex import problem as regex_problem
from ui import settings_io
from ui.categories import OTHER, Category, parse, to_config
from ui.dashboard_tabs import swatch

PRIVACY_INTRO = ("Apps, sites and windows listed here leave no trace at all: no events, no input counts, no "
                 "suggestions. Password managers and private browsing windows are covered by built-in rules "
                 "(under Advanced). You can also right-click anything in the dashboard's timeline or Activity tab.")
KINDS = (("privacy.exclude_apps", "app", "Apps never recorded", "Add app…",
          "Process name of the app, as the dashboard shows it (e.g. firefox, slack):"),
         ("privacy.exclude_titles", "site", "Sites never recorded", "Add site…",
          "The site's address (youtube.com) or the name browsers show for it (YouTube):"),
         ("privacy.exclude_titles", "title", "Windows never recorded, by a word in their title", "Add words…",
          "Windows whose title contains this text leave no trace (any case):"))
RULE_OF = {"app": settings_io.app_rule, "site": settings_io.site_rule, "title": settings_io.title_rule}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _mono(widget: QWidget) -> None:
    mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    mono.setPointSizeF(widget.font().pointSizeF() if widget.font().pointSizeF() > 0 else 10)
    widget.setFont(mono)


class PrivacyPage(QWidget):
    """`value(key)` is the list of regexes for privacy.exclude_apps / exclude_titles / secret_patterns."""

    changed = Signal(str)  # the config key whose rules changed

    def __init__(self, rules: dict[str, list[str]], ask: Callable[[str, str], str | None] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ask = ask or self._ask
        self.original = {k: list(v) for k, v in rules.items()}
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(10)
        intro = QLabel(PRIVACY_INTRO, objectName="muted", wordWrap=True)
        box.addWidget(intro)
        self.lists: dict[str, QListWidget] = {}
        advanced: dict[str, list[str]] = {"privacy.exclude_apps": [], "privacy.exclude_titles": []}
        friendly: dict[str, list[tuple[str, str]]] = {"app": [], "site": [], "title": []}
        for key in advanced:
            for pattern in rules[key]:
                described = settings_io.describe_rule(key, pattern)
                if described is None:
                    advanced[key].append(pattern)
                else:
                    friendly[described[0]].append((described[1], pattern))
        for key, kind, title, add_text, question in KINDS:
            box.addWidget(QLabel(title, objectName="title"))
            row = QHBoxLayout()
            items = QListWidget()
            items.setMaximumHeight(96)
            for text, pattern in friendly[kind]:
                item = QListWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, pattern)
                items.addItem(item)
            self.lists[kind] = items
            row.addWidget(items, 1)
            buttons = QVBoxLayout()
            buttons.addWidget(QPushButton(add_text, clicked=lambda _=False, k=kind, q=question, t=title:
                                          self.add(k, self.ask(t, q))))
            buttons.addWidget(QPushButton("Remove", clicked=lambda _=False, k=kind: self.remove_selected(k)))
            buttons.addStretch(1)
            row.addLayout(buttons)
            box.addLayout(row)
        self.advanced_button = QPushButton("Advanced: rules as regular expressions", checkable=True)
        self.advanced_button.setObjectName("link")
        box.addWidget(self.advanced_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.advanced = QWidget()
        adv = QVBoxLayout(self.advanced)
        adv.setContentsMargins(0, 0, 0, 0)
        adv.addWidget(QLabel("One regular expression per line. Apps are matched on the process name; titles on the "
                             "window title, a browser's page title and address. Extra secret patterns are "
                             "redacted from everything stored.", objectName="muted", wordWrap=True))
        self.regex_edits: dict[str, QPlainTextEdit] = {}
        for key, caption, lines in (("privacy.exclude_apps", "Apps (regex)", advanced["privacy.exclude_apps"]),
                                    ("privacy.exclude_titles", "Titles (regex)",
                                     advanced["privacy.exclude_titles"]),
                                    ("privacy.secret_patterns", "Extra secret patterns (regex)",
                                     rules.get("privacy.secret_patterns", []))):
            adv.addWidget(QLabel(caption, objectName="title"))
            edit = QPlainTextEdit("\n".join(lines))
            _mono(edit)
            edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            edit.setMinimumHeight(90)
            edit.textChanged.connect(lambda k=key: self.changed.emit(k))
            adv.addWidget(edit)
            self.regex_edits[key] = edit
        self.advanced.setVisible(False)
        self.advanced_button.toggled.connect(self._show_advanced)
        box.addWidget(self.advanced)
        box.addStretch(1)

    def _show_advanced(self, shown: bool) -> None:
        self.advanced.setVisible(shown)
        self.adjustSize()  # the scrolling page grows to hold it

    def _ask(self, title: str, question: str) -> str | None:
        text, ok = QInputDialog.getText(self, f"Proactive assistant — {title}", question)
        return text.strip() if ok and text.strip() else None

    def add(self, kind: str, text: str | None) -> None:
        if not text:
            return
        pattern = RULE_OF[kind](text)
        items = self.lists[kind]
        if any(items.item(i).data(Qt.ItemDataRole.UserRole) == pattern for i in range(items.count())):
            return
        item = QListWidgetItem(text.strip())
        item.setData(Qt.ItemDataRole.UserRole, pattern)
        items.addItem(item)
        self.changed.emit("privacy.exclude_apps" if kind == "app" else "privacy.exclude_titles")

    def remove_selected(self, kind: str) -> None:
        items = self.lists[kind]
        for item in items.selectedItems():
            items.takeItem(items.row(item))
        self.changed.emit("privacy.exclude_apps" if kind == "app" else "privacy.exclude_titles")

    def value(self, key: str) -> list[str]:
        """The rules of `key` in the order the file has them, new ones at the end."""
        kinds = {"privacy.exclude_apps": ("app",), "privacy.exclude_titles": ("site", "title")}.get(key, ())
        now = [self.lists[k].item(i).data(Qt.ItemDataRole.UserRole) for k in kinds
               for i in range(self.lists[k].count())]
        now += [line for line in _lines(self.regex_edits[key].toPlainText()) if line not in now]
        kept = [p for p in self.original.get(key, []) if p in now]
        return kept + [p for p in now if p not in kept]


class CategoryDialog(QDialog):
    """Edit one category: name, colour, apps, title words, sites and (advanced) a regex."""

    def __init__(self, category: Category, taken: set[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Proactive assistant — Category")
        self.taken = taken
        self.color = category.shown_color
        form = QFormLayout(self)
        self.name = QLineEdit(category.name)
        form.addRow("Name", self.name)
        self.color_button = QPushButton("Choose…", clicked=self._pick)
        self._show_color()
        form.addRow("Colour", self.color_button)
        self.apps = QLineEdit(", ".join(category.apps), placeholderText="code, xterm, firefox")
        form.addRow("Apps", self.apps)
        self.titles = QLineEdit(", ".join(category.titles), placeholderText="report, invoice")
        form.addRow("Title words", self.titles)
        self.sites = QLineEdit(", ".join(category.sites), placeholderText="github.com, YouTube")
        form.addRow("Sites", self.sites)
        self.regex = QLineEdit(category.regex, placeholderText="(advanced) a regex on \"app title\"")
        _mono(self.regex)
        form.addRow("Pattern", self.regex)
        form.addRow("", QLabel("Separate several with commas. Apps are process names; a title word matches "
                               "anywhere in the window title; a site matches its address or its name in the page "
                               "title.", objectName="muted", wordWrap=True))
        self.problem = QLabel(objectName="problem", wordWrap=True)
        self.problem.hide()
        form.addRow("", self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(520, 0)

    def _show_color(self) -> None:
        self.color_button.setIcon(swatch(self.color))
        self.color_button.setText(self.color)

    def _pick(self) -> None:
        chosen = QColorDialog.getColor(QColor(self.color), self, "Proactive assistant — Colour of the category")
        if chosen.isValid():
            self.color = chosen.name()
            self._show_color()

    def category(self) -> Category:
        def split(text: str) -> tuple[str, ...]:
            return tuple(t.strip() for t in text.split(",") if t.strip())

        return Category(self.name.text().strip(), split(self.apps.text()), split(self.titles.text()),
                        split(self.sites.text()), self.regex.text().strip(), self.color)

    def problem_text(self) -> str:
        c = self.category()
        if not c.name:
            return "Give the category a name."
        if c.name == OTHER or c.name in self.taken:
            return f"There is already a category called {c.name}."
        if c.regex and regex_problem(c.regex):
            return f"Pattern: {regex_problem(c.regex)}"
        return ""

    def accept(self) -> None:
        problem = self.problem_text()
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        if not problem:
            super().accept()


class CategoriesPage(QWidget):
    """The ordered list of categories with Add, Edit, Remove, Up and Down. `value()` is the config's mapping."""

    changed = Signal()

    def __init__(self, rules: dict, parent: QWidget | None = None):
        super().__init__(parent)
        self.categories = parse(rules)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(QLabel("Time in the dashboard is grouped into these categories. The first whose rule "
                             "matches a window wins; anything else is Other. Double-click one to edit it.",
                             objectName="muted", wordWrap=True))
        row = QHBoxLayout()
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.itemDoubleClicked.connect(lambda _: self.edit())
        row.addWidget(self.list, 1)
        buttons = QVBoxLayout()
        for text, action in (("Add…", self.add), ("Edit…", self.edit), ("Remove", self.remove),
                             ("Move up", lambda: self.move(-1)), ("Move down", lambda: self.move(1))):
            buttons.addWidget(QPushButton(text, clicked=lambda _=False, a=action: a()))
        buttons.addStretch(1)
        row.addLayout(buttons)
        box.addLayout(row, 1)
        self._fill()

    def _fill(self, select: int = 0) -> None:
        self.list.clear()
        for c in self.categories:
            item = QListWidgetItem(swatch(c.shown_color), f"{c.name}\n{c.describe()}")
            self.list.addItem(item)
        if self.categories:
            self.list.setCurrentRow(max(0, min(select, len(self.categories) - 1)))

    def _dialog(self, category: Category, index: int | None) -> Category | None:
        taken = {c.name for i, c in enumerate(self.categories) if i != index}
        dialog = CategoryDialog(category, taken, self)
        return dialog.category() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def add(self, category: Category | None = None) -> None:
        new = category or self._dialog(Category(""), None)
        if new is not None:
            self.categories.append(new)
            self._fill(len(self.categories) - 1)
            self.changed.emit()

    def edit(self, category: Category | None = None) -> None:
        index = self.list.currentRow()
        if not 0 <= index < len(self.categories):
            return
        new = category or self._dialog(self.categories[index], index)
        if new is not None:
            self.categories[index] = new
            self._fill(index)
            self.changed.emit()

    def remove(self) -> None:
        index = self.list.currentRow()
        if 0 <= index < len(self.categories):
            del self.categories[index]
            self._fill(index)
            self.changed.emit()

    def move(self, step: int) -> None:
        index = self.list.currentRow()
        target = index + step
        if 0 <= index < len(self.categories) and 0 <= target < len(self.categories):
            self.categories[index], self.categories[target] = self.categories[target], self.categories[index]
            self._fill(target)
            self.changed.emit()

    def value(self) -> dict:
        return to_config(self.categories)
