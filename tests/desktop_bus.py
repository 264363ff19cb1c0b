"""A private D-Bus session bus for tests, and KWin (kwin_wayland --virtual) on it when it is installed.

The bus accepts connections from any local user, so a compositor run as the unprivileged test user and the
test process (maybe root) can meet on it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator

import pytest

from tests.conftest import REPO
from tests.wayland import _wait, session_user

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={path}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class PrivateBus:
    def __init__(self, runtime_dir: str | None = None):
        self.dir = runtime_dir or tempfile.mkdtemp(prefix="proactive-bus-")
        self.path = os.path.join(self.dir, "bus")
        config = os.path.join(self.dir, "bus.conf")
        with open(config, "w") as fh:
            fh.write(BUS_CONFIG.format(path=self.path))
        self.proc = subprocess.Popen(["dbus-daemon", f"--config-file={config}", "--nofork"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait(lambda: os.path.exists(self.path), 10, "dbus-daemon")
        os.chmod(self.path, 0o777)
        self.address = f"unix:path={self.path}"

    def shutdown(self) -> None:
        self.proc.terminate()
        self.proc.wait(5)


@pytest.fixture
def private_bus(monkeypatch: pytest.MonkeyPatch) -> Iterator[PrivateBus]:
    if not shutil.which("dbus-daemon"):
        pytest.skip("needs dbus-daemon (apt-get install dbus-daemon)")
    bus = PrivateBus()
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.address)
    try:
        yield bus
    finally:
        bus.shutdown()
        shutil.rmtree(bus.dir, ignore_errors=True)


class KWin:
    """kwin_wayland --virtual as the unprivileged test user, on its own Wayland socket and private bus."""

    def __init__(self) -> None:
        self.user = session_user()
        self.runtime_dir = tempfile.mkdtemp(prefix="proactive-kwin-")
        os.chmod(self.runtime_dir, 0o755)
        self.bus = PrivateBus(self.runtime_dir)
        binary = shutil.which("kwin_wayland") or "kwin_wayland"
        if self.user is not None:  # a copy without the file capability an unprivileged exec may not take
            copy = os.path.join(self.runtime_dir, "kwin_wayland")
            shutil.copyfile(binary, copy)
            os.chmod(copy, 0o755)
            binary = copy
            os.chown(self.runtime_dir, self.user.pw_uid, self.user.pw_gid)
            os.chmod(self.runtime_dir, 0o700)
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.runtime_dir,
                    "XDG_RUNTIME_DIR": self.runtime_dir, "DBUS_SESSION_BUS_ADDRESS": self.bus.address,
                    "LANG": "C.UTF-8"}
        ids = {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []} if self.user else {}
        self.log = open(os.path.join(self.runtime_dir, "kwin.log"), "w")  # noqa: SIM115 - closed in shutdown
        self.proc = subprocess.Popen([binary, "--virtual", "--no-lockscreen", "--no-global-shortcuts",
                                      "--socket", "wayland-k", "--width", "1280", "--height", "800"],
                                     env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True, **ids)
        self._ids = ids
        self.clients: list[subprocess.Popen] = []
        try:
            _wait(lambda: os.path.exists(os.path.join(self.runtime_dir, "wayland-k")), 30, "KWin's socket")
            from collectors import dbus_session

            def kwin_on_bus() -> bool:
                os.environ["DBUS_SESSION_BUS_ADDRESS"] = self.bus.address
                with dbus_session.connect() as conn:
                    return dbus_session.has_owner(conn, "org.kde.KWin")

            _wait(kwin_on_bus, 30, "KWin on the bus")
        except Exception:
            self.shutdown()
            raise
        self.session = {"XDG_RUNTIME_DIR": self.runtime_dir, "WAYLAND_DISPLAY": "wayland-k",
                        "DBUS_SESSION_BUS_ADDRESS": self.bus.address, "XDG_SESSION_TYPE": "wayland",
                        "XDG_CURRENT_DESKTOP": "KDE"}

    def open_window(self, title: str) -> None:
        """A Qt window titled `title` (run as ourselves: the venv's Python may be out of the test user's reach;
        a client of any user may join the session through its socket)."""
        env = {**self.env, "WAYLAND_DISPLAY": "wayland-k", "QT_QPA_PLATFORM": "wayland",
               "PYTHONPATH": str(REPO)}
        self.clients.append(subprocess.Popen([sys.executable, "-m", "tests.wayland_window", title], cwd=REPO,
                                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(2.0)

    def activate(self, title: str) -> None:
        """Give `title` the focus with a one-line KWin script (as a user clicking it would)."""
        from collectors import dbus_session

        source = ("for (const c of (workspace.windowList ? workspace.windowList() : workspace.clientList())) "
                  f"if (c.caption === {title!r}) "
                  "{ if (workspace.windowList) workspace.activeWindow = c; else workspace.activeClient = c; }")
        path = os.path.join(tempfile.mkdtemp(), "activate.js")
        with open(path, "w") as fh:
            fh.write(source)
        os.chmod(os.path.dirname(path), 0o755)
        os.chmod(path, 0o644)
        with dbus_session.connect() as conn:
            name = f"test-activate-{time.monotonic_ns()}"
            (number,) = dbus_session.call(conn, "org.kde.KWin", "/Scripting", "org.kde.kwin.Scripting",
                                          "loadScript", "ss", (path, name))
            try:
                dbus_session.call(conn, "org.kde.KWin", f"/Scripting/Script{number}", "org.kde.kwin.Script", "run")
            except dbus_session.DBusCallError:
                dbus_session.call(conn, "org.kde.KWin", f"/{number}", "org.kde.kwin.Script", "run")
            time.sleep(0.3)
            dbus_session.call(conn, "org.kde.KWin", "/Scripting", "org.kde.kwin.Scripting", "unloadScript", "s",
                              (name,))
        shutil.rmtree(os.path.dirname(path), ignore_errors=True)

    def shutdown(self) -> None:
        for proc in [*self.clients, self.proc]:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
        self.log.close()
        self.bus.shutdown()
        shutil.rmtree(self.runtime_dir, ignore_errors=True)
