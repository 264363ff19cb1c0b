"""ActivityWatch events -> our Events: shared by the ActivityWatch-compatible endpoint and the export reader.

An ActivityWatch event is ``{"timestamp": ISO 8601, "duration": seconds, "data": {...}}`` in a bucket of a
type. Known types map onto the kinds the rest of the app understands:

| bucket type                       | our event                                                    |
| currentwindow (aw-watcher-window, awatcher) | source "window", kind "focus", app, title (+ browser page info) |
| web.tab.current (aw-watcher-web)  | source "browser", kind "tab", title, data {"url"}; incognito tabs are dropped |
| afkstatus (aw-watcher-afk, awatcher) | source "afk", kind "afk" / "not-afk"                        |
| app.editor.activity (editor plugins) | source "editor", kind "activity", app = the editor, title = file, data {project, language} |
| anything else                     | source "aw", kind = the bucket type, title = data["title"] if any, data = the data |

Every event also carries data["aw_bucket"] (the bucket id) so its origin stays visible.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from assistant.core.events import Event
from assistant.core.validate import number_problem
from collectors.browser_titles import page_info

MAX_DATA_KEYS = 32
MAX_TEXT = 2000
SOURCE_OF_TYPE = {"currentwindow": "window", "web.tab.current": "browser", "afkstatus": "afk",
                  "app.editor.activity": "editor"}


def parse_time(value: Any) -> float:
    """Unix seconds from an ActivityWatch timestamp (ISO 8601; a naive one is UTC); ValueError if not one."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if (why := number_problem("timestamp", value)) is not None:
            raise ValueError(why)
        return float(value)
    if not isinstance(value, str):
        raise ValueError("'timestamp' must be an ISO 8601 string")  # noqa: TRY004 - answered with 400
    try:
        when = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"'timestamp' is not ISO 8601: {value[:40]!r}") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    try:
        return when.timestamp()
    except (OverflowError, ValueError):
        raise ValueError(f"'timestamp' is out of range: {value[:40]!r}") from None


def iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat()


def _text(value: Any) -> str | None:
    return value[:MAX_TEXT] if isinstance(value, str) else None


def _clean_data(data: dict[str, Any]) -> dict[str, Any]:
    """Scalars only (strings cut to MAX_TEXT), at most MAX_DATA_KEYS keys."""
    out: dict[str, Any] = {}
    for key, value in list(data.items())[:MAX_DATA_KEYS]:
        if isinstance(value, str):
            out[str(key)[:64]] = value[:MAX_TEXT]
        elif isinstance(value, (int, float, bool)) or value is None:
            out[str(key)[:64]] = value
    return out


def to_event(bucket_id: str, bucket_type: str, raw: dict[str, Any], pulsetime: float = 0.0) -> Event | None:
    """Our Event for one ActivityWatch event, or None when it must leave no trace (an incognito tab).
    ValueError names what is wrong with a malformed one."""
    if not isinstance(raw, dict):
        raise ValueError("an event must be a JSON object")  # noqa: TRY004 - answered with 400
    start = parse_time(raw.get("timestamp"))
    duration = raw.get("duration", 0) or 0
    if number_problem("duration", duration) is not None or duration < 0:
        raise ValueError(f"'duration' must be a finite number of seconds >= 0, got {str(duration)[:40]}")
    data = raw.get("data", {})
    if not isinstance(data, dict):
        raise ValueError("'data' must be a JSON object")  # noqa: TRY004
    origin = {"aw_bucket": bucket_id[:200]}
    kw: dict[str, Any] = {"start": start, "duration": float(duration), "pulsetime": pulsetime}
    if bucket_type == "currentwindow":
        app, title = _text(data.get("app")), _text(data.get("title")) or ""
        return Event("window", "focus", app=app, title=title, data={**page_info(app, title), **origin}, **kw)
    if bucket_type == "web.tab.current":
        if data.get("incognito") is True:
            return None
        extra = {"url": _text(data.get("url"))} if _text(data.get("url")) else {}
        return Event("browser", "tab", title=_text(data.get("title")) or "", data={**extra, **origin}, **kw)
    if bucket_type == "afkstatus":
        status = data.get("status")
        if status not in ("afk", "not-afk"):
            raise ValueError("an afkstatus event needs data.status 'afk' or 'not-afk'")
        return Event("afk", status, data=origin, **kw)
    if bucket_type == "app.editor.activity":
        file = _text(data.get("file"))
        extra = {k: _text(data[k]) for k in ("project", "language") if _text(data.get(k))}
        editor = _text(data.get("editor")) or bucket_id.split("_")[0].removeprefix("aw-watcher-")
        return Event("editor", "activity", app=editor, title=os.path.basename(file) if file else None,
                     data={**({"file": file} if file else {}), **extra, **origin}, **kw)
    return Event("aw", bucket_type[:64] or "event", title=_text(data.get("title")),
                 data={**_clean_data(data), **origin}, **kw)
