"""`proactive run` as a user starts it: headless without a display, status while running, clean stop."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from tests.conftest import REPO, run_cli


def test_headless_run_says_what_runs_and_stops_cleanly(home):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PROACTIVE_HOME"] = str(home)
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "run", "--accept-defaults", "--for", "12s"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
    time.sleep(7)
    status = json.loads(run_cli("status", "--json", home=home, env={"DISPLAY": ""}).stdout)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "running headless" in out and "Running headless: no tray; proposals are printed here." in out
    assert "collector window: disabled (no X display" in out
    assert "collector processes: running" in out
    assert "engine: running" in out
    assert out.rstrip().endswith("Stopped. Goodbye.")
    assert status["running"] is True and status["pid"] == proc.pid
    names = {p["name"] for p in status["parts"]}
    assert names >= {"collector window", "collector afk", "collector input", "collector processes",
                     "event log", "engine", "judge", "model"}
    after = json.loads(run_cli("status", "--json", home=home).stdout)
    assert after["running"] is False


def test_autostart_entry_round_trip(home, tmp_path):
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    assert run_cli("autostart", "status", home=home, env=env).stdout.strip() == "off"
    assert run_cli("autostart", "on", home=home, env=env).returncode == 0
    entry = (tmp_path / "xdg" / "autostart" / "proactive-assistant.desktop").read_text()
    assert "[Desktop Entry]" in entry and entry.count("Exec=") == 1 and " run" in entry
    assert run_cli("autostart", "status", home=home, env=env).stdout.startswith("on")
    assert run_cli("autostart", "off", home=home, env=env).stdout.strip() == "Autostart entry and icon removed."


def test_a_second_instance_refuses_to_start(home):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PROACTIVE_HOME"] = str(home)
    first = subprocess.Popen([sys.executable, "-m", "assistant", "run", "--accept-defaults", "--headless", "--for", "10s"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
    time.sleep(4)
    second = run_cli("run", "--accept-defaults", "--headless", "--for", "2s", home=home, env={"DISPLAY": ""})
    first.communicate(timeout=60)
    assert second.returncode == 1
    assert f"another proactive assistant (pid {first.pid}) is already running" in second.stderr
