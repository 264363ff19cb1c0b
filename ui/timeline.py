"""The timeline (pyqtgraph): a day as one lane per app, or a week as one row per day, on a clock axis.

Bars are active time (focus minus away), coloured by app with the colour every view uses (`ui.categories`);
away-from-keyboard is shaded; suggestions are marked by their answer. The mouse wheel and a drag zoom and pan the
time axis (down to a few minutes); hovering a bar says app, title, start-end and duration; a right click offers
"never record ..." and "put in category ..." for what is under the pointer; `show_moment` zooms to a visit.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QWidget

from ui import data, theme
from ui.categories import color_for

TIMELINE_LANES = 8  # apps with their own lane in the day view; the rest share "other apps"
ANSWER_SYMBOL = {"accepted": "t1", "rejected": "x", "not-now": "d", "ignored": "o", None: "o"}
ANSWER_TEXT = {"accepted": "accepted", "rejected": "rejected", "ignored": "ignored (closed unanswered)",
               "superseded": "replaced by a card about another need",
               "not-now": "not now", None: "waiting for an answer"}
MIN_RANGE_H = 2 / 60  # zoom in to two minutes at most
STEPS_H = (6, 4, 2, 1, 0.5, 0.25, 1 / 6, 1 / 12, 1 / 30, 1 / 60)


class ClockAxis(pg.AxisItem):
    """Hours since local midnight shown as 09:00, 09:15, ... with a spacing that follows the zoom."""

    def tickSpacing(self, minVal: float, maxVal: float, size: float):
        span = max(maxVal - minVal, 1e-6)
        fits = max(2.0, size / 64.0)  # a label needs about 64 px
        major = next((s for s in reversed(STEPS_H) if span / s <= fits), STEPS_H[0])
        minor = next((s for s in STEPS_H if s < major and span / s <= fits * 4), major)
        return [(major, 0), (minor, 0)]

    def tickStrings(self, values, scale, spacing):
        out = []
        for v in values:
            minutes = int(round(v * 60))
            out.append("24:00" if minutes >= 1440 else f"{minutes // 60:02d}:{minutes % 60:02d}")
        return out


class _Box(pg.ViewBox):
    """A view box that reports left and right clicks (in view coordinates) instead of its own menu."""

    def __init__(self, chart: TimelineChart):
        super().__init__(enableMenu=False)
        self.chart = chart

    def mouseClickEvent(self, ev):
        point = self.mapSceneToView(ev.scenePos())
        if ev.button() == Qt.MouseButton.RightButton:
            ev.accept()
            self.chart.context_at(point.x(), point.y(), ev.screenPos().toPoint())
        elif ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self.chart.clicked_at(point.x(), point.y())


@dataclass(frozen=True)
class Row:
    """One lane (day view: an app) or one day (week view) with its bars in hours since that row's midnight."""

    name: str
    day_start: float
    pieces: list[data.Span]
    starts: list[float]


class TimelineChart(pg.PlotWidget):
    """`show_period(period)` draws a day (lanes per app) or a week (a row per day)."""

    piece_menu = Signal(object, QPoint)  # (data.Span, global position): the dashboard offers its menu
    piece_clicked = Signal(object)

    def __init__(self, colors: theme.Colors, parent: QWidget | None = None):
        self.box = _Box(self)
        self.axis = ClockAxis("bottom")
        super().__init__(parent, background=colors.surface, viewBox=self.box, axisItems={"bottom": self.axis})
        self.colors = colors
        self.hideButtons()
        self.box.setMouseEnabled(x=True, y=False)
        self.box.setLimits(xMin=0, xMax=24, minXRange=MIN_RANGE_H)
        item = self.getPlotItem()
        for side in ("left", "bottom"):
            axis = item.getAxis(side)
            axis.setPen(pg.mkPen(colors.border))
            axis.setTextPen(pg.mkPen(colors.muted))
        item.showGrid(x=True, y=False, alpha=0.12)
        self.setMinimumHeight(220)
        self.rows: list[Row] = []
        self.marks: list[tuple[float, float, data.Mark]] = []  # (x hours, y, mark)
        self.lanes: list[str] = []
        self.bar_count = 0
        self.mark_count = 0
        self.period: data.Period | None = None
        self.fit_range = (0.0, 24.0)
        self.highlight: pg.LinearRegionItem | None = None
        self.empty = pg.TextItem("", color=colors.muted, anchor=(0.5, 0.5))
        self.hover_label = pg.TextItem("", color=colors.text, fill=pg.mkBrush(_alpha(colors.surface, 0.95)),
                                       border=pg.mkPen(colors.border))
        self.hover_label.setZValue(100)
        self.scene().sigMouseMoved.connect(self._hover)

    # ------------------------------------------------------------ drawing

    def show_period(self, period: data.Period, keep_view: bool = False) -> None:
        """Draw `period`; `keep_view` keeps the zoom when it is the same day or week as before (a refresh)."""
        same = self.period is not None and (self.period.start, self.period.days) == (period.start, period.days)
        old = self.box.viewRange()[0] if keep_view and same and self.bar_count else None
        self.clear()  # (the hover label too: it is added again on the next hover)
        self.highlight = None
        self.period = period
        self.rows = self._rows(period)
        if not period.pieces and not period.marks:
            self.bar_count = self.mark_count = 0
            self._say_empty("Nothing recorded on this day." if period.days == 1 else "Nothing recorded this week.")
            return
        top = len(self.rows)
        self._draw_away(period, top)
        self.bar_count = 0
        for y, row in enumerate(self.rows):
            self._draw_row(row, y)
        self._draw_marks(period, top)
        ticks = [(self._y(i) + 0.5, _short(r.name, 22)) for i, r in enumerate(self.rows)]
        self._left_ticks(ticks + ([(top + 0.5, "suggestions")] if period.days == 1 else []))
        if period.days == 1:
            starts = [self._x(p.start, period.start) for p in period.pieces]
            ends = [self._x(p.end, period.start) for p in period.pieces]
        else:  # a week: the hours of any day
            starts = [self._x(p.start, r.day_start) for r in self.rows for p in r.pieces]
            ends = [self._x(p.end, r.day_start) for r in self.rows for p in r.pieces]
        starts += [x for x, _, _ in self.marks]
        lo = float(np.floor(min(starts)))
        hi = float(min(24.0, np.ceil(max(ends + starts))))
        if hi - lo < 2:  # a short day still gets an axis with a few hours on it
            lo = max(0.0, min(lo, 22.0))
            hi = lo + 2.0
        self.fit_range = (lo, hi)
        self.setYRange(-0.2, top + (1.1 if period.days == 1 else 0.2), padding=0)
        self.box.setXRange(*(old if old else self.fit_range), padding=0)

    def _rows(self, period: data.Period) -> list[Row]:
        if period.days == 1:
            apps = [a for a, _ in period.apps]
            self.lanes = apps[:TIMELINE_LANES]
            lane = {a: i for i, a in enumerate(self.lanes)}
            grouped: list[list[data.Span]] = [[] for _ in range(len(self.lanes) + (len(apps) > TIMELINE_LANES))]
            for p in period.pieces:
                grouped[lane.get(p.app, len(self.lanes))].append(p)
            names = self.lanes + (["other apps"] if len(apps) > TIMELINE_LANES else [])
            return [Row(n, period.start, g, [p.start for p in g]) for n, g in zip(names, grouped, strict=True)]
        self.lanes = []
        rows = []
        for d in range(period.days):
            lo, hi = data.shift_day(period.start, d), data.shift_day(period.start, d + 1)
            day = [p for p in period.pieces if lo <= p.start < hi]
            rows.append(Row(f"{dt.datetime.fromtimestamp(lo):%a %d}", lo, day, [p.start for p in day]))
        return rows

    @staticmethod
    def _x(ts: float, day_start: float) -> float:
        return (ts - day_start) / 3600.0

    def _y(self, index: int) -> float:
        """Rows are drawn top to bottom: the first row (longest app, or Monday) on top."""
        return len(self.rows) - 1 - index

    def _draw_row(self, row: Row, index: int) -> None:
        if not row.pieces:
            return
        by_color: dict[str, list[data.Span]] = {}
        for p in row.pieces:
            by_color.setdefault(color_for(p.app), []).append(p)
        for color, pieces in by_color.items():
            x0 = np.array([self._x(p.start, row.day_start) for p in pieces])
            x1 = np.array([max(self._x(p.end, row.day_start), self._x(p.start, row.day_start) + 0.003)
                           for p in pieces])  # >= about 10 s wide: a short stay stays visible
            self.addItem(pg.BarGraphItem(x0=x0, x1=x1, y0=self._y(index) + 0.15, height=0.7, pen=pg.mkPen(None),
                                         brush=pg.mkBrush(color)))
        self.bar_count += len(row.pieces)

    def _draw_away(self, period: data.Period, top: int) -> None:
        if not period.away:
            return
        brush = pg.mkBrush(_alpha(self.colors.muted, 0.22))
        if period.days == 1:
            x0 = np.array([self._x(a.start, period.start) for a in period.away])
            x1 = np.array([self._x(a.end, period.start) for a in period.away])
            self.addItem(pg.BarGraphItem(x0=x0, x1=x1, y0=-0.2, height=top + 0.2, pen=pg.mkPen(None), brush=brush))
            return
        for index, row in enumerate(self.rows):
            end = data.shift_day(row.day_start, 1)
            cut = [(max(a.start, row.day_start), min(a.end, end)) for a in period.away
                   if a.end > row.day_start and a.start < end]
            if cut:
                self.addItem(pg.BarGraphItem(
                    x0=np.array([self._x(s, row.day_start) for s, _ in cut]),
                    x1=np.array([self._x(e, row.day_start) for _, e in cut]),
                    y0=self._y(index) + 0.05, height=0.9, pen=pg.mkPen(None), brush=brush))

    def _draw_marks(self, period: data.Period, top: int) -> None:
        self.marks = []
        for mark in period.marks:
            if period.days == 1:
                self.marks.append((self._x(mark.time, period.start), top + 0.5, mark))
            else:
                index = next((i for i, r in enumerate(self.rows)
                              if r.day_start <= mark.time < data.shift_day(r.day_start, 1)), None)
                if index is not None:
                    self.marks.append((self._x(mark.time, self.rows[index].day_start), self._y(index) + 0.5, mark))
        self.mark_count = len(self.marks)
        if not self.marks:
            return
        colour = {"accepted": self.colors.ok, "rejected": self.colors.danger, "not-now": self.colors.warn}
        spots = [{"pos": (x, y), "symbol": ANSWER_SYMBOL.get(m.label, "o"), "size": 12,
                  "brush": pg.mkBrush(colour.get(m.label or "", self.colors.accent)),
                  "pen": pg.mkPen(self.colors.surface)} for x, y, m in self.marks]
        self.addItem(pg.ScatterPlotItem(spots=spots))

    def _left_ticks(self, ticks: list[tuple[float, str]]) -> None:
        axis = self.getPlotItem().getAxis("left")
        axis.setTicks([ticks])
        metrics = QFontMetrics(axis.style.get("tickFont") or self.font())
        axis.setWidth(max([metrics.horizontalAdvance(label) for _, label in ticks] + [40]) + 18)

    def _say_empty(self, text: str) -> None:
        self.empty.setText(text)
        self.addItem(self.empty)
        self.empty.setPos(12, 0.5)
        self.box.setXRange(0, 24, padding=0)
        self.setYRange(0, 1)
        self.getPlotItem().getAxis("left").setTicks([[]])

    # ------------------------------------------------------------ zoom

    def fit(self) -> None:
        self.box.setXRange(*self.fit_range, padding=0)

    def zoom(self, factor: float) -> None:
        """factor < 1 zooms in around the middle of what is shown."""
        lo, hi = self.box.viewRange()[0]
        mid, half = (lo + hi) / 2, max((hi - lo) * factor / 2, MIN_RANGE_H / 2)
        self.box.setXRange(max(0.0, mid - half), min(24.0, mid + half), padding=0)

    def show_moment(self, start: float, end: float) -> None:
        """Zoom to [start, end] (epoch seconds, within the period shown) with some room, and highlight it."""
        if self.period is None:
            return
        day = self.period.start if self.period.days == 1 else data.start_of_day(start)
        x0, x1 = self._x(start, day), self._x(max(end, start + 30), day)
        pad = max((x1 - x0) * 0.6, 10 / 60)
        self.box.setXRange(max(0.0, x0 - pad), min(24.0, x1 + pad), padding=0)
        if self.highlight is not None:
            self.removeItem(self.highlight)
        self.highlight = pg.LinearRegionItem((x0, x1), movable=False, brush=pg.mkBrush(_alpha(self.colors.accent,
                                                                                               0.18)))
        self.highlight.setZValue(-10)
        self.addItem(self.highlight)

    # ------------------------------------------------------------ what is under the pointer

    def piece_at(self, x: float, y: float) -> data.Span | None:
        """The bar at (hours, lane) in view coordinates, or None."""
        index = len(self.rows) - 1 - int(np.floor(y)) if y >= 0 else -1
        if not 0 <= index < len(self.rows) or not 0.1 <= y - np.floor(y) <= 0.9:
            return None
        row = self.rows[index]
        ts = row.day_start + x * 3600
        slack = self._pixel_hours() * 3 * 3600  # a few pixels either side: short stays can be hovered too
        i = bisect.bisect_right(row.starts, ts + slack) - 1
        best = None
        while i >= 0 and row.pieces[i].end >= ts - slack - 6 * 3600:
            p = row.pieces[i]
            if p.start - slack <= ts <= p.end + slack:
                distance = 0.0 if p.start <= ts <= p.end else min(abs(ts - p.start), abs(ts - p.end))
                if best is None or distance < best[0]:
                    best = (distance, p)
                if distance == 0:
                    break
            i -= 1
        return best[1] if best else None

    def mark_at(self, x: float, y: float) -> data.Mark | None:
        px = self._pixel_hours()
        near = [(abs(mx - x), m) for mx, my, m in self.marks if abs(my - y) < 0.45 and abs(mx - x) < px * 8]
        return min(near, key=lambda t: t[0])[1] if near else None

    def describe_at(self, x: float, y: float) -> str:
        """The hover text at (hours, lane): app, title, start-end and duration; or a suggestion and its answer."""
        mark = self.mark_at(x, y)
        if mark is not None:
            return (f"Suggestion at {dt.datetime.fromtimestamp(mark.time):%H:%M}: {mark.task}\n"
                    f"Answer: {ANSWER_TEXT.get(mark.label, mark.label)}")
        piece = self.piece_at(x, y)
        if piece is None:
            return ""
        lines = [f"{piece.app}", piece.title[:120]] if piece.title else [piece.app]
        lines.append(f"{dt.datetime.fromtimestamp(piece.start):%H:%M:%S}–{dt.datetime.fromtimestamp(piece.end):%H:%M:%S}"
                     f"  ·  {data.exact_text(piece.seconds)}")
        if self.period is not None:
            lines.append(f"Category: {self.period.category(piece)}")
        return "\n".join(lines)

    def _pixel_hours(self) -> float:
        lo, hi = self.box.viewRange()[0]
        return (hi - lo) / max(1.0, self.box.width())

    def _hover(self, pos: QPointF) -> None:
        """Show what is under the pointer in a label beside it (inside the chart, so it never hides the bar)."""
        point = self.box.mapSceneToView(pos) if self.rows and self.box.sceneBoundingRect().contains(pos) else None
        text = self.describe_at(point.x(), point.y()) if point is not None else ""
        if not text:
            self.hover_label.hide()
            return
        lines = text.split("\n")
        self.hover_label.setHtml(f"<b>{escape(lines[0])}</b><br>" + "<br>".join(escape(line) for line in lines[1:]))
        lo, hi = self.box.viewRange()[0]
        width = self.hover_label.boundingRect().width() * (hi - lo) / max(1.0, self.box.width())  # in hours
        x, anchor = point.x() + 0.01 * (hi - lo), 0.0  # to the right of the pointer when it fits,
        if x + width > hi:
            x, anchor = point.x() - 0.01 * (hi - lo), 1.0  # else to its left,
            if x - width < lo:
                x, anchor = lo, 0.0  # else from the left edge
        self.hover_label.setAnchor((anchor, 1.0 if point.y() < len(self.rows) / 2 else 0.0))
        self.hover_label.setPos(x, point.y())
        if self.hover_label.scene() is None:
            self.addItem(self.hover_label, ignoreBounds=True)
        self.hover_label.show()

    def context_at(self, x: float, y: float, where: QPoint) -> None:
        piece = self.piece_at(x, y)
        if piece is not None:
            self.piece_menu.emit(piece, where)

    def clicked_at(self, x: float, y: float) -> None:
        piece = self.piece_at(x, y)
        if piece is not None:
            self.piece_clicked.emit(piece)


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _alpha(color: QColor, alpha: float) -> QColor:
    out = QColor(color)
    out.setAlphaF(alpha)
    return out


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"
