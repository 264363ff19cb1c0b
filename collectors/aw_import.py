"""Reads an ActivityWatch export (aw-server's `GET /api/0/export`, or the web UI's "Export all buckets as
JSON", or one bucket's export) into our Events, oldest first within each bucket.

    {"buckets": {"aw-watcher-window_host": {"id": ..., "type": "currentwindow", "events": [
        {"timestamp": "2024-05-02T09:00:00.000000+00:00", "duration": 12.5, "data": {"app": ..., "title": ...}},
        ...]}, ...}}

`read_export(path)` yields Events (mapping in `collectors.aw_events`; incognito tabs are dropped);
`ImportFormatError` names the file and what is wrong. Privacy filtering is the caller's job, as for every
collector, since the importer applies the user's config.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.core.events import Event
from assistant.core.paths import read_regular

MAX_EXPORT_BYTES = 1 << 30  # an export is parsed whole: 1 GiB at most
from collectors.aw_events import to_event


class ImportFormatError(ValueError):
    pass


def _buckets(doc: Any, path: Path) -> list[dict[str, Any]]:
    if not isinstance(doc, dict) or "buckets" not in doc:
        raise ImportFormatError(f"{path}: expected an ActivityWatch export, a JSON object with 'buckets'")
    buckets = doc["buckets"]
    if isinstance(buckets, dict):
        out = []
        for bucket_id, bucket in buckets.items():
            if not isinstance(bucket, dict):
                raise ImportFormatError(f"{path}: buckets.{bucket_id} must be an object")
            out.append({"id": bucket_id, **bucket})
        return out
    if isinstance(buckets, list) and all(isinstance(b, dict) for b in buckets):
        return buckets
    raise ImportFormatError(f"{path}: 'buckets' must be an object of buckets (or a list of them)")


def read_export(path: Path) -> Iterator[Event]:
    """Every event of every bucket in the export at `path`."""
    try:
        doc = json.loads(read_regular(path, MAX_EXPORT_BYTES).decode("utf-8"))
    except FileNotFoundError:
        raise ImportFormatError(f"{path}: no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFormatError(f"{path}: not JSON ({exc})") from None
    for bucket in _buckets(doc, path):
        bucket_id = str(bucket.get("id") or "")
        kind = bucket.get("type")
        events = bucket.get("events", [])
        if not bucket_id or not isinstance(kind, str):
            raise ImportFormatError(f"{path}: every bucket needs an 'id' and a 'type' (bucket {bucket_id!r})")
        if not isinstance(events, list):
            raise ImportFormatError(f"{path}: buckets.{bucket_id}.events must be a list")
        mapped = []
        for index, raw in enumerate(events):
            try:
                event = to_event(bucket_id, kind, raw)
            except ValueError as exc:
                raise ImportFormatError(f"{path}: buckets.{bucket_id}.events[{index}]: {exc}") from None
            if event is not None:
                mapped.append(event)
        mapped.sort(key=lambda e: e.start)
        yield from mapped


def origin(event: Event) -> str:
    """The stream an imported event belongs to (its bucket): re-imports skip what a stream already gave."""
    return str(event.data.get("aw_bucket", ""))
