"""The focused window on wlroots compositors without their own IPC (river, labwc, wayfire, ...) through the
`wlr-foreign-toplevel-management-unstable-v1` protocol, with pywayland.

The compositor announces every toplevel (title, app_id, state) and each change; the one whose state holds
"activated" is the focused window. The protocol carries no PID, so the app is the app_id.
"""

from __future__ import annotations

import struct
from typing import Any

from collectors.wayland_client import WaylandConnection, offered
from collectors.wayland_protocols.wlr_foreign_toplevel import ZwlrForeignToplevelManagerV1
from collectors.window_info import WindowInfo

ACTIVATED = 2


def foreign_toplevel_problem() -> str | None:
    return offered(ZwlrForeignToplevelManagerV1.name)


class _Toplevel:
    __slots__ = ("activated", "app_id", "key", "pending", "title")

    def __init__(self, key: int):
        self.key = key
        self.title, self.app_id, self.activated = "", None, False
        self.pending: dict[str, Any] = {}


class ForeignToplevelWindow:
    """Window source: `fileno()`/`drain()` apply the compositor's toplevel events; `active()` answers."""

    def __init__(self) -> None:
        self.conn = WaylandConnection()
        try:
            if ZwlrForeignToplevelManagerV1.name not in self.conn.globals:
                raise RuntimeError(f"the compositor does not offer {ZwlrForeignToplevelManagerV1.name}")
            self.manager = self.conn.bind(ZwlrForeignToplevelManagerV1)
            self.manager.dispatcher["toplevel"] = self._new_toplevel
            self.manager.dispatcher["finished"] = self._finished
            self._toplevels: dict[int, _Toplevel] = {}
            self._handles: list[Any] = []
            self._next_key = 0
            self._current: _Toplevel | None = None
            self._changed = False
            self._finished_flag = False
            self.conn.display.roundtrip()  # the existing toplevels
            self.conn.display.roundtrip()  # ...and their first done
        except Exception:
            self.conn.close()
            raise

    def fileno(self) -> int:
        return self.conn.fileno()

    def active(self) -> WindowInfo | None:
        top = self._current
        if top is None:
            return None
        return WindowInfo(top.key, top.title, None, top.app_id)

    def drain(self) -> bool:
        self._changed = False
        self.conn.pump()
        if self._finished_flag:
            raise ConnectionError("the compositor stopped the toplevel list")
        return self._changed

    def _new_toplevel(self, _manager: Any, handle: Any) -> None:
        self._next_key += 1
        top = _Toplevel(self._next_key)
        self._handles.append(handle)
        self._toplevels[id(handle)] = top
        handle.dispatcher["title"] = lambda _h, title: top.pending.__setitem__("title", title)
        handle.dispatcher["app_id"] = lambda _h, app_id: top.pending.__setitem__("app_id", app_id)
        handle.dispatcher["state"] = lambda _h, raw: top.pending.__setitem__("activated", _activated(raw))
        handle.dispatcher["done"] = lambda _h: self._done(top)
        handle.dispatcher["closed"] = lambda h: self._closed(h, top)

    def _done(self, top: _Toplevel) -> None:
        """The compositor finished describing one change of `top`: apply it atomically."""
        before = (top.title, top.app_id, top.activated)
        top.title = top.pending.get("title", top.title)
        top.app_id = top.pending.get("app_id", top.app_id)
        top.activated = top.pending.get("activated", top.activated)
        top.pending.clear()
        if top.activated:
            if self._current is not top or before != (top.title, top.app_id, top.activated):
                self._current = top
                self._changed = True
        elif self._current is top:
            self._current = None  # focus left it (another toplevel's done may name the new one)
            self._changed = True

    def _closed(self, handle: Any, top: _Toplevel) -> None:
        self._toplevels.pop(id(handle), None)
        if self._current is top:
            self._current = None
            self._changed = True
        handle.destroy()
        if handle in self._handles:
            self._handles.remove(handle)

    def _finished(self, _manager: Any) -> None:
        self._finished_flag = True

    def close(self) -> None:
        try:
            self.manager.stop()
            self.conn.display.flush()
        except Exception:  # noqa: BLE001, S110 - the compositor may be gone
            pass
        self.conn.close(event_created=self._handles)
        self._handles = []


def _activated(raw: bytes) -> bool:
    count = len(raw) // 4
    return ACTIVATED in struct.unpack(f"={count}I", raw[:count * 4])
