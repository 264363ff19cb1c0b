"""Opt-in loopback endpoint that speaks the part of ActivityWatch's REST API its watchers use
(`collectors.activitywatch_api`, off by default), so aw-watcher-web, editor plugins and awatcher feed this log.

Listens on 127.0.0.1 only (port `collectors.activitywatch_api.port`, 5600 like aw-server). Answers:

    GET  /api/0/info                                  server info (watchers call it on start)
    GET  /api/0/buckets/                              the buckets created since start
    GET  /api/0/buckets/<id>                          one bucket, 404 if unknown
    POST /api/0/buckets/<id>                          create ({"type", "client", "hostname"}); 304 if it exists
    POST /api/0/buckets/<id>/heartbeat?pulsetime=S    one event; merged with the previous one like aw-server
    POST /api/0/buckets/<id>/events                   one event or a list (at most 1000)
    GET  /api/0/buckets/<id>/events                   501: this log is not read back over HTTP

Events become ours through `collectors.aw_events` and pass the same privacy filter and redaction as every
other event. It runs on the same loopback server as the browser endpoint (`collectors.loopback_http`: one
thread, at most 64 connections, the greediest client's oldest shed first, 5 s for a whole request however
slowly it trickles, per-client request rates). Guards: the Host header must name this loopback address (a
DNS-rebinding page sends its own host name); a request with an Origin header must come from a browser extension
(moz-/chrome-extension://), never from a web page; bodies at most 256 KiB; new buckets at most one a second
(bursts of 20) and at most 200, buckets that never received an event expire after a minute. Window and afk
heartbeats are ignored while the built-in window / afk collector runs (both would describe the same desktop and
break each other's heartbeats); the bucket's status then says so.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from assistant.core import validate
from assistant.core.events import Event
from collectors import aw_events
from collectors.base import Collector, WakePipe
from collectors.loopback_http import LoopbackServer, Reply, TokenBucket
from collectors.privacy import Emitter

MAX_BODY = 256 * 1024
MAX_CONNECTIONS = 64
REQUEST_TIMEOUT = 5.0
MAX_BATCH = 1000
MAX_BUCKETS = 200
EMPTY_BUCKET_TTL = 60.0  # a bucket that got no event this long after it was made is dropped when room is needed
BUCKET_RATE, BUCKET_BURST = 1.0, 20
EXTENSION_ORIGINS = ("moz-extension://", "chrome-extension://", "safari-web-extension://")
VERSION = "v0.13.0 (proactive-assistant compatibility endpoint)"


class ActivityWatchApi(Collector):
    name = "activitywatch"

    def __init__(self, emit: Emitter, port: int = 5600, covered: Any = None, max_connections: int = MAX_CONNECTIONS,
                 request_timeout: float = REQUEST_TIMEOUT, **kw: Any):
        super().__init__(emit, **kw)
        self.port = port
        self.covered = covered or (lambda: set())  # sources a running built-in collector already watches
        self.limits = (max_connections, request_timeout)
        self.buckets: dict[str, dict[str, Any]] = {}
        self.ignored: dict[str, int] = {}
        self.accepted = 0
        self.expired = self.refused_buckets = 0
        self._made: dict[str, float] = {}  # bucket id -> monotonic time it was created
        self._new_buckets = TokenBucket(BUCKET_RATE, BUCKET_BURST)
        self._server: LoopbackServer | None = None
        self._buckets_lock = threading.Lock()

    def unavailable(self) -> str | None:
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server itself will
        try:
            probe.bind(("127.0.0.1", self.port))
        except OSError as exc:
            return (f"port {self.port} on 127.0.0.1 is taken ({exc.strerror}); is ActivityWatch's own server "
                    f"running? Stop it or set collectors.activitywatch_api.port")
        finally:
            probe.close()
        return None

    @property
    def address(self) -> tuple[str, int] | None:
        return self._server.address if self._server else None

    def running_reason(self) -> str:
        port = self._server.address[1] if self._server else self.port
        text = f"listening on 127.0.0.1:{port} for ActivityWatch watchers"
        with self._buckets_lock:
            names = sorted(self.buckets)
            ignored = {b: n for b, n in self.ignored.items() if n}
        if names:
            text += f"; buckets: {', '.join(names[:6])}" + (" ..." if len(names) > 6 else "")
        if ignored:
            text += "; ignored (the built-in collector watches the same): " + ", ".join(sorted(ignored))
        counters = self._server.counters if self._server else None
        turned = {"connections shed (too many open)": counters.shed if counters else 0,
                  "requests timed out": counters.timed_out if counters else 0,
                  "requests over a client's rate": counters.limited if counters else 0,
                  "new buckets refused": self.refused_buckets, "empty buckets expired": self.expired}
        if any(turned.values()):
            text += "; " + ", ".join(f"{n} {what}" for what, n in turned.items() if n)
        return text

    def status(self) -> dict[str, Any]:
        st = super().status()
        if st["state"] == "running" and self._server:
            st["reason"] = self.running_reason()
        return st

    def run(self, stop: threading.Event) -> None:
        max_connections, request_timeout = self.limits
        self._server = LoopbackServer(self.port, self._handle, MAX_BODY, max_connections, request_timeout)
        self.set_state("running", self.running_reason())
        self._wake_pipe = pipe = WakePipe()
        try:
            self._server.serve(stop, pipe.read_fd)
        finally:
            self._wake_pipe = None
            pipe.close()

    def cleanup(self) -> None:
        if self._server:
            self._server.close()

    # ---- API (called from handler threads)
    def info(self) -> dict[str, Any]:
        return {"hostname": socket.gethostname(), "version": VERSION, "testing": False,
                "device_id": "proactive-assistant"}

    def create_bucket(self, bucket_id: str, body: Any) -> int:
        if not isinstance(body, dict) or not isinstance(body.get("type"), str) or not body["type"]:
            raise ValueError("a bucket needs a JSON body with a non-empty 'type'")
        if len(bucket_id) > 200:
            raise ValueError("a bucket id has at most 200 characters")
        with self._buckets_lock:
            if bucket_id in self.buckets:
                return 304
            if not self._new_buckets.take():
                self.refused_buckets += 1
                raise OverflowError(f"too many new buckets: at most {BUCKET_RATE:g} a second")
            if len(self.buckets) >= MAX_BUCKETS:
                self._expire_empty()
            if len(self.buckets) >= MAX_BUCKETS:
                self.refused_buckets += 1
                raise OverflowError(f"at most {MAX_BUCKETS} buckets; empty ones expire after "
                                    f"{EMPTY_BUCKET_TTL:g} s")
            self._made[bucket_id] = time.monotonic()
            self.buckets[bucket_id] = {
                "id": bucket_id, "name": body.get("name") or bucket_id, "type": body["type"][:100],
                "client": str(body.get("client", ""))[:100], "hostname": str(body.get("hostname", ""))[:200],
                "created": aw_events.iso(time.time()), "last_updated": None}
        self.set_state("running", self.running_reason())
        return 200

    def _expire_empty(self) -> None:
        """Drop buckets that never received an event and are older than EMPTY_BUCKET_TTL (lock held)."""
        limit = time.monotonic() - EMPTY_BUCKET_TTL
        for bucket_id in [b for b, info in self.buckets.items()
                          if info["last_updated"] is None and self._made.get(b, 0.0) < limit]:
            del self.buckets[bucket_id]
            self._made.pop(bucket_id, None)
            self.expired += 1

    def receive(self, bucket_id: str, raw: Any, pulsetime: float = 0.0) -> dict[str, Any]:
        with self._buckets_lock:
            bucket = self.buckets.get(bucket_id)
        if bucket is None:
            raise KeyError(bucket_id)
        now = time.time()
        try:
            event = aw_events.to_event(bucket_id, bucket["type"], raw, pulsetime)
            if event is not None and (why := validate.problem(event, now)) is not None:
                raise ValueError(why)
        except ValueError as exc:
            self.emit.refuse(str(exc))
            raise
        if not now - 30 * 86400 <= (event.start if event else now) <= now + 60:
            raise ValueError("'timestamp' must be within the last 30 days")
        bucket["last_updated"] = aw_events.iso(now)
        if event is not None:
            self._emit(bucket_id, event)
        return raw

    def _emit(self, bucket_id: str, event: Event) -> None:
        if event.source in ("window", "afk") and event.source in self.covered():
            first = not self.ignored.get(bucket_id)
            self.ignored[bucket_id] = self.ignored.get(bucket_id, 0) + 1
            if first:
                self.set_state("running", self.running_reason())
            return
        if self.emit(event):
            self.accepted += 1

    # ---- HTTP (on the loopback server's thread)
    def _handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        origin = headers.get("origin", "")
        if (why := self._refused(headers)) is not None:
            return _json(403, {"message": why})
        if method == "OPTIONS":
            return Reply(204, headers={"Access-Control-Allow-Origin": origin,
                                       "Access-Control-Allow-Methods": "GET, POST",
                                       "Access-Control-Allow-Headers": "Content-Type"})
        url = urlsplit(path)
        parts = [unquote(p) for p in url.path.split("/") if p]
        if parts[:2] != ["api", "0"]:
            return _json(404, {"message": "not an ActivityWatch API path"}, origin)
        parts = parts[2:]
        if method == "GET":
            return self._get(parts, origin)
        if method != "POST":
            return _json(405, {"message": "nothing can be changed or deleted here"}, origin)
        if len(parts) < 2 or parts[0] != "buckets":
            return _json(404, {"message": "unknown path"}, origin)
        try:
            doc = json.loads(body or b"null")
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            return _json(400, {"message": f"body is not JSON ({str(exc)[:120]})"}, origin)
        try:
            return self._post(parts, parse_qs(url.query), doc, origin)
        except OverflowError as exc:
            return _json(429, {"message": str(exc)}, origin)
        except KeyError:
            return _json(404, {"message": f"no bucket {parts[1][:80]!r}: create it first"}, origin)
        except ValueError as exc:
            return _json(400, {"message": str(exc)}, origin)

    def _refused(self, headers: dict[str, str]) -> str | None:
        """Why this request may not talk to us (wrong Host, a web page's Origin), or None."""
        port = self.address[1] if self.address else self.port
        host = headers.get("host", "").lower()
        if host not in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"):
            return f"Host must be 127.0.0.1:{port} or localhost:{port}"
        origin = headers.get("origin")
        if origin and not origin.startswith(EXTENSION_ORIGINS) and origin.lower() not in (
                f"http://127.0.0.1:{port}", f"http://localhost:{port}"):
            return "requests from web pages are not accepted"
        return None

    def _get(self, parts: list[str], origin: str) -> Reply:
        if parts == ["info"]:
            return _json(200, self.info(), origin)
        if parts == ["buckets"]:
            with self._buckets_lock:
                return _json(200, dict(self.buckets), origin)
        if len(parts) == 2 and parts[0] == "buckets":
            bucket = self.buckets.get(parts[1])
            return _json(200, bucket, origin) if bucket else _json(404, {"message": "no bucket"}, origin)
        if len(parts) >= 3 and parts[0] == "buckets" and parts[2] == "events":
            return _json(501, {"message": "this endpoint only accepts events"}, origin)
        return _json(404, {"message": "unknown path"}, origin)

    def _post(self, parts: list[str], query: dict[str, list[str]], doc: Any, origin: str) -> Reply:
        if len(parts) == 2:
            return _json(self.create_bucket(parts[1], doc), None, origin)
        if parts[2:] == ["heartbeat"]:
            try:
                pulsetime = float(query.get("pulsetime", ["0"])[0])
            except ValueError:
                raise ValueError("pulsetime must be a number of seconds") from None
            if not 0 <= pulsetime <= 86400:
                raise ValueError("pulsetime must be between 0 and 86400 seconds")
            return _json(200, self.receive(parts[1], doc, pulsetime), origin)
        if parts[2:] == ["events"]:
            batch = doc if isinstance(doc, list) else [doc]
            if len(batch) > MAX_BATCH:
                raise ValueError(f"at most {MAX_BATCH} events per request")
            for raw in batch:
                self.receive(parts[1], raw)
            return _json(200, None, origin)
        return _json(404, {"message": "unknown path"}, origin)


def _json(status: int, body: Any, origin: str | None = None) -> Reply:
    headers = {"Access-Control-Allow-Origin": origin} if origin and origin.startswith(EXTENSION_ORIGINS) else {}
    data = b"" if body is None else json.dumps(body).encode()
    return Reply(status, data, "application/json", headers)
