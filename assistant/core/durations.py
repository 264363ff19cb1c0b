"""Durations as people type them: 90s, 10m, 1h, 2d."""

from __future__ import annotations

import re

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d|w)?\s*$", re.IGNORECASE)
_UNIT = {None: 1, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> float:
    """'10m' -> 600.0, '1h' -> 3600.0, '90' -> 90.0 seconds. Raises ValueError with the accepted forms."""
    match = _DURATION.match(text or "")
    if not match:
        raise ValueError(f"expected a duration like 90s, 10m, 1h or 2d, got {text!r}")
    return float(match.group(1)) * _UNIT[match.group(2).lower() if match.group(2) else None]
