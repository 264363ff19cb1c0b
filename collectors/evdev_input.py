"""Opt-in input counts on Wayland from the kernel's input devices (`collectors.input.evdev: true`).

On Wayland no app sees another app's input, so pynput counts nothing there. A user in the `input` group can
read /dev/input/event*; this hub does so with python-evdev and hands the input collector the same callbacks
as `InputHub` (same interface: problem, acquire, release, alive, last_input). Key *content* is never read:
a key press is counted as "key" without its identity, except while ctrl, alt or super is held, when its
name is passed on so shortcut names (ctrl+s) work as on X11. Characters are never produced, so typed text
cannot be recorded on this path even when `record_text` is on. Mouse distance is in device units.
"""

from __future__ import annotations

import logging
import math
import os
import select
import threading
import time
from typing import Any

from collectors.base import WakePipe

log = logging.getLogger("collectors")

RESCAN = 30.0  # look for newly plugged devices this often
_MODIFIERS = {"KEY_LEFTCTRL": "ctrl", "KEY_RIGHTCTRL": "ctrl", "KEY_LEFTALT": "alt", "KEY_RIGHTALT": "alt",
              "KEY_LEFTSHIFT": "shift", "KEY_RIGHTSHIFT": "shift", "KEY_LEFTMETA": "super",
              "KEY_RIGHTMETA": "super"}
_CHORD = {"ctrl", "alt", "super"}


def evdev_problem() -> str | None:
    try:
        import evdev
    except ImportError as exc:
        return f"python-evdev is not installed ({exc})"
    if not os.path.isdir("/dev/input"):
        return "no /dev/input on this machine"
    if not _input_devices(evdev):
        return ("no readable keyboard or mouse in /dev/input (add your user to the 'input' group: "
                "sudo usermod -aG input $USER, then log in again)")
    return None


def _input_devices(evdev: Any) -> list[Any]:
    out = []
    for path in evdev.list_devices():
        try:
            device = evdev.InputDevice(path)
        except OSError:
            continue
        caps = device.capabilities()
        keys = caps.get(evdev.ecodes.EV_KEY, [])
        if evdev.ecodes.KEY_A in keys or evdev.ecodes.BTN_LEFT in keys or evdev.ecodes.EV_REL in caps:
            out.append(device)
        else:
            device.close()
    return out


class EvdevTranslator:
    """Turns evdev events into hub callbacks: (method, args) pairs, with no key identity kept."""

    def __init__(self, ecodes: Any):
        self.ec = ecodes
        self.mods: set[str] = set()
        self._dx = self._dy = 0

    def feed(self, event: Any) -> list[tuple[str, tuple]]:
        ec = self.ec
        if event.type == ec.EV_KEY:
            return self._key(event.code, event.value)
        if event.type == ec.EV_REL:
            if event.code in (ec.REL_WHEEL, ec.REL_HWHEEL):
                return [("on_scroll", ())]
            if event.code == ec.REL_X:
                self._dx += event.value
            elif event.code == ec.REL_Y:
                self._dy += event.value
            return []
        if event.type == ec.EV_SYN and (self._dx or self._dy):
            distance, self._dx, self._dy = math.hypot(self._dx, self._dy), 0, 0
            return [("on_move", (distance,))]
        return []

    def _key(self, code: int, value: int) -> list[tuple[str, tuple]]:
        ec = self.ec
        if ec.BTN_MOUSE <= code < ec.BTN_JOYSTICK:
            return [("on_click", ())] if value == 1 and code <= ec.BTN_TASK else []
        name = ec.KEY.get(code) if code < ec.BTN_MISC else None
        name = name[0] if isinstance(name, list) else name
        modifier = _MODIFIERS.get(name or "")
        if value == 0:
            if modifier:
                self.mods.discard(modifier)
            return []
        if value != 1:  # auto-repeat
            return []
        if modifier:
            self.mods.add(modifier)
            return [("on_key", (modifier, None, frozenset(self.mods)))]
        mods = frozenset(self.mods)
        shown = name[4:].lower() if name and name.startswith("KEY_") and mods & _CHORD else "key"
        return [("on_key", (shown, None, mods))]


class EvdevHub:
    """Reads every keyboard and mouse in /dev/input on one thread while anyone holds the hub."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: list[Any] = []
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._pipe: WakePipe | None = None
        self.last_input = time.time()
        self.events = 0

    @staticmethod
    def problem() -> str | None:
        return evdev_problem()

    def acquire(self, sub: Any) -> None:
        with self._lock:
            if sub not in self._subs:
                self._subs.append(sub)
            if not (self._thread and self._thread.is_alive()):
                self._start_locked()

    def release(self, sub: Any) -> None:
        with self._lock:
            if sub in self._subs:
                self._subs.remove(sub)
            if not self._subs:
                self._stop_locked()

    def alive(self) -> bool:
        return bool(self._thread and self._thread.is_alive())

    def _start_locked(self) -> None:
        import evdev

        self._stop.clear()
        self._pipe = WakePipe()
        self.last_input = time.time()
        self._thread = threading.Thread(target=self._run, args=(evdev,), name="evdev-input", daemon=True)
        self._thread.start()

    def _stop_locked(self) -> None:
        self._stop.set()
        if self._pipe is not None:
            self._pipe.wake()
        if self._thread is not None:
            self._thread.join(5)
        self._thread = None

    def dispatch(self, calls: list[tuple[str, tuple]]) -> None:
        """Hand translated input to every subscriber (then on_input), like InputHub does."""
        if not calls:
            return
        self.last_input = time.time()
        for method, args in calls:
            self.events += 1
            for sub in list(self._subs):
                for name, call_args in ((method, args), ("on_input", ())):
                    fn = getattr(sub, name, None)
                    if fn is None:
                        continue
                    try:
                        fn(*call_args)
                    except Exception:  # a subscriber bug must not kill the reader
                        log.exception("input subscriber %r failed in %s", sub, name)

    def _run(self, evdev: Any) -> None:
        devices: dict[int, Any] = {}
        translators: dict[int, EvdevTranslator] = {}
        pipe = self._pipe
        last_scan = 0.0
        try:
            while not self._stop.is_set():
                if time.monotonic() - last_scan >= RESCAN:
                    last_scan = time.monotonic()
                    known = {d.path for d in devices.values()}
                    for device in _input_devices(evdev):
                        if device.path in known:
                            device.close()
                            continue
                        devices[device.fd] = device
                        translators[device.fd] = EvdevTranslator(evdev.ecodes)
                ready, _, _ = select.select([*devices, pipe.read_fd], [], [], RESCAN)
                for fd in ready:
                    if fd == pipe.read_fd:
                        pipe.drain()
                        continue
                    try:
                        events = list(devices[fd].read())
                    except OSError:  # unplugged
                        devices.pop(fd).close()
                        translators.pop(fd, None)
                        continue
                    calls = [c for ev in events for c in translators[fd].feed(ev)]
                    self.dispatch(calls)
        finally:
            for device in devices.values():
                device.close()
            pipe.close()
