"""The dashboard: is it running, what does each part do, today's numbers, recent suggestions and activity.

Refreshes every few seconds while visible, with cheap queries only (see ui/data.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from assistant.app.status import Status, collect
from assistant.log import Database, LogError
from ui import data, theme

REFRESH_MS = 4000
TILES = (("events", "Events"), ("observations", "Observations"), ("shown", "Suggestions shown"),
         ("accepted", "Accepted"), ("rejected", "Rejected"), ("ignored", "Ignored"), ("not_now", "Not now"))
ANSWER_TEXT = {"accepted": "Accepted", "rejected": "Rejected", "ignored": "Ignored", "not-now": "Not now",
               None: "Waiting"}


def _panel(title: str | None = None) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame(objectName="panel")
    box = QVBoxLayout(frame)
    box.setContentsMargins(16, 14, 16, 14)
    box.setSpacing(8)
    if title:
        box.addWidget(QLabel(title, objectName="title"))
    return frame, box


class Dashboard(QWidget):
    """`status_source()` returns the runtime status dict (running, collectors, parts)."""

    settings_requested = Signal()

    def __init__(self, db: Database, status_source: Callable[[], Status] | None = None,
                 clock: Callable[[], float] = time.time, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.db = db
        self.status_source = status_source or (lambda: collect(db))
        self.clock = clock
        self.colors = theme.Colors.from_palette(self.palette())
        self.setWindowTitle("Proactive assistant — Dashboard")
        self.setWindowIcon(theme.icon("assistant"))
        self.setStyleSheet(theme.window_css(self.colors))
        self.resize(980, 680)
        self._build()
        self.timer = QTimer(self, interval=REFRESH_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        self.refresh()

    # ------------------------------------------------------------ layout

    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(20, 18, 20, 18)
        root.setSpacing(theme.SPACING + 2)
        root.addLayout(self._header())
        today = QLabel("Today", objectName="title")
        root.addWidget(today)
        root.addSpacing(-6)

        tiles = QHBoxLayout()
        tiles.setSpacing(10)
        self.tile_values: dict[str, QLabel] = {}
        for key, caption in TILES:
            frame, box = _panel()
            box.setContentsMargins(14, 10, 14, 10)
            box.setSpacing(2)
            value = QLabel("0")
            value.setFont(theme.scaled_font(self.font(), 1.7, QFont.Weight.Bold))
            box.addWidget(value)
            box.addWidget(QLabel(caption, objectName="muted"))
            self.tile_values[key] = value
            tiles.addWidget(frame, 1)
        root.addLayout(tiles)

        body = QHBoxLayout()
        body.setSpacing(theme.SPACING + 2)
        parts_frame, parts_box = _panel("Parts")
        self.parts_grid = QGridLayout()
        self.parts_grid.setHorizontalSpacing(10)
        self.parts_grid.setVerticalSpacing(8)
        parts_box.addLayout(self.parts_grid)
        parts_box.addStretch(1)
        where = QLabel(objectName="muted")
        path = str(getattr(self.db, "path", ""))
        where.setText(where.fontMetrics().elidedText(f"Event log: {path}", Qt.TextElideMode.ElideMiddle, 286))
        where.setToolTip(path)
        parts_box.addWidget(where)
        parts_frame.setFixedWidth(320)
        body.addWidget(parts_frame)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.tabBar().setDrawBase(False)
        self.proposals_table = self._table(("Time", "Suggestion", "Judge", "Answer"))
        self.accepted_list = QListWidget()
        self.accepted_list.setWordWrap(True)
        self.accepted_list.setSpacing(2)
        self.accepted_list.setToolTip("Double-click a task to copy it.")
        self.accepted_list.itemDoubleClicked.connect(self._copy_item)
        self.activity_list = QListWidget()
        self.activity_list.setWordWrap(True)
        self.activity_list.setSpacing(2)
        self.tabs.addTab(self.proposals_table, "Suggestions")
        self.tabs.addTab(self.accepted_list, "Accepted tasks")
        self.tabs.addTab(self.activity_list, "Activity")
        body.addWidget(self.tabs, 1)
        root.addLayout(body, 1)

    def _header(self) -> QHBoxLayout:
        head = QHBoxLayout()
        head.setSpacing(10)
        logo = QLabel()
        logo.setPixmap(theme.icon("assistant").pixmap(30, 30))
        head.addWidget(logo)
        title = QLabel("Proactive assistant")
        title.setFont(theme.scaled_font(self.font(), 1.45, QFont.Weight.Bold))
        head.addWidget(title)
        head.addSpacing(8)
        self.status_pill = QLabel()
        head.addWidget(self.status_pill)
        head.addStretch(1)
        self.pause30_button = QPushButton("Pause 30 min", clicked=lambda: self._pause(30))
        self.pause_button = QPushButton("Pause", clicked=lambda: self._pause(None))
        self.resume_button = QPushButton("Resume", objectName="primary", clicked=self._resume)
        settings = QPushButton("Settings…", clicked=self.settings_requested.emit)
        for button in (self.pause30_button, self.pause_button, self.resume_button, settings):
            head.addWidget(button)
        return head

    def _table(self, headers: tuple[str, ...]) -> QTableWidget:
        table = QTableWidget(0, len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.verticalHeader().hide()
        table.setShowGrid(False)
        table.setAlternatingRowColors(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setWordWrap(True)
        header = table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for col in range(len(headers)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        return table

    # ------------------------------------------------------------ refresh

    def _tick(self) -> None:
        if self.isVisible():  # hidden: no queries
            self.refresh()

    def refresh(self) -> None:
        now = self.clock()
        try:
            self._refresh_all(now)
        except LogError as exc:  # a locked or damaged log: say so, keep the window alive
            self.status_pill.setText(f"Event log unavailable: {exc}")

    def _refresh_all(self, now: float) -> None:
        self._refresh_status(now)
        for key, value in data.today_counts(self.db, now).items():
            if key in self.tile_values:
                self.tile_values[key].setText(f"{value:,}")
        self._refresh_proposals(now)
        self._refresh_accepted(now)
        self._refresh_activity(now)

    def _refresh_status(self, now: float) -> None:
        pause = data.pause_info(self.db, now)
        status = self.status_source()
        running = status.running
        c = self.colors
        if pause.paused:
            text, color = f"❚❚  {data.describe_pause(pause, now)}", c.warn
        elif running:
            text, color = "●  Running", c.ok
        else:
            text, color = "●  Not running", c.muted
        self.status_pill.setText(text)
        self.status_pill.setStyleSheet(
            f"color: {theme.css(color)}; background: {theme.css(color, 0.12)}; border-radius: 11px; "
            f"padding: 3px 10px; font-weight: 600;")
        self.pause30_button.setVisible(not pause.paused)
        self.pause_button.setVisible(not pause.paused)
        self.resume_button.setVisible(pause.paused)
        self._fill_parts(status.parts)

    def _fill_parts(self, parts: list[data.Part]) -> None:
        while self.parts_grid.count():
            item = self.parts_grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        if not parts:
            self.parts_grid.addWidget(QLabel("No status yet: is the assistant running?", objectName="muted"),
                                      0, 0, 1, 2)
            return
        for row, part in enumerate(parts):
            color = self.colors.ok if part.ok else (self.colors.muted if part.state == "disabled"
                                                     else self.colors.warn)
            dot = QLabel("●")
            dot.setStyleSheet(f"color: {theme.css(color)};")
            dot.setAlignment(Qt.AlignmentFlag.AlignTop)
            text = QLabel(f"<b>{_escape(part.name)}</b> · {_escape(part.state)}"
                          + (f"<br><span style='color:{theme.css(self.colors.muted)}'>{_escape(part.reason)}"
                             "</span>" if part.reason else ""))
            text.setWordWrap(True)
            text.setTextFormat(Qt.TextFormat.RichText)
            self.parts_grid.addWidget(dot, row, 0)
            self.parts_grid.addWidget(text, row, 1)
        self.parts_grid.setColumnStretch(1, 1)

    def _refresh_proposals(self, now: float) -> None:
        rows = data.recent_proposals(self.db, 20)
        table = self.proposals_table
        table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            answer = ANSWER_TEXT.get(row.label, row.label or "")
            if row.reason:
                answer += f" — {row.reason}"
            cells = (data.clock(row.time, now), row.task,
                     f"{row.score:.2f}" if row.score is not None else "", answer)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 1 and row.why:
                    item.setToolTip(f"Why now: {row.why}")
                if col == 3:
                    item.setForeground(self._answer_color(row.label))
                table.setItem(i, col, item)
        table.resizeRowsToContents()
        if not rows:
            table.setRowCount(1)
            table.setItem(0, 1, QTableWidgetItem("No suggestions yet."))

    def _answer_color(self, label: str | None):
        c = self.colors
        return {"accepted": c.ok, "rejected": c.danger, "not-now": c.warn}.get(label or "", c.muted)

    def _refresh_accepted(self, now: float) -> None:
        rows = data.recent_proposals(self.db, 20, label="accepted")
        self.accepted_list.clear()
        for row in rows:
            item = QListWidgetItem(f"{data.clock(row.time, now)}   {row.task}")
            item.setData(Qt.ItemDataRole.UserRole, row.task)
            self.accepted_list.addItem(item)
        if not rows:
            self.accepted_list.addItem("Tasks you accept appear here (and are copied to the clipboard).")

    def _refresh_activity(self, now: float) -> None:
        self.activity_list.clear()
        activity = data.recent_activity(self.db, now, 20)
        for when, sentence in activity:
            self.activity_list.addItem(f"{data.clock(when, now)}   {sentence}")
        if not activity:
            self.activity_list.addItem("Nothing observed in the last half hour.")

    # ------------------------------------------------------------ actions

    def _pause(self, minutes: float | None) -> None:
        data.pause(self.db, minutes, self.clock())
        self._refresh_status(self.clock())

    def _resume(self) -> None:
        data.resume(self.db)
        self._refresh_status(self.clock())

    def _copy_item(self, item: QListWidgetItem) -> None:
        task = item.data(Qt.ItemDataRole.UserRole)
        if task:
            QGuiApplication.clipboard().setText(task)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
