"""The dashboard: is it running (truthfully: paused, failed parts and why), today's numbers, a timeline of a day
or a week, time per app, category, window and site, suggestions and their answers over days, collector health,
storage, and a search that finds visits and jumps to them in the timeline.

Time is active time (focus minus away, the app's own windows left out: assistant/log/activity.py), and every
figure on screen is rounded together with the others it is shown with, so parts add up to their totals.
Refreshes every few seconds while visible (bench/dashboard.py measures a refresh with a month of history).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMetaMethod, Qt, QTimer, Signal
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
from ui.categories import color_for
from ui.dashboard_charts import AnswersChart, BarsChart
from ui.dashboard_tabs import ActivityTab, HealthPanel, SearchTab, table
from ui.models_page import ModelsPage
from ui.review import ReviewTab
from ui.rule_actions import RuleActions
from ui.screen import fit_on_screen
from ui.timeline import TimelineChart

REFRESH_MS = 4000
TILES = (("active", "Active today"), ("away", "Away today"), ("shown", "Suggestions shown"),
         ("accepted", "Accepted"), ("rejected", "Rejected"), ("ignored", "Ignored"), ("not_now", "Not now"))
TIMELINE, ACTIVITY, SUGGESTIONS, ACCEPTED, SEARCH, REVIEW, MODELS = range(7)
ACCEPTED_ID_ROLE = Qt.ItemDataRole.UserRole + 1  # the proposal id of an accepted task in its list
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
    answer_requested = Signal(int)  # the proposal id of an accepted task whose kept answer the user opens
    config_changed = Signal()  # a rule was added from a right-click menu: the tray app applies it at once

    def __init__(self, db: Database, status_source: Callable[[], Status] | None = None,
                 clock: Callable[[], float] = time.time, parent: QWidget | None = None,
                 categories: dict[str, Any] | None = None, config_source: Callable[[], Any] | None = None,
                 config_path: Path | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.config_source = config_source or settings_io.current  # problems ignored: Settings shows them
        self.db = db
        self.status_source = status_source or (lambda: collect(db))
        self.clock = clock
        self.categories = data.default_categories() if categories is None else categories
        self.view_start = data.start_of_day(clock())  # the day (or Monday of the week) shown
        self.view_days = 1
        self.following_today = True  # the view moves on to the next day at midnight
        self.period: data.Period | None = None
        self.rules = RuleActions(self, config_path)
        self.rules.changed.connect(self._rules_changed)
        self.colors = theme.Colors.from_palette(self.palette())
        self.setWindowTitle("Proactive assistant — Dashboard")
        self.setWindowIcon(theme.icon("assistant"))
        self.setStyleSheet(theme.window_css(self.colors))
        self.resize(1180, 780)
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
        self.tabs.addTab(self._timeline_tab(), "Timeline")
        self.activity_tab = ActivityTab()
        self.activity_tab.menu_requested.connect(lambda *args: self.rules.popup(args[4], *args[:4]))
        self.tabs.addTab(self.activity_tab, "Activity")
        self.tabs.addTab(self._suggestions_tab(), "Suggestions")
        self.tabs.addTab(self._accepted_tab(), "Accepted tasks")
        self.search_tab = SearchTab(lambda text: data.visits(self.db, text), self.clock)
        self.search_tab.visit_chosen.connect(self.show_visit)
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

    def _timeline_tab(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 8, 0, 0)
        box.setSpacing(8)
        nav = QHBoxLayout()
        nav.setSpacing(6)
        self.back_button = QPushButton("◀", clicked=lambda: self.step(-1), toolTip="Previous day or week")
        self.next_button = QPushButton("▶", clicked=lambda: self.step(1), toolTip="Next day or week")
        self.today_button = QPushButton("Today", clicked=self.go_today)
        self.view_label = QLabel(objectName="title")
        self.week_button = QPushButton("Week", checkable=True, toolTip="Show the whole week, one row per day")
        self.week_button.toggled.connect(self.set_week)
        nav.addWidget(self.back_button)
        nav.addWidget(self.next_button)
        nav.addWidget(self.today_button)
        nav.addSpacing(8)
        nav.addWidget(self.view_label)
        nav.addStretch(1)
        nav.addWidget(QLabel("Scroll to zoom, drag to move", objectName="muted"))
        for text, tip, action in (("−", "Zoom out", lambda: self.timeline.zoom(2.0)),
                                  ("+", "Zoom in", lambda: self.timeline.zoom(0.5)),
                                  ("Fit", "Show the whole day", lambda: self.timeline.fit())):
            nav.addWidget(QPushButton(text, clicked=action, toolTip=tip))
        nav.addWidget(self.week_button)
        box.addLayout(nav)
        self.timeline = TimelineChart(self.colors)
        self.timeline.setToolTip("")
        self.timeline.piece_menu.connect(lambda p, where: self.rules.popup(where, p.app, p.title, p.page, p.url))
        box.addWidget(self.timeline, 3)
        self.legend = QLabel(objectName="muted")
        self.legend.setText("Bars: the app in focus while you were at the keyboard · shaded: away · "
                            "▲ accepted  ✕ rejected  ◆ not now  ● ignored or waiting. Right-click a bar for "
                            "privacy and category rules.")
        self.legend.setWordWrap(True)
        box.addWidget(self.legend)
        row = QHBoxLayout()
        self.apps_chart = BarsChart(self.colors, "No app in focus on this day.")
        self.categories_chart = BarsChart(self.colors, "Nothing to put in a category yet.")
        self.apps_caption = QLabel("Time per app", objectName="muted")
        self.categories_caption = QLabel("Time per category", objectName="muted")
        for caption, chart in ((self.apps_caption, self.apps_chart),
                               (self.categories_caption, self.categories_chart)):
            col = QVBoxLayout()
            col.addWidget(caption)
            col.addWidget(chart, 1)
            row.addLayout(col, 1)
        box.addLayout(row, 2)
        return page

    def _accepted_tab(self) -> QWidget:
        """Tasks you accepted, newest first. Each item carries its proposal id (ACCEPTED_ID_ROLE), the hook for a
        viewer of the answer the model gave (double-click copies the task meanwhile)."""
        self.accepted_list = QListWidget()
        self.accepted_list.setWordWrap(True)
        self.accepted_list.setSpacing(2)
        self.accepted_list.setToolTip("Double-click (or Enter) to open the answer: copy it, rate it, ask a follow-up.")
        self.accepted_list.itemActivated.connect(self._open_answer)
        return self.accepted_list

    def _suggestions_tab(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 8, 0, 0)
        self.rate_label = QLabel(objectName="muted")
        box.addWidget(self.rate_label)
        self.answers_chart = AnswersChart(self.colors)
        box.addWidget(self.answers_chart, 2)
        self.proposals_table = table(("Time", "Suggestion", "Confidence", "Answer"))
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
        if self.following_today and self.view_days == 1:
            self.view_start = data.start_of_day(now)
        counts = data.today_counts(self.db, now)
        current = self.tabs.currentIndex()  # charts are drawn when their tab is shown; lists always (cheap)
        today = self._load_period(now)
        if today.start != data.start_of_day(now) or today.days != 1:
            today = data.today(self.db, now, self.categories)
        active, away = data.shares([today.active, today.away_seconds])
        counts.update(active=data.minutes_text(active), away=data.minutes_text(away))
        for key, value in counts.items():
            if key in self.tile_values:
                self.tile_values[key].setText(value if isinstance(value, str) else f"{value:,}")
        self.tile_values["active"].setToolTip(f"{data.exact_text(today.active)} at the keyboard, the app's own "
                                              "windows left out")
        if current == TIMELINE:
            self._refresh_timeline(keep_view=True)
        elif current == ACTIVITY:
            self.activity_tab.show_period(self.period, self.view_label.text())
            self.activity_tab.show_noticed(data.recent_activity(self.db, now, 20), now)
        elif current == SUGGESTIONS:
            self._refresh_answers(now)
        self._refresh_proposals(now)
        self._refresh_accepted(now)

    def _load_period(self, now: float) -> data.Period:
        self.period = data.period(self.db, self.view_start, self.view_days, now, self.categories)
        if self.view_days == 1:
            self.view_label.setText(data.day_name(self.view_start, now))
        else:
            last = data.shift_day(self.view_start, 6)
            self.view_label.setText(f"Week of {data.day_name(self.view_start, now)} – {data.day_name(last, now)}")
        self.next_button.setEnabled(data.shift_day(self.view_start, self.view_days) <= now)
        self.today_button.setEnabled(not (self.view_start <= now < data.shift_day(self.view_start, self.view_days)))
        return self.period

    def _refresh_timeline(self, keep_view: bool = False) -> None:
        period = self.period
        if period is None:
            return
        self.timeline.show_period(period, keep_view=keep_view)
        self.apps_chart.show_figures(data.breakdown(period.apps, color_for, rest="other apps"))
        self.categories_chart.show_figures(data.breakdown(period.categories, period.category_color,
                                                          rest="other categories"))
        total = data.minutes_text(sum(f.units for f in self.apps_chart.figures))
        self.apps_caption.setText(f"Time per app (active {total}; away time and this app's own windows left out)")

    # ------------------------------------------------------------ day and week

    def step(self, direction: int) -> None:
        """One day (or week) back (-1) or forward (+1)."""
        self.view_start = data.shift_day(self.view_start, direction * self.view_days)
        now = self.clock()
        self.following_today = self.view_start <= now < data.shift_day(self.view_start, self.view_days)
        self._show_view()

    def go_today(self) -> None:
        now = self.clock()
        self.view_start = data.start_of_week(now) if self.view_days == 7 else data.start_of_day(now)
        self.following_today = True
        self._show_view()

    def set_week(self, week: bool) -> None:
        self.view_days = 7 if week else 1
        now = self.clock()
        anchor = min(self.view_start, now)
        self.view_start = data.start_of_week(anchor) if week else data.start_of_day(
            now if self.view_start <= now < data.shift_day(self.view_start, 7) else anchor)
        self.following_today = self.view_start <= now < data.shift_day(self.view_start, self.view_days)
        self._show_view()

    def show_day(self, day_start: float) -> None:
        self.week_button.blockSignals(True)
        self.week_button.setChecked(False)
        self.week_button.blockSignals(False)
        self.view_days = 1
        self.view_start = data.start_of_day(day_start)
        now = self.clock()
        self.following_today = self.view_start <= now < data.shift_day(self.view_start, 1)
        self._show_view()

    def _show_view(self) -> None:
        now = self.clock()
        try:
            self._load_period(now)
            if self.tabs.currentIndex() == TIMELINE:
                self._refresh_timeline()
            elif self.tabs.currentIndex() == ACTIVITY:
                self.activity_tab.show_period(self.period, self.view_label.text())
        except LogError as exc:
            self.status_pill.setText(f"Event log unavailable: {exc}")

    def show_visit(self, visit: data.Visit) -> None:
        """The timeline of the visit's day, zoomed to the visit and highlighted (from Search)."""
        self.show_day(visit.start)
        self.tabs.setCurrentIndex(TIMELINE)
        self.timeline.show_moment(visit.start, visit.end)

    def _rules_changed(self) -> None:
        cfg = self.config_source()
        self.categories = cfg["dashboard.categories"]
        self.config_changed.emit()
        self.refresh()

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
        shown, closed = sum(d.shown for d in days), sum(d.closed for d in days)
        accepted = sum(d.accepted for d in days)
        rate = f" ({100 * accepted / closed:.0f} % of the {closed} answered or ignored)" if closed else ""
        waiting = shown - closed
        self.rate_label.setText(
            f"Last 14 days: {shown} shown · {accepted} accepted{rate} · {sum(d.rejected for d in days)} rejected · "
            f"{sum(d.not_now for d in days)} not now · {sum(d.ignored for d in days)} ignored (closed unanswered)"
            + (f" · {waiting} waiting" if waiting else ""))

    def _refresh_proposals(self, now: float) -> None:
        rows = data.recent_proposals(self.db, 20)
        table = self.proposals_table
        table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            answer = ANSWER_TEXT.get(row.label, row.label or "")
            if row.reason:
                answer += f" — {row.reason}"
            cells = (data.clock(row.time, now), row.task,
                     f"{100 * row.score:.0f} %" if row.score is not None else "", answer)
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
            item.setData(ACCEPTED_ID_ROLE, row.id)
            self.accepted_list.addItem(item)
        if not rows:
            self.accepted_list.addItem("Tasks you accept appear here (and are copied to the clipboard).")

    # ------------------------------------------------------------ actions

    def _pause(self, minutes: float | None) -> None:
        data.pause(self.db, minutes, self.clock())
        self._refresh_status(self.clock())

    def _resume(self) -> None:
        data.resume(self.db)
        self._refresh_status(self.clock())

    def _open_answer(self, item: QListWidgetItem) -> None:
        """Open the kept answer of an accepted task (ui.answer_view, wired by the tray app); without a
        listener, copy the task as before."""
        proposal_id = item.data(ACCEPTED_ID_ROLE)
        if proposal_id is not None and self.isSignalConnected(QMetaMethod.fromSignal(self.answer_requested)):
            self.answer_requested.emit(int(proposal_id))
        else:
            self._copy_item(item)

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
