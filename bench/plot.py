"""A small line chart written as PNG with Qt's painter (PySide6 is already a dependency; no display needed)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from pathlib import Path

WIDTH, HEIGHT, MARGIN = 720, 420, 60
COLOURS = ("#c0392b", "#2471a3", "#229954", "#7d3c98", "#d68910", "#17a589", "#5d6d7e", "#000000", "#e91e63")


def line_chart(
    path: Path,
    title: str,
    x: Sequence[float],
    series: dict[str, Sequence[float]],
    x_label: str,
    y_label: str,
) -> Path:
    """Draw `series` (name -> y values, one per x) on a 0..1 y axis and save a PNG at `path`."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QFontMetrics, QGuiApplication, QImage, QPainter, QPen

    app = QGuiApplication.instance() or QGuiApplication([])  # fonts need an application object
    legend_w = 45 + max(QFontMetrics(QFont("DejaVu Sans", 9)).horizontalAdvance(name) for name in series)
    width = WIDTH + legend_w  # the legend sits right of the plot, never over the lines
    image = QImage(width, HEIGHT, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setFont(QFont("DejaVu Sans", 9))
    left, top, right, bottom = MARGIN, 40, WIDTH - 20, HEIGHT - MARGIN
    x_low, x_high = min(x), max(x) if max(x) > min(x) else min(x) + 1

    def point(xv: float, yv: float) -> QPointF:
        return QPointF(
            left + (xv - x_low) / (x_high - x_low) * (right - left),
            bottom - max(0.0, min(1.0, yv)) * (bottom - top),
        )

    painter.setPen(QPen(QColor("#dddddd"), 1))
    for i in range(11):
        y = bottom - i / 10 * (bottom - top)
        painter.drawLine(QPointF(left, y), QPointF(right, y))
    painter.setPen(QPen(QColor("black"), 1))
    painter.drawLine(QPointF(left, bottom), QPointF(right, bottom))
    painter.drawLine(QPointF(left, top), QPointF(left, bottom))
    for i in range(0, 11, 2):
        y = bottom - i / 10 * (bottom - top)
        painter.drawText(QRectF(0, y - 8, left - 6, 16), Qt.AlignmentFlag.AlignRight, f"{i / 10:.1f}")
    for xv in x:
        p = point(xv, 0)
        painter.drawText(QRectF(p.x() - 20, bottom + 4, 40, 16), Qt.AlignmentFlag.AlignCenter, f"{xv:g}")
    painter.drawText(QRectF(left, HEIGHT - 28, right - left, 18), Qt.AlignmentFlag.AlignCenter, x_label)
    painter.save()
    painter.translate(14, (top + bottom) / 2)
    painter.rotate(-90)
    painter.drawText(QRectF(-100, -8, 200, 16), Qt.AlignmentFlag.AlignCenter, y_label)
    painter.restore()
    bold = QFont("DejaVu Sans", 11)
    bold.setBold(True)
    painter.setFont(bold)
    painter.drawText(QRectF(0, 8, width, 22), Qt.AlignmentFlag.AlignCenter, title)
    painter.setFont(QFont("DejaVu Sans", 9))
    for n, (name, ys) in enumerate(series.items()):
        colour = QColor(COLOURS[n % len(COLOURS)])
        painter.setPen(QPen(colour, 3.5 if name.startswith("mean") else 1.5))  # averages stand out
        points = [point(xv, yv) for xv, yv in zip(x, ys)]
        for a, b in itertools.pairwise(points):
            painter.drawLine(a, b)
        for p in points:
            painter.drawEllipse(p, 3, 3)
        legend_y = top + 8 + 18 * n
        painter.drawLine(QPointF(right + 15, legend_y), QPointF(right + 40, legend_y))
        painter.setPen(QPen(QColor("black"), 1))
        painter.drawText(QRectF(right + 45, legend_y - 8, legend_w, 16), Qt.AlignmentFlag.AlignLeft, name)
    painter.end()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(path), "PNG"):
        raise OSError(f"{path}: could not write the PNG")
    del app
    return path
