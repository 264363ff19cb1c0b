"""Opt-in loopback endpoint a browser extension posts the active tab to (`collectors.browser_endpoint`).

Listens on 127.0.0.1 only (port `collectors.browser_endpoint.port`, 0 = a free one). On start it writes
`browser-endpoint.json` (mode 0600) into the data directory: {"url": "http://127.0.0.1:PORT/tab",
"token": "..."}; the token is random per start.

Request: ``POST /tab`` with header ``X-Proactive-Token: <token>`` and ``Content-Type: application/json``,
body (at most 16 KiB)::

    {"title": "Quarterly report - Google Docs",   # required, str, the tab's title (<= 1000 chars)
     "url": "https://docs.google.com/...",         # required, str, http(s)/file/about URL (<= 4096 chars)
     "tab_id": 12,                                 # optional, int, the browser's tab id
     "time": 1732240000.5}                         # optional, float, Unix time of the change (default: now)

Answers: 204 accepted, 400 invalid JSON or fields (the body names the problem), 401 missing/wrong token,
404 other paths, 405 other methods, 413 body too large. Accepted tabs become events source "browser",
kind "tab", title = the page title, data = {"url": ..., "tab_id": ...}, filtered and redacted like all events.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from assistant.core import paths
from assistant.core.events import Event
from collectors.base import Collector
from collectors.privacy import Emitter

MAX_BODY = 16 * 1024
TOKEN_HEADER = "X-Proactive-Token"
_SCHEMES = ("http://", "https://", "file://", "about:")


def parse_tab(body: bytes, now: float) -> Event:
    """The event for one posted tab; ValueError names what is wrong."""
    try:
        doc = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"body is not JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise ValueError(  # noqa: TRY004 - a bad request body, answered with 400
            "body must be a JSON object with 'title' and 'url'")
    title, url = doc.get("title"), doc.get("url")
    if not isinstance(title, str) or len(title) > 1000:
        raise ValueError("'title' must be a string of at most 1000 characters")
    if not isinstance(url, str) or len(url) > 4096 or not url.lower().startswith(_SCHEMES):
        raise ValueError("'url' must be an http(s), file or about URL of at most 4096 characters")
    data: dict[str, Any] = {"url": url}
    tab_id = doc.get("tab_id")
    if tab_id is not None:
        if not isinstance(tab_id, int) or isinstance(tab_id, bool):
            raise ValueError("'tab_id' must be an integer")
        data["tab_id"] = tab_id
    when = doc.get("time", now)
    if not isinstance(when, (int, float)) or isinstance(when, bool) or not (now - 86400 <= when <= now + 60):
        raise ValueError("'time' must be a Unix time in seconds within the last day")
    return Event("browser", "tab", start=float(when), title=title, data=data)


class BrowserEndpoint(Collector):
    name = "browser"

    def __init__(self, emit: Emitter, port: int = 0, info_path: Path | None = None, **kw: Any):
        super().__init__(emit, **kw)
        self.port = port
        self.token = ""
        self.info_path = info_path
        self._server: ThreadingHTTPServer | None = None

    def running_reason(self) -> str:
        port = self._server.server_address[1] if self._server else self.port
        return f"listening on 127.0.0.1:{port} (token in {self._info_file()})"

    def _info_file(self) -> Path:
        return self.info_path or paths.data_dir() / "browser-endpoint.json"

    def run(self, stop: threading.Event) -> None:
        self.token = secrets.token_urlsafe(24)
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._server.daemon_threads = True
        port = self._server.server_address[1]
        info = self._info_file()
        paths.ensure_private_dir(info.parent)
        fd = os.open(info, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump({"url": f"http://127.0.0.1:{port}/tab", "token": self.token}, fh)
        self.set_state("running", self.running_reason())
        self._server.serve_forever(poll_interval=0.5)

    @property
    def address(self) -> tuple[str, int] | None:
        return self._server.server_address if self._server else None

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._server:  # serve_forever returns; run() then ends because _stop is set
            threading.Thread(target=self._server.shutdown, daemon=True).start()
        super().stop(timeout)

    def cleanup(self) -> None:
        if self._server:
            self._server.server_close()
            self._server = None

    def _handler(self):
        collector = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "proactive"

            def log_message(self, fmt: str, *args: Any) -> None:  # keep titles out of stderr
                pass

            def _answer(self, code: int, message: str = "") -> None:
                body = message.encode()
                self.send_response(code)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)

            def do_POST(self) -> None:
                if self.path != "/tab":
                    return self._answer(404, "POST /tab")
                token = self.headers.get(TOKEN_HEADER, "")
                if not hmac.compare_digest(token.encode(), collector.token.encode()):
                    return self._answer(401, f"missing or wrong {TOKEN_HEADER}")
                try:
                    length = int(self.headers.get("Content-Length") or 0)
                except ValueError:
                    return self._answer(400, "Content-Length is not a number")
                if length < 0 or length > MAX_BODY:
                    return self._answer(413, f"body larger than {MAX_BODY} bytes")
                try:
                    event = parse_tab(self.rfile.read(length), time.time())
                except ValueError as exc:
                    return self._answer(400, str(exc))
                collector.emit(event)
                return self._answer(204)

            def do_GET(self) -> None:
                self._answer(405, "only POST /tab")

            do_PUT = do_DELETE = do_GET

        return Handler
