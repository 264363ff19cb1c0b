"""Active window collector: kind "focus" on every focus or title change, heartbeats while it stays.

Event: source "window", kind "focus", app = the window's app (`app_for`: the process name of its PID, or its
WM_CLASS when the process is a generic host such as sh/python/java/flatpak or when WM_CLASS names a browser the
process name does not), title = window title (at most 1,024 characters),
data = {"pid": int} plus, for known browsers, {"browser": true, "page_title": str, "url": str (when the title
carries one)}. A change is a new event (pulsetime 0), preceded by a closing heartbeat of the previous window
at the same instant so its duration is exact. While nothing changes a heartbeat (pulsetime = interval + 1 s)
is sent every `heartbeat` seconds (0.8 s; a polled backend every poll_seconds) so the store extends that event's
duration; the writer puts each into its spool at once, so a kill -9 loses at most about a second of it. When
the collector is told when input last came (`last_input`, the X11 input hub) and none came for QUIET_AFTER
seconds, it beats every QUIET_HEARTBEAT seconds instead: nobody is typing or pointing, the window does not
change, and waking a process costs about 0.1-0.2 ms of CPU each time on a virtual machine. A kill -9 then loses
at most those 4 s of a window nobody touched; the first input makes the beats fast again within one beat.

Where the window comes from is a `collectors.window_backends.WindowBackend` (the registry picks it from the
session): on X11 python-xlib with PropertyNotify events, on Wayland the compositor's own events (sway IPC,
Hyprland's socket, a KWin script, the GNOME Shell extension, wlr-foreign-toplevel); a backend that is told
about changes wakes the loop at once (a safety re-read runs every 10 s); one that is not (pywinctl on
Windows and macOS) is polled every poll_seconds. Platform libraries are imported lazily in run().
"""

from __future__ import annotations

import logging
import select
import threading
import time
from collections.abc import Callable
from typing import Any

import psutil

from assistant.core.events import Event
from assistant.core.redact import MAX_TITLE, cap
from collectors.base import Collector, WakePipe
from collectors.browser_titles import BROWSERS, page_info
from collectors.privacy import Emitter
from collectors.window_backends import WindowBackend, default

log = logging.getLogger("collectors")
SAFETY_REREAD = 10.0
HEARTBEAT = 0.8  # seconds: a kill -9 loses at most this much of the open window's duration (plus a few ms)
QUIET_AFTER = 10.0  # seconds without keyboard or pointer input before the heartbeat slows down
QUIET_HEARTBEAT = 4.0  # seconds between heartbeats while nobody touches the computer
# processes that host other apps' windows: their name says nothing about the app, WM_CLASS does
GENERIC_HOSTS = frozenset({
    "sh", "bash", "dash", "zsh", "fish", "env", "python", "python2", "python3", "perl", "ruby", "node", "java",
    "mono", "wine", "wine64", "wine-preloader", "wine64-preloader", "electron", "bwrap", "flatpak-spawn",
    "firejail", "snap", "xdg-dbus-proxy", "gjs", "gjs-console", "qemu-system-x86_64", "steam",
})


def app_for(process: str | None, wm_instance: str | None, wm_class: str | None) -> str | None:
    """The app name of a window from its process name and WM_CLASS (instance, class).

    The process name wins, except when it is missing or a generic host (GENERIC_HOSTS, python3.11, ...), or
    when WM_CLASS names a known browser and the process name is not one (a browser started through a wrapper).
    """
    classes = [c for c in (wm_instance, wm_class) if c]
    browser = next((c.lower() for c in classes if c.lower() in BROWSERS), None)
    name = process.lower().removesuffix(".exe") if process else ""
    if browser and name not in BROWSERS:
        return browser
    generic = not name or name in GENERIC_HOSTS or name.rstrip("0123456789.") in GENERIC_HOSTS
    if generic and classes:  # lower-cased like process names (X11 classes and Wayland app ids alike)
        return (wm_instance or wm_class or "").lower() or process
    return process or (wm_class.lower() if wm_class else None)


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
                 backend: WindowBackend | None = None, last_input: Callable[[], float | None] | None = None,
                 **kw: Any):
        super().__init__(emit, **kw)
        self.backend = backend or default()
        self.focus = focus
        self.poll = poll_seconds
        self.heartbeat = HEARTBEAT
        self.last_input = last_input  # when input last came (None: unknown, beat fast)
        self._names: dict[int, str] = {}
        self.unreadable = 0

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
        app = app_for(self.app_name(info.pid, None), info.wm_instance, info.wm_class)
        title = cap(info.title or "", MAX_TITLE)
        data: dict = {"pid": info.pid} if info.pid else {}
        data.update(page_info(app, title))
        return app, title, data

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
        interval = self.heartbeat  # the longest the loop slept since the last beat: the next beat's pulsetime - 1
        while not stop.is_set():
            now = time.time()
            beat_every = self._interval(now)
            if dirty or not evented or now - last_read >= SAFETY_REREAD:
                described = self._read(source)
                last_read = now
            if described is None or self.paused.is_set():
                if last_key is not None and previous is not None:
                    self._beat(previous, now, interval)  # focus left to the desktop (or a pause began): close it
                last_key = previous = None
                self.focus.set(None, None, False)
            else:
                app, title, data = described
                key = (app, title, tuple(sorted(data.items())))
                if key != last_key:
                    if last_key is not None and previous is not None:
                        self._beat(previous, now, interval)  # close the previous window's event exactly here
                    event = Event("window", "focus", start=now, app=app, title=title, data=data)
                    privacy = self.emit.privacy  # input in an excluded or own window leaves no trace either
                    self.focus.set(app, title, privacy.excluded(app, title, data) or privacy.own_window(event))
                    self.emit(event)
                    last_key, last_emit, previous = key, now, described
                    interval = self.heartbeat
                elif now - last_emit >= beat_every * 0.95:
                    self._beat(described, now, interval)
                    last_emit, interval = now, self.heartbeat
            wait = beat_every if evented else self.poll
            interval = max(interval, wait)
            if evented:
                ready, _, _ = select.select(fds, [], [], wait)
                if pipe.read_fd in ready:
                    pipe.drain()
                dirty = source.drain()
                if dirty:
                    time.sleep(0.02)  # let a burst of property changes settle (focus + title arrive together)
                    source.drain()
            else:
                stop.wait(self.poll)

    def _read(self, source) -> tuple | None:
        """The active window described, or None. A window whose properties cannot be read or described is
        skipped (and counted): what a window says never stops the collector."""
        try:
            info = source.active()
            return self.describe(info) if info is not None else None
        except (OSError, ConnectionError):
            raise  # the display connection itself is gone: let the supervisor reconnect
        except Exception as exc:  # noqa: BLE001
            self.unreadable += 1
            log.warning("window collector skipped a window it could not read: %s", type(exc).__name__)
            return None

    def _interval(self, now: float) -> float:
        """Seconds between heartbeats now: HEARTBEAT, or QUIET_HEARTBEAT after QUIET_AFTER s without input."""
        last = self.last_input() if self.last_input is not None else None
        if last is None or now - last < QUIET_AFTER:
            return self.heartbeat
        return max(self.heartbeat, QUIET_HEARTBEAT)

    def _beat(self, described: tuple, now: float, slept: float) -> None:
        """Extend the open window's event to `now`; `slept`, the longest wait since the previous beat, bounds the
        gap the store bridges (pulsetime = slept + 1 s)."""
        app, title, data = described
        self.emit(Event("window", "focus", start=now, app=app, title=title, data=data, pulsetime=slept + 1.0))

