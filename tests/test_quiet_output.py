"""A headless run says what a user needs and nothing else: no X protocol errors while windows open and close
under it (a focused window that is gone before the collector watches it), "Model ready" once the model has
loaded, and a goodbye line on Ctrl+C or SIGTERM."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from Xlib import X, display
from Xlib.protocol import event as xevent

from assistant.log import open_db
from tests.conftest import REPO
from tests.display import XServer, xserver  # noqa: F401
from tests.logsql import sql

X_NOISE = ("X protocol error", "BadWindow", "Xlib.error", "Traceback", "Exception raised by error handler")


def _start(home: Path, env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "assistant", "run", "--headless", "--accept-defaults", *args],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**env, "PROACTIVE_HOME": str(home), "PYTHONUNBUFFERED": "1"})


def _flash_windows(name: str, seconds: float, seed: int = 3) -> int:
    """Open windows, make each the active one and destroy it a few milliseconds later, for `seconds`."""
    rng = random.Random(seed)
    conn = display.Display(name)
    screen = conn.screen()
    root = screen.root
    active = conn.intern_atom("_NET_ACTIVE_WINDOW")
    wm_name = conn.intern_atom("_NET_WM_NAME")
    utf8 = conn.intern_atom("UTF8_STRING")
    flashed = 0
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            win = root.create_window(20, 20, 200, 120, 0, screen.root_depth, X.InputOutput, X.CopyFromParent,
                                     background_pixel=screen.white_pixel)
            win.change_property(wm_name, utf8, 8, f"Flash {flashed}".encode())
            win.set_wm_class("flash", "Flash")
            win.map()
            conn.sync()
            time.sleep(rng.uniform(0.01, 0.08))  # let the window manager manage it
            ask = xevent.ClientMessage(window=win, client_type=active, data=(32, [1, X.CurrentTime, 0, 0, 0]))
            root.send_event(ask, event_mask=X.SubstructureRedirectMask | X.SubstructureNotifyMask)
            conn.flush()
            time.sleep(rng.choice((0.0, 0.002, 0.01, 0.03)))  # gone before, while or after it is read
            win.destroy()
            conn.sync()
            flashed += 1
            time.sleep(rng.uniform(0.0, 0.05))
    finally:
        conn.close()
    return flashed


def _wait_for(proc: subprocess.Popen, text: str, timeout: float) -> str:
    """Read the app's output until a line contains `text`; returns what was read."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if text in line:
            return "".join(seen)
    raise AssertionError(f"never said {text!r}:\n{''.join(seen)}")


@pytest.mark.display
def test_windows_opening_and_closing_print_no_x_errors(xserver: XServer, home: Path):  # noqa: F811
    xserver.open_window("Notes before the flashes")
    proc = _start(home, xserver.env, "--for", "90s")
    try:
        before = _wait_for(proc, "Model ready", 120)  # the embedded model, loaded for real
        flashed = _flash_windows(xserver.display, 20)
        xserver.activate("Notes before the flashes")
        time.sleep(2)
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    out = before + rest
    assert flashed >= 50
    assert out.count("Model ready") == 1
    assert not [noise for noise in X_NOISE if noise in out], out
    assert "Stopping on Ctrl+C" in out and out.rstrip().endswith("Stopped. Goodbye."), out
    db = open_db(home / "data" / "events.db")
    try:
        seen = {row[0] for row in sql(db, "SELECT title FROM events WHERE source = 'window'")}
    finally:
        db.close()
    assert "Notes before the flashes" in seen and any(t.startswith("Flash ") for t in seen)


def test_sigterm_says_goodbye(home: Path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    proc = _start(home, env, "--no-model", "--for", "60s")
    try:
        _wait_for(proc, "Press Ctrl+C to stop.", 60)
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
    assert "Stopping on a stop signal" in out and out.rstrip().endswith("Stopped. Goodbye."), out
