"""Two tabs of the dashboard: the Timeline (navigation, the timeline, time per app and per category) and the
Suggestions (answers over two weeks and the latest suggestions). The dashboard moves between days and weeks
and decides what to load; these pages draw it."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTableWidgetItem, QVBoxLayout, QWidget

from ui import data, theme
from ui.categories import color_for
from ui.dashboard_charts import AnswersChart, BarsChart
from ui.dashboard_tabs import table
from ui.timeline import TimelineChart

LEGEND = ("Bars: the app in focus while you were at the keyboard · shaded: away · ▲ accepted  ✕ rejected  "
          "◆ not now  ● ignored or waiting. Right-click a bar for privacy and category rules.")
ANSWER_TEXT = {"accepted": "Accepted", "rejected": "Rejected", "ignored": "Ignored", "superseded": "Replaced",
               "not-now": "Not now",
               None: "Waiting"}


class TimelinePage(QWidget):
    """◀ ▶ Today, the day's name, zoom and Week; the timeline; time per app and per category below it."""

    def __init__(self, colors: theme.Colors, parent: QWidget | None = None):
        super().__init__(parent)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 8, 0, 0)
        box.setSpacing(8)
        nav = QHBoxLayout()
        nav.setSpacing(6)
        self.back_button = QPushButton("◀", toolTip="Previous day or week")
        self.next_button = QPushButton("▶", toolTip="Next day or week")
        self.today_button = QPushButton("Today")
        self.view_label = QLabel(objectName="title")
        self.week_button = QPushButton("Week", checkable=True, toolTip="Show the whole week, one row per day")
        for widget in (self.back_button, self.next_button, self.today_button):
            nav.addWidget(widget)
        nav.addSpacing(8)
        nav.addWidget(self.view_label)
        nav.addStretch(1)
        nav.addWidget(QLabel("Scroll to zoom, drag to move", objectName="muted"))
        self.chart = TimelineChart(colors)
        for text, tip, action in (("−", "Zoom out", lambda: self.chart.zoom(2.0)),
                                  ("+", "Zoom in", lambda: self.chart.zoom(0.5)),
                                  ("Fit", "Show the whole day", lambda: self.chart.fit())):
            nav.addWidget(QPushButton(text, clicked=action, toolTip=tip))
        nav.addWidget(self.week_button)
        box.addLayout(nav)
        box.addWidget(self.chart, 3)
        legend = QLabel(LEGEND, objectName="muted", wordWrap=True)
        box.addWidget(legend)
        row = QHBoxLayout()
        self.apps_chart = BarsChart(colors, "No app in focus on this day.")
        self.categories_chart = BarsChart(colors, "Nothing to put in a category yet.")
        self.apps_caption = QLabel("Time per app", objectName="muted")
        for caption, chart in ((self.apps_caption, self.apps_chart),
                               (QLabel("Time per category", objectName="muted"), self.categories_chart)):
            col = QVBoxLayout()
            col.addWidget(caption)
            col.addWidget(chart, 1)
            row.addLayout(col, 1)
        box.addLayout(row, 2)

    def show_period(self, period: data.Period, keep_view: bool, categories_id: int, drawn: dict[str, Any]) -> None:
        """Draw `period`; on a refresh (`keep_view`) nothing is redrawn when its data did not change."""
        signature = (period.signature()[:-1], categories_id)
        if keep_view and drawn.get("timeline") == signature:
            return
        drawn["timeline"] = signature
        self.chart.show_period(period, keep_view=keep_view)
        self.apps_chart.show_figures(data.breakdown(period.apps, color_for, rest="other apps"))
        self.categories_chart.show_figures(data.breakdown(period.categories, period.category_color,
                                                          rest="other categories"))
        total = data.minutes_text(sum(f.units for f in self.apps_chart.figures))
        self.apps_caption.setText(f"Time per app (active {total}; away time and this app's own windows left out)")


class SuggestionsPage(QWidget):
    """Answers per day over two weeks (ignored cards counted), and the latest suggestions with their answers."""

    def __init__(self, colors: theme.Colors, parent: QWidget | None = None):
        super().__init__(parent)
        self.colors = colors
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 8, 0, 0)
        self.rate_label = QLabel(objectName="muted", wordWrap=True)
        box.addWidget(self.rate_label)
        self.answers_chart = AnswersChart(colors)
        box.addWidget(self.answers_chart, 2)
        self.proposals_table = table(("Time", "Suggestion", "Confidence", "Answer"))
        box.addWidget(self.proposals_table, 3)

    def show_days(self, days: list[data.DayAnswers]) -> None:
        self.answers_chart.show_days(days)
        shown, closed = sum(d.shown for d in days), sum(d.closed for d in days)
        accepted = sum(d.accepted for d in days)
        rate = f" ({100 * accepted / closed:.0f} % of the {closed} answered or ignored)" if closed else ""
        waiting = shown - closed
        self.rate_label.setText(
            f"Last 14 days: {shown} shown · {accepted} accepted{rate} · {sum(d.rejected for d in days)} rejected · "
            f"{sum(d.not_now for d in days)} not now · {sum(d.ignored for d in days)} ignored (closed unanswered)"
            + (f" · {waiting} waiting" if waiting else ""))

    def show_rows(self, rows: list[data.ProposalRow], now: float) -> None:
        tbl = self.proposals_table
        tbl.setRowCount(len(rows))
        c = self.colors
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
                    item.setForeground({"accepted": c.ok, "rejected": c.danger, "not-now": c.warn}.get(
                        row.label or "", c.muted))
                tbl.setItem(i, col, item)
        tbl.resizeRowsToContents()
        if not rows:
            tbl.setRowCount(1)
            tbl.setItem(0, 1, QTableWidgetItem("No suggestions yet."))
