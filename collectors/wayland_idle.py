"""Idle time and screen lock on Wayland, for the afk collector (same interface as collectors.idle sources).

- `WaylandIdle`: the compositor says when the seat has had no input for the afk timeout and when input
  resumes: `ext-idle-notify-v1` (wlroots >= 0.17, KWin, Hyprland, ...) or KDE's older `org_kde_kwin_idle`
  (sway 1.7, KWin 5). Evented: nothing is polled.
- `MutterIdle`: GNOME's `org.gnome.Mutter.IdleMonitor.GetIdletime` over D-Bus (polled by the afk loop).
- `ScreenSaverProbe`: `org.freedesktop.ScreenSaver` / `org.gnome.ScreenSaver` GetActive (screen locked or
  blanked counts as away), asked at most every 15 s; `AnyLock` combines it with logind's LockedHint.
- `FirstAvailable`: the first of several sources that can run here.
"""

from __future__ import annotations

import os
import select
import threading
import time
from typing import Any

from collectors.base import WakePipe
from collectors.idle import LockProbe

EXT_IDLE = "ext_idle_notifier_v1"
KDE_IDLE = "org_kde_kwin_idle"


class WaylandIdle:
    """Idle notifications from the compositor for `timeout_seconds` of no input."""

    evented = True

    def __init__(self, timeout_seconds: float):
        self.timeout = timeout_seconds
        self._idle_since: float | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._error: str | None = None
        self.protocol: str | None = None
        self._pipe: WakePipe | None = None

    def problem(self) -> str | None:
        if not os.environ.get("WAYLAND_DISPLAY"):
            return "WAYLAND_DISPLAY is not set (not a Wayland session)"
        from collectors.wayland_client import WaylandConnection

        try:
            conn = WaylandConnection()
        except Exception as exc:  # noqa: BLE001 - any failure disables with its reason
            return f"cannot connect to the Wayland display ({exc})"
        try:
            if "wl_seat" not in conn.globals:
                return "the compositor offers no seat"
            if EXT_IDLE not in conn.globals and KDE_IDLE not in conn.globals:
                return f"the compositor offers no idle protocol ({EXT_IDLE} or {KDE_IDLE})"
        finally:
            conn.close()
        return None

    def open(self, owner: Any) -> None:
        self._stop.clear()
        self._ready.clear()
        self._error = None
        self._idle_since = None
        self._thread = threading.Thread(target=self._run, args=(owner,), name="wayland-idle", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._error:
            raise RuntimeError(self._error)

    def close(self, owner: Any) -> None:
        self._stop.set()
        pipe = self._pipe
        if pipe is not None:
            pipe.wake()
        if self._thread is not None:
            self._thread.join(5)

    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def last_input(self) -> float:
        since = self._idle_since
        if since is None:
            return time.time()  # not idle: input within the timeout (the compositor would have said)
        return since - self.timeout

    def _run(self, owner: Any) -> None:
        from collectors.wayland_client import WaylandConnection
        from collectors.wayland_protocols.kde_idle import OrgKdeKwinIdle

        try:
            conn = WaylandConnection()
        except Exception as exc:  # noqa: BLE001 - reported by open()
            self._error = f"cannot connect to the Wayland display ({exc})"
            self._ready.set()
            return
        pipe = self._pipe = WakePipe()
        watcher = None
        try:
            seat = conn.bind(_seat_interface())
            timeout_ms = max(1000, int(self.timeout * 1000))

            def idled(*_args: Any) -> None:
                self._idle_since = time.time()
                owner.wake()

            def resumed(*_args: Any) -> None:
                self._idle_since = None
                owner.wake()

            if EXT_IDLE in conn.globals:
                from pywayland.protocol.ext_idle_notify_v1 import ExtIdleNotifierV1

                notifier = conn.bind(ExtIdleNotifierV1, 1)
                watcher = notifier.get_idle_notification(timeout_ms, seat)
                watcher.dispatcher["idled"], watcher.dispatcher["resumed"] = idled, resumed
                self.protocol = EXT_IDLE
            else:
                notifier = conn.bind(OrgKdeKwinIdle)
                watcher = notifier.get_idle_timeout(seat, timeout_ms)
                watcher.dispatcher["idle"], watcher.dispatcher["resumed"] = idled, resumed
                self.protocol = KDE_IDLE
            conn.display.roundtrip()
            self._ready.set()
            while not self._stop.is_set():
                select.select([conn.fileno(), pipe.read_fd], [], [], 30)
                conn.pump()
        except Exception as exc:  # noqa: BLE001 - reported by open(), or seen by the afk loop via alive()
            self._error = f"idle notifications failed ({exc})"
            self._ready.set()
        finally:
            conn.close()
            self._pipe = None
            pipe.close()


def _seat_interface() -> Any:
    from pywayland.protocol.wayland import WlSeat

    return WlSeat


class MutterIdle:
    """GNOME: milliseconds since the last input from Mutter's IdleMonitor over D-Bus (polled)."""

    evented = False
    NAME, PATH, IFACE = "org.gnome.Mutter.IdleMonitor", "/org/gnome/Mutter/IdleMonitor/Core", \
        "org.gnome.Mutter.IdleMonitor"

    def __init__(self) -> None:
        self._conn = None

    def problem(self) -> str | None:
        from collectors import dbus_session

        problem = dbus_session.session_problem()
        if problem:
            return problem
        try:
            with dbus_session.connect() as conn:
                if not dbus_session.has_owner(conn, self.NAME):
                    return f"{self.NAME} is not on the session bus (not GNOME/Mutter?)"
        except Exception as exc:  # noqa: BLE001
            return f"cannot reach the D-Bus session bus ({exc})"
        return None

    def open(self, owner: Any) -> None:
        from collectors import dbus_session

        self._conn = dbus_session.connect()

    def close(self, owner: Any) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def alive(self) -> bool:
        return self._conn is not None

    def last_input(self) -> float:
        from collectors import dbus_session

        (ms,) = dbus_session.call(self._conn, self.NAME, self.PATH, self.IFACE, "GetIdletime")
        return time.time() - ms / 1000.0


class FirstAvailable:
    """The first idle source whose problem() is None; problem() lists every reason when none can run."""

    def __init__(self, *sources: Any):
        self.sources = sources
        self.chosen: Any = None

    @property
    def evented(self) -> bool:
        return bool(self.chosen is not None and self.chosen.evented)

    def problem(self) -> str | None:
        reasons = []
        for source in self.sources:
            reason = source.problem()
            if reason is None:
                self.chosen = source
                return None
            reasons.append(reason)
        return "; ".join(reasons)

    def open(self, owner: Any) -> None:
        if self.chosen is None and self.problem() is not None:
            raise RuntimeError("no idle source can run here")
        self.chosen.open(owner)

    def close(self, owner: Any) -> None:
        self.chosen.close(owner)

    def alive(self) -> bool:
        return self.chosen.alive()

    def last_input(self) -> float:
        return self.chosen.last_input()


class ScreenSaverProbe:
    """Screen locked (or the screensaver active)? Asked over D-Bus at most every `every` seconds."""

    SERVICES = (("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver", "org.gnome.ScreenSaver"),
                ("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver"))

    def __init__(self, every: float = 15.0):
        self.every = every
        self._checked = -1e9
        self._locked = False
        self._conn = None
        self._failed = False

    @property
    def available(self) -> bool:
        from collectors import dbus_session

        return not self._failed and dbus_session.session_problem() is None

    def locked(self) -> bool:
        if not self.available:
            return False
        now = time.monotonic()
        if now - self._checked < self.every:
            return self._locked
        self._checked = now
        from collectors import dbus_session

        try:
            if self._conn is None:
                self._conn = dbus_session.connect()
            for name, path, iface in self.SERVICES:
                if dbus_session.has_owner(self._conn, name):
                    self._locked = bool(dbus_session.call(self._conn, name, path, iface, "GetActive")[0])
                    return self._locked
            self._locked = False
        except Exception:  # noqa: BLE001 - a broken bus: stop asking, logind may still answer
            self._failed, self._locked = True, False
        return self._locked


class AnyLock:
    """Locked when any probe says so (logind's LockedHint, the screensaver over D-Bus)."""

    def __init__(self, *probes: Any):
        self.probes = probes
        self.every = min(p.every for p in probes)

    @property
    def available(self) -> bool:
        return any(p.available for p in self.probes)

    def locked(self) -> bool:
        return any(p.locked() for p in self.probes if p.available)


def lock_probes() -> AnyLock:
    return AnyLock(LockProbe(), ScreenSaverProbe())
