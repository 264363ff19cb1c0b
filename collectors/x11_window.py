"""The active X11 window (title, PID, WM_CLASS) read with python-xlib over one connection.

Cheaper and steadier than pywinctl on X: no subprocesses, and PropertyNotify events on the root window and
on the active window let the collector react to a focus or title change at once instead of at the next poll.
Titles are read whatever type the client used (UTF8_STRING, STRING, COMPOUND_TEXT: `collectors.x11_text`)
and at most MAX_TITLE characters are ever read from the server. Import this module only after
`desktop.x11_problem()` returned None.
"""

from __future__ import annotations

from Xlib import X, Xatom, display
from Xlib.error import XError

from assistant.core.redact import MAX_TITLE, cap
from collectors.window_info import WindowInfo
from collectors.x11_errors import quiet
from collectors.x11_text import decode

_TITLE_LONGS = MAX_TITLE  # 4 bytes each: enough for MAX_TITLE characters of UTF-8 (plus escapes)
_CLASS_LONGS = 64


class X11ActiveWindow:
    def __init__(self) -> None:
        self.conn = display.Display()
        self.errors = quiet(self.conn)  # a window that closed before we watched it: counted, never printed
        self.root = self.conn.screen().root
        atom = self.conn.intern_atom
        self.NET_ACTIVE_WINDOW = atom("_NET_ACTIVE_WINDOW")
        self.NET_WM_NAME = atom("_NET_WM_NAME")
        self.NET_WM_PID = atom("_NET_WM_PID")
        self.UTF8_STRING = atom("UTF8_STRING")
        self._watched: int | None = None
        self._atom_names: dict[int, str] = {}
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

    def _text_prop(self, win, atom: int, longs: int) -> str | None:
        """A text property of any type, at most `longs` * 4 bytes of it, decoded (None when unset)."""
        reply = win.get_property(atom, X.AnyPropertyType, 0, longs)
        if reply is None or reply.property_type == X.NONE or reply.format != 8:
            return None
        type_name = self._atom_names.get(reply.property_type)
        if type_name is None:
            type_name = self.conn.get_atom_name(reply.property_type)
            if len(self._atom_names) < 64:
                self._atom_names[reply.property_type] = type_name
        return decode(type_name, reply.value)

    def title(self, win) -> str:
        """_NET_WM_NAME if set (any type), else WM_NAME; cut to MAX_TITLE characters."""
        text = self._text_prop(win, self.NET_WM_NAME, _TITLE_LONGS)
        if not text:
            text = self._text_prop(win, Xatom.WM_NAME, _TITLE_LONGS)
        return cap((text or "").replace("\x00", " "), MAX_TITLE)

    def wm_class(self, win) -> tuple[str | None, str | None]:
        """(instance, class) of WM_CLASS, each cut to 64 characters."""
        text = self._text_prop(win, Xatom.WM_CLASS, _CLASS_LONGS)
        if not text:
            return None, None
        parts = [cap(p, 64) or None for p in text.split("\x00")]
        return (parts[0] if parts else None), (parts[1] if len(parts) > 1 else None)

    def active(self) -> WindowInfo | None:
        """The focused top-level window, or None (no window, or it vanished while being read)."""
        try:
            value = self._prop(self.root, self.NET_ACTIVE_WINDOW, Xatom.WINDOW)
            if value is None or len(value) == 0 or not value[0]:
                return None
            wid = int(value[0])
            win = self.conn.create_resource_object("window", wid)
            if wid != self._watched:  # title changes of the focused window wake us up too
                win.change_attributes(event_mask=X.PropertyChangeMask, onerror=self.errors)
                self._watched = wid
            title = self.title(win)
            pid_reply = win.get_property(self.NET_WM_PID, Xatom.CARDINAL, 0, 1)
            pid_value = pid_reply.value if pid_reply is not None and pid_reply.format == 32 else None
            pid = int(pid_value[0]) if pid_value is not None and len(pid_value) else None
            if pid is None:
                pid = self._client_pid(wid)
            instance, wm_class = self.wm_class(win)
            return WindowInfo(wid, title, pid, wm_class, instance)
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

