"""The active X11 window (title, PID, WM_CLASS) read with python-xlib over one connection.

Cheaper and steadier than pywinctl on X: no subprocesses, and PropertyNotify events on the root window and
on the active window let the collector react to a focus or title change at once instead of at the next poll.
Import this module only after `desktop.x11_problem()` returned None.
"""

from __future__ import annotations

from dataclasses import dataclass

from Xlib import X, Xatom, display
from Xlib.error import XError


@dataclass(frozen=True)
class WindowInfo:
    window_id: int
    title: str
    pid: int | None
    wm_class: str | None


class X11ActiveWindow:
    def __init__(self) -> None:
        self.conn = display.Display()
        self.root = self.conn.screen().root
        atom = self.conn.intern_atom
        self.NET_ACTIVE_WINDOW = atom("_NET_ACTIVE_WINDOW")
        self.NET_WM_NAME = atom("_NET_WM_NAME")
        self.NET_WM_PID = atom("_NET_WM_PID")
        self.UTF8_STRING = atom("UTF8_STRING")
        self._watched: int | None = None
        self._has_res = self.conn.has_extension("X-Resource")
        self.root.change_attributes(event_mask=X.PropertyChangeMask)
        self.conn.flush()

    def fileno(self) -> int:
        return self.conn.fileno()

    def drain(self) -> bool:
        """Consume pending X events; True when one of them may mean focus or title changed."""
        changed = False
        while self.conn.pending_events():
            ev = self.conn.next_event()
            if ev.type == X.PropertyNotify and ev.atom in (self.NET_ACTIVE_WINDOW, self.NET_WM_NAME, Xatom.WM_NAME):
                changed = True
        return changed

    def _prop(self, win, atom: int, kind: int):
        reply = win.get_full_property(atom, kind)
        return reply.value if reply is not None else None

    def active(self) -> WindowInfo | None:
        """The focused top-level window, or None (no window, or it vanished while being read)."""
        try:
            value = self._prop(self.root, self.NET_ACTIVE_WINDOW, Xatom.WINDOW)
            if value is None or len(value) == 0 or not value[0]:
                return None
            wid = int(value[0])
            win = self.conn.create_resource_object("window", wid)
            if wid != self._watched:  # title changes of the focused window wake us up too
                win.change_attributes(event_mask=X.PropertyChangeMask)
                self._watched = wid
            raw = self._prop(win, self.NET_WM_NAME, self.UTF8_STRING)
            if raw is None:
                raw = self._prop(win, Xatom.WM_NAME, X.AnyPropertyType)
            title = _text(raw)
            pid_value = self._prop(win, self.NET_WM_PID, Xatom.CARDINAL)
            pid = int(pid_value[0]) if pid_value is not None and len(pid_value) else None
            if pid is None:
                pid = self._client_pid(wid)
            wm_class = win.get_wm_class()
            return WindowInfo(wid, title, pid, wm_class[0] if wm_class else None)
        except XError:
            self._watched = None
            return None

    def _client_pid(self, wid: int) -> int | None:
        """PID of the client owning `wid` from the X-Resource extension (for apps without _NET_WM_PID)."""
        if not self._has_res:
            return None
        from Xlib.ext import res

        reply = self.conn.res_query_client_ids([{"client": wid, "mask": res.LocalClientPIDMask}])
        for item in reply.ids:
            if item.spec.mask & res.LocalClientPIDMask and item.value:
                return int(item.value[0])
        return None

    def close(self) -> None:
        try:
            self.conn.close()
        except Exception:  # noqa: BLE001, S110 - the server may already be gone
            pass


def _text(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bytes):
        return raw.decode("utf-8", "replace")
    return str(raw)
