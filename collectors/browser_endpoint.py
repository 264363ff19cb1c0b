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

Answers: 204 accepted, 400 invalid JSON or fields (the body names the problem; also JSON nested deeper than
8 levels), 401 missing/wrong token, 404 other paths, 405 other methods, 408 request not complete within 5 s,
411 chunked body, 413 body too large, 429 more than 10 tabs a second (bursts of 40), 431 head too large.
Accepted tabs become events source "browser", kind "tab", title = the page title, data = {"url": ...,
"tab_id": ...}, filtered and redacted like all events.

It runs on one thread (`collectors.loopback_http`): at most 64 open connections (the oldest is closed for a
new one), 5 s for a whole request. What it sheds, refuses and times out is counted in its status.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import threading
import time
from pathlib import Path
from typing import Any

from assistant.core import paths, validate
from assistant.core.events import Event
from collectors.base import Collector, WakePipe
from collectors.loopback_http import LoopbackServer, TokenBucket
from collectors.privacy import Emitter

MAX_BODY = 16 * 1024
MAX_JSON_DEPTH = 8
TOKEN_HEADER = "X-Proactive-Token"
_SCHEMES = ("http://", "https://", "file://", "about:")


def json_depth(body: bytes) -> int:
    """How deeply the JSON text nests arrays and objects (brackets inside strings do not count). Linear."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def parse_tab(body: bytes, now: float) -> Event:
    """The event for one posted tab; ValueError names what is wrong."""
    if json_depth(body) > MAX_JSON_DEPTH:
        raise ValueError(f"body nests JSON deeper than {MAX_JSON_DEPTH} levels; expected a flat object")
    try:
        doc = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ValueError(f"body is not JSON ({type(exc).__name__}: {str(exc)[:120]})") from None
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

    def __init__(self, emit: Emitter, port: int = 0, info_path: Path | None = None, rate: float = 10.0,
                 burst: int = 40, max_connections: int = 64, request_timeout: float = 5.0, **kw: Any):
        super().__init__(emit, **kw)
        self.port = port
        self.token = ""
        self.info_path = info_path
        self.limits = (max_connections, request_timeout)
        self.bucket = TokenBucket(rate, burst)
        self.accepted = self.flooded = self.unauthorized = self.invalid = 0
        self._server: LoopbackServer | None = None

    def running_reason(self) -> str:
        port = self._server.address[1] if self._server else self.port
        reason = f"listening on 127.0.0.1:{port} (token in {self._info_file()})"
        dropped = self.dropped()
        if any(dropped.values()):
            reason += "; " + ", ".join(f"{n} {what}" for what, n in dropped.items() if n)
        return reason

    def dropped(self) -> dict[str, int]:
        """What the endpoint turned away since it started, by reason."""
        counters = self._server.counters if self._server else None
        return {
            "tabs shed (flood)": self.flooded,
            "connections shed (too many open)": counters.shed if counters else 0,
            "requests timed out": counters.timed_out if counters else 0,
            "requests refused (bad token)": self.unauthorized,
            "requests invalid": self.invalid + (counters.bad if counters else 0),
        }

    def status(self) -> dict[str, Any]:
        st = super().status()
        if st["state"] == "running" and self._server:
            st["reason"] = self.running_reason()
        st["accepted"] = self.accepted
        st["dropped"] = self.dropped()
        return st

    def _info_file(self) -> Path:
        return self.info_path or paths.data_dir() / "browser-endpoint.json"

    def run(self, stop: threading.Event) -> None:
        self.token = secrets.token_urlsafe(24)
        max_connections, request_timeout = self.limits
        self._server = LoopbackServer(self.port, self._handle, MAX_BODY, max_connections, request_timeout)
        port = self._server.address[1]
        info = self._info_file()
        paths.ensure_private_dir(info.parent)
        partial = info.with_name(info.name + ".tmp")  # written whole, then renamed: readers never see half
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump({"url": f"http://127.0.0.1:{port}/tab", "token": self.token}, fh)
        os.replace(partial, info)
        self.set_state("running", self.running_reason())
        self._wake_pipe = pipe = WakePipe()
        try:
            self._server.serve(stop, pipe.read_fd)
        finally:
            self._wake_pipe = None
            pipe.close()

    @property
    def address(self) -> tuple[str, int] | None:
        return self._server.address if self._server else None

    def cleanup(self) -> None:
        if self._server:
            self._server.close()

    def _handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, str]:
        if method != "POST":
            return 405, "only POST /tab"
        if path != "/tab":
            return 404, "POST /tab"
        token = headers.get(TOKEN_HEADER.lower(), "")
        if not hmac.compare_digest(token.encode("latin-1", "replace"), self.token.encode()):
            self.unauthorized += 1
            return 401, f"missing or wrong {TOKEN_HEADER}"
        try:
            event = parse_tab(body, time.time())
            why = validate.problem(event)
            if why is not None:
                self.emit.refuse(why)
                raise ValueError(why)
        except ValueError as exc:
            self.invalid += 1
            return 400, str(exc)
        if not self.bucket.take():
            self.flooded += 1
            return 429, f"too many tabs: at most {self.bucket.rate:g} a second"
        self.accepted += 1
        self.emit(event)
        return 204, ""
