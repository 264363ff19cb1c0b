"""One pynput keyboard + mouse listener pair shared by the afk and input collectors.

Subscribers call `acquire(sub)` / `release(sub)`; the listeners run while anyone holds the hub.
On X11 the listeners record key and button presses only (releases and pointer motion would double and
multiply the per-event Python cost); modifiers come from the X event state and the pointer is sampled every
0.5-2 s for mouse distance and activity. Elsewhere pynput's ordinary listeners are used. A subscriber
may define on_key(name, char, modifiers), on_click(), on_scroll(), on_move(distance_px) and on_input()
(called after any of them). `last_input` is the
wall-clock time of the latest input event (the afk collector reads it). pynput is imported lazily.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from typing import Any

from collectors.desktop import IS_LINUX, x11_problem

log = logging.getLogger("collectors")

MODIFIERS = {"ctrl_l": "ctrl", "ctrl_r": "ctrl", "ctrl": "ctrl", "alt_l": "alt", "alt_r": "alt", "alt": "alt",
             "alt_gr": "alt", "shift_l": "shift", "shift_r": "shift", "shift": "shift", "cmd": "super",
             "cmd_l": "super", "cmd_r": "super"}
_TYPED = {"space": " ", "enter": "\n", "tab": "\t"}


def key_parts(key: Any) -> tuple[str, str | None]:
    """(lower-case key name, typed character or None) for a pynput Key or KeyCode."""
    name = getattr(key, "name", None)
    if isinstance(name, str):  # pynput.keyboard.Key member
        return MODIFIERS.get(name, name), _TYPED.get(name)
    char = getattr(key, "char", None)
    if char:
        if len(char) == 1 and ord(char) < 32:  # ctrl+letter arrives as a control character on some systems
            return chr(ord(char) + 96), None
        return char.lower(), char
    vk = getattr(key, "vk", None)
    return (f"vk{vk}" if vk is not None else "unknown"), None


def _quiet_after_stop(listener: Any) -> None:
    """pynput's X listener may hit a closed connection while it shuts down; that is not a failure."""
    run = listener._run

    def guarded() -> None:
        try:
            run()
        except Exception:
            if listener.running:
                raise
            log.debug("input listener raised while stopping", exc_info=True)

    listener._run = guarded


# X modifier state bits: Shift, Control, Mod1 (alt), Mod4 (super)
_X_STATE_MODS = ((1, "shift"), (4, "ctrl"), (8, "alt"), (64, "super"))


def _press_only_x11_listener(base: type, hub: InputHub) -> type:
    """pynput's X keyboard listener recording key presses only (half the events, half the CPU); the modifiers
    come from each event's X state instead of tracking releases."""
    from Xlib import X

    class PressOnly(base):  # type: ignore[misc, valid-type]
        _EVENTS = (X.KeyPress, X.KeyPress)

        def _handle_message(self, display: Any, event: Any, injected: bool) -> None:
            try:
                key = self._event_to_key(display, event)
            except IndexError:
                key = None
            hub._x_mods = frozenset(name for bit, name in _X_STATE_MODS if event.state & bit)
            self.on_press(key, injected)

    return PressOnly


def _buttons_only_x11_listener(base: type) -> type:
    """pynput's X mouse listener recording button presses (clicks, scroll steps) but no motion events."""
    from Xlib import X

    class ButtonsOnly(base):  # type: ignore[misc, valid-type]
        _EVENTS = (X.ButtonPress, X.ButtonPress)

    return ButtonsOnly


class PointerSampler(threading.Thread):
    """Reads the pointer position on its own X connection and reports where it went: every `fast` seconds
    while it moves, backing off to every `slow` seconds while it rests. Replaces recording every motion
    event (a moving mouse sends ~100 events/s, each costing ~0.3 ms of Python in python-xlib's RECORD
    parsing); mouse distance is then the sum of straight steps between samples."""

    def __init__(self, on_move: Any, fast: float = 0.5, slow: float = 2.0):
        super().__init__(name="pointer-sampler", daemon=True)
        self.on_move = on_move
        self.fast, self.slow = fast, slow
        self.running = False
        self._stop_event = threading.Event()

    def run(self) -> None:
        from Xlib import display

        from collectors.x11_errors import quiet

        conn = display.Display()
        quiet(conn)
        try:
            root = conn.screen().root
            reply = root.query_pointer()
            last = (reply.root_x, reply.root_y)
            self.on_move(*last)  # the starting point, distance 0
            self.running = True
            interval = self.fast
            while not self._stop_event.wait(interval):
                reply = root.query_pointer()
                pos = (reply.root_x, reply.root_y)
                if pos != last:
                    self.on_move(*pos)
                    last, interval = pos, self.fast
                else:
                    interval = min(self.slow, interval * 2)
        finally:
            self.running = False
            conn.close()

    def stop(self) -> None:
        self._stop_event.set()


class InputHub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: list[Any] = []
        self._listeners: list[Any] = []
        self._mods: set[str] = set()
        self._last_pos: tuple[float, float] | None = None
        self.last_input = time.time()
        self.events = 0
        self._x_mods: frozenset[str] | None = None  # set per event by the X press-only listener

    @staticmethod
    def problem() -> str | None:
        """Why input cannot be observed here (None when it can)."""
        return x11_problem(need_record=True) if IS_LINUX else None

    def acquire(self, sub: Any) -> None:
        with self._lock:
            if sub not in self._subs:
                self._subs.append(sub)
            if not self._alive_locked():
                self._stop_locked()
                self._start_locked()

    def release(self, sub: Any) -> None:
        with self._lock:
            if sub in self._subs:
                self._subs.remove(sub)
            if not self._subs:
                self._stop_locked()

    def alive(self) -> bool:
        with self._lock:
            return self._alive_locked()

    def input_seen(self) -> float | None:
        """When keyboard or pointer input last came, or None while no listener runs (nobody knows)."""
        return self.last_input if self.alive() else None

    def _alive_locked(self) -> bool:
        return bool(self._listeners) and all(lis.is_alive() for lis in self._listeners)

    def _start_locked(self) -> None:
        from pynput import keyboard, mouse  # lazy: needs DISPLAY on Linux

        self.last_input = time.time()
        self._mods.clear()
        self._last_pos = None
        if IS_LINUX:  # presses only, pointer motion sampled: see the module docstring
            kb = _press_only_x11_listener(keyboard.Listener, self)(on_press=self._press)
            ms = _buttons_only_x11_listener(mouse.Listener)(on_click=self._click, on_scroll=self._scroll)
            listeners = [kb, ms, PointerSampler(self._move)]
        else:
            kb = keyboard.Listener(on_press=self._press, on_release=self._release)
            ms = mouse.Listener(on_move=self._move, on_click=self._click, on_scroll=self._scroll)
            listeners = [kb, ms]
        for lis in listeners:
            lis.daemon = True
            if hasattr(lis, "_run"):
                _quiet_after_stop(lis)
            lis.start()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not all(lis.running for lis in listeners):
            if not all(lis.is_alive() for lis in listeners):
                break
            time.sleep(0.01)
        self._listeners = listeners
        if not all(lis.running and lis.is_alive() for lis in listeners):
            self._stop_locked()
            raise RuntimeError("the input listeners did not start")

    def _stop_locked(self) -> None:
        for lis in self._listeners:
            try:
                lis.stop()
            except Exception:
                log.debug("stopping an input listener failed", exc_info=True)
        self._listeners = []

    # ---- pynput callbacks (listener threads)
    def _fan_out(self, method: str, *args: Any) -> None:
        self.last_input = time.time()
        self.events += 1
        for sub in list(self._subs):
            for name, call_args in ((method, args), ("on_input", ())):
                fn = getattr(sub, name, None)
                if fn is None:
                    continue
                try:
                    fn(*call_args)
                except Exception:  # a subscriber bug must not kill the shared listener
                    log.exception("input subscriber %r failed in %s", sub, name)

    def _press(self, key: Any) -> None:
        name, char = key_parts(key)
        if self._x_mods is not None:
            mods = self._x_mods | ({name} if name in ("ctrl", "alt", "shift", "super") else set())
        else:
            if name in ("ctrl", "alt", "shift", "super"):
                self._mods.add(name)
            mods = frozenset(self._mods)
        self._fan_out("on_key", name, char, mods)

    def _release(self, key: Any) -> None:
        name, _ = key_parts(key)
        self._mods.discard(name)
        self.last_input = time.time()

    def _move(self, x: float, y: float) -> None:
        last, self._last_pos = self._last_pos, (x, y)
        if last is None:
            return  # the starting point: not an input event
        self._fan_out("on_move", math.hypot(x - last[0], y - last[1]))

    def _click(self, x: float, y: float, button: Any, pressed: bool) -> None:
        if pressed:
            self._fan_out("on_click")
        else:
            self.last_input = time.time()

    def _scroll(self, x: float, y: float, dx: float, dy: float) -> None:
        self._fan_out("on_scroll")
