"""Window titles of every X11 text type, hostile titles and WM_CLASS, on a real X server (Xvfb + openbox)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from Xlib import display

from assistant.core.config import default_config
from assistant.core.events import Event
from assistant.core.redact import MAX_TITLE
from collectors.privacy import Emitter, PrivacyFilter
from collectors.window import FocusState, WindowCollector, app_for
from collectors.x11_text import decode
from tests.display import x_env, xserver  # noqa: F401

pytestmark = pytest.mark.display


class Rig:
    """A window collector feeding a list, and one xterm whose title properties the test rewrites."""

    def __init__(self, x_env, privacy: PrivacyFilter | None = None):  # noqa: F811
        self.x = x_env
        self.got: list[Event] = []
        self.collector = WindowCollector(Emitter(privacy or PrivacyFilter.from_config(default_config()),
                                                 self.got.append), FocusState(), 0.5)
        x_env.open_window("Probe window")
        self.wid = x_env.window_id("Probe window")
        self.conn = display.Display(x_env.display)
        self.win = self.conn.create_resource_object("window", int(self.wid))

    def __enter__(self) -> Rig:  # noqa: PYI034
        self.collector.start()
        self.wait_for(lambda e: e.title == "Probe window")
        return self

    def __exit__(self, *exc) -> None:
        self.collector.stop()
        self.conn.close()

    def set_raw(self, prop: str, type_name: str, data: bytes) -> None:
        """Set a title property exactly as a client of that kind would (python-xlib, no conversion)."""
        atom, kind = self.conn.intern_atom(prop), self.conn.intern_atom(type_name)
        self.win.change_property(atom, kind, 8, data)
        self.conn.flush()

    def remove(self, prop: str) -> None:
        self.win.delete_property(self.conn.intern_atom(prop))
        self.conn.flush()

    def xprop(self, *args: str) -> None:
        env = {**self.x.env, "LC_ALL": "C.UTF-8"}
        subprocess.run(["xprop", "-id", self.wid, *args], env=env, check=True, timeout=10)

    def wait_for(self, predicate, timeout: float = 8.0) -> Event:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in list(self.got):
                if event.pulsetime == 0 and predicate(event):
                    return event
            time.sleep(0.05)
        raise AssertionError(f"no such event; got {[e.title[:80] for e in self.got if e.title]}")


def test_titles_set_as_string_compound_text_or_by_xdotool_are_read_exactly(x_env) -> None:  # noqa: F811
    with Rig(x_env) as rig:
        rig.remove("_NET_WM_NAME")  # an old toolkit: WM_NAME only
        rig.set_raw("WM_NAME", "STRING", "Café crème - résumé.odt".encode("latin-1"))
        rig.wait_for(lambda e: e.title == "Café crème - résumé.odt")
        # Xlib's own conversion (XmbTextListToTextProperty) makes COMPOUND_TEXT for non-Latin-1 text
        title = "Ошибка: сборка не удалась – ビルド失敗 – Σφάλμα – 构建失败 😀"
        rig.xprop("-f", "WM_NAME", "8t", "-set", "WM_NAME", title)
        assert "COMPOUND_TEXT" in subprocess.run(["xprop", "-id", rig.wid, "WM_NAME"], env=x_env.env,
                                                 capture_output=True, text=True, check=True).stdout
        rig.wait_for(lambda e: e.title == title)
        # xdotool sets _NET_WM_NAME and WM_NAME as STRING holding UTF-8 bytes
        x_env.xdotool("set_window", "--name", "Build failed: naïve_test.py – Terminal", rig.wid)
        rig.wait_for(lambda e: e.title == "Build failed: naïve_test.py – Terminal")
    assert not any("\ufffd" in (e.title or "") for e in rig.got)
    assert not any(e.title == "" for e in rig.got), "no title was read as empty"


def test_hostile_titles_are_capped_redacted_and_never_stop_the_collector(x_env) -> None:  # noqa: F811
    luhn_groups = " ".join(["4111 1111 1111 1111"] * 880)  # 16.8 KB: RecursionError in the old redactor
    huge = "Release notes " + "a" * 180_000  # 180 KB in one word: over a minute per redact before
    with Rig(x_env) as rig:
        rig.set_raw("_NET_WM_NAME", "UTF8_STRING", luhn_groups.encode())
        first = rig.wait_for(lambda e: "[redacted:card]" in (e.title or ""))
        rig.set_raw("_NET_WM_NAME", "UTF8_STRING", huge.encode())
        second = rig.wait_for(lambda e: (e.title or "").startswith("Release notes"))
        rig.set_raw("_NET_WM_NAME", "UTF8_STRING", b"\xff\xfe broken \xc3 utf-8 \x00 title")
        rig.wait_for(lambda e: "broken" in (e.title or ""))
        rig.set_raw("_NET_WM_NAME", "UTF8_STRING", b"Back to work")
        rig.wait_for(lambda e: e.title == "Back to work")
        state = rig.collector.status()
    assert "4111" not in first.title and len(first.title) <= MAX_TITLE
    assert len(second.title) <= MAX_TITLE
    assert state["state"] == "running" and state["restarts"] == 0 and state["last_error"] is None


WRAPPED = textwrap.dedent("""
    import os, sys, time
    from Xlib import X, Xatom, display
    d = display.Display()
    s = d.screen()
    w = s.root.create_window(10, 10, 300, 200, 0, s.root_depth, X.InputOutput, X.CopyFromParent,
                             background_pixel=s.white_pixel)
    w.set_wm_class(sys.argv[1], sys.argv[2])
    w.change_property(d.intern_atom("_NET_WM_NAME"), d.intern_atom("UTF8_STRING"), 8, sys.argv[3].encode())
    w.change_property(d.intern_atom("_NET_WM_PID"), Xatom.CARDINAL, 32, [os.getpid()])
    w.map()
    d.flush()
    print(w.id, flush=True)
    time.sleep(60)
""")


def test_app_name_comes_from_wm_class_for_a_browser_started_through_a_wrapper(x_env, tmp_path: Path) -> None:  # noqa: F811
    wrapper = tmp_path / "Terminal"  # the process is named "Terminal"; its window says it is Firefox
    wrapper.symlink_to(os.path.realpath(sys.executable))
    site_packages = str(Path(display.__file__).parent.parent)
    title = "Pull requests · acme/app — Mozilla Firefox"
    proc = subprocess.Popen([str(wrapper), "-c", WRAPPED, "Navigator", "firefox", title], text=True,
                            env={**x_env.env, "PYTHONPATH": site_packages}, stdout=subprocess.PIPE)
    x_env.windows.append(proc)
    wid = proc.stdout.readline().strip()
    assert wid, "the wrapped window did not start"
    time.sleep(0.3)
    x_env.xdotool("windowactivate", "--sync", wid)
    got: list[Event] = []
    collector = WindowCollector(Emitter(PrivacyFilter.from_config(default_config()), got.append), FocusState(), 0.5)
    collector.start()
    try:
        deadline = time.monotonic() + 8
        while not any(e.title == title for e in got) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        collector.stop()
    event = next(e for e in got if e.title == title)
    assert event.app == "firefox"
    assert event.data["browser"] is True and event.data["page_title"] == "Pull requests · acme/app"
    assert event.data["pid"] == proc.pid  # the window's own process, named "Terminal"


def test_app_for_prefers_the_process_name_except_for_hosts_and_wrapped_browsers() -> None:
    assert app_for("code", "code", "Code") == "code"
    assert app_for("xterm", "xterm", "XTerm") == "xterm"
    assert app_for("python3.11", "gimp", "Gimp") == "gimp"
    assert app_for("java", "jetbrains-idea", "jetbrains-idea") == "jetbrains-idea"
    assert app_for("Terminal", "Navigator", "firefox") == "firefox"
    assert app_for("firefox-esr", "Navigator", "firefox") == "firefox-esr"
    assert app_for(None, None, "Gedit") == "gedit"
    assert app_for(None, None, None) is None


def test_decode_never_raises_on_any_bytes() -> None:
    import random

    rnd = random.Random(7)
    for type_name in ("COMPOUND_TEXT", "STRING", "UTF8_STRING", "C_STRING", "WEIRD"):
        for _ in range(300):
            data = bytes(rnd.choice([0x1B, 0x24, 0x28, 0x29, 0x2D, 0x25, 0x2F, 0x47, 0x40, 0x9B, 0xC3, 0x80,
                                     0xFF, 0x41, 0x02, 0x00]) for _ in range(rnd.randint(0, 40)))
            assert isinstance(decode(type_name, data), str)
    assert decode("COMPOUND_TEXT", b"caf\xe9 \x1b-L\xb6\x1b%G\xe2\x9c\x93\x1b%@") == "café Ж✓"
    assert decode("STRING", "Café".encode("latin-1")) == decode("STRING", "Café".encode()) == "Café"
