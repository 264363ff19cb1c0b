"""Opt-in clipboard collector (X11): what kind of thing was copied, and how long it is.

On every new clipboard owner (XFixes selection notify: no polling) it asks for the offered TARGETS and emits
source "clipboard", kind = "text" | "image" | "files" | "html" | "other", app/title = the active window,
data = {"length": characters (text) or null}. The text itself is added as data["text"] only with
`collectors.clipboard.record_text: true`, and then redacted like every field. Not available off X11 yet
(disabled with that reason).
"""

from __future__ import annotations

import logging
import select
import threading
import time
from typing import Any

from assistant.core.events import Event
from assistant.core.redact import cap
from collectors.base import Collector, WakePipe
from collectors.desktop import IS_LINUX, x11_problem
from collectors.privacy import Emitter
from collectors.window import FocusState
from collectors.x11_text import decode

MAX_TEXT = 2000
log = logging.getLogger("collectors")


def content_kind(targets: list[str]) -> str:
    names = {t.lower() for t in targets}
    if any(t.startswith("image/") for t in names):
        return "image"
    if "text/uri-list" in names or "x-special/gnome-copied-files" in names:
        return "files"
    if names & {"utf8_string", "string", "text", "text/plain", "text/plain;charset=utf-8"}:
        return "text"
    if "text/html" in names:
        return "html"
    return "other"


class _X11Selection:
    def __init__(self) -> None:
        from Xlib import X, display
        from Xlib.ext import xfixes

        from collectors.x11_errors import quiet

        self.X = X
        self.conn = display.Display()
        self.errors = quiet(self.conn)
        if not self.conn.has_extension("XFIXES"):
            self.conn.close()
            raise RuntimeError("the X server lacks the XFIXES extension")
        self.conn.xfixes_query_version()
        self.owner_event = self.conn.extension_event.SetSelectionOwnerNotify
        root = self.conn.screen().root
        self.win = root.create_window(0, 0, 1, 1, 0, X.CopyFromParent)
        atom = self.conn.intern_atom
        self.CLIPBOARD, self.TARGETS = atom("CLIPBOARD"), atom("TARGETS")
        self.UTF8, self.PROP, self.INCR = atom("UTF8_STRING"), atom("PROACTIVE_CLIPBOARD"), atom("INCR")
        self.conn.xfixes_select_selection_input(self.win, self.CLIPBOARD, xfixes.XFixesSetSelectionOwnerNotifyMask)
        self.conn.flush()

    def fileno(self) -> int:
        return self.conn.fileno()

    def owner_changes(self) -> int:
        count = 0
        while self.conn.pending_events():
            ev = self.conn.next_event()
            if (ev.type, getattr(ev, "sub_code", None)) == self.owner_event:
                count += 1
        return count

    def read(self, target: int, timeout: float = 1.0):
        """(type atom, value) of the clipboard converted to `target`, or None."""
        X = self.X
        self.win.convert_selection(self.CLIPBOARD, target, self.PROP, X.CurrentTime)
        self.conn.flush()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.conn.pending_events():
                select.select([self.conn.fileno()], [], [], max(0.0, deadline - time.monotonic()))
            while self.conn.pending_events():
                ev = self.conn.next_event()
                if ev.type == X.SelectionNotify and ev.selection == self.CLIPBOARD:
                    if ev.property == X.NONE:
                        return None
                    # at most MAX_TEXT * 4 bytes are read, however much was copied
                    prop = self.win.get_property(self.PROP, X.AnyPropertyType, 0, MAX_TEXT)
                    self.win.delete_property(self.PROP)
                    self.conn.flush()
                    return (prop.property_type, prop.value, prop.bytes_after) if prop else None
        return None

    def describe(self, record_text: bool) -> tuple[str, dict[str, Any]] | None:
        reply = self.read(self.TARGETS)
        if reply is None:
            return None
        targets = [self.conn.get_atom_name(a) for a in list(reply[1])[:64]]
        kind = content_kind(targets)
        data: dict[str, Any] = {"length": None}
        if kind == "text":
            text_reply = self.read(self.UTF8)
            if text_reply and text_reply[0] not in (self.INCR, self.X.NONE):
                kind_name, raw, more = self.conn.get_atom_name(text_reply[0]), text_reply[1], text_reply[2]
                text = decode(kind_name, raw)
                data["length"] = len(text) + more  # `more` bytes were not read (an upper bound)
                if record_text:
                    if more and len(text) <= MAX_TEXT:  # the read stopped inside a word: drop that word
                        text = text.rsplit(None, 1)[0] + "\u2026" if len(text.split(None, 1)) > 1 else ""
                    data["text"] = cap(text, MAX_TEXT)
        return kind, data

    def close(self) -> None:
        try:
            self.conn.close()
        except Exception:  # noqa: BLE001, S110 - the server may already be gone
            pass


class ClipboardCollector(Collector):
    name = "clipboard"

    def __init__(self, emit: Emitter, focus: FocusState, record_text: bool = False, **kw: Any):
        super().__init__(emit, **kw)
        self.focus = focus
        self.record_text = record_text
        self.unreadable = 0

    def unavailable(self) -> str | None:
        if not IS_LINUX:
            return "the clipboard collector supports X11 only for now"
        return x11_problem()

    def running_reason(self) -> str:
        return "watching clipboard changes (" + ("with text" if self.record_text else "kind and length") + ")"

    def run(self, stop: threading.Event) -> None:
        sel = _X11Selection()
        self._wake_pipe = pipe = WakePipe()
        try:
            while not stop.is_set():
                ready, _, _ = select.select([sel.fileno(), pipe.read_fd], [], [], 5.0)
                if pipe.read_fd in ready:
                    pipe.drain()
                if sel.owner_changes() and not self.paused.is_set():
                    self._report(sel)
        finally:
            sel.close()
            self._wake_pipe = None
            pipe.close()

    def _report(self, sel: _X11Selection) -> None:
        app, title, excluded = self.focus.get()
        if excluded:
            return
        try:
            described = sel.describe(self.record_text)
        except Exception as exc:  # a hostile or broken owner: skip this copy, keep running
            if type(exc).__name__ == "ConnectionClosedError":
                raise  # the display is gone: the supervisor reconnects
            self.unreadable += 1
            log.warning("clipboard collector skipped a copy it could not read: %s", type(exc).__name__)
            return
        if described is None:
            return
        kind, data = described
        self.emit(Event("clipboard", kind, app=app, title=title, data=data))

