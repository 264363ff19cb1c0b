"""Input counts, shortcut names, opt-in text and AFK against a real X server driven by xdotool."""

from __future__ import annotations

import time

import pytest

from assistant.core.config import default_config
from assistant.core.events import Event
from collectors.afk import AfkCollector
from collectors.idle import HubIdle
from collectors.input_counts import InputCollector, shortcut_name
from collectors.input_hub import InputHub
from collectors.privacy import Emitter, PrivacyFilter
from collectors.window import FocusState, WindowCollector
from tests.display import x_env, xserver  # noqa: F401

pytestmark = pytest.mark.display


class Rig:
    """Window + input (+ afk) collectors sharing one hub, as the registry wires them."""

    def __init__(self, record_text: bool = False, afk_timeout: float | None = None):
        self.got: list[Event] = []
        cfg = default_config().with_overrides({"privacy.exclude_apps": [r"(?i)keepass", r"^xmessage$"]})
        self.emit = Emitter(PrivacyFilter.from_config(cfg), self.got.append)
        self.hub, focus = InputHub(), FocusState()
        self.collectors = [WindowCollector(self.emit, focus, 0.5),
                           InputCollector(self.emit, self.hub, focus, 1.0, record_text)]
        if afk_timeout:
            self.collectors.append(AfkCollector(self.emit, HubIdle(self.hub), afk_timeout, poll_seconds=0.25))

    def __enter__(self) -> Rig:  # noqa: PYI034
        for c in self.collectors:
            c.start()
        time.sleep(0.8)
        return self

    def __exit__(self, *exc) -> None:
        for c in self.collectors:
            c.stop()

    def of(self, kind: str) -> list[Event]:
        return [e for e in self.got if e.kind == kind]

    def total(self, field: str, title: str | None = None) -> int:
        return sum(e.data.get(field, 0) for e in self.of("counts") if title is None or e.title == title)


def test_counts_match_what_was_sent_and_no_text_is_kept(x_env) -> None:  # noqa: F811
    x_env.open_window("Notes one")
    x_env.open_window("Notes two")
    x_env.activate("Notes one")
    x_env.move(100, 100)
    with Rig() as rig:
        x_env.type("hello world")                     # 11 key presses
        x_env.key("ctrl+s", "ctrl+z", "ctrl+shift+t")  # 2 + 2 + 3 key presses
        x_env.move(400, 500)                           # 500 px (the pointer is sampled every 0.5-2 s)
        time.sleep(2.3)
        x_env.click(1)
        x_env.click(1)
        x_env.click(4)                                 # a scroll step
        time.sleep(1.0)
        x_env.activate("Notes two")
        time.sleep(0.8)
        x_env.type("abc")
        time.sleep(2.5)
        assert all(c.status()["state"] == "running" for c in rig.collectors)
    assert rig.total("keys", "Notes one") == 18
    assert rig.total("keys", "Notes two") == 3
    assert rig.total("clicks") == 2 and rig.total("scrolls") == 1
    assert rig.total("mouse_px") == 500
    shortcuts = [s for e in rig.of("counts") for s in e.data.get("shortcuts", [])]
    assert shortcuts == ["ctrl+s", "ctrl+z", "ctrl+shift+t"]
    assert not rig.of("text")
    assert "hello" not in repr(rig.got) and "abc" not in repr([e.data for e in rig.got])


def test_excluded_app_gets_no_counts(x_env) -> None:  # noqa: F811
    x_env.open_window("Notes one")
    x_env.open_window("Vault", ["xmessage", "-name", "vault", "-title", "Vault", "Vault"])
    with Rig() as rig:
        x_env.activate("Vault")
        time.sleep(0.8)
        x_env.type("secretpw")
        time.sleep(1.5)
        x_env.activate("Notes one")
        time.sleep(0.8)
        x_env.type("ok")
        time.sleep(2.0)
    assert rig.total("keys") == 2
    assert not any(e.app == "xmessage" or e.title == "Vault" for e in rig.got)


def test_opt_in_text_is_kept_per_window_redacted_and_never_in_password_prompts(x_env) -> None:  # noqa: F811
    x_env.open_window("Chat")
    x_env.open_window("Password required")
    with Rig(record_text=True) as rig:
        x_env.activate("Chat")
        time.sleep(0.8)
        x_env.type("mail me at bob@example.com")
        time.sleep(0.5)
        x_env.activate("Password required")
        time.sleep(0.8)
        x_env.type("hunter2")
        time.sleep(4.5)
    texts = [(e.title, e.data["text"]) for e in rig.of("text")]
    assert texts == [("Chat", "mail me at [redacted:email]")]
    assert "hunter2" not in repr(rig.got)


def test_afk_after_idle_and_back_on_input(x_env) -> None:  # noqa: F811
    x_env.open_window("Notes one")
    with Rig(afk_timeout=2.0) as rig:
        x_env.type("x")
        time.sleep(3.5)
        x_env.move(50, 60)
        time.sleep(2.5)
    states = [e.kind for e in rig.got if e.source == "afk" and e.pulsetime == 0]
    assert states == ["not-afk", "afk", "not-afk"]
    afk = next(e for e in rig.got if e.kind == "afk")
    assert afk.duration >= 2.0, "the away period starts at the last input"


def test_shortcut_names() -> None:
    assert shortcut_name("t", frozenset({"ctrl", "shift"})) == "ctrl+shift+t"
    assert shortcut_name("tab", frozenset({"alt"})) == "alt+tab"
    assert shortcut_name("a", frozenset({"shift"})) is None  # typing a capital is not a shortcut
    assert shortcut_name("ctrl", frozenset({"ctrl"})) is None
