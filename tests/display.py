"""A real X server for tests: Xvfb + openbox, started once per session, plus xdotool helpers.

Use it from a test module with ``from tests.display import xserver, x_env  # noqa: F401`` and then the
fixtures `xserver` (session: the server) or `x_env` (a test: DISPLAY set in os.environ for in-process code,
windows it opened closed afterwards). Needs the Debian packages xvfb, openbox, xdotool, x11-utils and xterm.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest

NEEDED = ("Xvfb", "openbox", "xdotool", "xprop", "xterm")


def _wait(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise RuntimeError(f"timed out waiting for {what}")


class XServer:
    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []
        read_fd, write_fd = os.pipe()
        xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24",
                                 "-nolisten", "tcp"], pass_fds=(write_fd,),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(write_fd)
        with os.fdopen(read_fd) as pipe:  # Xvfb picks a free display and tells us its number
            n = int(pipe.readline().strip() or -1)
        if n < 0 or xvfb.poll() is not None:
            xvfb.kill()
            raise RuntimeError("Xvfb did not start")
        self.display = f":{n}"
        self.env = {**os.environ, "DISPLAY": self.display}
        self.env.pop("WAYLAND_DISPLAY", None)
        self.procs.append(xvfb)
        self.windows: list[subprocess.Popen] = []
        for attempt in range(3):  # on a loaded 2-core machine starting several desktops, openbox can die or stall
            wm = subprocess.Popen(["openbox"], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.procs.append(wm)
            try:
                _wait(lambda: "window id" in self._out("xprop", "-root", "_NET_SUPPORTING_WM_CHECK"), 30, "openbox")
                break
            except RuntimeError:
                wm.kill()
                wm.wait(10)
                self.procs.remove(wm)
                if attempt == 2:
                    self.shutdown()
                    raise

    def _out(self, *args: str) -> str:
        return subprocess.run(args, env=self.env, capture_output=True, text=True, timeout=10, check=False).stdout

    def xdotool(self, *args: str) -> str:
        out = subprocess.run(["xdotool", *args], env=self.env, capture_output=True, text=True, timeout=20,
                             check=False)
        return out.stdout

    def open_window(self, title: str, command: list[str] | None = None) -> subprocess.Popen:
        """Open a window (an xterm by default) titled `title` and wait until it is mapped and focused."""
        cmd = command or ["xterm", "-T", title, "-e", "sleep", "600"]
        proc = subprocess.Popen(cmd, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.windows.append(proc)
        _wait(lambda: self.window_id(title) is not None, 15, f"window {title!r}")
        self.activate(title)
        return proc

    def window_id(self, title: str) -> str | None:
        ids = self.xdotool("search", "--name", f"^{title}$").split()
        return ids[0] if ids else None

    def activate(self, title: str) -> None:
        wid = self.window_id(title)
        if wid is None:
            raise RuntimeError(f"no window titled {title!r}")
        self.xdotool("windowactivate", "--sync", wid)

    def type(self, text: str, delay_ms: int = 5) -> None:
        self.xdotool("type", "--delay", str(delay_ms), text)

    def key(self, *combos: str) -> None:
        self.xdotool("key", *combos)

    def click(self, button: int = 1) -> None:
        self.xdotool("click", str(button))

    def move(self, x: int, y: int) -> None:
        self.xdotool("mousemove", str(x), str(y))

    def move_into(self, title: str, x: int = 30, y: int = 30) -> None:
        """Put the pointer inside the window titled `title` (so clicks land on it, not the desktop)."""
        self.xdotool("mousemove", "--window", self.window_id(title) or "", str(x), str(y))

    def close_windows(self) -> None:
        for proc in self.windows:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
        self.windows.clear()

    def shutdown(self) -> None:
        self.close_windows()
        for proc in reversed(self.procs):
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()


_shared: dict[str, object] = {"server": None, "users": 0}


@pytest.fixture(scope="session")
def xserver() -> Iterator[XServer]:
    """One server for the whole run: every module that imports this fixture shares it (the last one to
    finish shuts it down)."""
    missing = [tool for tool in NEEDED if not shutil.which(tool)]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (apt-get install xvfb openbox xdotool x11-utils xterm)")
    if _shared["server"] is None:
        _shared["server"] = XServer()
    _shared["users"] += 1
    try:
        yield _shared["server"]
    finally:
        _shared["users"] -= 1
        if _shared["users"] == 0:
            _shared["server"].shutdown()
            _shared["server"] = None


@pytest.fixture
def x_env(xserver: XServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[XServer]:
    monkeypatch.setenv("DISPLAY", xserver.display)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    try:
        yield xserver
    finally:
        xserver.close_windows()
