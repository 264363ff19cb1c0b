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
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from assistant.app.status import Status, collect
from assistant.core.paths import display_path
from assistant.log import Database, LogError
from ui import data, settings_io, theme
from ui.dashboard_pages import SuggestionsPage, TimelinePage
from ui.dashboard_tabs import ActivityTab, HealthPanel, SearchTab
from ui.models_page import ModelsPage
from ui.review import ReviewTab
from ui.rule_actions import RuleActions
from ui.screen import fit_on_screen

REFRESH_MS = 4000
TILES = (("active", "Active today"), ("away", "Away today"), ("shown", "Suggestions shown"),
         ("accepted", "Accepted"), ("rejected", "Rejected"), ("ignored", "Ignored"), ("not_now", "Not now"))
TIMELINE, ACTIVITY, SUGGESTIONS, ACCEPTED, SEARCH, REVIEW, MODELS = range(7)
ACCEPTED_ID_ROLE = Qt.ItemDataRole.UserRole + 1  # the proposal id of an accepted task in its list


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
        self._drawn: dict[str, Any] = {}  # what each chart or list was last drawn from
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
        path = str(self.db.path or "")
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
        self.suggestions_page = SuggestionsPage(self.colors)
        self.rate_label, self.answers_chart = self.suggestions_page.rate_label, self.suggestions_page.answers_chart
        self.proposals_table = self.suggestions_page.proposals_table
        self.tabs.addTab(self.suggestions_page, "Suggestions")
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
        page = TimelinePage(self.colors)
        page.back_button.clicked.connect(lambda: self.step(-1))
        page.next_button.clicked.connect(lambda: self.step(1))
        page.today_button.clicked.connect(self.go_today)
        page.week_button.toggled.connect(self.set_week)
        page.chart.piece_menu.connect(lambda p, where: self.rules.popup(where, p.app, p.title, p.page, p.url))
        self.timeline_page = page
        for name in ("back_button", "next_button", "today_button", "week_button", "view_label", "apps_chart",
                     "categories_chart", "apps_caption"):
            setattr(self, name, getattr(page, name))
        self.timeline = page.chart
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
            if not self._unchanged("activity", (self.period.signature()[:-1], id(self.categories))):
                self.activity_tab.show_period(self.period, self.view_label.text())
            noticed = data.recent_activity(self.db, now, 20)
            if not self._unchanged("noticed", (tuple(noticed), data.start_of_day(now))):
                self.activity_tab.show_noticed(noticed, now)
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

    def _unchanged(self, what: str, signature: Any) -> bool:
        """True when `what` was last drawn from the same data (a refresh then skips redrawing it)."""
        if self._drawn.get(what) == signature:
            return True
        self._drawn[what] = signature
        return False

    def _refresh_timeline(self, keep_view: bool = False) -> None:
        if self.period is None:
            return
        self.timeline_page.show_period(self.period, keep_view, id(self.categories), self._drawn)

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
        events = status.rows.get("events", 0)
        self.storage_label.setText(f"Event log: {data.megabytes(status.db_bytes)} · {events:,} events stored\n"
                                   f"{display_path(status.db_path)}")

    def _refresh_answers(self, now: float) -> None:
        days = data.answers_over_days(self.db, now)
        if not self._unchanged("answers", tuple(days)):
            self.suggestions_page.show_days(days)

    def _refresh_proposals(self, now: float) -> None:
        rows = data.recent_proposals(self.db, 20)
        if not self._unchanged("proposals", (tuple(rows), data.start_of_day(now))):
            self.suggestions_page.show_rows(rows, now)

    def _refresh_accepted(self, now: float) -> None:
        rows = data.recent_proposals(self.db, 20, label="accepted")
        if self._unchanged("accepted", (tuple(rows), data.start_of_day(now))):
            return
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
