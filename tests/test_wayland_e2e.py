"""End to end on Wayland: `proactive run --headless` joins a headless sway session (XDG_RUNTIME_DIR,
WAYLAND_DISPLAY, SWAYSOCK), foot windows get focus through swaymsg, and the stored events show them."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import yaml

from tests.conftest import REPO, run_cli
from tests.wayland import sway  # noqa: F401

SECRET = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"


def _rows(db: Path) -> list[dict]:
    if not db.exists():
        return []
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT source, kind, app, title, data, duration FROM events")]
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()


def _wait_rows(db: Path, predicate, timeout: float) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = _rows(db)
        if predicate(rows):
            return rows
        time.sleep(0.3)
    raise AssertionError(f"timed out; rows so far: {_rows(db)}")


def test_proactive_run_on_sway_records_windows_and_afk_and_says_what_runs(sway, tmp_path) -> None:  # noqa: F811
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (home / "config" / "config.yaml").write_text(yaml.safe_dump({
        "collectors": {"afk": {"timeout_seconds": 2.0},
                       "activitywatch_api": {"enabled": True, "port": port}},
        "storage": {"sync_interval": 0},  # rows reach SQLite within a second: read live
    }))
    sway.open_window("Quarterly plan")
    sway.open_window(f"Deploy {SECRET}")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SWAYSOCK")}
    env.update(sway.env, PROACTIVE_HOME=str(home))
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "run", "--accept-defaults", "--opt-in",
                             "collectors.activitywatch_api.enabled", "--headless", "--no-model", "--for", "60s"],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    db = home / "data" / "events.db"
    try:
        _wait_rows(db, lambda rows: any(r["source"] == "window" for r in rows), 40)
        sway.focus("Quarterly plan")
        time.sleep(0.8)
        sway.focus(f"Deploy {SECRET}")
        time.sleep(0.8)
        sway.focus("Quarterly plan")
        rows = _wait_rows(db, lambda rows: sum(r["source"] == "window" for r in rows) >= 4
                          and any(r["source"] == "afk" and r["kind"] == "afk" for r in rows), 30)
        status = run_cli("status", "--json", home=home)
        assert status.returncode == 0, status.stderr
        collectors = {p["name"].removeprefix("collector "): p for p in json.loads(status.stdout)["parts"]
                      if p["name"].startswith("collector ")}
        plain = run_cli("status", home=home).stdout
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    windows = [r for r in rows if r["source"] == "window"]
    assert {r["title"] for r in windows} >= {"Quarterly plan", "Deploy [redacted:api-key]"}
    assert {r["app"] for r in windows} == {"foot"}
    assert not any(SECRET in json.dumps(r) for r in _rows(db)), "the secret never reaches the log"
    assert collectors["window"]["state"] == "running" and "sway IPC" in collectors["window"]["reason"]
    assert collectors["afk"]["state"] == "running"
    assert collectors["input"]["state"] == "disabled"
    assert "input counts: not available on Wayland without access to input devices" in plain
    assert re.search(rf"collector activitywatch +running +listening on 127\.0\.0\.1:{port} for ActivityWatch watchers",
                     plain), plain
    assert "Stopped." in out
