"""Active window collector: kind "focus" on every focus or title change, heartbeats while it stays.

Event: source "window", kind "focus", app = process name of the window's PID (psutil), title = window title,
data = {"pid": int} plus, for known browsers, {"browser": true, "page_title": str, "url": str (when the title
carries one)}. A change is a new event (pulsetime 0), preceded by a closing heartbeat of the previous window
at the same instant so its duration is exact. While nothing changes a heartbeat (pulsetime = interval + 1 s)
is sent every `heartbeat` seconds (max(poll_seconds, 5)) so the store extends that event's duration.

Where the window comes from is a `collectors.window_backends.WindowBackend` (the registry picks it from the
session): on X11 python-xlib with PropertyNotify events, on Wayland the compositor's own events (sway IPC,
Hyprland's socket, a KWin script, the GNOME Shell extension, wlr-foreign-toplevel); a backend that is told
about changes wakes the loop at once (a safety re-read runs every 10 s); one that is not (pywinctl on
Windows and macOS) is polled every poll_seconds. Platform libraries are imported lazily in run().
"""

from __future__ import annotations

import select
import threading
import time
from typing import Any

import psutil

from assistant.core.events import Event
from collectors.base import Collector, WakePipe
from collectors.browser_titles import page_info
from collectors.privacy import Emitter
from collectors.window_backends import WindowBackend, default

SAFETY_REREAD = 10.0
HEARTBEAT = 5.0


class FocusState:
    """The active window as last seen by the window collector (the input collector attributes counts to it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value: tuple[str | None, str | None, bool] = (None, None, False)
        self.known = False  # False while no window collector runs

    def set(self, app: str | None, title: str | None, excluded: bool) -> None:
        with self._lock:
            self._value = (app, title, excluded)
            self.known = True

    def get(self) -> tuple[str | None, str | None, bool]:
        """(app, title, excluded)."""
        with self._lock:
            return self._value


class WindowCollector(Collector):
    name = "window"

    def __init__(self, emit: Emitter, focus: FocusState, poll_seconds: float = 1.0,
                 backend: WindowBackend | None = None, **kw: Any):
        super().__init__(emit, **kw)
        self.backend = backend or default()
        self.focus = focus
        self.poll = poll_seconds
        self.heartbeat = max(poll_seconds, HEARTBEAT)
        self._names: dict[int, str] = {}

    def unavailable(self) -> str | None:
        return self.backend.problem()

    def running_reason(self) -> str:
        if self.backend.evented:
            return f"watching the active window ({self.backend.describe})"
        return f"watching the active window ({self.backend.describe}, every {self.poll:g} s)"

    def _open(self):
        return self.backend.open()

    def app_name(self, pid: int | None, fallback: str | None) -> str | None:
        if not pid:
            return fallback
        name = self._names.get(pid)
        if name is None:
            try:
                name = psutil.Process(pid).name()
            except (psutil.Error, OSError):
                return fallback
            if len(self._names) > 256:
                self._names.clear()
            self._names[pid] = name
        return name

    def describe(self, info) -> tuple[str | None, str, dict]:
        app = self.app_name(info.pid, info.wm_class)
        data: dict = {"pid": info.pid} if info.pid else {}
        data.update(page_info(app, info.title))
        return app, info.title, data

    def run(self, stop: threading.Event) -> None:
        source = self._open()
        self._wake_pipe = pipe = WakePipe()
        try:
            self._loop(source, stop, pipe)
        finally:
            source.close()
            self._wake_pipe = None
            pipe.close()
            self.focus.set(None, None, False)

    def _loop(self, source, stop: threading.Event, pipe: WakePipe) -> None:
        last_key: tuple | None = None
        last_emit = last_read = 0.0
        described: tuple | None = None
        previous: tuple | None = None
        evented = hasattr(source, "fileno")  # X tells us about changes: re-read only then (or every 10 s)
        fds = [pipe.read_fd] + ([source.fileno()] if evented else [])
        dirty = True
        while not stop.is_set():
            now = time.time()
            if dirty or not evented or now - last_read >= SAFETY_REREAD:
                info = source.active()
                described = self.describe(info) if info is not None else None
                last_read = now
            if described is None or self.paused.is_set():
                if last_key is not None and previous is not None:
                    self._beat(previous, now)  # focus left to the desktop (or a pause began): close it
                last_key = previous = None
                self.focus.set(None, None, False)
            else:
                app, title, data = described
                key = (app, title, tuple(sorted(data.items())))
                if key != last_key:
                    if last_key is not None and previous is not None:
                        self._beat(previous, now)  # close the previous window's event exactly here
                    self.focus.set(app, title, self.emit.privacy.excluded(app, title, data))
                    self.emit(Event("window", "focus", start=now, app=app, title=title, data=data))
                    last_key, last_emit, previous = key, now, described
                elif now - last_emit >= self.heartbeat * 0.95:
                    self._beat(described, now)
                    last_emit = now
            if evented:
                ready, _, _ = select.select(fds, [], [], self.heartbeat)
                if pipe.read_fd in ready:
                    pipe.drain()
                dirty = source.drain()
                if dirty:
                    time.sleep(0.02)  # let a burst of property changes settle (focus + title arrive together)
                    source.drain()
            else:
                stop.wait(self.poll)

    def _beat(self, described: tuple, now: float) -> None:
        app, title, data = described
        self.emit(Event("window", "focus", start=now, app=app, title=title, data=data,
                        pulsetime=self.heartbeat + 1.0))

