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
other event. Guards: the Host header must name this loopback address (a DNS-rebinding page sends its own
host name); a request with an Origin header must come from a browser extension (moz-/chrome-extension://),
never from a web page; bodies at most 256 KiB; at most 16 connections at once; 10 s socket timeouts. Window
and afk heartbeats are ignored while the built-in window / afk collector runs (both would describe the same
desktop and break each other's heartbeats); the bucket's status then says so.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from assistant.core import validate
from assistant.core.events import Event
from collectors import aw_events
from collectors.base import Collector
from collectors.privacy import Emitter

MAX_BODY = 256 * 1024
MAX_CONNECTIONS = 16
MAX_BATCH = 1000
MAX_BUCKETS = 200
SOCKET_TIMEOUT = 10.0
EXTENSION_ORIGINS = ("moz-extension://", "chrome-extension://", "safari-web-extension://")
VERSION = "v0.13.0 (proactive-assistant compatibility endpoint)"


class _BoundedServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = MAX_CONNECTIONS

    def __init__(self, address: tuple[str, int], handler: Any):
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.slots.acquire(blocking=False):  # over the cap: close at once
            self.shutdown_request(request)
            return
        request.settimeout(SOCKET_TIMEOUT)
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()


class ActivityWatchApi(Collector):
    name = "activitywatch"

    def __init__(self, emit: Emitter, port: int = 5600, covered: Any = None, **kw: Any):
        super().__init__(emit, **kw)
        self.port = port
        self.covered = covered or (lambda: set())  # sources a running built-in collector already watches
        self.buckets: dict[str, dict[str, Any]] = {}
        self.ignored: dict[str, int] = {}
        self.accepted = 0
        self._server: _BoundedServer | None = None
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
        return self._server.server_address if self._server else None

    def running_reason(self) -> str:
        port = self._server.server_address[1] if self._server else self.port
        text = f"listening on 127.0.0.1:{port} for ActivityWatch watchers"
        with self._buckets_lock:
            names = sorted(self.buckets)
            ignored = {b: n for b, n in self.ignored.items() if n}
        if names:
            text += f"; buckets: {', '.join(names[:6])}" + (" ..." if len(names) > 6 else "")
        if ignored:
            text += "; ignored (the built-in collector watches the same): " + ", ".join(sorted(ignored))
        return text

    def run(self, stop: threading.Event) -> None:
        self._server = _BoundedServer(("127.0.0.1", self.port), self._handler())
        self.set_state("running", self.running_reason())
        self._server.serve_forever(poll_interval=0.5)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._server:
            threading.Thread(target=self._server.shutdown, daemon=True).start()
        super().stop(timeout)

    def cleanup(self) -> None:
        if self._server:
            self._server.server_close()
            self._server = None

    # ---- API (called from handler threads)
    def info(self) -> dict[str, Any]:
        return {"hostname": socket.gethostname(), "version": VERSION, "testing": False,
                "device_id": "proactive-assistant"}

    def create_bucket(self, bucket_id: str, body: Any) -> int:
        if not isinstance(body, dict) or not isinstance(body.get("type"), str) or not body["type"]:
            raise ValueError("a bucket needs a JSON body with a non-empty 'type'")
        with self._buckets_lock:
            if bucket_id in self.buckets:
                return 304
            if len(self.buckets) >= MAX_BUCKETS:
                raise ValueError(f"at most {MAX_BUCKETS} buckets")
            self.buckets[bucket_id] = {
                "id": bucket_id, "name": body.get("name") or bucket_id, "type": body["type"][:100],
                "client": str(body.get("client", ""))[:100], "hostname": str(body.get("hostname", ""))[:200],
                "created": aw_events.iso(time.time()), "last_updated": None}
        self.set_state("running", self.running_reason())
        return 200

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

    def _handler(self) -> Any:
        api = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "proactive-aw"
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt: str, *args: Any) -> None:  # titles stay out of stderr
                pass

            def _answer(self, code: int, body: Any = None) -> None:
                data = b"" if body is None else json.dumps(body).encode()
                if code >= 400:
                    self.close_connection = True  # a body we did not read must not be taken for a request
                self.send_response(code)
                origin = self.headers.get("Origin")
                if origin and origin.startswith(EXTENSION_ORIGINS):
                    self.send_header("Access-Control-Allow-Origin", origin)
                if data:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if data:
                    self.wfile.write(data)

            def _refused(self) -> str | None:
                """Why this request may not talk to us (wrong Host, a web page's Origin), or None."""
                port = api.address[1] if api.address else api.port
                host = (self.headers.get("Host") or "").lower()
                if host not in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"):
                    return f"Host must be 127.0.0.1:{port} or localhost:{port}"
                origin = self.headers.get("Origin")
                if origin and not origin.startswith(EXTENSION_ORIGINS) and origin.lower() not in (
                        f"http://127.0.0.1:{port}", f"http://localhost:{port}"):
                    return "requests from web pages are not accepted"
                return None

            def _route(self) -> tuple[list[str], dict[str, list[str]]] | None:
                url = urlsplit(self.path)
                parts = [unquote(p) for p in url.path.split("/") if p]
                if parts[:2] != ["api", "0"]:
                    return None
                return parts[2:], parse_qs(url.query)

            def _body(self) -> Any:
                try:
                    length = int(self.headers.get("Content-Length") or 0)
                except ValueError:
                    raise ValueError("Content-Length is not a number") from None
                if length < 0 or length > MAX_BODY:
                    raise OverflowError
                try:
                    return json.loads(self.rfile.read(length) or b"null")
                except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                    raise ValueError(f"body is not JSON ({exc})") from None

            def do_OPTIONS(self) -> None:
                if (why := self._refused()) is not None:
                    return self._answer(403, {"message": why})
                self.send_response(204)
                self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin", ""))
                self.send_header("Access-Control-Allow-Methods", "GET, POST")
                self.send_header("Access-Control-Allow-Headers", "Content-Type")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None

            def do_GET(self) -> None:
                if (why := self._refused()) is not None:
                    return self._answer(403, {"message": why})
                route = self._route()
                if route is None:
                    return self._answer(404, {"message": "not an ActivityWatch API path"})
                parts, _ = route
                if parts == ["info"]:
                    return self._answer(200, api.info())
                if parts == ["buckets"]:
                    with api._buckets_lock:
                        return self._answer(200, dict(api.buckets))
                if len(parts) == 2 and parts[0] == "buckets":
                    bucket = api.buckets.get(parts[1])
                    return self._answer(200, bucket) if bucket else self._answer(404, {"message": "no bucket"})
                if len(parts) >= 3 and parts[0] == "buckets" and parts[2] == "events":
                    return self._answer(501, {"message": "this endpoint only accepts events"})
                return self._answer(404, {"message": "unknown path"})

            def do_POST(self) -> None:
                if (why := self._refused()) is not None:
                    return self._answer(403, {"message": why})
                route = self._route()
                if route is None or len(route[0]) < 2 or route[0][0] != "buckets":
                    return self._answer(404, {"message": "unknown path"})
                parts, query = route
                try:
                    body = self._body()
                    if len(parts) == 2:
                        return self._answer(api.create_bucket(parts[1], body))
                    if parts[2:] == ["heartbeat"]:
                        pulsetime = float(query.get("pulsetime", ["0"])[0])
                        if not 0 <= pulsetime <= 86400:
                            raise ValueError("pulsetime must be between 0 and 86400 seconds")
                        return self._answer(200, api.receive(parts[1], body, pulsetime))
                    if parts[2:] == ["events"]:
                        batch = body if isinstance(body, list) else [body]
                        if len(batch) > MAX_BATCH:
                            raise ValueError(f"at most {MAX_BATCH} events per request")
                        for raw in batch:
                            api.receive(parts[1], raw)
                        return self._answer(200, None)
                    return self._answer(404, {"message": "unknown path"})
                except OverflowError:
                    return self._answer(413, {"message": f"body larger than {MAX_BODY} bytes"})
                except KeyError:
                    return self._answer(404, {"message": f"no bucket {parts[1]!r}: create it first"})
                except ValueError as exc:
                    return self._answer(400, {"message": str(exc)})

            def do_DELETE(self) -> None:
                self._answer(405, {"message": "nothing can be deleted here"})

            do_PUT = do_DELETE

        return Handler
