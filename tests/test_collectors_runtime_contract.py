"""Collector lifecycle: supervisor restarts with backoff, disabled reasons, processes, browser endpoint."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from assistant.core.config import default_config
from assistant.core.events import Event
from collectors.base import Collector
from collectors.browser_endpoint import TOKEN_HEADER, BrowserEndpoint
from collectors.privacy import Emitter, PrivacyFilter
from collectors.processes import ProcessCollector
from collectors.registry import build_collectors
from collectors.supervisor import Backoff


def _emitter(got: list[Event]) -> Emitter:
    return Emitter(PrivacyFilter.from_config(default_config()), got.append)


class Flaky(Collector):
    name = "flaky"

    def __init__(self, emit: Emitter, fail_times: int, **kw):
        super().__init__(emit, **kw)
        self.fail_times = fail_times
        self.runs = 0

    def run(self, stop: threading.Event) -> None:
        self.runs += 1
        if self.runs <= self.fail_times:
            raise OSError(f"device vanished (run {self.runs})")
        self.emit(Event("flaky", "alive"))
        stop.wait()


def test_a_crashing_collector_is_restarted_and_the_failures_show(home) -> None:
    got: list[Event] = []
    c = Flaky(_emitter(got), fail_times=2, backoff=Backoff(base=0.05, give_up_after=5))
    c.start()
    time.sleep(0.6)
    st = c.status()
    c.stop()
    assert st["state"] == "running" and st["restarts"] == 2
    assert st["last_error"] == "OSError: device vanished (run 2)"
    assert [e.kind for e in got] == ["alive"]


def test_a_collector_that_keeps_failing_gives_up_visibly(home) -> None:
    c = Flaky(_emitter([]), fail_times=99, backoff=Backoff(base=0.02, give_up_after=3))
    c.start()
    time.sleep(0.5)
    st = c.status()
    c.stop()
    assert st["state"] == "failed" and "gave up after 3 failures" in st["reason"]
    assert "device vanished" in st["reason"] and st["restarts"] == 2


def test_without_a_display_input_collectors_are_disabled_and_the_rest_runs(home, monkeypatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    cfg = default_config().with_overrides({"collectors.processes.poll_seconds": 1.0})
    collectors = build_collectors(cfg, lambda e: None)
    for c in collectors:
        c.start()
    states = {c.name: c.status() for c in collectors}
    for c in collectors:
        c.stop()
    for name in ("window", "afk", "input"):
        assert states[name]["state"] == "disabled"
        assert states[name]["reason"] == "no X display (DISPLAY unset)"
    assert states["processes"]["state"] == "running"
    assert states["clipboard"]["reason"] == "turned off in the config (collectors.clipboard.enabled: false)"
    assert set(states) == {"window", "afk", "input", "processes", "clipboard", "browser", "activitywatch"}
    assert states["activitywatch"]["reason"] == (
        "turned off in the config (collectors.activitywatch_api.enabled: false)")
    assert all(set(s) >= {"name", "state", "reason", "restarts", "last_error"} for s in states.values())


def test_process_launch_and_exit_are_seen_but_short_lived_noise_is_not(home, tmp_path: Path) -> None:
    probe = tmp_path / "probe-editor"
    shutil.copy(shutil.which("sleep"), probe)
    got: list[Event] = []
    c = ProcessCollector(_emitter(got), poll_seconds=1.0)
    c.start()
    time.sleep(0.5)
    proc = subprocess.Popen([str(probe), "60"])
    subprocess.run([shutil.which("true")], check=True)  # gone before the next sample
    time.sleep(2.6)
    proc.kill()
    proc.wait()
    time.sleep(1.6)
    c.stop()
    mine = [(e.kind, e.app) for e in got if e.app in ("probe-editor", "true")]
    assert mine == [("launch", "probe-editor"), ("exit", "probe-editor")]
    launch = next(e for e in got if e.app == "probe-editor")
    assert launch.data["pid"] == proc.pid and abs(launch.start - time.time()) < 10


def _post(url: str, body: bytes, token: str | None) -> int:
    req = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    if token is not None:
        req.add_header(TOKEN_HEADER, token)
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_browser_endpoint_takes_tabs_only_with_the_token_and_only_on_loopback(home) -> None:
    got: list[Event] = []
    c = BrowserEndpoint(_emitter(got), port=0)
    c.start()
    try:
        info_file = home / "data" / "browser-endpoint.json"
        for _ in range(50):
            if info_file.exists() and c.address:
                break
            time.sleep(0.05)
        info = json.loads(info_file.read_text())
        assert c.address[0] == "127.0.0.1" and info["url"].startswith("http://127.0.0.1:")
        assert oct(info_file.stat().st_mode & 0o777) == "0o600"
        tab = json.dumps({"title": "Invoice for bob@example.com", "url": "https://shop.example/o/1",
                          "tab_id": 7}).encode()
        assert _post(info["url"], tab, None) == 401
        assert _post(info["url"], tab, "wrong") == 401
        assert _post(info["url"], b"{not json", info["token"]) == 400
        assert _post(info["url"], json.dumps({"title": 3, "url": "x"}).encode(), info["token"]) == 400
        assert _post(info["url"], tab, info["token"]) == 204
        assert _post(info["url"], json.dumps({"title": "Incognito", "url": "https://a.b"}).encode(),
                     info["token"]) == 204
        c.pause()  # paused: accepted but dropped, and the endpoint keeps running
        assert _post(info["url"], json.dumps({"title": "While paused", "url": "https://a.b"}).encode(),
                     info["token"]) == 204
        c.resume()
        assert c.status()["state"] == "running" and c.status()["restarts"] == 0
    finally:
        c.stop()
    assert [(e.source, e.kind, e.title, e.data) for e in got] == [
        ("browser", "tab", "Invoice for [redacted:email]", {"url": "https://shop.example/o/1", "tab_id": 7})]
