"""The loopback endpoints under attack (the browser endpoint and the ActivityWatch API): slowloris, floods,
nested JSON, sockets trickling a byte every 5 s, junk buckets."""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path


def _endpoint(**kw):
    from collectors.browser_endpoint import BrowserEndpoint
    from collectors.privacy import Emitter, PrivacyFilter

    got = []
    tmp = Path(tempfile.mkdtemp())
    c = BrowserEndpoint(Emitter(PrivacyFilter([], [], []), got.append), port=0, info_path=tmp / "ep.json", **kw)
    c.start()
    for _ in range(200):
        if c.address and (tmp / "ep.json").exists():
            break
        time.sleep(0.02)
    return c, json.loads((tmp / "ep.json").read_text())["token"], got


def _post(port, body, token, timeout=10.0):
    started = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(f"POST /tab HTTP/1.1\r\nX-Proactive-Token: {token}\r\nContent-Length: {len(body)}\r\n\r\n"
                         .encode() + body)
            reply = sock.recv(100)
        code = int(reply.split(b" ", 2)[1]) if reply else 0
    except OSError:
        code = 0
    return code, time.perf_counter() - started


ATTACKER = textwrap.dedent("""
    import resource, socket, sys, time
    resource.setrlimit(resource.RLIMIT_NOFILE, (4096, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
    socks = []
    for _ in range(1000):
        s = socket.socket(); s.setblocking(False); s.connect_ex(("127.0.0.1", int(sys.argv[1]))); socks.append(s)
        time.sleep(0.002)
    for s in socks:
        try:
            s.send(b"POST /tab HTTP/1.1\\r\\nX-Slow: ")
        except OSError:
            pass
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
""")


def probe_slowloris():
    """1,000 connections from another process that send half a head and wait; this process has the usual
    desktop limit of 1,024 open files."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
    c, token, _ = _endpoint()
    port = c.address[1]
    threads0, fds0 = threading.active_count(), len(os.listdir("/proc/self/fd"))
    attacker = subprocess.Popen([sys.executable, "-c", ATTACKER, str(port), "20"], stdout=subprocess.PIPE, text=True)
    attacker.stdout.readline()
    time.sleep(3.0)
    threads = threading.active_count() - threads0
    fds = len(os.listdir("/proc/self/fd")) - fds0
    code, seconds = _post(port, json.dumps({"title": "ok", "url": "https://a.b/"}).encode(), token, timeout=5)
    attacker.kill()
    c.stop(2)
    return f"+{threads} threads, +{fds} fds; valid tab: {code or 'no answer'} after {seconds:.2f} s"


def probe_flood():
    c, token, got = _endpoint()
    codes = [_post(c.address[1], json.dumps({"title": f"t{i}", "url": "https://a.b/"}).encode(), token)[0]
             for i in range(2000)]
    reason = c.status().get("reason", "")
    c.stop(2)
    shown = "counted in status" if "shed" in reason else "not in status"
    return f"{len(got)} of 2000 stored, {codes.count(429)} shed ({shown})"


def probe_nested_json():
    c, token, _ = _endpoint()
    body = b'{"title": "x", "url": "https://a.b", "n": ' + b"[" * 2000 + b"]" * 2000 + b"}"
    code, _ = _post(c.address[1], body, token)
    c.stop(2)
    return f"HTTP {code}" if code else "connection dropped"


def _aw_api():
    from assistant.core.config import default_config
    from collectors.activitywatch_api import ActivityWatchApi
    from collectors.privacy import Emitter, PrivacyFilter

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    got = []
    api = ActivityWatchApi(Emitter(PrivacyFilter.from_config(default_config()), got.append), port)
    api.start()
    for _ in range(250):
        if api.address:
            break
        time.sleep(0.02)
    return api, port, got


def _aw(port: int, method: str, path: str, body: dict | None = None, timeout: float = 10.0) -> int:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = None if body is None else json.dumps(body).encode()
        conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
        return conn.getresponse().status
    except OSError:
        return 0
    finally:
        conn.close()


def probe_aw_trickle():
    """16 sockets trickling their head one byte every 5 s, then a watcher's 5 heartbeats."""
    api, port, got = _aw_api()
    stop = threading.Event()
    head = b"POST /api/0/buckets/x/heartbeat HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" % port

    def trickle() -> None:
        try:
            with socket.create_connection(("127.0.0.1", port)) as sock:
                for byte in head:
                    sock.send(bytes([byte]))
                    if stop.wait(5.0):
                        return
        except OSError:
            return

    for _ in range(16):
        threading.Thread(target=trickle, daemon=True).start()
    time.sleep(1.0)
    started = time.perf_counter()
    codes = [_aw(port, "POST", "/api/0/buckets/aw-watcher-window_h", {"type": "currentwindow"}, timeout=10)]
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    for i in range(5):
        codes.append(_aw(port, "POST", "/api/0/buckets/aw-watcher-window_h/heartbeat?pulsetime=5",
                         {"timestamp": stamp, "duration": 0, "data": {"app": "code", "title": f"t{i}"}}, timeout=10))
    seconds = time.perf_counter() - started
    stop.set()
    api.stop()
    answered = sum(c == 200 for c in codes[1:])
    return f"{answered} of 5 heartbeats answered in {seconds:.1f} s (bucket: HTTP {codes[0] or 'no answer'})"


def probe_aw_junk_buckets():
    """200 junk buckets as fast as possible, then a real watcher's bucket now and after 65 s."""
    api, port, _ = _aw_api()
    codes = [_aw(port, "POST", f"/api/0/buckets/junk{i}", {"type": "junk"}) for i in range(250)]
    now = _aw(port, "POST", "/api/0/buckets/aw-watcher-window_real", {"type": "currentwindow"})
    time.sleep(65)
    later = _aw(port, "POST", "/api/0/buckets/aw-watcher-window_real2", {"type": "currentwindow"})
    api.stop()
    made = codes.count(200)
    return f"{made} of 250 junk buckets made; a real watcher's bucket: HTTP {now} at once, HTTP {later} after 65 s"
