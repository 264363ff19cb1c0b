"""The dashboard's charts (pyqtgraph): time per app or category, answers over days (the timeline: ui/timeline.py).

Each chart takes plain values from ui/data.py and redraws from scratch; every series is one graphics item
(numpy arrays), so a day with thousands of focus changes is still a handful of items to paint.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QCursor, QFontMetrics
from PySide6.QtWidgets import QToolTip, QWidget

from ui import data, theme


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


class BarsChart(_Chart):
    """Horizontal bars: time per app or per category, longest on top, each in its stable colour, with its time
    written beside it (rounded together with the others, so the rows add up to the total shown)."""

    def __init__(self, colors: theme.Colors, empty_text: str, parent: QWidget | None = None):
        super().__init__(colors, parent)
        self.empty_text = empty_text
        self.names: list[str] = []
        self.figures: list[data.Figure] = []
        self.scene().sigMouseMoved.connect(self._hover)

    def show_figures(self, figures: list[data.Figure]) -> None:
        self.clear()
        self.figures = figures
        self.names = [f.name for f in figures]
        if not figures:
            self.say_empty(self.empty_text)
            return
        n = len(figures)
        values = np.array([f.seconds / 3600.0 for f in figures])
        ys = np.arange(n)[::-1].astype(float)  # longest on top
        self.addItem(pg.BarGraphItem(x0=np.zeros(n), width=values, y=ys, height=0.65,
                                     brushes=[pg.mkBrush(f.color) for f in figures], pen=pg.mkPen(None)))
        top = float(values.max()) or 1.0
        for y, figure, v in zip(ys, figures, values, strict=True):
            label = pg.TextItem(figure.text, color=self.colors.text, anchor=(0, 0.5))
            label.setPos(v + top * 0.02, y)
            self.addItem(label)
        self.set_left_ticks([(y, _short(f.name, 18)) for y, f in zip(ys, figures, strict=True)])
        self.getPlotItem().hideAxis("bottom")  # the times are written beside the bars
        self.setXRange(0, top * 1.45, padding=0)  # room for the time written beside the longest bar
        self.setYRange(-0.6, n - 0.4, padding=0)

    def figure_at(self, y: float) -> data.Figure | None:
        index = len(self.figures) - 1 - int(round(y))
        return self.figures[index] if 0 <= index < len(self.figures) else None

    def _hover(self, pos) -> None:
        box = self.getPlotItem().getViewBox()
        figure = self.figure_at(box.mapSceneToView(pos).y()) if box.sceneBoundingRect().contains(pos) else None
        if figure is None:
            QToolTip.hideText()
            return
        detail = f"\n{figure.detail}" if figure.detail else ""
        QToolTip.showText(QCursor.pos(), f"{figure.name}: {data.exact_text(figure.seconds)}{detail}", self)


class AnswersChart(_Chart):
    """Per day: accepted, rejected, not now and ignored cards, stacked; the share accepted (ignored cards counted)
    as a line on its own 0-100 % axis on the right."""

    def __init__(self, colors: theme.Colors, parent: QWidget | None = None):
        super().__init__(colors, parent)
        self.days: list[data.DayAnswers] = []
        plot = self.getPlotItem()
        self.legend = plot.addLegend(offset=(10, 4), labelTextColor=colors.text, colCount=5,
                                     brush=pg.mkBrush(_alpha(colors.surface, 0.9)))
        self.rate_box = pg.ViewBox(enableMenu=False)
        self.rate_box.setMouseEnabled(x=False, y=False)
        plot.showAxis("right")
        right = plot.getAxis("right")
        right.setPen(pg.mkPen(colors.border))
        right.setTextPen(pg.mkPen(colors.muted))
        right.linkToView(self.rate_box)
        right.setTicks([[(0, "0 %"), (50, "50 %"), (100, "100 %")]])
        plot.scene().addItem(self.rate_box)
        self.rate_box.setXLink(plot.getViewBox())
        self.rate_box.setYRange(0, 135, padding=0)
        plot.getViewBox().sigResized.connect(
            lambda *_: self.rate_box.setGeometry(plot.getViewBox().sceneBoundingRect()))

    def show_days(self, days: list[data.DayAnswers]) -> None:
        self.clear()
        self.rate_box.clear()
        self.legend.clear()
        self.days = days
        if not days:
            self.say_empty("No suggestions shown in the last two weeks.")
            return
        self.getPlotItem().showAxis("bottom")
        x = np.arange(len(days), dtype=float)
        c = self.colors
        bottom = np.zeros(len(days))
        for name, values, colour in (
                ("accepted", [d.accepted for d in days], c.ok),
                ("rejected", [d.rejected for d in days], c.danger),
                ("not now", [d.not_now for d in days], c.warn),
                ("ignored", [d.ignored for d in days], c.muted)):
            heights = np.array(values, dtype=float)
            bars = pg.BarGraphItem(x=x, y0=bottom, height=heights, width=0.6, brush=pg.mkBrush(colour),
                                   pen=pg.mkPen(None))
            self.addItem(bars)
            self.legend.addItem(bars, name)
            bottom = bottom + heights
        peak = float(bottom.max()) or 1.0
        rate = [(i, 100 * d.acceptance) for i, d in enumerate(days) if d.acceptance is not None]
        if rate:
            line = pg.PlotDataItem([r[0] for r in rate], [r[1] for r in rate], pen=pg.mkPen(c.accent, width=2),
                                   symbol="o", symbolSize=6, symbolBrush=c.accent)
            self.rate_box.addItem(line)
            self.legend.addItem(line, "accepted, % (right axis)")
        self.getPlotItem().getAxis("bottom").setTicks([[(i, d.day[5:]) for i, d in enumerate(days)]])
        step = max(1, int(np.ceil(peak / 5)))
        self.getPlotItem().getAxis("left").setTicks([[(v, str(v)) for v in range(0, int(peak) + step, step)]])
        self.setXRange(-0.6, len(days) - 0.4, padding=0)
        self.setYRange(0, peak * 1.35 + 1, padding=0)  # room for the legend above the bars
        self.rate_box.setGeometry(self.getPlotItem().getViewBox().sceneBoundingRect())


def _alpha(color: QColor, alpha: float) -> QColor:
    out = QColor(color)
    out.setAlphaF(alpha)
    return out


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"
