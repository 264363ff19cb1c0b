"""Colours, fonts, icons and style sheets shared by the windows.

Every colour is derived from the application palette (window, text, highlight roles), so the UI follows the
desktop's light or dark theme; only the semantic accents (ok / warn / danger) are fixed hues, adjusted for
the background's lightness.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QPalette

ICONS = Path(__file__).resolve().parent / "icons"
SPACING = 12
RADIUS = 12


def icon(name: str) -> QIcon:
    """An icon from ui/icons (`assistant`, `assistant-paused`)."""
    return QIcon(str(ICONS / f"{name}.svg"))


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    """`t` of the way from a to b."""
    return QColor.fromRgbF(a.redF() + (b.redF() - a.redF()) * t, a.greenF() + (b.greenF() - a.greenF()) * t,
                           a.blueF() + (b.blueF() - a.blueF()) * t)


@dataclass(frozen=True)
class Colors:
    window: QColor
    surface: QColor  # cards and panels, one step off the window colour
    text: QColor
    muted: QColor
    border: QColor
    accent: QColor
    accent_text: QColor
    ok: QColor
    warn: QColor
    danger: QColor
    dark: bool

    @staticmethod
    def from_palette(palette: QPalette | None = None) -> Colors:
        p = palette or QGuiApplication.palette()
        window = p.color(QPalette.ColorRole.Window)
        text = p.color(QPalette.ColorRole.WindowText)
        dark = window.lightnessF() < 0.5
        surface = p.color(QPalette.ColorRole.Base)
        if abs(surface.lightnessF() - window.lightnessF()) < 0.02:
            surface = window.lighter(112) if dark else window.lighter(104)
        return Colors(
            window=window,
            surface=surface,
            text=text,
            muted=_mix(text, window, 0.42),
            border=_mix(text, window, 0.82),
            accent=p.color(QPalette.ColorRole.Highlight),
            accent_text=p.color(QPalette.ColorRole.HighlightedText),
            ok=QColor("#5cc48a" if dark else "#2e8b57"),
            warn=QColor("#e7b14f" if dark else "#a86a00"),
            danger=QColor("#ef7b7b" if dark else "#c0392b"),
            dark=dark,
        )


def css(color: QColor, alpha: float | None = None) -> str:
    if alpha is None:
        return color.name()
    return f"rgba({color.red()},{color.green()},{color.blue()},{alpha:.2f})"


def scaled_font(base: QFont, factor: float, weight: QFont.Weight | None = None) -> QFont:
    font = QFont(base)
    size = base.pointSizeF() if base.pointSizeF() > 0 else 10.0
    font.setPointSizeF(size * factor)
    if weight is not None:
        font.setWeight(weight)
    return font


def buttons_css(c: Colors) -> str:
    """Primary (objectName 'primary'), danger-outlined ('danger'), plain and chip (class 'chip') buttons."""
    return f"""
    QPushButton {{
        background: {css(c.surface)}; color: {css(c.text)};
        border: 1px solid {css(c.border)}; border-radius: 8px; padding: 6px 14px;
    }}
    QPushButton:hover {{ background: {css(c.accent, 0.10)}; border-color: {css(c.accent, 0.55)}; }}
    QPushButton:pressed {{ background: {css(c.accent, 0.20)}; }}
    QPushButton:disabled {{ color: {css(c.muted)}; }}
    QPushButton#primary {{
        background: {css(c.accent)}; color: {css(c.accent_text)}; border: 1px solid {css(c.accent)};
        font-weight: 600;
    }}
    QPushButton#primary:hover {{ background: {css(c.accent.lighter(110))}; }}
    QPushButton#danger {{ color: {css(c.danger)}; }}
    QPushButton#danger:hover {{ background: {css(c.danger, 0.10)}; border-color: {css(c.danger, 0.6)}; }}
    QPushButton[chip="true"] {{ border-radius: 12px; padding: 5px 12px; }}
    QPushButton[flat="true"] {{ border: none; background: transparent; color: {css(c.muted)}; }}
    QPushButton[flat="true"]:hover {{ color: {css(c.text)}; }}
    """


def window_css(c: Colors) -> str:
    """Dashboard and settings: panels ('panel' objects), section titles, tables, inputs."""
    return buttons_css(c) + f"""
    QFrame#panel {{ background: {css(c.surface)}; border: 1px solid {css(c.border)}; border-radius: {RADIUS}px; }}
    QLabel#title {{ font-weight: 600; }}
    QLabel#muted {{ color: {css(c.muted)}; }}
    QLabel#problem {{ color: {css(c.danger)}; }}
    QLabel#warning {{
        color: {css(c.warn)}; background: {css(c.warn, 0.10)}; border: 1px solid {css(c.warn, 0.45)};
        border-radius: 8px; padding: 8px 10px;
    }}
    QTableWidget, QListWidget, QPlainTextEdit {{
        background: {css(c.surface)}; border: 1px solid {css(c.border)}; border-radius: 8px;
        gridline-color: transparent;
    }}
    QTableWidget::item, QListWidget::item {{ padding: 4px 6px; }}
    QHeaderView::section {{
        background: transparent; color: {css(c.muted)}; border: none;
        border-bottom: 1px solid {css(c.border)}; padding: 6px; font-weight: 600;
    }}
    QTabWidget::pane {{ border: none; }}
    QTabBar::tab {{
        padding: 7px 16px; border: none; border-bottom: 2px solid transparent; color: {css(c.muted)};
    }}
    QTabBar::tab:selected {{ color: {css(c.text)}; border-bottom: 2px solid {css(c.accent)}; }}
    QLineEdit {{
        padding: 4px 6px; border: 1px solid {css(c.border)}; border-radius: 6px; background: {css(c.surface)};
    }}
    QLineEdit:disabled {{ color: {css(c.muted)}; background: transparent; }}
    QScrollArea, QWidget#page {{ background: transparent; }}
    """
