"""Stored recordings: what the real collectors wrote to the event log while a situation was played.

One file per situation, `recordings/NAME.jsonl.gz` (gzip, no timestamp in its header, so equal content gives
equal bytes). Line 1 is a header: {"situation": the ground truth (name, family, summary, version, duration,
needs), "recorded": how (when, wall time, lateness of the desktop, event count, collectors)}. Every other line
is one event as the log stored it, its times relative to the situation's start:
{"t": start, "d": duration, "source", "kind", "app", "title", "data"}.

`load(name)` returns it on a fixed clock (T0 + t), ready to replay.
"""

from __future__ import annotations

import gzip
import io
import json
from dataclasses import dataclass
from pathlib import Path

from assistant.core.events import Event
from bench.situations.script import Need, Situation, open_need

RECORDINGS = Path(__file__).resolve().parent / "recordings"
T0 = 1_780_000_000.0  # recordings are replayed as if they started at this time


class RecordingError(ValueError):
    """A recording is missing or unreadable; the message names the file."""


@dataclass(frozen=True)
class Recording:
    """One recorded situation: its ground truth and the events, on the clock T0 + offset."""

    name: str
    family: str
    summary: str
    version: str
    duration: float
    needs: tuple[Need, ...]
    events: tuple[Event, ...]
    recorded: dict

    @property
    def start(self) -> float:
        return T0

    @property
    def end(self) -> float:
        return T0 + self.duration

    @property
    def no_need(self) -> bool:
        return not self.needs

    def need_at(self, t: float) -> Need | None:
        """The need open at `t` seconds from the start (the latest started one), or None."""
        return open_need(self.needs, t)


def path_for(name: str, directory: Path = RECORDINGS) -> Path:
    return directory / f"{name}.jsonl.gz"


def event_line(event: Event, t0: float) -> dict:
    """An event as stored, its times relative to `t0`."""
    return {"t": round(event.start - t0, 3), "d": round(event.duration, 3), "source": event.source,
            "kind": event.kind, "app": event.app, "title": event.title, "data": event.data}


def write(situation: Situation, recorded: dict, lines: list[dict], directory: Path = RECORDINGS) -> Path:
    """Store a recording of `situation` (event lines from `event_line`)."""
    directory.mkdir(parents=True, exist_ok=True)
    header = {"situation": situation.ground_truth(), "recorded": recorded}
    body = "\n".join(json.dumps(x, ensure_ascii=False, sort_keys=True) for x in [header, *lines]) + "\n"
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as gz:
        gz.write(body.encode("utf-8"))
    out = path_for(situation.name, directory)
    out.write_bytes(buf.getvalue())
    return out


def header(name: str, directory: Path = RECORDINGS) -> dict:
    """The header line of a recording (ground truth and how it was recorded)."""
    return _lines(path_for(name, directory))[0]


def load(name: str, directory: Path = RECORDINGS) -> Recording:
    path = path_for(name, directory)
    lines = _lines(path)
    try:
        truth = lines[0]["situation"]
        needs = tuple(Need(n["start"], n["evidence"], n["end"], tuple(n["welcome"]), n["what"])
                      for n in truth["needs"])
        events = tuple(Event(source=x["source"], kind=x["kind"], start=T0 + x["t"], duration=x["d"],
                             app=x["app"], title=x["title"], data=x["data"] or {}) for x in lines[1:])
        return Recording(truth["name"], truth["family"], truth["summary"], truth["version"],
                         float(truth["duration"]), needs, events, lines[0].get("recorded", {}))
    except (KeyError, TypeError, ValueError) as exc:
        raise RecordingError(f"{path}: not a situation recording ({exc.__class__.__name__}: {exc})") from exc


def load_all(names: list[str] | None = None, directory: Path = RECORDINGS) -> list[Recording]:
    """The recordings of `names` (default: every situation of the library), in library order."""
    from bench.situations.library import SITUATIONS

    return [load(n, directory) for n in (names or [s.name for s in SITUATIONS])]


def problem(situation: Situation, directory: Path = RECORDINGS) -> str | None:
    """Why the stored recording of `situation` cannot be used (missing, unreadable, made from another version
    of its script), or None when it is current."""
    try:
        version = header(situation.name, directory)["situation"]["version"]
    except RecordingError as exc:
        return str(exc)
    except (KeyError, TypeError):
        return f"{path_for(situation.name, directory)}: no version in its header"
    if version != situation.version:
        return (f"{situation.name}: recorded from script version {version}, the script is now "
                f"{situation.version}: re-record it (python -m bench.situations.record {situation.name})")
    return None


def _lines(path: Path) -> list[dict]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            lines = [json.loads(line) for line in fh if line.strip()]
    except FileNotFoundError as exc:
        raise RecordingError(f"{path}: no recording (python -m bench.situations.record {path.name[:-9]})") \
            from exc
    except (OSError, EOFError, json.JSONDecodeError) as exc:
        raise RecordingError(f"{path}: unreadable recording ({exc})") from exc
    if not lines:
        raise RecordingError(f"{path}: empty recording")
    return lines
