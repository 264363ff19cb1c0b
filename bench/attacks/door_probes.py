"""Hostile values through every door into the log: a NaN, an infinite and a negative duration, a year-9999
timestamp and a 10 MB string, through the collectors' gate, the browser endpoint, the ActivityWatch endpoint,
`proactive import` and a killed writer's spool. Each figure: how many of the 5 were refused (and counted), and
whether the log kept committing (a sound event sent after them is stored)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NOW = time.time()
YEAR_9999 = 253_402_300_799.0
BAD = {"NaN duration": {"duration": float("nan")}, "inf duration": {"duration": float("inf")},
       "negative duration": {"duration": -5.0}, "year 9999": {"start": YEAR_9999},
       "10 MB title": {"title": "x" * 10_000_000}}


def _writer(tmp: Path):
    from assistant.log import EventWriter

    return EventWriter(tmp / "events.db", commit_interval=0.1).start()


def _titles(path: Path) -> list[str]:
    from assistant.log import open_db
    from assistant.log.events import recent

    return [e.title for _, e in recent(open_db(path), 7 * 86400)]


def _counted(writer) -> int:
    return getattr(writer.snapshot(), "refused", 0)


def _emitter(writer, privacy):
    from collectors.privacy import Emitter

    hook = getattr(writer, "refuse", None)  # the tree before this work has no refusal count
    return Emitter(privacy, writer.put, refused=hook) if hook else Emitter(privacy, writer.put)


def _figure(counted: int, stored: list[str], extra: str = "") -> str:
    bad = len([t for t in stored if t != "sound"])
    kept = "the log kept committing" if "sound" in stored else "the sound event after them was NOT stored"
    return f"{5 - bad} of 5 kept out, {counted} counted in status; {kept}{extra}"


def probe_door_collectors():
    from assistant.core.config import default_config
    from assistant.core.events import Event
    from collectors.privacy import PrivacyFilter

    tmp = Path(tempfile.mkdtemp())
    writer = _writer(tmp)
    emit = _emitter(writer, PrivacyFilter.from_config(default_config()))
    for bad in BAD.values():
        emit(Event(**{"source": "window", "kind": "focus", "start": NOW - 60, "duration": 1.0, "app": "code",
                      "title": "bad", **bad}))
    emit(Event("window", "focus", start=NOW - 10, duration=1.0, app="code", title="sound"))
    writer.flush(10)
    counted = _counted(writer)
    writer.stop()
    return _figure(counted, _titles(tmp / "events.db"))


def probe_door_browser():
    from collectors.browser_endpoint import BrowserEndpoint
    from collectors.privacy import Emitter, PrivacyFilter

    tmp = Path(tempfile.mkdtemp())
    writer = _writer(tmp)
    endpoint = BrowserEndpoint(Emitter(PrivacyFilter([], [], []), writer.put), port=0, info_path=tmp / "ep.json")
    endpoint.start()
    for _ in range(250):
        if endpoint.address and (tmp / "ep.json").exists():
            break
        time.sleep(0.02)
    token = json.loads((tmp / "ep.json").read_text())["token"]
    bodies = [b'{"title": "bad", "url": "https://a.b/", "time": NaN}',
              b'{"title": "bad", "url": "https://a.b/", "time": Infinity}',
              b'{"title": "bad", "url": "https://a.b/", "tab_id": -1e400}',
              b'{"title": "bad", "url": "https://a.b/", "time": 253402300799}',
              b'{"title": "' + b"x" * 10_000_000 + b'", "url": "https://a.b/"}',
              b'{"title": "sound", "url": "https://a.b/"}']
    codes = [_post(endpoint.address[1], body, token) for body in bodies]
    writer.flush(10)
    endpoint.stop()
    writer.stop()
    turned = endpoint.status().get("dropped", {})
    return _figure(sum(turned.values()), _titles(tmp / "events.db"), f" (HTTP {', '.join(map(str, codes))})")


def _post(port: int, body: bytes, token: str) -> int:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
            sock.sendall(f"POST /tab HTTP/1.1\r\nHost: x\r\nX-Proactive-Token: {token}\r\n"
                         f"Content-Length: {len(body)}\r\n\r\n".encode())
            try:
                sock.sendall(body)
            except OSError:
                pass
            reply = sock.recv(100)
        return int(reply.split(b" ", 2)[1]) if reply else 0
    except OSError:
        return 0


def probe_door_activitywatch():
    import http.client

    from collectors.activitywatch_api import ActivityWatchApi
    from collectors.privacy import PrivacyFilter

    tmp = Path(tempfile.mkdtemp())
    writer = _writer(tmp)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    api = ActivityWatchApi(_emitter(writer, PrivacyFilter([], [], [])), port)
    api.start()
    for _ in range(250):
        if api.address:
            break
        time.sleep(0.02)

    def post(path: str, body: bytes) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        try:
            conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
            return conn.getresponse().status
        except OSError:
            return 0
        finally:
            conn.close()

    bucket = "/api/0/buckets/aw-watcher-window_h"
    post(bucket, b'{"type": "currentwindow", "client": "c", "hostname": "h"}')
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(NOW - 30)).encode()
    bodies = [b'{"timestamp": "%s", "duration": NaN, "data": {"app": "a", "title": "bad"}}' % stamp,
              b'{"timestamp": "%s", "duration": Infinity, "data": {"app": "a", "title": "bad"}}' % stamp,
              b'{"timestamp": "%s", "duration": -5, "data": {"app": "a", "title": "bad"}}' % stamp,
              b'{"timestamp": "9999-12-31T23:59:59+00:00", "duration": 1, "data": {"app": "a", "title": "bad"}}',
              b'{"timestamp": "%s", "duration": 1, "data": {"app": "a", "title": "' % stamp + b"x" * 10_000_000
              + b'"}}']
    codes = [post(bucket + "/heartbeat?pulsetime=5", body) for body in bodies]
    sound = b'{"timestamp": "%s", "duration": 1, "data": {"app": "code", "title": "sound"}}' % time.strftime(
        "%Y-%m-%dT%H:%M:%SZ", time.gmtime(NOW - 5)).encode()
    time.sleep(1.5)  # a writer stuck on a poisoned batch shows here
    codes.append(post(bucket + "/heartbeat?pulsetime=5", sound))
    writer.flush(10)
    counted = _counted(writer) + (getattr(api._server, "counters", None).bad if getattr(api, "_server", None)
                                  and hasattr(api._server, "counters") else 0)
    api.stop()
    writer.stop()
    return _figure(counted, _titles(tmp / "events.db"), f" (HTTP {', '.join(map(str, codes))})")


def probe_door_import():
    home = Path(tempfile.mkdtemp())
    rows = [{"start": NOW - 60, "duration": 1.0, "source": "window", "kind": "focus", "app": "code",
             "title": "bad", "data": {}, **bad} for bad in BAD.values()]
    rows.append({"start": NOW - 10, "duration": 1.0, "source": "window", "kind": "focus", "app": "code",
                 "title": "sound", "data": {}})
    file = home / "events.jsonl"
    file.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = subprocess.run([sys.executable, "-m", "assistant", "import", "--format", "events", str(file)],
                         capture_output=True, text=True, timeout=120, env={**os.environ, "PROACTIVE_HOME": str(home)})
    said = (out.stdout + out.stderr).strip().splitlines()
    stored = _titles(home / "data" / "events.db") if (home / "data" / "events.db").exists() else []
    line = said[-1][:90] if said else "no output"
    return f"says '{line}'; rows stored: {len(stored)} ({', '.join(t[:10] for t in stored)})"


def probe_door_spool():
    home = Path(tempfile.mkdtemp())
    data = home / "data"
    subprocess.run([sys.executable, "-m", "assistant", "consent", "--accept-defaults"], capture_output=True,
                   timeout=120, env={**os.environ, "PROACTIVE_HOME": str(home)})
    lines = [json.dumps(["i", 10 ** 30, NOW, 1.0, "window", "focus", "code", "huge id", None]),
             '["i", 9, NaN, 1.0, "window", "focus", "code", "nan start", null]',
             json.dumps(["i", 11, YEAR_9999, 1.0, "window", "focus", "code", "far future", None]),
             json.dumps(["i", 12, NOW, -3.0, "window", "focus", "code", "negative", None]),
             json.dumps(["i", 13, NOW, 1.0, "window", "focus", "code", "x" * 10_000_000, None]),
             json.dumps(["i", 7, NOW - 5, 1.5, "window", "focus", "code", "sound", None])]
    Path(str(data / "events.db") + "-spool").write_text("\n".join(lines) + "\n")
    out = subprocess.run([sys.executable, "-m", "assistant", "run", "--headless", "--no-model", "--for", "1s"],
                         capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PROACTIVE_HOME": str(home), "DISPLAY": ""})
    started = out.returncode == 0 and "Traceback" not in out.stderr
    stored = [t for t in _titles(data / "events.db") if t] if started else []
    return (f"app {'started' if started else 'did NOT start: ' + (out.stderr.strip().splitlines() or ['?'])[-1][:80]}"
            f"; replayed: {', '.join(t[:10] for t in stored) or 'nothing'}")
