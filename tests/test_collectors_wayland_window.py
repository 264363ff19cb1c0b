"""Window collector on a real Wayland compositor: headless sway, foot windows, focus moved with swaymsg."""

from __future__ import annotations

import time

import pytest

from assistant.core.config import default_config
from assistant.core.events import Event
from collectors import window_backends
from collectors.privacy import Emitter, PrivacyFilter
from collectors.session import detect
from collectors.window import FocusState, WindowCollector
from tests.wayland import sway, sway_env  # noqa: F401

SECRET = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"


def _collector(got: list[Event], backend: str) -> WindowCollector:
    chosen = window_backends.choose(backend, detect())
    return WindowCollector(Emitter(PrivacyFilter.from_config(default_config()), got.append), FocusState(), 0.5,
                           backend=chosen)


def _switch(sway, titles: list[str], pause: float = 0.6) -> None:  # noqa: F811
    for title in titles:
        sway.focus(title)
        time.sleep(pause)


def _changes(got: list[Event]) -> list[Event]:
    return [e for e in got if e.pulsetime == 0]


@pytest.mark.parametrize("backend", ["auto", "wlr"])
def test_focus_title_app_and_pid_from_sway(sway_env, backend: str) -> None:  # noqa: F811
    sway_env.open_window("Report draft")
    sway_env.open_window("Budget 2025")
    got: list[Event] = []
    c = _collector(got, backend)
    assert c.backend.name == ("sway" if backend == "auto" else "wlr")
    c.start()
    try:
        time.sleep(0.8)
        expected = "sway IPC window events" if backend == "auto" else "wlr-foreign-toplevel events"
        assert c.status()["reason"] == f"watching the active window ({expected})"
        _switch(sway_env, ["Report draft", "Budget 2025", "Report draft"])
    finally:
        c.stop()
    changes = _changes(got)
    assert [e.title for e in changes] == ["Budget 2025", "Report draft", "Budget 2025", "Report draft"]
    assert {e.app for e in changes} == {"foot"}
    assert all(e.source == "window" and e.kind == "focus" for e in changes)
    if backend == "auto":  # sway's IPC knows the PID; the generic protocol does not
        assert all(e.data["pid"] == sway_env.window(e.title)["pid"] for e in changes)
    assert c.status()["state"] == "stopped"


def test_secret_in_a_title_is_redacted_and_a_private_window_leaves_no_trace(sway_env) -> None:  # noqa: F811
    sway_env.open_window(f"Deploy token {SECRET}")
    sway_env.open_window("Shopping - Private Browsing")
    sway_env.open_window("Notes")
    got: list[Event] = []
    c = _collector(got, "auto")
    c.start()
    try:
        time.sleep(0.6)
        _switch(sway_env, [f"Deploy token {SECRET}", "Shopping - Private Browsing", "Notes"])
    finally:
        c.stop()
    titles = [e.title for e in got]
    assert "Deploy token [redacted:api-key]" in titles and "Notes" in titles
    assert not any(SECRET in (t or "") or "Private" in (t or "") for t in titles)


def test_title_change_empty_workspace_and_closed_window(sway_env) -> None:  # noqa: F811
    sway_env.open_window("Draft one")
    got: list[Event] = []
    c = _collector(got, "auto")
    c.start()
    try:
        time.sleep(0.6)
        sway_env.msg("workspace", "2")  # an empty workspace: nothing has focus
        time.sleep(0.6)
        sway_env.msg("workspace", "1")
        time.sleep(0.6)
        sway_env.close("Draft one")
        time.sleep(0.6)
        focus_after_close = c.focus.get()
    finally:
        c.stop()
    changes = [e.title for e in _changes(got)]
    assert changes == ["Draft one", "Draft one"]  # left for the empty workspace, came back
    beats = [e for e in got if e.pulsetime > 0 and e.title == "Draft one"]
    assert len(beats) >= 2  # each stay was closed where focus left
    assert focus_after_close == (None, None, False)
