"""Window collector against a real X server (Xvfb + openbox + xterm windows switched with xdotool)."""

from __future__ import annotations

import itertools
import time

import pytest

from assistant.core.config import default_config
from assistant.core.events import Event
from assistant.log.heartbeat import heartbeat_merge
from collectors.browser_titles import page_info
from collectors.privacy import Emitter, PrivacyFilter
from collectors.window import HEARTBEAT, QUIET_AFTER, QUIET_HEARTBEAT, FocusState, WindowCollector
from tests.display import x_env, xserver  # noqa: F401

pytestmark = pytest.mark.display


def _collector(got: list[Event]) -> WindowCollector:
    return WindowCollector(Emitter(PrivacyFilter.from_config(default_config()), got.append), FocusState(), 0.5)


def test_focus_changes_are_events_with_app_title_and_pid(x_env) -> None:  # noqa: F811
    x_env.open_window("Report draft")
    x_env.open_window("Budget 2025")
    got: list[Event] = []
    c = _collector(got)
    c.start()
    try:
        time.sleep(1.0)
        for title in ["Report draft", "Budget 2025", "Report draft"]:
            x_env.activate(title)
            time.sleep(1.2)
    finally:
        c.stop()
    changes = [e for e in got if e.pulsetime == 0]
    assert [e.title for e in changes] == ["Budget 2025", "Report draft", "Budget 2025", "Report draft"]
    assert {e.app for e in changes} == {"xterm"}
    assert all(e.source == "window" and e.kind == "focus" and e.data["pid"] > 0 for e in changes)
    beats = [e for e in got if e.pulsetime > 0]
    for before, change in itertools.pairwise(changes):  # each change first closes the previous window's event
        assert any(b.title == before.title and b.start == change.start for b in beats)
    assert HEARTBEAT <= 1.0 and all(b.pulsetime == HEARTBEAT + 1.0 for b in beats)
    # while a window stays in front it is heartbeaten about every second (a kill -9 loses at most that much)
    assert any(b.start not in {c.start for c in changes} for b in beats)
    assert c.status()["state"] == "stopped"


def test_heartbeats_slow_down_while_nobody_touches_the_computer_and_the_stored_span_stays_whole(x_env) -> None:  # noqa: F811
    """Nobody typing or pointing for QUIET_AFTER s: a beat every QUIET_HEARTBEAT s (an idle app wakes less), each
    bridging the longer gap, so the window's event still covers the whole time; input makes them fast again."""
    x_env.open_window("Long read")
    x_env.activate("Long read")
    last_input = [time.time() - QUIET_AFTER - 5]
    got: list[Event] = []
    c = WindowCollector(Emitter(PrivacyFilter.from_config(default_config()), got.append), FocusState(), 0.5,
                        last_input=lambda: last_input[0])
    c.start()
    try:
        time.sleep(9.0)
        quiet_beats = [e for e in got if e.pulsetime > 0]
        last_input[0] = time.time()  # someone moved the mouse
        time.sleep(QUIET_HEARTBEAT + 2.5)
    finally:
        c.stop()
    assert 1 <= len(quiet_beats) <= 3, [e.start for e in quiet_beats]  # at 0.8 s it would be about 11
    assert all(b.pulsetime == QUIET_HEARTBEAT + 1.0 for b in quiet_beats)
    fast = [e for e in got if e.pulsetime > 0 and e.start > last_input[0] + QUIET_HEARTBEAT]
    assert len(fast) >= 2 and all(b.pulsetime == HEARTBEAT + 1.0 for b in fast[1:])
    span = got[0]
    for beat in got[1:]:  # what the writer does with them: one unbroken span from the first sighting to the end
        span = heartbeat_merge(span, beat, beat.pulsetime)
        assert span is not None, "a heartbeat came too late to extend the window's event"
    assert span.end >= got[-1].start - 0.01


def test_secret_in_title_is_redacted_and_private_window_leaves_no_trace(x_env) -> None:  # noqa: F811
    x_env.open_window("Deploy token ghp_abcdefghijklmnopqrstuvwxyz0123456789")
    x_env.open_window("Shopping - Private Browsing")
    got: list[Event] = []
    c = _collector(got)
    c.start()
    try:
        time.sleep(0.8)
        x_env.activate("Deploy token ghp_abcdefghijklmnopqrstuvwxyz0123456789")
        time.sleep(1.0)
        x_env.activate("Shopping - Private Browsing")
        time.sleep(1.0)
    finally:
        c.stop()
    titles = {e.title for e in got}
    assert "Deploy token [redacted:api-key]" in titles
    assert not any("ghp_" in (t or "") or "Private" in (t or "") for t in titles)


def test_browser_titles_give_page_title_and_url() -> None:
    assert page_info("firefox", "Pull requests · acme/app — Mozilla Firefox") == {
        "browser": True, "page_title": "Pull requests · acme/app"}
    assert page_info("chrome", "example.org/docs/start - Google Chrome") == {
        "browser": True, "page_title": "example.org/docs/start", "url": "https://example.org/docs/start"}
    assert page_info("msedge.exe", "Inbox - Profile 1 - Microsoft\u200b Edge")["page_title"] == "Inbox"
    assert page_info("brave", "Search https://duck.com/?q=x - Brave")["url"] == "https://duck.com/?q=x"
    assert page_info("xterm", "Report draft") == {}


def test_without_display_the_collector_is_disabled_with_a_reason(monkeypatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    c = _collector([])
    c.start()
    st = c.status()
    assert st["state"] == "disabled" and "Wayland" in st["reason"]
    monkeypatch.delenv("WAYLAND_DISPLAY")
    c.start()
    assert c.status()["reason"] == "no X display (DISPLAY unset)"


def test_pause_stops_events_and_resume_reports_the_current_window_again(x_env) -> None:  # noqa: F811
    x_env.open_window("Report draft")
    got: list[Event] = []
    c = _collector(got)
    c.start()
    try:
        time.sleep(0.8)
        c.pause()
        time.sleep(0.3)
        during = len(got)
        time.sleep(1.2)
        assert len(got) == during, "nothing is emitted while paused"
        c.resume()
        time.sleep(1.0)
    finally:
        c.stop()
    changes = [e.title for e in got if e.pulsetime == 0]
    assert changes == ["Report draft", "Report draft"]
