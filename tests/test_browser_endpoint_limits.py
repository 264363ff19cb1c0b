"""The browser endpoint under attack, over real sockets on loopback: slowloris, floods, nested JSON."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

from assistant.core.events import Event
from collectors.browser_endpoint import TOKEN_HEADER, BrowserEndpoint
from collectors.privacy import Emitter, PrivacyFilter


def _start(tmp_path: Path, got: list[Event], **kw) -> tuple[BrowserEndpoint, dict]:
    c = BrowserEndpoint(Emitter(PrivacyFilter([], [], []), got.append), port=0,
                        info_path=tmp_path / "browser-endpoint.json", **kw)
    c.start()
    for _ in range(100):
        if c.address and (tmp_path / "browser-endpoint.json").exists():
            break
        time.sleep(0.02)
    return c, json.loads((tmp_path / "browser-endpoint.json").read_text())


def post(port: int, body: bytes, token: str, timeout: float = 5.0) -> int:
    """One POST /tab over a fresh connection; the status code (0 if the connection was dropped)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(f"POST /tab HTTP/1.1\r\nHost: x\r\n{TOKEN_HEADER}: {token}\r\nContent-Type: application/json"
                     f"\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
        reply = b""
        while b"\r\n" not in reply:
            chunk = sock.recv(4096)
            if not chunk:
                return 0
            reply += chunk
    return int(reply.split(b" ", 2)[1])


def tab(title: str = "Docs") -> bytes:
    return json.dumps({"title": title, "url": "https://example.org/"}).encode()


SLOWLORIS = textwrap.dedent("""
    import resource, socket, sys, time
    resource.setrlimit(resource.RLIMIT_NOFILE, (4096, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
    port, n, hold = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        socks.append(s)
    time.sleep(0.3)
    for s in socks:
        try:
            s.send(b"POST /tab HTTP/1.1\\r\\nX-Slow: ")
        except OSError:
            pass
    print("held", flush=True)
    end = time.time() + hold
    while time.time() < end:  # one more header byte every 2 s: a per-read timeout would never fire
        for s in socks:
            try:
                s.send(b"a")
            except OSError:
                pass
        time.sleep(2)
""")


def _threads_and_fds() -> tuple[int, int]:
    return threading.active_count(), len(os.listdir("/proc/self/fd"))


def test_slowloris_with_1000_connections_pins_no_threads_and_valid_tabs_get_through(tmp_path: Path) -> None:
    got: list[Event] = []
    c, info = _start(tmp_path, got)
    port = c.address[1]
    threads0, fds0 = _threads_and_fds()
    attacker = subprocess.Popen([sys.executable, "-c", SLOWLORIS, str(port), "1000", "8"], stdout=subprocess.PIPE,
                                text=True)
    try:
        assert attacker.stdout.readline().strip() == "held"
        time.sleep(0.5)
        threads, fds = _threads_and_fds()
        codes = [post(port, tab(f"Valid tab {i}"), info["token"]) for i in range(5)]
        assert codes == [204] * 5, codes
        assert threads == threads0, "held connections cost no threads"
        assert fds - fds0 <= 64 + 2, f"{fds - fds0} sockets held for the attacker"
        deadline = time.monotonic() + 5  # the rest of the 1,000 arrive as the kernel retries their SYNs
        while c.status()["dropped"]["connections shed (too many open)"] < 900 and time.monotonic() < deadline:
            time.sleep(0.1)
        status = c.status()
    finally:
        attacker.kill()
        attacker.wait()
        c.stop()
    assert [e.title for e in got] == [f"Valid tab {i}" for i in range(5)]
    assert status["state"] == "running" and status["restarts"] == 0
    assert status["dropped"]["connections shed (too many open)"] >= 300
    assert "connections shed (too many open)" in status["reason"]


def test_a_request_trickling_in_byte_by_byte_is_closed_at_its_deadline(tmp_path: Path) -> None:
    got: list[Event] = []
    c, _ = _start(tmp_path, got, request_timeout=1.5)
    try:
        with socket.create_connection(("127.0.0.1", c.address[1]), timeout=10) as sock:
            sock.sendall(b"POST /tab HTTP/1.1\r\n")
            started = time.monotonic()
            reply = b""
            sock.settimeout(0.4)
            while not reply and time.monotonic() - started < 8:
                try:
                    sock.send(b"X")  # a byte every 0.4 s keeps any per-read timeout from firing
                    reply = sock.recv(100)
                except TimeoutError:
                    continue
                except OSError:
                    break
            waited = time.monotonic() - started
        status = c.status()
    finally:
        c.stop()
    assert reply.startswith(b"HTTP/1.1 408") and waited < 4
    assert status["dropped"]["requests timed out"] == 1 and "1 requests timed out" in status["reason"]


def test_a_flood_of_valid_tabs_is_shed_and_counted(tmp_path: Path) -> None:
    got: list[Event] = []
    c, info = _start(tmp_path, got)
    port = c.address[1]
    try:
        codes = [post(port, tab(f"Flood {i}"), info["token"]) for i in range(300)]
        status = c.status()
    finally:
        c.stop()
    assert codes.count(429) >= 200 and set(codes) == {204, 429}
    assert len(got) == codes.count(204) == status["accepted"]
    assert status["dropped"]["tabs shed (flood)"] == codes.count(429)
    assert f"{codes.count(429)} tabs shed (flood)" in status["reason"]


def test_bad_bodies_get_clear_answers_not_dropped_connections(tmp_path: Path) -> None:
    got: list[Event] = []
    c, info = _start(tmp_path, got)
    port, token = c.address[1], info["token"]
    try:
        nested = b'{"title": "x", "url": "https://a.b", "n": ' + b"[" * 2000 + b"]" * 2000 + b"}"  # 12 KB
        assert len(nested) < 16 * 1024
        assert post(port, nested, token) == 400
        assert post(port, b'{"title": "[[[[ not nesting ]]]]", "url": "https://a.b/"}', token) == 204
        assert post(port, b"x" * 20000, token) == 413
        assert post(port, b"\xff\xfe", token) == 400
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:  # a head that never ends
            sock.sendall(b"POST /tab HTTP/1.1\r\n" + b"X: " + b"a" * 9000)
            assert sock.recv(100).startswith(b"HTTP/1.1 431")
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"GET /tab HTTP/1.1\r\n\r\n")
            assert sock.recv(100).startswith(b"HTTP/1.1 405")
        status = c.status()
    finally:
        c.stop()
    assert [e.title for e in got] == ["[[[[ not nesting ]]]]"]
    assert status["state"] == "running" and status["restarts"] == 0
