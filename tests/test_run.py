"""`proactive run` as a user starts it: headless without a display, status while running, clean stop."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from tests.conftest import REPO, run_cli


def test_headless_run_says_what_runs_and_stops_cleanly(home):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["PROACTIVE_HOME"] = str(home)
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "run", "--for", "12s"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
    time.sleep(7)
    status = json.loads(run_cli("status", "--json", home=home, env={"DISPLAY": ""}).stdout)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "running headless" in out and "Running headless: no tray; proposals are printed here." in out
    assert "collector window: disabled (no X display" in out
    assert "collector processes: running" in out
    assert "engine: running" in out
    assert out.rstrip().endswith("Stopped.")
    assert status["running"] is True and status["pid"] == proc.pid
    assert {c["name"] for c in status["collectors"]} >= {"window", "afk", "input", "processes"}
    after = json.loads(run_cli("status", "--json", home=home).stdout)
    assert after["running"] is False
