"""The focused window on sway (and i3-compatible compositors) from its IPC socket, driven by window events.

The i3 IPC protocol is small enough to speak directly: every message is ``b"i3-ipc"``, a payload length and
a message type (both 32-bit, native byte order), then a JSON payload. One connection subscribes to
``window``, ``workspace`` and ``shutdown`` events (its file descriptor wakes the window collector); a second
one asks for the tree when the focus may have gone somewhere no window event describes (an empty
workspace, a closed window).
"""

from __future__ import annotations

import json
import os
import socket
import struct
from typing import Any

from collectors.window_info import WindowInfo

MAGIC = b"i3-ipc"
HEADER = struct.Struct("=6sII")
RUN_COMMAND, SUBSCRIBE, GET_TREE, GET_VERSION = 0, 2, 4, 7
EVENT_BIT = 0x80000000
EV_WORKSPACE, EV_WINDOW, EV_SHUTDOWN = EVENT_BIT | 0, EVENT_BIT | 3, EVENT_BIT | 6
MAX_PAYLOAD = 64 * 1024 * 1024


class IpcError(ConnectionError):
    pass


class I3Ipc:
    """One connection to an i3/sway IPC socket."""

    def __init__(self, path: str, timeout: float = 5.0):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        try:
            self.sock.connect(path)
        except OSError:
            self.sock.close()
            raise
        self._buffer = b""

    def fileno(self) -> int:
        return self.sock.fileno()

    def send(self, kind: int, payload: str | bytes = b"") -> None:
        body = payload.encode() if isinstance(payload, str) else payload
        self.sock.sendall(HEADER.pack(MAGIC, len(body), kind) + body)

    def request(self, kind: int, payload: str | bytes = b"") -> Any:
        """Send one request and return its decoded reply (events arriving meanwhile are skipped)."""
        self.send(kind, payload)
        while True:
            reply_kind, body = self._read_one()
            if reply_kind == kind:
                return json.loads(body)

    def _read_one(self) -> tuple[int, bytes]:
        while True:
            message = self._parse()
            if message is not None:
                return message
            chunk = self.sock.recv(65536)
            if not chunk:
                raise IpcError(f"the IPC socket {self.path} was closed")
            self._buffer += chunk

    def _parse(self) -> tuple[int, bytes] | None:
        if len(self._buffer) < HEADER.size:
            return None
        magic, length, kind = HEADER.unpack_from(self._buffer)
        if magic != MAGIC or length > MAX_PAYLOAD:
            raise IpcError(f"not an i3 IPC message on {self.path}")
        end = HEADER.size + length
        if len(self._buffer) < end:
            return None
        body, self._buffer = self._buffer[HEADER.size:end], self._buffer[end:]
        return kind, body

    def read_available(self) -> list[tuple[int, Any]]:
        """Every complete message that can be read without blocking, decoded."""
        self.sock.setblocking(False)
        try:
            while True:
                try:
                    chunk = self.sock.recv(65536)
                except (BlockingIOError, InterruptedError):
                    break
                if not chunk:
                    raise IpcError(f"the IPC socket {self.path} was closed")
                self._buffer += chunk
        finally:
            self.sock.settimeout(5.0)
        out = []
        while (message := self._parse()) is not None:
            out.append((message[0], json.loads(message[1])))
        return out

    def close(self) -> None:
        self.sock.close()


def container_info(node: dict[str, Any]) -> WindowInfo:
    """A sway container (a window) as WindowInfo; XWayland windows carry their class in window_properties."""
    props = node.get("window_properties") or {}
    app_id = node.get("app_id") or props.get("class") or props.get("instance")
    pid = node.get("pid")
    return WindowInfo(node.get("id", 0), node.get("name") or "", int(pid) if pid else None, app_id)


def focused_window(tree: dict[str, Any]) -> WindowInfo | None:
    """The focused window in a GET_TREE reply, or None (an empty workspace has the focus)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if node.get("focused"):
            is_window = node.get("type") in ("con", "floating_con") and (node.get("pid") or node.get("app_id")
                                                                          or node.get("window"))
            return container_info(node) if is_window else None
        stack.extend(node.get("nodes", []))
        stack.extend(node.get("floating_nodes", []))
    return None


def sway_problem(env: dict[str, str] | None = None) -> str | None:
    path = (env or os.environ).get("SWAYSOCK")
    if not path:
        return "SWAYSOCK is not set (not a sway session)"
    try:
        I3Ipc(path, timeout=2.0).close()
    except OSError as exc:
        return f"cannot connect to sway's IPC socket {path} ({exc})"
    return None


class SwayActiveWindow:
    """Window source for the window collector: `fileno()` wakes it, `drain()` applies events, `active()`
    answers from what the events said (no request per check)."""

    def __init__(self, path: str | None = None):
        self.path = path or os.environ["SWAYSOCK"]
        self.commands = I3Ipc(self.path)
        self.events = I3Ipc(self.path)
        try:
            reply = self.events.request(SUBSCRIBE, json.dumps(["window", "workspace", "shutdown"]))
            if not reply.get("success"):
                raise IpcError(f"sway refused the event subscription: {reply}")
            self._current = focused_window(self.commands.request(GET_TREE))
        except Exception:
            self.close()
            raise

    def fileno(self) -> int:
        return self.events.fileno()

    def active(self) -> WindowInfo | None:
        return self._current

    def drain(self) -> bool:
        """Apply pending events; True when the focused window or its title may have changed."""
        changed = False
        refresh = False
        for kind, payload in self.events.read_available():
            if kind == EV_SHUTDOWN:
                raise IpcError("sway is shutting down")
            if kind == EV_WINDOW:
                node = payload.get("container") or {}
                change = payload.get("change")
                current_id = self._current.window_id if self._current else None
                if change in ("focus", "title") and node.get("focused"):
                    self._current = container_info(node)
                    changed = True
                elif change == "close" and node.get("id") == current_id:
                    refresh = True
                elif change == "title" and node.get("id") == current_id:
                    refresh = True  # focus moved on meanwhile: ask
            elif kind == EV_WORKSPACE:
                refresh = True
        if refresh:
            self._current = focused_window(self.commands.request(GET_TREE))
            changed = True
        return changed

    def close(self) -> None:
        for conn in (getattr(self, "commands", None), getattr(self, "events", None)):
            if conn is not None:
                conn.close()
