"""One bad value never poisons the log: NaN, infinities, negative durations, year-9999 times and 10 MB strings
are refused with a reason and counted at every door (collectors, both loopback endpoints, import, the spool a
killed writer left), and the log keeps committing what is sound."""

from __future__ import annotations

import http.client
import json
import socket
import time
from pathlib import Path

import pytest

from assistant.core import validate
from assistant.core.events import Event
from assistant.log import EventWriter, open_db
from assistant.log.events import recent
from collectors.activitywatch_api import ActivityWatchApi
from collectors.privacy import Emitter, PrivacyFilter
from tests.conftest import run_cli
from tests.test_browser_endpoint_limits import _start, post

NOW = time.time()
YEAR_9999 = 253_402_300_799.0
HOSTILE = {"NaN duration": {"duration": float("nan")}, "infinite duration": {"duration": float("inf")},
           "negative duration": {"duration": -5.0}, "year 9999": {"start": YEAR_9999},
           "10 MB title": {"title": "x" * 10_000_000}, "NaN in data": {"data": {"n": float("nan")}},
           "huge int in data": {"data": {"n": 10 ** 30}}}


def _event(**overrides) -> Event:
    fields = {"source": "window", "kind": "focus", "start": NOW - 10, "duration": 1.0, "app": "code",
              "title": "ok.py", **overrides}
    return Event(**fields)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_the_validator_names_what_is_wrong(name: str) -> None:
    why = validate.problem(_event(**HOSTILE[name]))
    assert why is not None and ("'" in why), why
    assert validate.problem(_event()) is None


def test_the_writer_refuses_and_counts_and_keeps_committing(tmp_path: Path) -> None:
    writer = EventWriter(tmp_path / "events.db", commit_interval=0.1).start()
    try:
        for name, bad in HOSTILE.items():
            assert writer.put(_event(**bad)) is False, name
        assert writer.put(_event(title="after.py"))
        assert writer.flush()
        stats = writer.snapshot()
    finally:
        writer.stop()
    assert stats.refused == len(HOSTILE) and stats.refused_reason
    assert [e.title for _, e in recent(open_db(tmp_path / "events.db"), 3600)] == ["after.py"]


def test_a_row_sqlite_refuses_is_set_aside_and_the_batch_commits(tmp_path: Path) -> None:
    """A door that forgot to validate: the NaN reaches the writer's batch (SQLite stores NaN as NULL, which the
    NOT NULL column refuses). Before, the writer retried that batch forever and nothing more was committed."""
    path = tmp_path / "events.db"
    writer = EventWriter(path, commit_interval=0.1).start()
    try:
        writer.put(_event(title="before.py", start=NOW - 30))
        writer.queue.put(_event(title="poison", duration=float("nan"), start=NOW - 20))  # past put()'s check
        writer.put(_event(title="after.py", start=NOW - 10))
        assert writer.flush()
        writer.put(_event(title="later.py", start=NOW - 5))
        assert writer.flush()
        stats = writer.snapshot()
    finally:
        writer.stop()
    assert [e.title for _, e in recent(open_db(path), 3600)] == ["before.py", "after.py", "later.py"]
    assert stats.refused == 1 and stats.error is None
    aside = Path(str(path) + "-refused").read_text()
    assert "poison" in aside and oct(Path(str(path) + "-refused").stat().st_mode & 0o777) == "0o600"


def test_hostile_spool_lines_never_stop_the_app_from_starting(home: Path) -> None:
    path = home / "data" / "events.db"
    open_db(path).close()
    good = ["i", 7, NOW - 5, 1.5, "window", "focus", "code", "kept.py", None]
    lines = [json.dumps(["i", 10 ** 30, NOW, 1.0, "window", "focus", "code", "huge id", None]),
             json.dumps(["i", 2 ** 63 - 1, NOW, 1.0, "window", "focus", "code", "max id", None]),
             '["i", 9, NaN, 1.0, "window", "focus", "code", "nan start", null]',
             json.dumps(["i", 11, YEAR_9999, 1.0, "window", "focus", "code", "far future", None]),
             json.dumps(["i", 12, NOW, -3.0, "window", "focus", "code", "negative", None]),
             json.dumps(good), '["u", 7, Infinity]', json.dumps(["u", 10 ** 40, 2.0])]
    Path(str(path) + "-spool").write_text("\n".join(lines) + "\n")
    started = run_cli("run", "--accept-defaults", "--headless", "--no-model", "--for", "1s", home=home,
                      env={"DISPLAY": ""})
    assert started.returncode == 0 and "Traceback" not in started.stderr, started.stderr
    rows = [(i, e.title) for i, e in recent(open_db(path), 3600) if e.source == "window"]
    assert rows == [(7, "kept.py")]
    assert run_cli("events", "--since", "1h", home=home).returncode == 0


def test_the_privacy_gate_refuses_a_10_mb_title_and_counts_it() -> None:
    got: list[Event] = []
    reasons: list[str] = []
    emit = Emitter(PrivacyFilter([], [], []), got.append, refused=reasons.append)
    assert emit(_event(title="x" * 10_000_000)) is False
    assert emit(_event()) is True
    assert emit.refused == 1 and "title" in reasons[0] and [e.title for e in got] == ["ok.py"]


def test_the_browser_endpoint_refuses_out_of_range_values(tmp_path: Path) -> None:
    got: list[Event] = []
    endpoint, info = _start(tmp_path, got)
    try:
        port = endpoint.address[1]
        for body in (b'{"title": "t", "url": "https://a.b/", "tab_id": 1e400}',
                     b'{"title": "t", "url": "https://a.b/", "tab_id": ' + b"9" * 40 + b"}",
                     b'{"title": "t", "url": "https://a.b/", "time": NaN}'):
            assert post(port, body, info["token"]) == 400, body
        assert post(port, b'{"title": "fine", "url": "https://a.b/"}', info["token"]) == 204
    finally:
        endpoint.stop()
    assert [e.title for e in got] == ["fine"]
    assert endpoint.emit.refused >= 1


def _aw(port: int, method: str, path: str, body: object = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        conn.request(method, path, body=data, headers={"Content-Type": "application/json",
                                                       "Host": f"127.0.0.1:{port}"})
        return conn.getresponse().status
    finally:
        conn.close()


def test_the_activitywatch_endpoint_refuses_nan_and_keeps_storing(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    path = tmp_path / "events.db"
    writer = EventWriter(path, commit_interval=0.1).start()
    api = ActivityWatchApi(Emitter(PrivacyFilter([], [], []), writer.put, refused=writer.refuse), port)
    api.start()
    try:
        deadline = time.monotonic() + 5
        while api.address is None and time.monotonic() < deadline:
            time.sleep(0.02)
        bucket = "/api/0/buckets/aw-watcher-window_h"
        assert _aw(port, "POST", bucket, {"type": "currentwindow", "client": "t", "hostname": "h"}) == 200
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(NOW - 3))
        for raw in (b'{"timestamp": "%s", "duration": NaN, "data": {"app": "a", "title": "nan"}}' % stamp.encode(),
                    {"timestamp": "9999-12-31T23:59:59+00:00", "duration": 1, "data": {"app": "a", "title": "9"}},
                    {"timestamp": stamp, "duration": -1, "data": {"app": "a", "title": "neg"}},
                    {"timestamp": stamp, "duration": 1, "data": {"app": "a", "title": "x" * 300_000}}):
            assert _aw(port, "POST", bucket + "/heartbeat?pulsetime=5", raw) in (400, 413), raw
        assert _aw(port, "POST", bucket + "/heartbeat?pulsetime=5",
                   {"timestamp": stamp, "duration": 1, "data": {"app": "code", "title": "fine.py"}}) == 200
        assert writer.flush()
        refused = writer.snapshot().refused
    finally:
        api.stop()
        writer.stop()
    assert [e.title for _, e in recent(open_db(path), 3600)] == ["fine.py"]
    assert refused >= 2


def test_import_reports_what_it_stored(home: Path, tmp_path: Path) -> None:
    rows = [{"start": NOW - 60, "duration": 1.0, "source": "window", "kind": "focus", "app": "code",
             "title": "good.py", "data": {}},
            {"start": NOW - 50, "duration": float("nan"), "source": "window", "kind": "focus", "app": "code",
             "title": "nan.py", "data": {}},
            {"start": YEAR_9999, "duration": 1.0, "source": "window", "kind": "focus", "app": "code",
             "title": "future.py", "data": {}},
            {"start": NOW - 40, "duration": 1.0, "source": "window", "kind": "focus", "app": "code",
             "title": "x" * 10_000_000, "data": {}}]
    file = tmp_path / "events.jsonl"
    file.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = run_cli("import", "--format", "events", str(file), "--json", home=home)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    stored = [e.title for _, e in recent(open_db(home / "data" / "events.db"), 3600)]
    assert stored == ["good.py"] and report["written"] == 1 and report["refused"] == 3
    status = run_cli("status", home=home)
    assert "3 refused for invalid values" in status.stdout, status.stdout
