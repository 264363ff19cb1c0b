"""Pieces of the dashboard: the search tab, the health panel (parts with their states) and plain tables."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui import data, theme


def table(headers: tuple[str, ...], stretch: int = 1) -> QTableWidget:
    """A read-only table with the dashboard's look; column `stretch` takes the free width."""
    tbl = QTableWidget(0, len(headers))
    tbl.setHorizontalHeaderLabels(headers)
    tbl.verticalHeader().hide()
    tbl.setShowGrid(False)
    tbl.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    tbl.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    tbl.setWordWrap(True)
    header = tbl.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    for col in range(len(headers)):
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return tbl


def fill(tbl: QTableWidget, rows: list[tuple[str, ...]], empty: str) -> None:
    tbl.setRowCount(len(rows) or 1)
    if not rows:
        tbl.setItem(0, 0, QTableWidgetItem(""))
        tbl.setItem(0, min(1, tbl.columnCount() - 1), QTableWidgetItem(empty))
        return
    for i, row in enumerate(rows):
        for col, text in enumerate(row):
            tbl.setItem(i, col, QTableWidgetItem(text))


class SearchTab(QWidget):
    """Search over every stored event's app and title (newest first)."""

    def __init__(self, run: Callable[[str], list[tuple[str, str, str]]], parent: QWidget | None = None):
        super().__init__(parent)
        self.run = run
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 8, 0, 0)
        row = QHBoxLayout()
        self.query = QLineEdit(placeholderText="Search apps and window titles, e.g. report.pdf or firefox")
        self.query.returnPressed.connect(self.search)
        row.addWidget(self.query, 1)
        row.addWidget(QPushButton("Search", clicked=lambda: self.search()))
        box.addLayout(row)
        self.summary = QLabel("", objectName="muted")
        box.addWidget(self.summary)
        self.results = table(("When", "App", "Title"), stretch=2)
        box.addWidget(self.results, 1)

    def search(self, text: str | None = None) -> int:
        if text is not None:
            self.query.setText(text)
        needle = self.query.text().strip()
        rows = self.run(needle) if needle else []
        fill(self.results, rows, "No event matches." if needle else "Type something to search for.")
        self.summary.setText(f"{len(rows)} newest matches" if rows else "")
        return len(rows)


class HealthPanel:
    """The parts of the running app (collectors, event log, engine, judge, model) with a coloured dot each."""

    def __init__(self, grid: QGridLayout, colors: theme.Colors):
        self.grid = grid
        self.colors = colors
        self.rows: list[tuple[str, str, str]] = []  # (name, state, reason) as shown

    def show(self, parts: list[data.Part]) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.rows = [(p.name, p.state, p.reason) for p in parts]
        if not parts:
            self.grid.addWidget(QLabel("Not running: start it with `proactive run`.", objectName="muted"),
                                0, 0, 1, 2)
            return
        c = self.colors
        for row, part in enumerate(parts):
            color = c.ok if part.ok else {"disabled": c.muted, "off": c.muted, "failed": c.danger}.get(part.state,
                                                                                                      c.warn)
            dot = QLabel("●")
            dot.setStyleSheet(f"color: {theme.css(color)};")
            dot.setAlignment(Qt.AlignmentFlag.AlignTop)
            text = QLabel(f"<b>{escape(part.name)}</b> · {escape(part.state)}"
                          + (f"<br><span style='color:{theme.css(c.muted)}'>{escape(part.reason)}</span>"
                             if part.reason else ""))
            text.setWordWrap(True)
            text.setTextFormat(Qt.TextFormat.RichText)
            self.grid.addWidget(dot, row, 0)
            self.grid.addWidget(text, row, 1)
        self.grid.setColumnStretch(1, 1)


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
