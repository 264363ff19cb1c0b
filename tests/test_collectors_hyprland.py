"""Hyprland backend against a stand-in for Hyprland's two IPC sockets (Hyprland itself is not packaged for
Debian 12): events as lines on .socket2.sock, `j/activewindow` answered as JSON on .socket.sock."""

from __future__ import annotations

import json
import os
import socket
import threading
import time

from assistant.core.config import default_config
from assistant.core.events import Event
from collectors import window_backends
from collectors.privacy import Emitter, PrivacyFilter
from collectors.session import detect
from collectors.window import FocusState, WindowCollector

SECRET = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"


class FakeHyprland:
    def __init__(self, runtime: str, signature: str = "test_sig"):
        folder = os.path.join(runtime, "hypr", signature)
        os.makedirs(folder)
        self.window: dict = {}
        self.requests = socket.socket(socket.AF_UNIX)
        self.requests.bind(os.path.join(folder, ".socket.sock"))
        self.requests.listen(8)
        self.events = socket.socket(socket.AF_UNIX)
        self.events.bind(os.path.join(folder, ".socket2.sock"))
        self.events.listen(8)
        self.subscribers: list[socket.socket] = []
        self.env = {"XDG_RUNTIME_DIR": runtime, "HYPRLAND_INSTANCE_SIGNATURE": signature,
                    "WAYLAND_DISPLAY": "wayland-1", "XDG_SESSION_TYPE": "wayland"}
        threading.Thread(target=self._serve_requests, daemon=True).start()
        threading.Thread(target=self._accept_events, daemon=True).start()

    def _serve_requests(self) -> None:
        while True:
            try:
                conn, _ = self.requests.accept()
            except OSError:
                return
            with conn:
                if conn.recv(100) == b"j/activewindow":
                    conn.sendall(json.dumps(self.window).encode())

    def _accept_events(self) -> None:
        while True:
            try:
                self.subscribers.append(self.events.accept()[0])
            except OSError:
                return

    def focus(self, title: str, cls: str = "kitty", pid: int | None = None) -> None:
        self.window = {"address": f"0x{abs(hash(title)) % 10**8:x}", "class": cls, "title": title,
                       "pid": pid or os.getppid()}  # not ours: the app drops its own windows
        line = f"activewindow>>{cls},{title}\nactivewindowv2>>{self.window['address'][2:]}\n".encode()
        for sub in self.subscribers:
            sub.sendall(line)

    def close(self) -> None:
        for s in [self.requests, self.events, *self.subscribers]:
            s.close()


def test_hyprland_events_become_focus_events(tmp_path, monkeypatch) -> None:
    hypr = FakeHyprland(str(tmp_path))
    for key, value in hypr.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("SWAYSOCK", raising=False)
    hypr.focus("Notes")
    got: list[Event] = []
    backend = window_backends.choose("auto", detect())
    assert backend.name == "hyprland"
    c = WindowCollector(Emitter(PrivacyFilter.from_config(default_config()), got.append), FocusState(), 0.5,
                        backend=backend)
    c.start()
    try:
        deadline = time.monotonic() + 5
        while not hypr.subscribers and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        hypr.focus(f"Deploy {SECRET}")
        time.sleep(0.5)
        hypr.focus("Notes")
        time.sleep(0.5)
    finally:
        c.stop()
        hypr.close()
    changes = [(e.title, e.data.get("pid")) for e in got if e.pulsetime == 0]
    assert changes == [("Notes", os.getppid()), ("Deploy [redacted:api-key]", os.getppid()), ("Notes", os.getppid())]
