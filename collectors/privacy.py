"""The privacy gate every collector event passes before it reaches the sink.

An event whose app matches `privacy.exclude_apps` or whose title (or page title / URL) matches
`privacy.exclude_titles` is dropped whole. Every other event has its text fields (app, title, every string in
data) passed through `collectors.redact.redact` with `privacy.secret_patterns` as extra patterns.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Callable

from assistant.core.config import Config
from assistant.core.events import Event
from assistant.core.redact import contains_secret, redact, redact_value

Sink = Callable[[Event], None]


class PrivacyFilter:
    """Compiled exclusion and redaction rules from the config."""

    def __init__(self, exclude_apps: list[str], exclude_titles: list[str], secret_patterns: list[str]):
        self.exclude_apps = [re.compile(p) for p in exclude_apps]
        self.exclude_titles = [re.compile(p) for p in exclude_titles]
        self.secret_patterns = tuple(secret_patterns)

    @classmethod
    def from_config(cls, cfg: Config) -> PrivacyFilter:
        return cls(cfg["privacy.exclude_apps"], cfg["privacy.exclude_titles"], cfg["privacy.secret_patterns"])

    def excluded(self, app: str | None, title: str | None, data: dict | None = None) -> bool:
        """True when the app or any title-like text matches an exclusion rule."""
        if app and any(p.search(app) for p in self.exclude_apps):
            return True
        texts = [title] + [data.get(k) for k in ("page_title", "url")] if data else [title]
        return any(isinstance(t, str) and t and any(p.search(t) for p in self.exclude_titles) for t in texts)

    def has_secret(self, text: str | None) -> bool:
        return bool(text) and contains_secret(text, self.secret_patterns)

    def redact(self, text: str) -> str:
        return redact(text, self.secret_patterns)

    def apply(self, event: Event) -> Event | None:
        """None when the event must leave no trace; otherwise a redacted copy."""
        if self.excluded(event.app, event.title, event.data):
            return None
        extra = self.secret_patterns
        return dataclasses.replace(
            event,
            app=redact(event.app, extra) if event.app else event.app,
            title=redact(event.title, extra) if event.title else event.title,
            data=redact_value(event.data, extra) if event.data else event.data,
        )


class Emitter:
    """Privacy filter + pause switch in front of the runtime's sink; counts what it passed and dropped."""

    def __init__(self, privacy: PrivacyFilter, sink: Sink, paused: threading.Event | None = None):
        self.privacy = privacy
        self.sink = sink
        self.paused = paused or threading.Event()
        self.emitted = 0
        self.excluded = 0

    def __call__(self, event: Event) -> bool:
        """Send `event` on unless paused or excluded. Returns True when it was handed to the sink."""
        if self.paused.is_set():
            return False
        clean = self.privacy.apply(event)
        if clean is None:
            self.excluded += 1
            return False
        self.sink(clean)
        self.emitted += 1
        return True
