"""What every active-window source returns: the focused window, or None when no window has focus."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WindowInfo:
    window_id: int | str
    title: str
    pid: int | None
    wm_class: str | None  # X11 WM_CLASS, Wayland app_id or KWin resourceClass: the app name without a PID
    wm_instance: str | None = None  # X11 WM_CLASS instance part (the first string), when there is one
