"""The ActivityWatch-compatible endpoint, driven by ActivityWatch's own Python client (aw-client) over real
loopback sockets, with the real event writer behind it."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import socket
import threading
import time
from pathlib import Path

import pytest

from assistant.core.config import default_config
from assistant.core.events import Event
from assistant.log import EventWriter, open_db
from assistant.log.events import recent
from collectors.activitywatch_api import MAX_CONNECTIONS, ActivityWatchApi
from collectors.privacy import Emitter, PrivacyFilter

SECRET = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def aw_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """aw-client keeps its config and queue under the XDG dirs: point them at the test's tmp dir."""
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def endpoint(aw_home: Path):
    got: list[Event] = []
    api = ActivityWatchApi(Emitter(PrivacyFilter.from_config(default_config()), got.append), _free_port())
    api.start()
    deadline = time.monotonic() + 5
    while api.address is None and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield api, got
    finally:
        api.stop()


def _client(port: int):
    from aw_client import ActivityWatchClient

    return ActivityWatchClient("aw-watcher-test", host="127.0.0.1", port=port)


def _hb(title: str, app: str = "firefox", seconds_ago: float = 0.0, **extra):
    from aw_core.models import Event as AwEvent

    when = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds_ago)
    return AwEvent(timestamp=when, duration=0, data={"app": app, "title": title, **extra})


def test_aw_client_creates_buckets_and_heartbeats_reach_the_log_merged_and_redacted(endpoint, tmp_path) -> None:
    api, _ = endpoint
    writer = EventWriter(tmp_path / "events.db", commit_interval=0.1).start()
    api.emit.sink = writer.put
    try:
        client = _client(api.port)
        assert client.get_info()["hostname"]
        client.create_bucket("aw-watcher-window_test", "currentwindow")
        client.create_bucket("aw-watcher-window_test", "currentwindow")  # 304 on the second: no error
        client.create_bucket("aw-watcher-web-firefox", "web.tab.current")
        client.create_bucket("aw-watcher-afk_test", "afkstatus")
        assert set(client.get_buckets()) == {"aw-watcher-window_test", "aw-watcher-web-firefox",
                                             "aw-watcher-afk_test"}
        for ago in (6, 4, 2):  # three heartbeats of one window: one event 4 s long
            client.heartbeat("aw-watcher-window_test", _hb("Budget review", seconds_ago=ago), pulsetime=3)
        client.heartbeat("aw-watcher-window_test", _hb(f"Deploy {SECRET}", app="foot"), pulsetime=3)
        from aw_core.models import Event as AwEvent

        now = dt.datetime.now(dt.UTC)
        client.heartbeat("aw-watcher-web-firefox", AwEvent(timestamp=now, duration=0, data={
            "url": "https://example.org/docs", "title": "Docs", "audible": False, "incognito": False}), 5)
        client.heartbeat("aw-watcher-web-firefox", AwEvent(timestamp=now, duration=0, data={
            "url": "https://secret.example/", "title": "Hidden shopping", "incognito": True}), 5)
        client.heartbeat("aw-watcher-afk_test", AwEvent(timestamp=now, duration=0, data={"status": "not-afk"}), 5)
        writer.flush()
    finally:
        writer.stop()
    events = [e for _, e in recent(open_db(tmp_path / "events.db"), 3600, limit=100)]
    windows = sorted((e for e in events if e.source == "window"), key=lambda e: e.start)
    assert [(e.app, e.title) for e in windows] == [("firefox", "Budget review"), ("foot", "Deploy [redacted:api-key]")]
    assert windows[0].duration == pytest.approx(4.0, abs=0.2)
    assert windows[0].data["aw_bucket"] == "aw-watcher-window_test"
    tabs = [e for e in events if e.source == "browser"]
    assert [(t.title, t.data["url"]) for t in tabs] == [("Docs", "https://example.org/docs")]
    assert [e.kind for e in events if e.source == "afk"] == ["not-afk"]
    assert not any(SECRET in json.dumps(e.data) + (e.title or "") or "Hidden" in (e.title or "") for e in events)
    assert "aw-watcher-web-firefox" in api.status()["reason"]
    assert api.status()["reason"].startswith(f"listening on 127.0.0.1:{api.port}")


def _request(port: int, method: str, path: str, body: bytes = b"", headers: dict | None = None) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        reply = conn.getresponse()
        return reply.status, reply.read().decode()
    finally:
        conn.close()


def test_dns_rebinding_web_pages_bad_input_and_unknown_buckets_are_refused(endpoint) -> None:
    api, got = endpoint
    port = api.port
    assert _request(port, "GET", "/api/0/info", headers={"Host": f"evil.example:{port}"})[0] == 403
    assert _request(port, "POST", "/api/0/buckets/b", b'{"type": "currentwindow"}',
                    {"Origin": "https://evil.example", "Content-Type": "text/plain"})[0] == 403
    ok, _ = _request(port, "POST", "/api/0/buckets/b", b'{"type": "currentwindow"}',
                     {"Origin": "moz-extension://1234", "Content-Type": "application/json"})
    assert ok == 200
    assert _request(port, "POST", "/api/0/buckets/nope/heartbeat?pulsetime=5", b'{}')[0] == 404
    status, text = _request(port, "POST", "/api/0/buckets/b/heartbeat?pulsetime=5",
                            b'{"timestamp": "yesterday", "data": {}}')
    assert status == 400 and "ISO 8601" in text
    assert _request(port, "POST", "/api/0/buckets/b/heartbeat", b"x" * 300_000)[0] == 413
    assert _request(port, "GET", "/api/0/buckets/b/events")[0] == 501
    assert got == []


def test_held_connections_never_block_a_watcher(endpoint) -> None:
    """More idle connections than there are slots: the oldest are shed, a real request is still answered."""
    api, _ = endpoint
    idle = [socket.create_connection(("127.0.0.1", api.port)) for _ in range(MAX_CONNECTIONS + 8)]
    try:
        time.sleep(0.3)
        assert _request(api.port, "GET", "/api/0/info")[0] == 200
    finally:
        for s in idle:
            s.close()
    assert "connections shed" in api.status()["reason"]


def test_sockets_trickling_a_byte_every_5_s_do_not_block_watchers(endpoint) -> None:
    """16 sockets that trickle their head one byte every 5 s (before: a per-recv timeout on 16 thread slots
    kept every watcher out); the whole-request deadline closes them and watchers get in meanwhile."""
    api, _ = endpoint
    stop = threading.Event()
    head = b"POST /api/0/buckets/x/heartbeat HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" % api.port

    def trickle() -> None:
        with socket.create_connection(("127.0.0.1", api.port)) as sock:
            for byte in head:
                if stop.wait(5.0):
                    return
                try:
                    sock.send(bytes([byte]))
                except OSError:
                    return

    threads = [threading.Thread(target=trickle, daemon=True) for _ in range(16)]
    for t in threads:
        t.start()
    try:
        time.sleep(1.0)
        client = _client(api.port)
        client.create_bucket("aw-watcher-window_t", "currentwindow")
        for ago in (3, 2, 1):
            client.heartbeat("aw-watcher-window_t", _hb("Budget review", seconds_ago=ago), pulsetime=3)
    finally:
        stop.set()
    assert api.accepted >= 1


def test_junk_buckets_are_rate_limited_and_empty_ones_expire(endpoint, monkeypatch) -> None:
    from collectors import activitywatch_api as aw

    api, _ = endpoint
    codes = [_request(api.port, "POST", f"/api/0/buckets/junk{i}", b'{"type": "x"}',
                      {"Content-Type": "application/json"})[0] for i in range(60)]
    assert codes.count(200) <= aw.BUCKET_BURST + 2 and 429 in codes
    monkeypatch.setattr(aw, "EMPTY_BUCKET_TTL", 0.0)  # instead of waiting a minute
    monkeypatch.setattr(aw, "MAX_BUCKETS", len(api.buckets))
    time.sleep(1.5)  # the rate limit refills
    ok, _ = _request(api.port, "POST", "/api/0/buckets/aw-watcher-window_real", b'{"type": "currentwindow"}',
                     {"Content-Type": "application/json"})
    assert ok == 200 and "aw-watcher-window_real" in api.buckets and api.expired >= 1


def test_window_heartbeats_defer_to_a_running_built_in_window_collector(aw_home) -> None:
    got: list[Event] = []
    api = ActivityWatchApi(Emitter(PrivacyFilter.from_config(default_config()), got.append), _free_port(),
                           covered=lambda: {"window"})
    api.create_bucket("aw-watcher-window_x", {"type": "currentwindow"})
    api.create_bucket("aw-watcher-vscode_x", {"type": "app.editor.activity"})
    now = dt.datetime.now(dt.UTC).isoformat()
    api.receive("aw-watcher-window_x", {"timestamp": now, "duration": 0, "data": {"app": "a", "title": "b"}}, 5)
    api.receive("aw-watcher-vscode_x", {"timestamp": now, "duration": 0,
                                        "data": {"file": "/home/u/src/report.py", "project": "/home/u/src",
                                                 "language": "python"}}, 5)
    assert [(e.source, e.app, e.title) for e in got] == [("editor", "vscode", "report.py")]
    assert "ignored (the built-in collector watches the same): aw-watcher-window_x" in api.running_reason()


def test_a_taken_port_disables_it_with_a_reason(aw_home) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        api = ActivityWatchApi(Emitter(PrivacyFilter.from_config(default_config()), lambda e: None),
                               taken.getsockname()[1])
        api.start()
        st = api.status()
    assert st["state"] == "disabled" and "is ActivityWatch's own server running?" in st["reason"]
