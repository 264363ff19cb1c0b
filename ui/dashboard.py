"""The dashboard: is it running (truthfully: paused, failed parts and why), today's numbers, today's timeline,
time per app and category, suggestions and their answers over days, collector health, storage, search.

Refreshes every few seconds while visible; every number is aggregated in SQL (assistant/log/activity.py via
ui/data.py), so a month of history costs what a day does (bench/dashboard.py measures it).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from assistant.app.status import Status, collect
from assistant.log import Database, LogError
from ui import data, settings_io, theme
from ui.dashboard_charts import AnswersChart, BarsChart, TimelineChart
from ui.dashboard_tabs import HealthPanel, SearchTab, table
from ui.models_page import ModelsPage
from ui.review import ReviewTab
from ui.screen import fit_on_screen

REFRESH_MS = 4000
TILES = (("events", "Events"), ("observations", "Observations"), ("shown", "Suggestions shown"),
         ("accepted", "Accepted"), ("rejected", "Rejected"), ("ignored", "Ignored"), ("not_now", "Not now"))
ANSWER_TEXT = {"accepted": "Accepted", "rejected": "Rejected", "ignored": "Ignored", "superseded": "Replaced",
               "not-now": "Not now",
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
                 clock: Callable[[], float] = time.time, parent: QWidget | None = None,
                 categories: dict[str, str] | None = None, config_source: Callable[[], Any] | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.config_source = config_source or settings_io.current  # problems ignored: Settings shows them
        self.db = db
        self.status_source = status_source or (lambda: collect(db))
        self.clock = clock
        self.categories = data.default_categories() if categories is None else categories
        self.colors = theme.Colors.from_palette(self.palette())
        self.setWindowTitle("Proactive assistant — Dashboard")
        self.setWindowIcon(theme.icon("assistant"))
        self.setStyleSheet(theme.window_css(self.colors))
        self.resize(1180, 780)
        self._build()
        self.timer = QTimer(self, interval=REFRESH_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        self.timeline_data: data.Today | None = None
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
        parts_frame, parts_box = _panel("Health")
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(8)
        self.health = HealthPanel(grid, self.colors)
        parts_box.addLayout(grid)
        parts_box.addStretch(1)
        self.storage_label = QLabel(objectName="muted")
        self.storage_label.setWordWrap(True)
        path = str(getattr(self.db, "path", ""))
        self.storage_label.setToolTip(path)
        parts_box.addWidget(self.storage_label)
        parts_frame.setFixedWidth(300)
        body.addWidget(parts_frame)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.tabBar().setDrawBase(False)
        self.tabs.addTab(self._today_tab(), "Today")
        self.tabs.addTab(self._suggestions_tab(), "Suggestions")
        self.accepted_list = QListWidget()
        self.accepted_list.setWordWrap(True)
        self.accepted_list.setSpacing(2)
        self.accepted_list.setToolTip("Double-click a task to copy it.")
        self.accepted_list.itemDoubleClicked.connect(self._copy_item)
        self.activity_list = QListWidget()
        self.activity_list.setWordWrap(True)
        self.activity_list.setSpacing(2)
        self.search_tab = SearchTab(lambda text: data.search_events(self.db, text, self.clock()))
        self.tabs.addTab(self.accepted_list, "Accepted tasks")
        self.tabs.addTab(self.activity_list, "Activity")
        self.tabs.addTab(self.search_tab, "Search")
        self.review_tab = ReviewTab(self.db, clock=self.clock)
        self.review_tab.setToolTip("Label past moments, including those where the assistant stayed silent.")
        self.tabs.addTab(self.review_tab, "Review")
        self.models_page = ModelsPage(self.config_source)
        self.tabs.addTab(self.models_page, "Models")
        self.tabs.currentChanged.connect(lambda _: self.refresh())
        self.tabs.currentChanged.connect(
            lambda i: self.review_tab.reload() if self.tabs.widget(i) is self.review_tab else None)
        body.addWidget(self.tabs, 1)
        root.addLayout(body, 1)

    def _today_tab(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 8, 0, 0)
        box.setSpacing(8)
        self.timeline = TimelineChart(self.colors)
        box.addWidget(QLabel("Timeline: apps in focus, away from keyboard shaded, suggestions marked",
                             objectName="muted"))
        box.addWidget(self.timeline, 3)
        row = QHBoxLayout()
        self.apps_chart = BarsChart(self.colors, "No app in focus today yet.")
        self.categories_chart = BarsChart(self.colors, "Nothing to categorise yet.")
        for caption, chart in (("Time per app", self.apps_chart), ("Time per category", self.categories_chart)):
            col = QVBoxLayout()
            col.addWidget(QLabel(caption, objectName="muted"))
            col.addWidget(chart, 1)
            row.addLayout(col, 1)
        box.addLayout(row, 2)
        return page

    def _suggestions_tab(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 8, 0, 0)
        self.rate_label = QLabel(objectName="muted")
        box.addWidget(self.rate_label)
        self.answers_chart = AnswersChart(self.colors)
        box.addWidget(self.answers_chart, 2)
        self.proposals_table = table(("Time", "Suggestion", "Judge", "Answer"))
        box.addWidget(self.proposals_table, 3)
        return page

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
        settings = QPushButton("Settings…")
        settings.clicked.connect(lambda _checked=False: self.settings_requested.emit())  # clicked(bool) carries an arg
        self.settings_button = settings
        for button in (self.pause30_button, self.pause_button, self.resume_button, settings):
            head.addWidget(button)
        return head

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
        current = self.tabs.currentIndex()  # charts are drawn when their tab is shown; lists always (cheap)
        if current == 0:
            self.timeline_data = data.today(self.db, now, self.categories)
            self.timeline.show_day(self.timeline_data)
            self.apps_chart.show_totals(self.timeline_data.apps)
            self.categories_chart.show_totals(self.timeline_data.categories)
        elif current == 1:
            self._refresh_answers(now)
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
        failed = [p for p in status.parts if p.state == "failed"]
        if running and failed and not pause.paused:
            text, color = f"●  Running · {len(failed)} part{'s' if len(failed) > 1 else ''} failed", c.danger
        self.status_pill.setText(text)
        self.status_pill.setStyleSheet(
            f"color: {theme.css(color)}; background: {theme.css(color, 0.12)}; border-radius: 11px; "
            f"padding: 3px 10px; font-weight: 600;")
        self.pause30_button.setVisible(not pause.paused)
        self.pause_button.setVisible(not pause.paused)
        self.resume_button.setVisible(pause.paused)
        self.health.show(status.parts)
        self.storage_label.setText(f"Event log: {data.megabytes(status.db_bytes)} · "
                                   f"{status.rows.get('events', 0):,} events stored\n{status.db_path}")

    def _refresh_answers(self, now: float) -> None:
        days = data.answers_over_days(self.db, now)
        self.answers_chart.show_days(days)
        answered = sum(d.answered for d in days)
        rate = f"{100 * sum(d.accepted for d in days) / answered:.0f} %" if answered else "–"
        self.rate_label.setText(f"Last 14 days: {sum(d.shown for d in days)} shown · acceptance rate {rate} · "
                                f"{sum(d.rejected for d in days)} false alarms (rejected)")

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

    def bring_forward(self) -> None:
        """Show on screen (title bar below any top panel), raised and focused."""
        if self.isMinimized():
            self.showNormal()
        fit_on_screen(self)
        self.show()
        self.raise_()
        self.activateWindow()
