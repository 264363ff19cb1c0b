"""Heartbeat merging, as ActivityWatch does it: a pure function over two events."""

from __future__ import annotations

from assistant.core.events import Event


def same_state(a: Event, b: Event) -> bool:
    """Two events describe the same state when kind, app, title and data are equal (start/duration aside)."""
    return a.kind == b.kind and a.app == b.app and a.title == b.title and (a.data or {}) == (b.data or {})


def heartbeat_merge(last: Event, heartbeat: Event, pulsetime: float) -> Event | None:
    """`last` lengthened to cover `heartbeat` when both describe the same state and the heartbeat starts within
    `pulsetime` seconds of `last`'s end (and not before it starts); None when they do not merge."""
    if pulsetime <= 0 or not same_state(last, heartbeat):
        return None
    if not last.start <= heartbeat.start <= last.end + pulsetime:
        return None
    end = max(last.end, heartbeat.end)
    return Event(last.source, last.kind, last.start, end - last.start, last.app, last.title, last.data)
