"""The privacy gate every collector event passes before it reaches the sink.

An event whose app matches `privacy.exclude_apps` or whose title (or page title / URL) matches
`privacy.exclude_titles` is dropped whole. Every other event has its text fields (app, title, every string in
data) cut to a bounded length and passed through `assistant.core.redact.redact` with `privacy.secret_patterns`
as extra patterns.

The gate fails closed and never raises: a user pattern that times out (`assistant.core.safe_regex`) counts as
a match (the event is dropped), and an event the filter cannot process is dropped and counted, so what a
window says can never stop a collector.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from collections.abc import Callable

from assistant.core import validate, vendored_rules
from assistant.core.config import Config
from assistant.core.events import Event
from assistant.core.own_windows import own_window
from assistant.core.redact import MAX_TITLE, cap, contains_secret, redact, redact_value
from assistant.core.safe_regex import UserPattern, compile_all

log = logging.getLogger("collectors")
MAX_FIELD = 4096  # characters kept of any other string an event carries (URLs, clipboard text)

Sink = Callable[[Event], None]


class PrivacyFilter:
    """Compiled exclusion and redaction rules from the config."""

    def __init__(self, exclude_apps: list[str], exclude_titles: list[str], secret_patterns: list[str],
                 own_pid: int | None = None):
        self.own_pid = os.getpid() if own_pid is None else own_pid
        self.exclude_apps = compile_all(exclude_apps)
        self.exclude_titles = compile_all(exclude_titles)
        self.secret_patterns = tuple(secret_patterns)
        self.timeouts = 0  # user patterns that gave up on a text (the text was treated as excluded)

    @classmethod
    def from_config(cls, cfg: Config) -> PrivacyFilter:
        """The filter of the config; the vendored secret rules are read in the background meanwhile, so the
        first event does not wait for them."""
        vendored_rules.load_in_background()
        return cls(cfg["privacy.exclude_apps"], cfg["privacy.exclude_titles"], cfg["privacy.secret_patterns"])

    def _matches(self, patterns: list[UserPattern], text: str) -> bool:
        for pattern in patterns:
            hit = pattern.search(text)
            if hit is None:  # timed out: fail closed
                self.timeouts += 1
                return True
            if hit:
                return True
        return False

    def excluded(self, app: str | None, title: str | None, data: dict | None = None) -> bool:
        """True when the app or any title-like text matches an exclusion rule."""
        if app and self._matches(self.exclude_apps, cap(app, MAX_TITLE)):
            return True
        texts = [title] + [data.get(k) for k in ("page_title", "url")] if data else [title]
        return any(isinstance(t, str) and t and self._matches(self.exclude_titles, cap(t, MAX_FIELD))
                   for t in texts)

    def has_secret(self, text: str | None) -> bool:
        return bool(text) and contains_secret(text, self.secret_patterns)

    def redact(self, text: str) -> str:
        return redact(text, self.secret_patterns)

    def own_window(self, event: Event) -> bool:
        """True for anything about the app's own windows (`assistant.core.own_windows`): a focus event whose
        window's pid is ours, or any event (focus, input counts, typed text) whose title and app are ours."""
        pid = event.data.get("pid") if event.source == "window" and isinstance(event.data, dict) else None
        return own_window(event.app, event.title, pid if isinstance(pid, int) else None, self.own_pid)

    def apply(self, event: Event) -> Event | None:
        """None when the event must leave no trace; otherwise a redacted copy."""
        if self.own_window(event) or self.excluded(event.app, event.title, event.data):
            return None
        extra = self.secret_patterns
        return dataclasses.replace(
            event,
            kind=redact(event.kind, extra, MAX_TITLE) if event.kind else event.kind,  # an ActivityWatch bucket type
            app=redact(event.app, extra, MAX_TITLE) if event.app else event.app,
            title=redact(event.title, extra, MAX_TITLE) if event.title else event.title,
            data=redact_value(event.data, extra, MAX_FIELD) if event.data else event.data,
        )


class Emitter:
    """Validator + privacy filter + pause switch in front of the runtime's sink; counts what it passed and
    dropped. An event the validator refuses (`assistant.core.validate`: NaN, a year-9999 time, a 10 MB title)
    is counted and handed to `refused(reason)` (the runtime counts it in the writer's statistics)."""

    def __init__(self, privacy: PrivacyFilter, sink: Sink, paused: threading.Event | None = None,
                 refused: Callable[[str], None] | None = None):
        self.privacy = privacy
        self.sink = sink
        self.paused = paused or threading.Event()
        self.on_refused = refused
        self.emitted = 0
        self.excluded = 0
        self.refused = 0  # events refused by the validator
        self.unprocessable = 0  # events dropped because filtering them failed (never passed on unfiltered)

    def refuse(self, reason: str) -> None:
        """Count an event refused as invalid here or at a collector's own door (an endpoint's 400)."""
        self.refused += 1
        if self.on_refused is not None:
            self.on_refused(reason)

    def __call__(self, event: Event) -> bool:
        """Send `event` on unless paused or excluded. Returns True when it was handed to the sink."""
        if self.paused.is_set():
            return False
        why = validate.problem(event)
        if why is not None:
            self.refuse(why)
            return False
        try:
            clean = self.privacy.apply(event)
        except Exception as exc:  # noqa: BLE001 - fail closed: drop it, count it, keep the collector running
            self.unprocessable += 1
            log.warning("privacy filter dropped an event it could not process: %s", type(exc).__name__)
            return False
        if clean is None:
            self.excluded += 1
            return False
        self.sink(clean)
        self.emitted += 1
        return True
