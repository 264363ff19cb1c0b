"""No secret reaches any file, through every entry point the collectors have (real X server, real sockets).

The shapes (tests/secret_shapes.py, 70+ of them) go through: window titles of a real X window (a browser
window, so page titles and URLs are checked too), the browser endpoint over loopback HTTP, the clipboard
(opt-in text) owned by a real Qt process, and typed text (opt-in) sent with xdotool. Every event goes
through the real privacy gate into the real event log; then every file in the data directory is searched.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from Xlib import display

from assistant.core.config import default_config
from assistant.core.events import Event
from assistant.core.redact import redact
from assistant.log import EventWriter
from collectors.browser_endpoint import BrowserEndpoint
from collectors.clipboard import ClipboardCollector
from collectors.input_counts import InputCollector
from collectors.input_hub import InputHub
from collectors.privacy import Emitter, PrivacyFilter
from collectors.window import FocusState, WindowCollector
from tests.display import x_env, xserver  # noqa: F401
from tests.secret_shapes import SHAPES, Shape
from tests.test_browser_endpoint_limits import post
from tests.test_x11_titles import WRAPPED

pytestmark = pytest.mark.display


class Log:
    """The real privacy gate in front of the real event log in a temporary data directory."""

    def __init__(self, root: Path):
        self.root = root
        self.writer = EventWriter(root / "events.db", commit_interval=0.1, sync_interval=0.5).start()
        self.events: list[Event] = []
        self.emit = Emitter(PrivacyFilter.from_config(default_config()), self._sink)

    def _sink(self, event: Event) -> None:
        self.events.append(event)
        self.writer.put(event)

    def seen(self) -> int:
        return len([e for e in self.events if not e.pulsetime]) + self.emit.excluded

    def wait_seen(self, count: int, timeout: float = 8.0) -> None:
        deadline = time.monotonic() + timeout
        while self.seen() < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert self.seen() >= count, f"only {self.seen()} of {count} events arrived"

    def leaks(self, shapes: list[Shape], markers: int | None = None) -> list[str]:
        """Stop the writer and name every shape whose secret is in any file of the data directory."""
        assert self.writer.flush(20)
        self.writer.stop()
        stored = b"".join(p.read_bytes() for p in self.root.rglob("*") if p.is_file())
        assert stored.count(b"[redacted:") >= (len(shapes) if markers is None else markers)
        return [s.name for s in shapes if any(core.encode() in stored for core in s.cores)]


def test_window_titles(x_env, tmp_path: Path) -> None:  # noqa: F811
    log = Log(tmp_path)
    env = {**x_env.env, "PYTHONPATH": str(Path(display.__file__).parent.parent)}  # python-xlib
    proc = subprocess.Popen([sys.executable, "-c", WRAPPED, "Navigator", "firefox", "Start — Mozilla Firefox"],
                            env=env, stdout=subprocess.PIPE, text=True)
    x_env.windows.append(proc)
    wid = int(proc.stdout.readline())
    x_env.xdotool("windowactivate", "--sync", str(wid))
    conn = display.Display(x_env.display)
    win = conn.create_resource_object("window", wid)
    name, utf8 = conn.intern_atom("_NET_WM_NAME"), conn.intern_atom("UTF8_STRING")
    collector = WindowCollector(log.emit, FocusState(), 0.5)
    collector.start()
    try:
        log.wait_seen(1)
        for i, shape in enumerate(SHAPES):
            win.change_property(name, utf8, 8, f"{shape.text} — Mozilla Firefox".encode())
            conn.flush()
            log.wait_seen(i + 2)
    finally:
        collector.stop()
        conn.close()
    assert log.emit.excluded == 0 and all(e.app == "firefox" for e in log.events)
    assert log.leaks(SHAPES) == []


def test_browser_endpoint(tmp_path: Path) -> None:
    log = Log(tmp_path / "data")
    endpoint = BrowserEndpoint(log.emit, port=0, info_path=tmp_path / "endpoint.json", burst=1000)
    endpoint.start()
    try:
        for _ in range(100):
            if endpoint.address and (tmp_path / "endpoint.json").exists():
                break
            time.sleep(0.02)
        token = json.loads((tmp_path / "endpoint.json").read_text())["token"]
        for shape in SHAPES:
            url = shape.text if shape.text.startswith("http") else "https://example.org/"
            body = json.dumps({"title": shape.text, "url": url, "tab_id": 3}).encode()
            assert post(endpoint.address[1], body, token) == 204, shape.name
    finally:
        endpoint.stop()
    assert log.seen() == len(SHAPES) and log.emit.excluded == 0
    assert log.leaks(SHAPES) == []


OWNER = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QSocketNotifier
    from PySide6.QtGui import QGuiApplication
    app = QGuiApplication(["owner", "-platform", "xcb"])
    def next_line():
        line = sys.stdin.readline()
        if not line:
            app.quit()
            return
        app.clipboard().setText(line.rstrip("\\n"))
        print("set", flush=True)
    notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
    notifier.activated.connect(next_line)
    print("ready", flush=True)
    app.exec()
""")


def test_clipboard_text(x_env, tmp_path: Path) -> None:  # noqa: F811
    log = Log(tmp_path)
    focus = FocusState()
    focus.set("xterm", "Notes", False)
    collector = ClipboardCollector(log.emit, focus, record_text=True)
    collector.start()
    owner = subprocess.Popen([sys.executable, "-c", OWNER], env=x_env.env, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
    try:
        assert owner.stdout.readline().strip() == "ready"
        time.sleep(0.3)
        for i, shape in enumerate(SHAPES):
            owner.stdin.write(shape.text + "\n")
            assert owner.stdout.readline().strip() == "set"
            log.wait_seen(i + 1)
    finally:
        owner.kill()
        owner.wait()
        collector.stop()
    assert all("text" in e.data for e in log.events)
    assert log.leaks(SHAPES) == []


def test_typed_text(x_env, tmp_path: Path) -> None:  # noqa: F811
    shapes = [s for s in SHAPES if s.ascii_typable]
    log = Log(tmp_path)
    x_env.open_window("Chat")
    hub, focus = InputHub(), FocusState()
    collectors = [WindowCollector(log.emit, focus, 0.5), InputCollector(log.emit, hub, focus, 1.0, True)]
    for c in collectors:
        c.start()
    try:
        time.sleep(1.0)
        for shape in shapes:
            x_env.type(shape.text, delay_ms=2)
            x_env.key("Return")
        _wait(lambda: sum(len(e.data["text"]) for e in log.events if e.kind == "text")
              >= 0.9 * sum(len(redact(s.text)) + 1 for s in shapes), 20)
    finally:
        for c in collectors:
            c.stop()
    typed = "".join(e.data["text"] for e in log.events if e.kind == "text")
    missing = [s.name for s in shapes if redact(s.text) not in typed]
    assert len(missing) <= 3, f"typed text was not captured as typed: {missing}"  # the listener kept up
    # a private-key header redacts the rest of its burst, so there are fewer markers than shapes here
    assert log.leaks(shapes, markers=len(shapes) // 2) == []


def _wait(check: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check() and time.monotonic() < deadline:
        time.sleep(0.2)



VAULTS = [("chrome", "1Password – Google Chrome"), ("firefox", "Vaults | 1Password — Mozilla Firefox"),
          ("firefox", "my.1password.com/vaults — Mozilla Firefox"), ("chromium", "Bitwarden Web vault - Chromium"),
          ("firefox", "vault.bitwarden.com/#/vault — Mozilla Firefox"), ("chrome", "LastPass - Google Chrome"),
          ("chrome", "lastpass.com/vault - Google Chrome"), ("firefox", "Passwords — Mozilla Firefox"),
          ("chrome", "Dashlane - Google Chrome"), ("firefox", "Keeper Vault — Mozilla Firefox"),
          ("xterm", "me@host: ~ $ bw get password github"), ("xterm", "op item get Amazon --fields password"),
          ("xterm", "lpass show --password email"), ("gnome-terminal-server", "pass show work/vpn"),
          ("bitwarden", "Bitwarden"), ("1password", "1Password"), ("keepassxc", "Passwords.kdbx - KeePassXC")]
NOT_VAULTS = [("xterm", "me@host: ~/src"), ("firefox", "Operation manual — Mozilla Firefox"),
              ("xterm", "git show HEAD"), ("chrome", "How to pass show-and-tell - Google Chrome"),
              ("code", "passwords.py - Visual Studio Code"), ("firefox", "Bypass list — Mozilla Firefox")]


def test_password_manager_vaults_leave_no_trace_by_default(x_env, tmp_path: Path) -> None:  # noqa: F811
    """The defaults exclude vault pages in a browser and vault CLIs in a terminal; ordinary titles pass."""
    log = Log(tmp_path)
    for app, title in VAULTS + NOT_VAULTS:
        log.emit(Event("window", "focus", app=app, title=title, data={"page_title": title}))
    # and a real terminal window running a vault CLI, seen by the window collector
    x_env.open_window("me@host: ~ > op item get Bank --reveal")
    collector = WindowCollector(log.emit, FocusState(), 0.5)
    collector.start()
    try:
        log.wait_seen(len(VAULTS) + len(NOT_VAULTS) + 1)
    finally:
        collector.stop()
    assert log.emit.excluded == len(VAULTS) + 1
    assert [e.title for e in log.events if not e.pulsetime] == [t for _, t in NOT_VAULTS]
    assert log.leaks([Shape("vault", t, (t,)) for _, t in VAULTS], markers=0) == []
