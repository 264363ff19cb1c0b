"""The dashboard's charts (pyqtgraph): today's timeline, time per app or category, answers over days.

Each chart takes plain values from ui/data.py and redraws from scratch; every series is one graphics item
(numpy arrays), so a day with thousands of focus changes is still a handful of items to paint.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QWidget

from ui import data, theme

PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#86bcb6")
TIMELINE_LANES = 8  # apps with their own lane; the rest share "other apps"
ANSWER_SYMBOL = {"accepted": "t1", "rejected": "x", "not-now": "d", "ignored": "o", None: "o"}


def app_color(index: int) -> QColor:
    return QColor(PALETTE[index % len(PALETTE)])


class _Chart(pg.PlotWidget):
    """A PlotWidget in the window's colours, no mouse panning (a dashboard, not an analysis tool)."""

    def __init__(self, colors: theme.Colors, parent: QWidget | None = None):
        super().__init__(parent, background=colors.surface)
        self.colors = colors
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        item = self.getPlotItem()
        for side in ("left", "bottom"):
            axis = item.getAxis(side)
            axis.setPen(pg.mkPen(colors.border))
            axis.setTextPen(pg.mkPen(colors.muted))
        self.setMinimumHeight(160)
        self.empty = pg.TextItem("", color=colors.muted, anchor=(0.5, 0.5))

    def set_left_ticks(self, ticks: list[tuple[float, str]]) -> None:
        """Named rows on the left axis, wide enough for the longest name from the first paint on."""
        axis = self.getPlotItem().getAxis("left")
        axis.setTicks([ticks])
        metrics = QFontMetrics(axis.style.get("tickFont") or self.font())
        axis.setWidth(max(metrics.horizontalAdvance(label) for _, label in ticks) + 18)

    def say_empty(self, text: str) -> None:
        self.clear()
        self.empty.setText(text)
        self.addItem(self.empty)
        self.empty.setPos(0.5, 0.5)
        self.setXRange(0, 1)
        self.setYRange(0, 1)
        self.getPlotItem().getAxis("left").setTicks([[]])
        self.getPlotItem().getAxis("bottom").setTicks([[]])


class TimelineChart(_Chart):
    """Apps over the day as coloured bars (one lane per app), away-from-keyboard shaded, suggestions marked."""

    def __init__(self, colors: theme.Colors, parent: QWidget | None = None):
        super().__init__(colors, parent)
        self.setMinimumHeight(220)
        self.lanes: list[str] = []
        self.bar_count = 0
        self.mark_count = 0

    def show_day(self, day: data.Today) -> None:
        self.clear()
        self.lanes = [app for app, _ in day.apps[:TIMELINE_LANES]]
        others = len(day.apps) > TIMELINE_LANES
        names = self.lanes + (["other apps"] if others else [])
        if not day.focus and not day.marks:
            self.say_empty("No window activity recorded today yet.")
            self.bar_count = self.mark_count = 0
            return
        h0 = day.start

        def hrs(ts: float) -> float:
            return (ts - h0) / 3600.0

        lane_of = {app: i for i, app in enumerate(self.lanes)}
        top = len(names)
        # away from keyboard: one grey band per span over every lane
        if day.afk:
            x0 = np.array([hrs(s.start) for s in day.afk])
            x1 = np.array([hrs(s.end) for s in day.afk])
            self.addItem(pg.BarGraphItem(x0=x0, x1=x1, y0=-0.5, height=top + 1.0, pen=pg.mkPen(None),
                                         brush=pg.mkBrush(_alpha(self.colors.muted, 0.22))))
        self.bar_count = 0
        for lane, name in enumerate(names):
            spans = [s for s in day.focus if lane_of.get(s.app, len(self.lanes)) == lane]
            if not spans:
                continue
            x0 = np.array([hrs(s.start) for s in spans])
            x1 = np.array([max(hrs(s.end), hrs(s.start) + 0.004) for s in spans])  # >= 15 s wide: visible
            self.addItem(pg.BarGraphItem(x0=x0, x1=x1, y0=lane + 0.15, height=0.7, pen=pg.mkPen(None),
                                         brush=pg.mkBrush(app_color(lane) if lane < len(self.lanes)
                                                          else self.colors.muted)))
            self.bar_count += len(spans)
        # suggestions: a marker on their own row above the lanes, shaped and coloured by the answer
        self.mark_count = len(day.marks)
        if day.marks:
            colour = {"accepted": self.colors.ok, "rejected": self.colors.danger, "not-now": self.colors.warn}
            spots = [{"pos": (hrs(t), top + 0.5), "symbol": ANSWER_SYMBOL.get(label, "o"), "size": 12,
                      "brush": pg.mkBrush(colour.get(label or "", self.colors.accent)), "pen": pg.mkPen(None)}
                     for t, label in day.marks]
            self.addItem(pg.ScatterPlotItem(spots=spots))
        ticks = [(i + 0.5, _short(n, 16)) for i, n in enumerate(names)] + [(top + 0.5, "suggestions")]
        self.set_left_ticks(ticks)
        first = min([hrs(s.start) for s in day.focus] + [hrs(t) for t, _ in day.marks])
        last = hrs(day.end)
        lo, hi = max(0.0, np.floor(first)), min(24.0, max(np.ceil(last), np.floor(first) + 1))
        step = 1 if hi - lo <= 10 else 2
        self.getPlotItem().getAxis("bottom").setTicks(
            [[(h, f"{int(h):02d}:00") for h in np.arange(lo, hi + 0.01, step)]])
        self.setXRange(lo, hi, padding=0.01)
        self.setYRange(-0.2, top + 1.1, padding=0)


class BarsChart(_Chart):
    """Horizontal bars: time per app or per category, longest on top, with the time written beside each."""

    def __init__(self, colors: theme.Colors, empty_text: str, parent: QWidget | None = None):
        super().__init__(colors, parent)
        self.empty_text = empty_text
        self.names: list[str] = []

    def show_totals(self, totals: list[tuple[str, float]], limit: int = 10) -> None:
        self.clear()
        rows = totals[:limit]
        self.names = [n for n, _ in rows]
        if not rows:
            self.say_empty(self.empty_text)
            return
        n = len(rows)
        values = np.array([s / 3600.0 for _, s in rows])
        ys = np.arange(n)[::-1].astype(float)  # longest on top
        brushes = [pg.mkBrush(app_color(i)) for i in range(n)]
        self.addItem(pg.BarGraphItem(x0=np.zeros(n), width=values, y=ys, height=0.65, brushes=brushes,
                                     pen=pg.mkPen(None)))
        top = float(values.max()) or 1.0
        for y, (_, seconds), v in zip(ys, rows, values, strict=True):
            label = pg.TextItem(data.hours(seconds), color=self.colors.text, anchor=(0, 0.5))
            label.setPos(v + top * 0.02, y)
            self.addItem(label)
        self.set_left_ticks([(y, _short(name, 18)) for y, (name, _) in zip(ys, rows, strict=True)])
        self.getPlotItem().getAxis("bottom").setTicks(None)
        self.getPlotItem().setLabel("bottom", "hours", color=theme.css(self.colors.muted))
        self.setXRange(0, top * 1.45, padding=0)  # room for the time written beside the longest bar
        self.setYRange(-0.6, n - 0.4, padding=0)


class AnswersChart(_Chart):
    """Per day: accepted, rejected (false alarms), ignored and not-now, stacked; acceptance rate as a line."""

    def __init__(self, colors: theme.Colors, parent: QWidget | None = None):
        super().__init__(colors, parent)
        self.days: list[data.DayAnswers] = []
        self.legend = self.getPlotItem().addLegend(offset=(10, 4), labelTextColor=colors.text, colCount=5,
                                                   brush=pg.mkBrush(_alpha(colors.surface, 0.9)))

    def show_days(self, days: list[data.DayAnswers]) -> None:
        self.clear()
        self.legend.clear()
        self.days = days
        if not days:
            self.say_empty("No suggestions shown in the last two weeks.")
            return
        x = np.arange(len(days), dtype=float)
        c = self.colors
        bottom = np.zeros(len(days))
        for name, values, colour in (
                ("accepted", [d.accepted for d in days], c.ok),
                ("false alarms (rejected)", [d.rejected for d in days], c.danger),
                ("not now", [d.not_now for d in days], c.warn),
                ("ignored", [d.ignored for d in days], c.muted)):
            heights = np.array(values, dtype=float)
            bars = pg.BarGraphItem(x=x, y0=bottom, height=heights, width=0.6, brush=pg.mkBrush(colour),
                                   pen=pg.mkPen(None))
            self.addItem(bars)
            self.legend.addItem(bars, name)
            bottom = bottom + heights
        peak = float(bottom.max()) or 1.0
        rate = [(i, d.acceptance * peak) for i, d in enumerate(days) if d.acceptance is not None]
        if rate:
            line = pg.PlotDataItem([r[0] for r in rate], [r[1] for r in rate], pen=pg.mkPen(c.accent, width=2),
                                   symbol="o", symbolSize=6, symbolBrush=c.accent)
            self.addItem(line)
            self.legend.addItem(line, "acceptance rate (top = 100 %)")
        self.getPlotItem().getAxis("bottom").setTicks([[(i, d.day[5:]) for i, d in enumerate(days)]])
        self.getPlotItem().getAxis("left").setTicks(None)
        self.setXRange(-0.6, len(days) - 0.4, padding=0)
        self.setYRange(0, peak * 1.35 + 1, padding=0)  # room for the legend above the bars


def _alpha(color: QColor, alpha: float) -> QColor:
    out = QColor(color)
    out.setAlphaF(alpha)
    return out


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"
