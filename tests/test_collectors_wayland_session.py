"""Backend choice from the session, idle on real sway, and what status says about input on Wayland."""

from __future__ import annotations

import time

import pytest

from assistant.core.config import default_config
from assistant.core.events import Event
from collectors import window_backends
from collectors.afk import AfkCollector
from collectors.evdev_input import EvdevTranslator, evdev_problem
from collectors.input_counts import InputCollector
from collectors.privacy import Emitter, PrivacyFilter
from collectors.registry import WAYLAND_INPUT, build_collectors
from collectors.session import detect
from collectors.wayland_idle import WaylandIdle
from collectors.window import FocusState
from tests.wayland import sway, sway_env  # noqa: F401


def _emit(got: list[Event]) -> Emitter:
    return Emitter(PrivacyFilter.from_config(default_config()), got.append)


@pytest.mark.parametrize(("env", "kind", "compositor", "backend"), [
    ({"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"}, "x11", None, "x11"),
    ({"WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland", "XDG_CURRENT_DESKTOP": "ubuntu:GNOME"},
     "wayland", "gnome", "gnome"),
    ({"WAYLAND_DISPLAY": "wayland-0", "XDG_CURRENT_DESKTOP": "KDE"}, "wayland", "kwin", "kwin"),
    ({"WAYLAND_DISPLAY": "wayland-0", "HYPRLAND_INSTANCE_SIGNATURE": "abc"}, "wayland", "hyprland", "hyprland"),
    ({"WAYLAND_DISPLAY": "wayland-0", "XDG_CURRENT_DESKTOP": "river"}, "wayland", "wlroots", "wlr"),
    ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"}, "x11", None, "x11"),
    ({}, "none", None, "x11"),
])
def test_the_session_picks_the_window_backend(env, kind, compositor, backend) -> None:
    session = detect(env)
    assert (session.kind, session.compositor) == (kind, compositor)
    assert window_backends.choose("auto", session).name == backend
    assert window_backends.choose("x11", session).name == "x11"  # the config can always force one


def test_sway_is_recognised_by_its_socket(sway) -> None:  # noqa: F811
    assert detect(sway.env).compositor == "sway"
    assert detect({**sway.env, "SWAYSOCK": "/nonexistent"}).compositor == "wlroots"


def test_afk_on_sway_from_the_compositors_idle_notifications(sway_env) -> None:  # noqa: F811
    got: list[Event] = []
    idle = WaylandIdle(1.5)
    c = AfkCollector(_emit(got), idle, timeout_seconds=1.5)
    c.start()
    try:
        deadline = time.monotonic() + 10
        while not any(e.kind == "afk" for e in got) and time.monotonic() < deadline:
            time.sleep(0.1)
        sway_env.msg("seat", "seat0", "cursor", "move", "15", "15")  # real input through the seat
        deadline = time.monotonic() + 5
        while not [e for e in got if e.kind == "not-afk" and e.pulsetime == 0][1:] and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        c.stop()
    assert idle.protocol in ("ext_idle_notifier_v1", "org_kde_kwin_idle")
    changes = [e.kind for e in got if e.pulsetime == 0]
    assert changes[:3] == ["not-afk", "afk", "not-afk"]


def test_on_wayland_status_says_input_is_not_available_unless_evdev_is_opted_in(sway_env) -> None:  # noqa: F811
    cfg = default_config()
    built = {c.name: c for c in build_collectors(cfg, lambda e: None)}
    assert built["input"].status()["state"] == "disabled"
    assert built["input"].status()["reason"] == WAYLAND_INPUT
    assert built["window"].backend.name == "sway"
    opted = {c.name: c for c in build_collectors(cfg.with_overrides({"collectors.input.evdev": True}),
                                                  lambda e: None)}
    opted["input"].start()
    try:  # without readable devices: disabled with the way to get access, never a crash
        st = opted["input"].status()
        problem = evdev_problem()
        assert (st["state"], st["reason"] if problem else None) == (("disabled", problem) if problem
                                                                    else ("running", None))
    finally:
        opted["input"].stop()


def test_evdev_input_becomes_counts_and_shortcut_names_but_never_key_content() -> None:
    from evdev import InputEvent, ecodes

    got: list[Event] = []
    focus = FocusState()
    focus.set("foot", "Notes", False)
    collector = InputCollector(_emit(got), None, focus, 1.0, record_text=True)  # type: ignore[arg-type]
    translator = EvdevTranslator(ecodes)

    def feed(kind: int, code: int, value: int) -> None:
        for method, args in translator.feed(InputEvent(0, 0, kind, code, value)):
            getattr(collector, method)(*args)

    for code in (ecodes.KEY_H, ecodes.KEY_I):  # typed "hi"
        feed(ecodes.EV_KEY, code, 1)
        feed(ecodes.EV_KEY, code, 0)
    feed(ecodes.EV_KEY, ecodes.KEY_LEFTCTRL, 1)
    feed(ecodes.EV_KEY, ecodes.KEY_S, 1)
    feed(ecodes.EV_KEY, ecodes.KEY_S, 0)
    feed(ecodes.EV_KEY, ecodes.KEY_LEFTCTRL, 0)
    feed(ecodes.EV_KEY, ecodes.BTN_LEFT, 1)
    feed(ecodes.EV_KEY, ecodes.BTN_LEFT, 0)
    feed(ecodes.EV_REL, ecodes.REL_WHEEL, -1)
    feed(ecodes.EV_REL, ecodes.REL_X, 30)
    feed(ecodes.EV_REL, ecodes.REL_Y, 40)
    feed(ecodes.EV_SYN, ecodes.SYN_REPORT, 0)
    collector.flush()
    counts = [e for e in got if e.kind == "counts"]
    assert counts and counts[0].data == {"keys": 4, "clicks": 1, "scrolls": 1, "mouse_px": 50,
                                         "shortcuts": ["ctrl+s"]}
    assert not [e for e in got if e.kind == "text"], "no characters come out of the evdev path"
