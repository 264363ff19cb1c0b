"""How long since the last keyboard/mouse input, per platform, plus a best-effort screen-lock probe.

Linux/X11: the shared pynput hub's last event time. Windows: GetLastInputInfo. macOS: Quartz
CGEventSourceSecondsSinceLastEventType. All loaded lazily through ctypes or the hub.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from typing import Any

from collectors.input_hub import InputHub


class HubIdle:
    """Idle time from the shared pynput listeners (Linux/X11); the hub calls the owner's on_input()."""

    evented = True

    def __init__(self, hub: InputHub):
        self.hub = hub

    def problem(self) -> str | None:
        return self.hub.problem()

    def open(self, owner: Any) -> None:
        self.hub.acquire(owner)

    def close(self, owner: Any) -> None:
        self.hub.release(owner)

    def alive(self) -> bool:
        return self.hub.alive()

    def last_input(self) -> float:
        return self.hub.last_input


class WindowsIdle:
    evented = False

    def problem(self) -> str | None:
        return None

    def open(self, owner: Any) -> None:
        import ctypes
        from ctypes import wintypes

        class LastInputInfo(ctypes.Structure):
            _fields_ = [("cbSize", wintypes.UINT), ("dwTime", wintypes.DWORD)]

        self._ctypes, self._info = ctypes, LastInputInfo()
        self._info.cbSize = ctypes.sizeof(LastInputInfo)
        self._user32, self._kernel32 = ctypes.windll.user32, ctypes.windll.kernel32

    def close(self, owner: Any) -> None:
        pass

    def alive(self) -> bool:
        return True

    def last_input(self) -> float:
        if not self._user32.GetLastInputInfo(self._ctypes.byref(self._info)):
            raise OSError("GetLastInputInfo failed")
        idle_ms = (self._kernel32.GetTickCount() - self._info.dwTime) & 0xFFFFFFFF
        return time.time() - idle_ms / 1000.0


class MacIdle:
    evented = False

    def problem(self) -> str | None:
        return None

    def open(self, owner: Any) -> None:
        import ctypes

        lib = ctypes.cdll.LoadLibrary("/System/Library/Frameworks/ApplicationServices.framework/ApplicationServices")
        fn = lib.CGEventSourceSecondsSinceLastEventType
        fn.restype, fn.argtypes = ctypes.c_double, [ctypes.c_int32, ctypes.c_uint32]
        self._fn = fn

    def close(self, owner: Any) -> None:
        pass

    def alive(self) -> bool:
        return True

    def last_input(self) -> float:
        # kCGEventSourceStateHIDSystemState = 1, kCGAnyInputEventType = 0xFFFFFFFF
        return time.time() - float(self._fn(1, 0xFFFFFFFF))


def idle_source(hub: InputHub):
    if sys.platform == "win32":
        return WindowsIdle()
    if sys.platform == "darwin":
        return MacIdle()
    return HubIdle(hub)


class LockProbe:
    """Screen locked? From logind's LockedHint (`loginctl`), asked at most every `every` seconds."""

    def __init__(self, every: float = 15.0):
        self.every = every
        self._session = os.environ.get("XDG_SESSION_ID")
        self._loginctl = shutil.which("loginctl") if sys.platform.startswith("linux") else None
        self._checked = -1e9
        self._locked = False

    @property
    def available(self) -> bool:
        return bool(self._session and self._loginctl)

    def locked(self) -> bool:
        if not self.available:
            return False
        now = time.monotonic()
        if now - self._checked >= self.every:
            self._checked = now
            try:
                out = subprocess.run([self._loginctl, "show-session", self._session, "-p", "LockedHint",
                                      "--value"], capture_output=True, text=True, timeout=2, check=False)
                self._locked = out.stdout.strip() == "yes"
            except (OSError, subprocess.SubprocessError):
                self._locked = False
        return self._locked
