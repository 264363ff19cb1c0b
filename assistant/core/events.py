"""The Event record that collectors emit and the event log stores."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Event:
    """One thing that happened on the desktop.

    `source` names the collector ("window", "afk", "input", "process", "browser", "clipboard", "app"),
    `kind` what happened ("focus", "afk", "not-afk", "counts", "launch", "exit", "tab", "pause", ...).
    A heartbeat (`pulsetime` > 0) extends the previous event of the same source when app, title, kind and
    data are equal and it starts within `pulsetime` seconds of that event's end, as ActivityWatch does.
    """

    source: str
    kind: str
    start: float = field(default_factory=time.time)
    duration: float = 0.0
    app: str | None = None
    title: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    pulsetime: float = 0.0

    @property
    def end(self) -> float:
        return self.start + self.duration

    def to_row(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "duration": self.duration,
            "source": self.source,
            "kind": self.kind,
            "app": self.app,
            "title": self.title,
            "data": json.dumps(self.data, separators=(",", ":")) if self.data else None,
        }

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Event":
        data = row.get("data")
        return cls(
            source=row["source"],
            kind=row["kind"],
            start=row["start"],
            duration=row.get("duration") or 0.0,
            app=row.get("app"),
            title=row.get("title"),
            data=json.loads(data) if data else {},
        )
