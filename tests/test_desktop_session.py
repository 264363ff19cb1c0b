"""The desktop app in a real X session (Xvfb + openbox): a second launch brings the dashboard forward, an
unreachable DISPLAY gives one line and a headless run, the app's own windows are never logged, autostart."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from Xlib import X, Xatom, display

from assistant.core.config import default_config
from assistant.core.events import Event
from collectors.privacy import Emitter, PrivacyFilter
from collectors.window import FocusState, WindowCollector
from tests.conftest import REPO, run_cli
from tests.display import x_env, xserver  # noqa: F401
from ui import settings_io
from ui.settings import COLLECTORS

QUIET = {**{f"collectors.{name}.enabled": False for name in COLLECTORS}, "model.gguf_path": "/nonexistent.gguf"}


def _start(home: Path, env: dict) -> tuple[subprocess.Popen, list[str]]:
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "run", "--accept-defaults", "--no-model"], cwd=REPO,
                            env={**env, "PROACTIVE_HOME": str(home), "PYTHONUNBUFFERED": "1"},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True).start()
    return proc, lines


def _wait(check, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.display
def test_a_second_launch_brings_the_running_dashboard_forward(x_env, home):  # noqa: F811
    settings_io.save(QUIET)
    env = {k: v for k, v in x_env.env.items() if k != "QT_QPA_PLATFORM"}
    first, said = _start(home, env)
    try:
        sock = home / "data" / "ui.sock"
        assert _wait(sock.exists, 60), "".join(said)
        assert sock.stat().st_mode & 0o777 == 0o600  # a private Unix socket, not a network one
        second = subprocess.run([sys.executable, "-m", "assistant", "run"], cwd=REPO, capture_output=True,
                                text=True, timeout=60, env={**env, "PROACTIVE_HOME": str(home)}, check=False)
        assert second.returncode == 0, second.stderr
        lines = second.stdout.strip().splitlines()
        assert len(lines) == 1 and "already running" in lines[0] and f"pid {first.pid}" in lines[0], lines
        assert _wait(lambda: x_env.xdotool("search", "--onlyvisible", "--name",
                                           "^Proactive assistant — Dashboard$").strip() != "", 15)
        wid = x_env.xdotool("search", "--onlyvisible", "--name", "^Proactive assistant — Dashboard$").split()[0]
        geometry = x_env.xdotool("getwindowgeometry", wid)
        y = int(geometry.split("Position: ")[1].split(",")[1].split()[0])
        assert y >= 0  # the title bar is on screen
        assert any("brought forward" in line for line in said)
    finally:
        first.terminate()
        first.wait(20)


def _free_display() -> str:
    n = 99
    while Path(f"/tmp/.X11-unix/X{n}").exists() or Path(f"/tmp/.X{n}-lock").exists():
        n += 1
    return f":{n}"


def test_an_unreachable_display_runs_headless_with_one_line(home):
    settings_io.save(QUIET)
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    name = _free_display()
    out = subprocess.run([sys.executable, "-m", "assistant", "run", "--accept-defaults", "--for", "2s", "--no-model"],
                         cwd=REPO,
                         env={**env, "DISPLAY": name, "PROACTIVE_HOME": str(home)}, capture_output=True, text=True,
                         timeout=90, check=False)  # not run_cli: it would bring this process's QT_QPA_PLATFORM
    text = out.stdout + out.stderr
    assert out.returncode == 0, text
    about_display = [line for line in text.splitlines() if f"display {name}" in line]
    assert len(about_display) == 1 and about_display[0].startswith(f"No tray: cannot open display {name}")
    assert "Running headless" in out.stdout
    assert "Reinstalling the application" not in text and "Aborted" not in text and "Traceback" not in text


def _own_window(title: str) -> tuple[display.Display, int]:
    """A window of this very process (its _NET_WM_PID is ours), as Qt makes the dashboard's."""
    d = display.Display()
    s = d.screen()
    w = s.root.create_window(10, 10, 300, 200, 0, s.root_depth, X.InputOutput, X.CopyFromParent,
                             background_pixel=s.white_pixel)
    w.set_wm_class("proactive", "python3")
    w.change_property(d.intern_atom("_NET_WM_NAME"), d.intern_atom("UTF8_STRING"), 8, title.encode())
    w.change_property(d.intern_atom("_NET_WM_PID"), Xatom.CARDINAL, 32, [os.getpid()])
    w.map()
    d.sync()
    return d, w.id


@pytest.mark.display
def test_the_apps_own_windows_are_never_logged(x_env):  # noqa: F811
    got: list[Event] = []
    collector = WindowCollector(Emitter(PrivacyFilter.from_config(default_config()), got.append), FocusState(), 0.5)
    collector.start()
    d, wid = _own_window("Proactive assistant — Dashboard")
    try:
        x_env.open_window("Quarterly report notes")
        assert _wait(lambda: any(e.title == "Quarterly report notes" for e in got), 10)
        x_env.xdotool("windowactivate", "--sync", str(wid))
        time.sleep(1.0)
        x_env.activate("Quarterly report notes")
        assert _wait(lambda: sum(e.title == "Quarterly report notes" for e in got) >= 2, 10)
    finally:
        collector.stop()
        d.close()
    assert not [e for e in got if "Proactive assistant" in (e.title or "")]
    assert collector.emit.excluded >= 1  # it was seen, and dropped


def test_autostart_installs_the_icon_and_keeps_the_environment(home, tmp_path):
    env = {"XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_DATA_HOME": str(tmp_path / "share"),
           "PROACTIVE_HOME": str(tmp_path / "my data")}
    out = run_cli("autostart", "on", home=home, env=env)
    assert out.returncode == 0, out.stderr
    entry = (tmp_path / "cfg" / "autostart" / "proactive-assistant.desktop").read_text()
    icon = tmp_path / "share" / "icons" / "hicolor" / "scalable" / "apps" / "proactive-assistant.svg"
    assert icon.read_text().lstrip().startswith("<")
    exec_line = next(line for line in entry.splitlines() if line.startswith("Exec="))
    assert f'"PROACTIVE_HOME={tmp_path}/my data"' in exec_line and exec_line.endswith(" run")
    assert "Icon=proactive-assistant" in entry
    assert run_cli("autostart", "off", home=home, env=env).returncode == 0
    assert not icon.exists() and not (tmp_path / "cfg" / "autostart" / "proactive-assistant.desktop").exists()
