"""The app's own windows (dashboard, settings, cards, task panel) are never logged: not their focus, not the input
counts or text typed in them; rows an older version stored are deleted when the log is opened, and every reader
skips them meanwhile."""

from __future__ import annotations

import os
import time

import pytest

from assistant.core.config import default_config
from assistant.core.events import Event
from assistant.log import EventWriter, open_db
from assistant.log.decisions import all_events
from assistant.log.events import events_between
from collectors.privacy import Emitter, PrivacyFilter
from collectors.window import FocusState, WindowCollector
from tests.display import x_env, xserver  # noqa: F401
from tests.logsql import sql, sql_many
from tests.test_desktop_session import _own_window, _wait


def test_the_filter_drops_every_kind_of_event_about_an_own_window():
    privacy = PrivacyFilter.from_config(default_config())
    me = os.getpid()
    dropped = [
        Event("window", "focus", app="python3", title="Proactive assistant — Dashboard", data={"pid": me}),
        Event("window", "focus", app="proactive", title="Some window Qt titled otherwise", data={"pid": me}),
        Event("input", "counts", app="proactive", title="Proactive assistant — Settings", data={"keys": 5}),
        Event("input", "text", app="python3.11", title="Proactive assistant — Settings", data={"text": "hello"}),
        Event("window", "focus", app="proactive", title="Suggestion"),
        Event("input", "counts", app="proactive-assistant", title="Assistant — working on your task"),
    ]
    kept = [
        Event("window", "focus", app="firefox", title="Proactive assistant — GitHub — Mozilla Firefox"),
        Event("input", "counts", app="code", title="Proactive assistant — notes.md", data={"keys": 5}),
        Event("window", "focus", app="gedit", title="Suggestion", data={"pid": me + 1}),
    ]
    assert [privacy.apply(e) for e in dropped] == [None] * len(dropped)
    assert all(privacy.apply(e) is not None for e in kept)


@pytest.mark.display
def test_focus_on_an_own_window_marks_it_excluded_for_the_input_collector(x_env):  # noqa: F811
    got: list[Event] = []
    focus = FocusState()
    collector = WindowCollector(Emitter(PrivacyFilter.from_config(default_config()), got.append), focus, 0.5)
    collector.start()
    d, wid = _own_window("Proactive assistant — Settings")
    try:
        x_env.open_window("Budget notes")
        assert _wait(lambda: focus.get()[1] == "Budget notes", 10)
        assert focus.get()[2] is False
        x_env.xdotool("windowactivate", "--sync", str(wid))
        assert _wait(lambda: focus.get()[1] == "Proactive assistant — Settings", 10)
        assert focus.get()[2] is True  # input counts and typed text in it are dropped at the source
    finally:
        collector.stop()
        d.close()
    assert not [e for e in got if "Proactive assistant" in (e.title or "")]


def test_rows_an_older_version_stored_are_deleted_and_skipped(home):
    path = home / "events.db"
    now = time.time()
    writer = EventWriter(path, sync_interval=0).start()
    for event in (Event("window", "focus", start=now - 60, duration=10, app="code", title="main.py - code"),
                  Event("input", "counts", start=now - 50, duration=5, app="proactive",
                        title="Proactive assistant — Settings", data={"keys": 4}),
                  Event("window", "focus", start=now - 40, duration=10, app="python3",
                        title="Proactive assistant — Dashboard"),
                  Event("window", "focus", start=now - 30, duration=10, app="firefox",
                        title="Proactive assistant — GitHub — Mozilla Firefox")):
        writer.put(event)
    writer.flush()
    writer.stop()
    db = open_db(path)
    sql_many(db, "INSERT INTO observations (time, sentence, event_ids) VALUES (?, ?, '[]')",
             [(now - 50, "The user types in 'Proactive assistant — Settings' in proactive."),
              (now - 60, "The user edits 'main.py' in Visual Studio Code.")])
    titles = [e.title for _, e in events_between(db, now - 120, now)]
    assert titles == ["main.py - code", "Proactive assistant — GitHub — Mozilla Firefox"]  # skipped on read
    assert [r["title"] for r in all_events(db)] == titles
    sql(db, "DELETE FROM _migrations WHERE name = 'm006_forget_own_windows'")  # as before the upgrade
    db.close()
    db = open_db(path)
    try:
        stored = [r[0] for r in sql(db, "SELECT title FROM events ORDER BY start")]
        sentences = [r[0] for r in sql(db, "SELECT sentence FROM observations")]
    finally:
        db.close()
    assert stored == titles
    assert sentences == ["The user edits 'main.py' in Visual Studio Code."]
