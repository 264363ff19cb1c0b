"""KWin (real kwin_wayland --virtual, where installed) and GNOME (the extension's D-Bus side) backends."""

from __future__ import annotations

import shutil
import threading
import time

import psutil
import pytest
from jeepney import DBusAddress, HeaderFields, MessageType, new_method_call, new_method_return, new_signal
from jeepney.bus_messages import message_bus

from assistant.core.config import default_config
from assistant.core.events import Event
from collectors import dbus_session, gnome_shell, window_backends
from collectors.privacy import Emitter, PrivacyFilter
from collectors.session import detect
from collectors.window import FocusState, WindowCollector
from tests.desktop_bus import KWin, private_bus  # noqa: F401

# above Linux's PID_MAX_LIMIT (2**22): never a live process, so the app name is the window's own, not a
# process that happens to hold a small pid on the test machine
NO_SUCH_PID = 4_194_305

SECRET = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"


def _collector(got: list[Event], backend: str) -> WindowCollector:
    return WindowCollector(Emitter(PrivacyFilter.from_config(default_config()), got.append), FocusState(), 0.5,
                           backend=window_backends.choose(backend, detect()))


@pytest.fixture(scope="module")
def kwin():
    if not (shutil.which("kwin_wayland") and shutil.which("foot") and shutil.which("dbus-daemon")):
        pytest.skip("needs kwin_wayland, foot and dbus-daemon (apt-get install kwin-wayland foot)")
    server = KWin()
    try:
        yield server
    finally:
        server.shutdown()


def test_kwin_script_reports_focus_and_titles(kwin, monkeypatch) -> None:
    for key, value in kwin.session.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("SWAYSOCK", raising=False)
    kwin.open_window("Report draft")
    kwin.open_window(f"Deploy {SECRET}")
    got: list[Event] = []
    c = _collector(got, "auto")
    assert c.backend.name == "kwin"
    c.start()
    try:
        time.sleep(1.5)
        for title in ("Report draft", f"Deploy {SECRET}", "Report draft"):
            kwin.activate(title)
            time.sleep(0.8)
        assert c.status()["state"] == "running", c.status()
    finally:
        c.stop()
    changes = [e for e in got if e.pulsetime == 0]
    assert [e.title for e in changes][-3:] == ["Report draft", "Deploy [redacted:api-key]", "Report draft"]
    for e in changes:  # the app is the process name of the window's PID, as on X11 (a generic host such as
        name = psutil.Process(e.data["pid"]).name()  # python3 gives way to the window's class)
        assert e.app == name or (name.startswith("python") and e.app.startswith("python")), (e.app, name)


class FakeShell(threading.Thread):
    """Stands in for GNOME Shell with our extension loaded: owns org.gnome.Shell on a private bus and serves
    org.proactive.FocusedWindow like the extension does (Get, and the Changed signal)."""

    def __init__(self, with_extension: bool = True):
        super().__init__(daemon=True)
        self.conn = dbus_session.connect()
        self.conn.send_and_get_reply(new_method_call(message_bus, "RequestName", "su", (gnome_shell.SHELL, 4)))
        self.with_extension = with_extension
        self.window = '{}'
        self.stop = threading.Event()

    def close(self) -> None:
        self.stop.set()
        self.join(5)
        self.conn.close()

    def focus(self, title: str, wm_class: str = "org.gnome.TextEditor", pid: int = NO_SUCH_PID) -> None:
        import json

        self.window = json.dumps({"title": title, "wm_class": wm_class, "app_id": "", "pid": pid})
        emitter = DBusAddress(gnome_shell.PATH, interface=gnome_shell.IFACE)
        self.conn.send(new_signal(emitter, "Changed", "s", (self.window,)))

    def run(self) -> None:
        from jeepney import new_error

        while not self.stop.is_set():
            try:
                msg = self.conn.receive(timeout=0.1)
            except TimeoutError:
                continue
            except OSError:  # the bus went away
                return
            if msg.header.message_type != MessageType.method_call:
                continue
            if self.with_extension and msg.header.fields.get(HeaderFields.member) == "Get":
                self.conn.send(new_method_return(msg, "s", (self.window,)))
            else:
                self.conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownObject", "s", ("no such object",)))


def test_gnome_backend_follows_the_extensions_signal(private_bus, monkeypatch) -> None:  # noqa: F811
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "GNOME")
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    monkeypatch.delenv("SWAYSOCK", raising=False)
    shell = FakeShell()
    shell.start()
    try:
        shell.focus("Notes.txt")
        got: list[Event] = []
        c = _collector(got, "auto")
        assert c.backend.name == "gnome"
        c.start()
        time.sleep(0.5)
        shell.focus(f"token {SECRET}")
        time.sleep(0.5)
        shell.focus("Notes.txt")
        time.sleep(0.5)
        c.stop()
    finally:
        shell.close()
    changes = [(e.app, e.title, e.data.get("pid")) for e in got if e.pulsetime == 0]
    assert changes == [("org.gnome.texteditor", "Notes.txt", NO_SUCH_PID),
                       ("org.gnome.texteditor", "token [redacted:api-key]", NO_SUCH_PID),
                       ("org.gnome.texteditor", "Notes.txt", NO_SUCH_PID)]


def test_without_the_extension_status_says_how_to_install_it(private_bus, monkeypatch) -> None:  # noqa: F811
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "GNOME")
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    monkeypatch.delenv("SWAYSOCK", raising=False)
    shell = FakeShell(with_extension=False)
    shell.start()
    try:
        c = _collector([], "auto")
        c.start()
        st = c.status()
    finally:
        shell.close()
    assert st["state"] == "disabled" and st["reason"] == gnome_shell.MISSING


def test_setup_gnome_installs_the_right_variant(tmp_path, monkeypatch) -> None:
    from tests.conftest import run_cli

    for major, marker in ((46, "export default class"), (43, "function init()")):
        out = run_cli("setup", "gnome", "--shell-version", str(major), home=tmp_path,
                      env={"XDG_DATA_HOME": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"})
        assert out.returncode == 0, out.stderr
        folder = tmp_path / "data" / "gnome-shell" / "extensions" / gnome_shell.UUID
        assert str(folder) in out.stdout
        assert f"enable it after the next login with: gnome-extensions enable {gnome_shell.UUID}" in out.stdout
        text = (folder / "extension.js").read_text()
        assert marker in text and "org.proactive.FocusedWindow" in text and "@COMMON@" not in text
        assert '"uuid": "focused-window@proactive-assistant"' in (folder / "metadata.json").read_text()
    too_old = run_cli("setup", "gnome", "--shell-version", "40", home=tmp_path,
                      env={"XDG_DATA_HOME": str(tmp_path / "data")})
    assert too_old.returncode == 1 and "too old" in too_old.stderr
