"""Small blocking helpers over the D-Bus session bus with jeepney (pure Python): method calls with a
timeout, "is this name on the bus", and signal subscriptions read without blocking from a select() loop.
Import only on Linux desktops (jeepney is a Linux dependency)."""

from __future__ import annotations

import os
import select
from collections import deque
from typing import Any

from jeepney import DBusAddress, HeaderFields, MatchRule, MessageType, message_bus, new_method_call
from jeepney.io.blocking import DBusConnection, open_dbus_connection

CALL_TIMEOUT = 3.0


class DBusCallError(RuntimeError):
    """The remote side answered with a D-Bus error (its name is in `name`)."""

    def __init__(self, name: str, text: str):
        super().__init__(f"{name}: {text}" if text else name)
        self.name = name


def session_problem() -> str | None:
    """None when a session bus address is known, else why not."""
    if os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return None
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.exists(os.path.join(runtime, "bus")):
        return None
    return "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS unset)"


def connect() -> DBusConnection:
    return open_dbus_connection(bus="SESSION")


def call(conn: DBusConnection, bus_name: str, path: str, interface: str, method: str,
         signature: str | None = None, body: tuple = (), timeout: float = CALL_TIMEOUT) -> tuple:
    """Call a method and return the reply body; DBusCallError on an error reply."""
    address = DBusAddress(path, bus_name=bus_name, interface=interface)
    message = new_method_call(address, method, signature, body)
    reply = conn.send_and_get_reply(message, timeout=timeout)
    if reply.header.message_type == MessageType.error:
        text = reply.body[0] if reply.body and isinstance(reply.body[0], str) else ""
        raise DBusCallError(reply.header.fields.get(HeaderFields.error_name, "error"), text)
    return reply.body


def has_owner(conn: DBusConnection, name: str) -> bool:
    message = new_method_call(message_bus, "NameHasOwner", "s", (name,))
    return bool(conn.send_and_get_reply(message, timeout=CALL_TIMEOUT).body[0])


def subscribe(conn: DBusConnection, **rule: Any) -> None:
    """Ask the bus to route matching signals to this connection (rule: sender, interface, member, path)."""
    match = MatchRule(type="signal", **rule)
    message = new_method_call(message_bus, "AddMatch", "s", (match.serialise(),))
    conn.send_and_get_reply(message, timeout=CALL_TIMEOUT)


class Inbox:
    """Messages matching `rules` (signals, or method calls made to us), kept even when they arrive while a
    method call waits for its reply; `take()` reads what arrived without blocking."""

    def __init__(self, conn: DBusConnection, *rules: MatchRule, size: int = 256):
        self.conn = conn
        self.queue: deque = deque(maxlen=size)
        self._filters = [conn.filter(rule, queue=self.queue) for rule in rules]
        for f in self._filters:
            f.__enter__()

    def fileno(self) -> int:
        return self.conn.sock.fileno()

    def take(self) -> list[Any]:
        while True:
            readable, _, _ = select.select([self.conn.sock], [], [], 0)
            if not readable and not _buffered(self.conn):
                break
            try:
                self.conn.recv_messages(timeout=0)
            except TimeoutError:
                break
        out = list(self.queue)
        self.queue.clear()
        return out


def _buffered(conn: DBusConnection) -> bool:
    """Whether jeepney already holds received bytes that may form a message."""
    buffer = getattr(getattr(conn, "parser", None), "buf", None)
    return bool(buffer is not None and getattr(buffer, "bytes_buffered", 0) >= 16)
