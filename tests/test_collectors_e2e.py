"""End to end: `proactive run --headless --for 20s` on Xvfb + openbox, driven with xdotool, checked in SQLite."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from assistant.core.config_schema import DEFAULT_EXCLUDE_APPS
from tests.display import x_env, xserver  # noqa: F401

pytestmark = pytest.mark.display
REPO = Path(__file__).resolve().parent.parent
SECRET = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"


def _rows(db: Path) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT id, start, duration, source, kind, app, title, data "
                                              "FROM events ORDER BY id")]
    finally:
        conn.close()


def _wait_for(db: Path, predicate, timeout: float) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if db.exists():
            try:
                rows = _rows(db)
            except sqlite3.OperationalError:
                rows = []
            if predicate(rows):
                return rows
        time.sleep(0.2)
    raise AssertionError(f"timed out; rows so far: {_rows(db) if db.exists() else 'no DB'}")


def test_proactive_run_records_windows_afk_counts_and_keeps_secrets_out(x_env, tmp_path: Path) -> None:  # noqa: F811
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.yaml").write_text(yaml.safe_dump({
        "collectors": {"afk": {"timeout_seconds": 2.0}, "input": {"bucket_seconds": 1.0}},
        "storage": {"sync_interval": 0},  # rows reach SQLite within a second: this test reads it live
        "privacy": {"exclude_apps": DEFAULT_EXCLUDE_APPS + ["^xmessage$"]},
    }))
    x_env.open_window("Report draft")
    x_env.open_window("Budget review")
    x_env.open_window(f"Deploy {SECRET}")
    x_env.open_window("Vault", ["xmessage", "-title", "Vault", "Vault"])
    x_env.activate("Budget review")

    env = {**x_env.env, "PROACTIVE_HOME": str(home)}
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "run", "--accept-defaults", "--headless", "--for", "20s"], env=env,
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    db = home / "data" / "events.db"
    try:
        _wait_for(db, lambda rows: any(r["source"] == "window" for r in rows), 15)
        x_env.activate("Report draft")
        time.sleep(1.2)
        x_env.type("hello world")                        # 11 key presses
        x_env.key("ctrl+s")                              # 2 key presses, shortcut ctrl+s
        time.sleep(1.2)
        x_env.activate("Budget review")
        x_env.move_into("Budget review")
        time.sleep(1.2)
        x_env.click(1)
        x_env.click(1)
        time.sleep(1.0)
        x_env.activate("Vault")
        time.sleep(1.2)
        x_env.type("vaultpass")
        time.sleep(1.2)
        x_env.activate(f"Deploy {SECRET}")
        time.sleep(3.5)                                  # idle: away after 2 s
        x_env.move_into(f"Deploy {SECRET}", 60, 60)      # back (the pointer is sampled every 0.5-2 s)
        time.sleep(2.5)
    finally:
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out

    rows = _rows(db)
    focus = [r for r in rows if r["source"] == "window"]
    titles = [r["title"] for r in focus]
    assert titles == ["Budget review", "Report draft", "Budget review", "Deploy [redacted:api-key]"]
    assert {r["app"] for r in focus} == {"xterm"}
    assert all(json.loads(r["data"])["pid"] > 0 for r in focus)
    assert focus[1]["duration"] >= 2.0, "heartbeats extend the focused window's row"

    afk = [r for r in rows if r["source"] == "afk"]
    assert afk[0]["kind"] == "not-afk"
    # the 4 s idle period (timeout 2 s) is one "afk" row starting at the last input, then "not-afk" again
    t0 = rows[0]["start"]
    timeline = [(r["kind"], round(r["start"] - t0, 1), round(r["duration"], 1)) for r in afk]
    back = [i for i, r in enumerate(afk[:-1]) if r["kind"] == "afk" and afk[i + 1]["kind"] == "not-afk"
            and r["duration"] >= 3.0 and r["start"] <= focus[-1]["start"]]
    assert back, f"no away period from the last input that ended on input: {timeline}"

    counts = [(r["title"], json.loads(r["data"])) for r in rows if r["kind"] == "counts"]
    keys = lambda title: sum(d.get("keys", 0) for t, d in counts if t == title)
    assert keys("Report draft") == 13
    assert sum(d.get("clicks", 0) for t, d in counts if t == "Budget review") == 2
    assert [s for _, d in counts for s in d.get("shortcuts", [])] == ["ctrl+s"]

    assert not any(r["app"] == "xmessage" or r["title"] == "Vault" for r in rows), "excluded app left a row"
    everything = b"".join(p.read_bytes() for p in db.parent.glob("events.db*"))
    for leaked in (b"hello", b"vaultpass", SECRET.encode(), b"ghp_"):
        assert leaked not in everything
