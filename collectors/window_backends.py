"""Where the active window comes from: one `WindowBackend` per desktop, chosen from the session.

    choose(choice, session) -> WindowBackend   # choice: collectors.window.backend ("auto" or a name)

A backend has a name, a short description for `status`, a cheap `problem()` check (None when it can run)
and `open()` returning a source with ``active() -> WindowInfo | None`` and ``close()``; sources that are told
about changes also have ``fileno()`` (select() on it) and ``drain() -> bool`` (apply what arrived; True when
the window may have changed). Platform libraries are imported in problem()/open() only.

| session                       | backend  | how                                                            |
| X11, or Wayland with XWayland | x11      | python-xlib, PropertyNotify events                             |
| sway (SWAYSOCK)               | sway     | i3 IPC window/workspace events                                 |
| Hyprland                      | hyprland | socket2 events, details from its request socket                |
| KDE Plasma                    | kwin     | a KWin script loaded over D-Bus calls us back on activation    |
| GNOME                         | gnome    | the shipped GNOME Shell extension signals over D-Bus           |
| other wlroots compositors     | wlr      | wlr-foreign-toplevel-management-unstable-v1 (pywayland)        |
| Windows, macOS                | pywinctl | polled                                                         |
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from collectors.desktop import IS_LINUX, pywinctl_problem, x11_problem
from collectors.session import Session
from collectors.window_info import WindowInfo


@dataclass(frozen=True)
class WindowBackend:
    name: str
    describe: str
    problem: Callable[[], str | None]
    open: Callable[[], Any]
    evented: bool = True


class PywinctlActiveWindow:
    """Fallback source for Windows and macOS (polled)."""

    def __init__(self) -> None:
        import pywinctl  # lazy: see desktop.pywinctl_problem

        self._pwc = pywinctl

    def active(self) -> WindowInfo | None:
        win = self._pwc.getActiveWindow()
        if win is None:
            return None
        return WindowInfo(0, win.title or "", win.getPID(), None)

    def close(self) -> None:
        pass


def _open_x11() -> Any:
    from collectors.x11_window import X11ActiveWindow

    return X11ActiveWindow()


def _open_sway() -> Any:
    from collectors.sway_ipc import SwayActiveWindow

    return SwayActiveWindow()


def _sway_problem() -> str | None:
    from collectors.sway_ipc import sway_problem

    return sway_problem()


def _open_hyprland() -> Any:
    from collectors.hyprland import HyprlandActiveWindow

    return HyprlandActiveWindow()


def _hyprland_problem() -> str | None:
    from collectors.hyprland import hyprland_problem

    return hyprland_problem()


def _open_wlr() -> Any:
    from collectors.wlr_toplevel import ForeignToplevelWindow

    return ForeignToplevelWindow()


def _wlr_problem() -> str | None:
    from collectors.wlr_toplevel import foreign_toplevel_problem

    return foreign_toplevel_problem()


def _open_kwin() -> Any:
    from collectors.kwin import KWinActiveWindow

    return KWinActiveWindow()


def _kwin_problem() -> str | None:
    from collectors.kwin import kwin_problem

    return kwin_problem()


def _open_gnome() -> Any:
    from collectors.gnome_shell import GnomeActiveWindow

    return GnomeActiveWindow()


def _gnome_problem() -> str | None:
    from collectors.gnome_shell import gnome_problem

    return gnome_problem()


def x11(note: str = "") -> WindowBackend:
    return WindowBackend("x11", "X11 window events" + note, x11_problem, _open_x11)


BACKENDS: dict[str, WindowBackend] = {
    "sway": WindowBackend("sway", "sway IPC window events", _sway_problem, _open_sway),
    "hyprland": WindowBackend("hyprland", "Hyprland socket events", _hyprland_problem, _open_hyprland),
    "wlr": WindowBackend("wlr", "wlr-foreign-toplevel events", _wlr_problem, _open_wlr),
    "kwin": WindowBackend("kwin", "a KWin script reporting activations over D-Bus", _kwin_problem, _open_kwin),
    "gnome": WindowBackend("gnome", "the GNOME Shell extension's D-Bus signals", _gnome_problem, _open_gnome),
}


def default() -> WindowBackend:
    """The backend of the X11 days: X11 on Unix, pywinctl elsewhere."""
    if IS_LINUX:
        return x11()
    return WindowBackend("pywinctl", "polled with pywinctl", pywinctl_problem, PywinctlActiveWindow, evented=False)


def choose(choice: str, session: Session) -> WindowBackend:
    """The backend for `choice` ("auto" picks from the session)."""
    if choice == "x11":
        return x11()
    if choice != "auto":
        return BACKENDS[choice]
    if not session.wayland:
        return default()
    name = {"sway": "sway", "hyprland": "hyprland", "kwin": "kwin", "gnome": "gnome"}.get(
        session.compositor or "", "wlr")
    backend = BACKENDS[name]
    if name == "wlr" and session.xwayland:
        return _wlr_or_xwayland(backend)
    return backend


def _wlr_or_xwayland(wlr: WindowBackend) -> WindowBackend:
    """An unknown compositor: the generic protocol when it offers it, else the XWayland windows only."""
    fallback = x11(" (XWayland windows only: this compositor offers no window protocol we know)")

    def problem() -> str | None:
        return None if wlr.problem() is None else fallback.problem()

    def open_() -> Any:
        return wlr.open() if wlr.problem() is None else fallback.open()

    return WindowBackend("wlr", "wlr-foreign-toplevel events, or XWayland windows only", problem, open_)
