"""A small HTTP/1.1 server for loopback endpoints that no client can pin, starve or flood.

One thread (the caller's) serves every connection with a selector, so held connections never cost threads:

- at most `max_connections` are open; a new one beyond that closes the oldest (counted as shed), so a
  slowloris holding a thousand sockets holds at most that many file descriptors and valid requests still
  get in;
- a whole request (head and body) must arrive within `request_timeout` seconds of the connection opening,
  however slowly the bytes trickle in; later it is closed (counted as timed out);
- heads are at most 8 KiB, bodies at most `max_body` bytes (413), one request per connection
  (``Connection: close``), no chunked bodies (411).

- clients are told apart by their address: when the server is full, the client holding the most connections
  loses its oldest one first, and each client may send at most `client_rate` requests a second (bursts of
  `client_burst`; 429 beyond), so one busy or hostile client cannot starve the others.

`handle(method, path, headers, body)` is called for each complete request and returns `(status, text)` or a
`Reply` (status, body bytes, content type, extra headers); it must be quick. Both loopback endpoints (the browser
endpoint and the ActivityWatch API) run on this server.
"""

from __future__ import annotations

import logging
import selectors
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)
MAX_HEAD = 8 * 1024
REASONS = {200: "OK", 204: "No Content", 304: "Not Modified", 400: "Bad Request", 401: "Unauthorized",
           403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout",
           411: "Length Required", 413: "Content Too Large", 429: "Too Many Requests",
           431: "Request Header Fields Too Large", 501: "Not Implemented", 503: "Service Unavailable"}
MAX_CLIENTS_TRACKED = 256


@dataclass
class Reply:
    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[str, str, dict[str, str], bytes], "tuple[int, str] | Reply"]


@dataclass
class _Conn:
    sock: socket.socket
    opened: float
    client: str
    data: bytearray = field(default_factory=bytearray)
    reply: bytes | None = None
    continued: bool = False  # "100 Continue" sent (curl asks for it before a body over 1 KiB)


@dataclass
class Counters:
    requests: int = 0
    shed: int = 0  # connections closed to make room for new ones
    timed_out: int = 0  # requests that did not arrive in time
    bad: int = 0  # malformed heads, oversized requests
    limited: int = 0  # requests over a client's rate (429)


class TokenBucket:
    """At most `rate` events a second on average, `burst` at once."""

    def __init__(self, rate: float, burst: int):
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class LoopbackServer:
    def __init__(self, port: int, handle: Handler, max_body: int, max_connections: int = 64,
                 request_timeout: float = 5.0, client_rate: float = 200.0, client_burst: int = 400):
        self.handle = handle
        self.max_body = max_body
        self.max_connections = max_connections
        self.request_timeout = request_timeout
        self.client_rate, self.client_burst = client_rate, client_burst
        self._buckets: dict[str, list[float]] = {}  # client -> [tokens, monotonic stamp]
        self.counters = Counters()
        self.listener = socket.create_server(("127.0.0.1", port), backlog=128)
        self.listener.setblocking(False)
        self.address: tuple[str, int] = self.listener.getsockname()[:2]
        self._conns: dict[int, _Conn] = {}

    def serve(self, stop: threading.Event, wake_fd: int | None = None) -> None:
        """Serve until `stop` is set (a byte on `wake_fd` ends the current wait at once)."""
        sel = selectors.DefaultSelector()
        sel.register(self.listener, selectors.EVENT_READ, "listen")
        if wake_fd is not None:
            sel.register(wake_fd, selectors.EVENT_READ, "wake")
        try:
            while not stop.is_set():
                for key, mask in sel.select(timeout=self._next_deadline()):
                    if key.data == "listen":
                        self._accept(sel)
                    elif key.data == "wake":
                        continue
                    elif mask & selectors.EVENT_READ:
                        self._read(sel, key.data)
                    elif mask & selectors.EVENT_WRITE:
                        self._write(sel, key.data)
                self._expire(sel)
        finally:
            for conn in list(self._conns.values()):
                self._close(sel, conn)
            sel.close()

    def close(self) -> None:
        self.listener.close()

    # ---- internals
    def _next_deadline(self) -> float:
        if not self._conns:
            return 0.5
        oldest = min(c.opened for c in self._conns.values())
        return max(0.01, min(0.5, oldest + self.request_timeout - time.monotonic()))

    def _accept(self, sel: selectors.BaseSelector) -> None:
        for _ in range(64):  # a bounded batch per wake-up, so reads and expiry keep their turn
            try:
                sock, peer = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # out of file descriptors: shed the oldest and try again next round
                self._shed_oldest(sel)
                return
            if len(self._conns) >= self.max_connections:
                self._shed_oldest(sel)
            sock.setblocking(False)
            conn = _Conn(sock, time.monotonic(), str(peer[0]) if peer else "")
            self._conns[sock.fileno()] = conn
            sel.register(sock, selectors.EVENT_READ, conn)

    def _shed_oldest(self, sel: selectors.BaseSelector) -> None:
        """Close the oldest connection of the client that holds the most (fair to the other clients)."""
        if not self._conns:
            return
        held: dict[str, int] = {}
        for conn in self._conns.values():
            held[conn.client] = held.get(conn.client, 0) + 1
        greedy = max(held, key=held.__getitem__)
        oldest = min((c for c in self._conns.values() if c.client == greedy), key=lambda c: c.opened)
        self.counters.shed += 1
        self._close(sel, oldest)

    def _within_rate(self, client: str) -> bool:
        now = time.monotonic()
        bucket = self._buckets.get(client)
        if bucket is None:
            if len(self._buckets) >= MAX_CLIENTS_TRACKED:
                self._buckets.clear()
            bucket = self._buckets[client] = [float(self.client_burst), now]
        bucket[0] = min(self.client_burst, bucket[0] + (now - bucket[1]) * self.client_rate)
        bucket[1] = now
        if bucket[0] < 1:
            return False
        bucket[0] -= 1
        return True

    def _close(self, sel: selectors.BaseSelector, conn: _Conn) -> None:
        self._conns.pop(conn.sock.fileno(), None)
        try:
            sel.unregister(conn.sock)
        except (KeyError, ValueError):
            pass
        conn.sock.close()

    def _expire(self, sel: selectors.BaseSelector) -> None:
        limit = time.monotonic() - self.request_timeout
        for conn in [c for c in self._conns.values() if c.opened < limit]:
            self.counters.timed_out += 1
            if conn.reply is None:
                try:  # best effort: a client that stopped reading gets nothing
                    conn.sock.send(self._response(408, "the request did not arrive in time"))
                except OSError:
                    pass
            self._close(sel, conn)

    def _read(self, sel: selectors.BaseSelector, conn: _Conn) -> None:
        try:
            chunk = conn.sock.recv(16384)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._close(sel, conn)
            return
        conn.data += chunk
        reply = self._complete(conn.data, conn.client)
        if reply is None and not conn.continued and b"\r\n\r\n" in conn.data \
                and b"100-continue" in bytes(conn.data[:conn.data.find(b"\r\n\r\n")]).lower():
            conn.continued = True
            try:
                conn.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")
            except OSError:
                pass
        if reply is not None:
            conn.reply = reply
            sel.modify(conn.sock, selectors.EVENT_WRITE, conn)
            self._write(sel, conn)

    def _write(self, sel: selectors.BaseSelector, conn: _Conn) -> None:
        try:
            sent = conn.sock.send(conn.reply or b"")
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            sent = len(conn.reply or b"")
        conn.reply = (conn.reply or b"")[sent:]
        if not conn.reply:
            self._close(sel, conn)

    def _complete(self, data: bytearray, client: str = "") -> bytes | None:
        """The response once `data` holds a whole request (or an error that needs no more bytes), else None."""
        end = data.find(b"\r\n\r\n")
        if end < 0:
            if len(data) > MAX_HEAD:
                self.counters.bad += 1
                return self._response(431, f"request head larger than {MAX_HEAD} bytes")
            return None
        try:
            lines = bytes(data[:end]).decode("latin-1").split("\r\n")
            method, path, _version = lines[0].split(" ")
            headers = {}
            for line in lines[1:101]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        except ValueError:
            self.counters.bad += 1
            return self._response(400, "malformed request line")
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return self._response(411, "send a Content-Length, not a chunked body")
        try:
            length = int(headers.get("content-length") or 0)
        except ValueError:
            return self._response(400, "Content-Length is not a number")
        if length < 0 or length > self.max_body:
            self.counters.bad += 1
            return self._response(413, f"body larger than {self.max_body} bytes")
        if len(data) - end - 4 < length:
            return None
        self.counters.requests += 1
        if not self._within_rate(client):
            self.counters.limited += 1
            return self._response(429, f"too many requests: at most {self.client_rate:g} a second")
        try:
            reply = self.handle(method, path, headers, bytes(data[end + 4:end + 4 + length]))
        except Exception as exc:  # noqa: BLE001 - a request the handler did not foresee never stops the server
            log.warning("loopback handler failed on %s %s: %s", method, path[:80], type(exc).__name__)
            self.counters.bad += 1
            return self._response(400, f"the request could not be handled ({type(exc).__name__})")
        if isinstance(reply, Reply):
            return self._response(reply.status, reply.body, reply.content_type, reply.headers)
        return self._response(reply[0], reply[1])

    @staticmethod
    def _response(code: int, body: str | bytes = b"", content_type: str = "text/plain; charset=utf-8",
                  headers: dict[str, str] | None = None) -> bytes:
        data = body.encode() if isinstance(body, str) else body
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items() if "\n" not in k + v and "\r" not in k + v)
        head = (f"HTTP/1.1 {code} {REASONS.get(code, 'Error')}\r\nServer: proactive\r\n"
                f"Content-Type: {content_type}\r\nContent-Length: {len(data)}\r\n{extra}"
                "Connection: close\r\n\r\n")
        return head.encode() + data
