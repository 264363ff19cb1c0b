"""Cheap checks of what the desktop offers, done before any platform library is imported.

pywinctl exits the process on import when `xrandr` is missing and pynput raises without DISPLAY, so
collectors call these first and stay disabled with the returned reason.
"""

from __future__ import annotations

import os
import shutil
import sys

IS_LINUX = sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd"))


def x11_problem(need_record: bool = False) -> str | None:
    """None when an X server is reachable on this Unix desktop, else why not (human readable)."""
    if not IS_LINUX:
        return None
    display = os.environ.get("DISPLAY")
    if not display:
        if os.environ.get("WAYLAND_DISPLAY"):
            return "Wayland session without X (DISPLAY unset): the X11 backend cannot run here"
        return "no X display (DISPLAY unset)"
    try:
        from Xlib import display as xdisplay
        from Xlib.error import DisplayError
    except ImportError as exc:
        return f"python-xlib is not installed ({exc})"
    try:
        conn = xdisplay.Display(display)
    except (DisplayError, OSError, Exception) as exc:  # noqa: BLE001 - any failure means "no X"
        return f"cannot open X display {display} ({exc})"
    try:
        if need_record and not conn.has_extension("RECORD"):
            return f"the X server on {display} lacks the RECORD extension needed to see input"
    finally:
        conn.close()
    return None


def pywinctl_problem() -> str | None:
    """Why importing pywinctl would fail or kill the process here (used off Linux, or as a fallback)."""
    if IS_LINUX:
        problem = x11_problem()
        if problem:
            return problem
        if not shutil.which("xrandr"):
            return "xrandr is not installed (pywinctl needs it)"
    return None
