"""`proactive import --format activitywatch EXPORT.json`: a user's ActivityWatch history into the log."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from assistant.core import paths
from assistant.log import EventWriter
from tests.conftest import run_cli

SECRET = "sk-proj-Tq8vXn2LmZ4pR7sKw9YbH3cJ"  # an invented key of the real shape


def _at(minutes_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat()


def _export(path: Path) -> Path:
    """An export as aw-server writes it (newest event first in each bucket); invented content."""
    path.write_text(json.dumps({"buckets": {
        "aw-watcher-window_laptop": {"id": "aw-watcher-window_laptop", "type": "currentwindow",
                                     "client": "aw-watcher-window", "hostname": "laptop", "events": [
            {"id": 3, "timestamp": _at(20), "duration": 30.0, "data": {"app": "keepassxc", "title": "Vault"}},
            {"id": 2, "timestamp": _at(40), "duration": 95.5,
             "data": {"app": "code", "title": f"config.py - api key {SECRET}"}},
            {"id": 1, "timestamp": _at(60), "duration": 600.0, "data": {"app": "firefox",
                                                                        "title": "Trip planning — Mozilla Firefox"}},
        ]},
        "aw-watcher-web-firefox": {"id": "aw-watcher-web-firefox", "type": "web.tab.current", "events": [
            {"timestamp": _at(59), "duration": 120, "data": {"url": "https://example.org/trains", "title": "Trains",
                                                             "incognito": False}},
            {"timestamp": _at(50), "duration": 60, "data": {"url": "https://example.org/gift", "title": "Gift",
                                                            "incognito": True}},
        ]},
        "aw-watcher-afk_laptop": {"id": "aw-watcher-afk_laptop", "type": "afkstatus", "events": [
            {"timestamp": _at(30), "duration": 300, "data": {"status": "afk"}},
        ]},
    }}))
    return path


def _rows(home: Path) -> list[dict]:
    conn = sqlite3.connect(home / "data" / "events.db")
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT source, kind, app, title, duration, data FROM events "
                                              "ORDER BY start")]
    finally:
        conn.close()


def test_import_filters_redacts_and_does_not_duplicate_on_a_second_run(home: Path, tmp_path: Path) -> None:
    export = _export(tmp_path / "aw-export.json")
    first = run_cli("import", "--format", "activitywatch", str(export), home=home)
    assert first.returncode == 0, first.stderr
    assert "Imported 4 of 5 events" in first.stdout and "1 left out by your privacy rules" in first.stdout
    rows = _rows(home)
    assert [(r["source"], r["kind"], r["app"], r["title"]) for r in rows] == [
        ("window", "focus", "firefox", "Trip planning — Mozilla Firefox"),
        ("browser", "tab", None, "Trains"),
        ("window", "focus", "code", "config.py - api key [redacted:api-key]"),
        ("afk", "afk", None, None),
    ]
    assert rows[0]["duration"] == 600.0 and json.loads(rows[0]["data"])["page_title"] == "Trip planning"
    assert not any(SECRET in json.dumps(r) or "Gift" in json.dumps(r) or "Vault" in json.dumps(r) for r in rows)
    again = run_cli("import", "--format", "activitywatch", str(export), home=home)
    assert again.returncode == 0 and "Imported 0 of 5" in again.stdout and "5 imported before" in again.stdout
    assert len(_rows(home)) == 4
    listed = run_cli("events", "--since", "2h", home=home)
    assert "Trip planning" in listed.stdout


def test_a_bad_file_is_one_clear_error_and_a_running_app_is_named(home: Path, tmp_path: Path,
                                                                     monkeypatch) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"buckets": {"w": {"type": "currentwindow", "events": [{"timestamp": "soon"}]}}}))
    out = run_cli("import", "--format", "activitywatch", str(bad), home=home)
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        f"Cannot import: {bad}: buckets.w.events[0]: 'timestamp' is not ISO 8601: 'soon'"]
    assert "Traceback" not in out.stderr
    missing = run_cli("import", "--format", "activitywatch", str(tmp_path / "nope.json"), home=home)
    assert missing.returncode == 2 and "no such file" in missing.stderr
    monkeypatch.setenv("PROACTIVE_HOME", str(home))
    writer = EventWriter(paths.db_path()).start()  # what a running app holds
    try:
        busy = run_cli("import", "--format", "activitywatch", str(_export(tmp_path / "x.json")), home=home)
    finally:
        writer.stop()
    assert busy.returncode == 1
    assert busy.stderr.strip() == ("Cannot import while the assistant is running (it holds the event log): "
                                   "stop it first, then import again.")
