"""The focused window on Hyprland from its IPC sockets.

`.socket2.sock` streams events as lines ``EVENT>>DATA``; on one that can change the focused window or its
title (activewindowv2, windowtitle(v2), closewindow, workspace, ...) the window collector is woken and the
details (class, title, pid) are asked once on the request socket `.socket.sock` with ``j/activewindow``.
The sockets live in $XDG_RUNTIME_DIR/hypr/$HYPRLAND_INSTANCE_SIGNATURE/ (older versions: /tmp/hypr/...).
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Mapping

from collectors.session import hyprland_socket, is_socket
from collectors.window_info import WindowInfo

RELEVANT = {b"activewindow", b"activewindowv2", b"windowtitle", b"windowtitlev2", b"closewindow",
            b"workspace", b"workspacev2", b"focusedmon", b"focusedmonv2", b"movewindow", b"movewindowv2"}
MAX_REPLY = 1024 * 1024


def hyprland_problem(env: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if env is None else env
    if not env.get("HYPRLAND_INSTANCE_SIGNATURE"):
        return "HYPRLAND_INSTANCE_SIGNATURE is not set (not a Hyprland session)"
    path = hyprland_socket(env, ".socket2.sock")
    if not is_socket(path):
        return f"Hyprland's event socket {path} is missing"
    return None


def request(path: str, command: bytes, timeout: float = 2.0) -> bytes:
    """One request on Hyprland's request socket (it answers and closes)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(path)
        sock.sendall(command)
        chunks, size = [], 0
        while chunk := sock.recv(65536):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_REPLY:
                raise ConnectionError("Hyprland's reply is too large")
        return b"".join(chunks)


class HyprlandActiveWindow:
    def __init__(self, env: Mapping[str, str] | None = None):
        env = os.environ if env is None else env
        self.request_path = hyprland_socket(env, ".socket.sock") or ""
        self.events = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.events.connect(hyprland_socket(env, ".socket2.sock") or "")
            self.events.setblocking(False)
            self._buffer = b""
            self._current = self._ask()
        except Exception:
            self.events.close()
            raise

    def _ask(self) -> WindowInfo | None:
        reply = json.loads(request(self.request_path, b"j/activewindow") or b"{}")
        if not isinstance(reply, dict) or not reply.get("address"):
            return None
        pid = reply.get("pid")
        return WindowInfo(reply["address"], reply.get("title") or "", pid if isinstance(pid, int) and pid > 0
                          else None, reply.get("class") or reply.get("initialClass"))

    def fileno(self) -> int:
        return self.events.fileno()

    def active(self) -> WindowInfo | None:
        return self._current

    def drain(self) -> bool:
        relevant = False
        while True:
            try:
                chunk = self.events.recv(65536)
            except (BlockingIOError, InterruptedError):
                break
            if not chunk:
                raise ConnectionError("Hyprland closed its event socket")
            self._buffer += chunk
        *lines, self._buffer = self._buffer.split(b"\n")
        if len(self._buffer) > MAX_REPLY:
            self._buffer = b""
        for line in lines:
            if line.split(b">>", 1)[0] in RELEVANT:
                relevant = True
        if relevant:
            self._current = self._ask()
        return relevant

    def close(self) -> None:
        self.events.close()
