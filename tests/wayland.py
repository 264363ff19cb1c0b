"""A real Wayland compositor for tests: sway, headless, run as an unprivileged user, with foot windows.

sway refuses to run as root, so when the tests run as root it runs as the user `proactive-wl` (created here
if missing; `packaging/install.sh --test` creates it too). The test process joins the session through
XDG_RUNTIME_DIR, WAYLAND_DISPLAY and SWAYSOCK (root may connect to the user's sockets). Use the fixture
`sway` (module scope) and its helpers: open_window(title), focus(title), close(title), msg(command).
Needs the Debian packages sway and foot.
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator

import pytest

TEST_USER = "proactive-wl"
NEEDED = ("sway", "swaymsg", "foot")
SWAY_CONFIG = """\
xwayland disable
output HEADLESS-1 resolution 1280x800
default_border none
"""


def _wait(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise RuntimeError(f"timed out waiting for {what}")


def session_user() -> pwd.struct_passwd | None:
    """The user the compositor runs as: ourselves, or (as root) the unprivileged test user, made if missing."""
    if os.getuid() != 0:
        return None
    try:
        return pwd.getpwnam(TEST_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", TEST_USER],
                       check=True, capture_output=True)
        return pwd.getpwnam(TEST_USER)


class Sway:
    def __init__(self) -> None:
        self.user = session_user()
        self.runtime_dir = tempfile.mkdtemp(prefix="proactive-wl-")
        os.chmod(self.runtime_dir, 0o700)
        config = os.path.join(self.runtime_dir, "sway.config")
        with open(config, "w") as fh:
            fh.write(SWAY_CONFIG)
        if self.user is not None:
            for path in (self.runtime_dir, config):
                os.chown(path, self.user.pw_uid, self.user.pw_gid)
        base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.runtime_dir,
                "XDG_RUNTIME_DIR": self.runtime_dir, "WLR_BACKENDS": "headless", "WLR_LIBINPUT_NO_DEVICES": "1",
                "WLR_RENDERER": "pixman", "LANG": "C.UTF-8"}
        ids = {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []} if self.user else {}
        self.log = open(os.path.join(self.runtime_dir, "sway.log"), "w")  # noqa: SIM115 - closed in shutdown
        self.proc = subprocess.Popen(["sway", "-c", config], env=base, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True, **ids)
        try:
            self.swaysock = _wait(lambda: next(iter(glob.glob(f"{self.runtime_dir}/sway-ipc.*.sock")), None),
                                  20, "sway's IPC socket")
            display = _wait(lambda: next((p for p in glob.glob(f"{self.runtime_dir}/wayland-*")
                                          if not p.endswith(".lock")), None), 20, "sway's Wayland socket")
            self.wayland_display = os.path.basename(display)
            _wait(lambda: self.msg("-t", "get_version").get("major"), 20, "sway to answer")
        except Exception:
            self.shutdown()
            raise
        self.env = {"XDG_RUNTIME_DIR": self.runtime_dir, "WAYLAND_DISPLAY": self.wayland_display,
                    "SWAYSOCK": self.swaysock, "XDG_SESSION_TYPE": "wayland", "XDG_CURRENT_DESKTOP": "sway"}

    def msg(self, *args: str):
        out = subprocess.run(["swaymsg", "-s", self.swaysock, "-r", *args], capture_output=True, text=True,
                             timeout=20, check=False)
        try:
            return json.loads(out.stdout) if out.stdout.strip() else {}
        except json.JSONDecodeError:
            return {}

    def windows(self) -> list[dict]:
        found, stack = [], [self.msg("-t", "get_tree")]
        while stack:
            node = stack.pop()
            if node.get("pid"):
                found.append(node)
            stack.extend(node.get("nodes", []) + node.get("floating_nodes", []))
        return found

    def window(self, title: str) -> dict | None:
        return next((w for w in self.windows() if w.get("name") == title), None)

    def open_window(self, title: str) -> dict:
        """A foot terminal titled `title` running a harmless `sleep`; waits until it is mapped and focused."""
        self.msg("exec", f"foot --title '{title}' sleep 600")
        node = _wait(lambda: self.window(title), 20, f"window {title!r}")
        self.focus(title)
        return node

    def focus(self, title: str) -> None:
        self.msg(f'[title="^{_quote(title)}$"] focus')
        _wait(lambda: (self.window(title) or {}).get("focused"), 10, f"focus on {title!r}")

    def close(self, title: str) -> None:
        self.msg(f'[title="^{_quote(title)}$"] kill')
        _wait(lambda: self.window(title) is None, 10, f"{title!r} to close")

    def close_windows(self) -> None:
        for node in self.windows():
            self.msg(f"[con_id={node['id']}] kill")

    def shutdown(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()
        shutil.rmtree(self.runtime_dir, ignore_errors=True)


def _quote(title: str) -> str:
    """A title as a literal inside sway's criteria regex."""
    out = "".join("\\" + ch if ch in r".^$*+?()[]{}|\\" else ch for ch in title)
    return out.replace('"', '\\"')


@pytest.fixture(scope="module")
def sway() -> Iterator[Sway]:
    missing = [tool for tool in NEEDED if not shutil.which(tool)]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (apt-get install sway foot)")
    server = Sway()
    try:
        yield server
    finally:
        server.shutdown()


@pytest.fixture
def sway_env(sway: Sway, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sway]:
    """The test process joins the sway session (and leaves any X display)."""
    for key, value in sway.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("DISPLAY", raising=False)
    try:
        yield sway
    finally:
        sway.close_windows()
