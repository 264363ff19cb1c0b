"""Is there a graphical session to show the tray on? Checked without letting Qt abort the process."""

from __future__ import annotations

import os

NO_DISPLAY_PLATFORMS = ("offscreen", "minimal", "vnc", "eglfs", "linuxfb")  # Qt platforms that need no X server


def x_display_reachable(name: str) -> str:
    """'' when the X server `name` accepts a connection, else why not (checked with python-xlib, so Qt never
    gets to abort the process with SIGABRT over it)."""
    try:
        from Xlib.display import Display
        from Xlib.error import DisplayError
    except ImportError:
        return ""  # cannot check: let Qt try
    try:
        Display(name).close()
    except (DisplayError, OSError, ValueError, IndexError) as exc:
        return f"cannot open display {name} ({exc})".replace("\n", " ")
    except Exception as exc:  # noqa: BLE001 - an X server that answers nonsense is not a usable display
        return f"cannot open display {name} ({type(exc).__name__}: {exc})"
    return ""


def display_available() -> tuple[bool, str]:
    """Whether a graphical session is reachable, with the reason when it is not."""
    if os.name == "nt" or os.uname().sysname == "Darwin":
        return True, ""
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0]
    if platform in NO_DISPLAY_PLATFORMS or (platform == "wayland" and os.environ.get("WAYLAND_DISPLAY")):
        return True, ""
    if os.environ.get("DISPLAY") and platform != "wayland":
        why = x_display_reachable(os.environ["DISPLAY"])
        return (not why), why
    if os.environ.get("WAYLAND_DISPLAY"):
        return False, "Wayland session without X (DISPLAY unset)"
    return False, "no display (DISPLAY unset)"
