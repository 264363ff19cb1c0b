"""Where windows go and how they may be drawn: on the screen's free area, translucent only with a compositor."""

from __future__ import annotations

import os

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

TITLE_BAR = 40  # room kept above a window for a title bar the window manager adds (not known before mapping)
EDGE = 12


def available_area(widget: QWidget | None = None) -> QRect:
    """The screen's area without panels and docks (the one the widget is on, else the primary one)."""
    screen = (widget.screen() if widget is not None else None) or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1280, 800)


def fit_on_screen(widget: QWidget) -> None:
    """Shrink `widget` to the free area if needed and place it so its title bar is on screen, under any top
    panel (centred; a window that is already wholly inside the area stays where it is)."""
    area = available_area(widget)
    width = min(widget.width(), area.width() - 2 * EDGE)
    height = min(widget.height(), area.height() - TITLE_BAR - EDGE)
    if (width, height) != (widget.width(), widget.height()):
        widget.resize(max(width, 200), max(height, 150))
    frame = widget.frameGeometry()
    inside = (frame.top() >= area.top() and frame.left() >= area.left() and frame.right() <= area.right()
              and frame.bottom() <= area.bottom())
    if widget.isVisible() and inside and frame.top() > area.top() + 1:
        return
    x = area.left() + max(EDGE, (area.width() - widget.width()) // 2)
    y = area.top() + max(TITLE_BAR, (area.height() - widget.height()) // 2)
    widget.move(x, y)


def has_compositor() -> bool:
    """True when translucent windows will look right: on X11 only if a compositing manager owns
    _NET_WM_CM_S<screen>; Wayland always composites; other platforms (offscreen, macOS, Windows) do too."""
    if QGuiApplication.platformName() != "xcb":
        return True
    try:
        from Xlib import X
        from Xlib.display import Display
        from Xlib.error import DisplayError
    except ImportError:
        return False
    try:
        display = Display(os.environ.get("DISPLAY"))
    except (DisplayError, OSError, ValueError):
        return False
    try:
        atom = display.intern_atom(f"_NET_WM_CM_S{display.get_default_screen()}")
        owner = display.get_selection_owner(atom)
        return owner not in (X.NONE, None) and getattr(owner, "id", owner) != X.NONE
    finally:
        display.close()
