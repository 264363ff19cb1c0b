"""`proactive import FILE...`: bring history recorded elsewhere, or exported by this app, into the log.

Every format `proactive export` writes is read back (recognised from the content): decisions and labels go to
the proposals and labels tables (ids kept where free, nothing added twice); events go, like an ActivityWatch
export, through the event path below.

Formats are a table (`FORMATS`: name -> ImportFormat(read, origin, help)); a new format adds one entry.
Imported events pass the same privacy filter and redaction as live ones and are written through the log's
one insert path (`EventWriter`). Importing the same file again adds nothing: the newest imported time of
each stream (e.g. an ActivityWatch bucket) is kept in the state table and older events are skipped.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import click

from assistant.cli.common import JSON_FLAG, emit_json, load_config_or_exit
from assistant.core import paths, validate
from assistant.core.config import Config
from assistant.core.events import Event
from assistant.log import EventWriter, open_db
from assistant.log.state import read_import_marks, write_import_marks
from assistant.research import importer
from assistant.research.formats import FormatError
from collectors import aw_import
from collectors.privacy import PrivacyFilter

FLUSH_EVERY = 2000  # the writer's queue is bounded: wait for it this often


@dataclass(frozen=True)
class ImportFormat:
    read: Callable[[Path], Iterable[Event]]
    origin: Callable[[Event], str]
    help: str


def _read_events_export(path: Path) -> list[Event]:
    parsed = importer.parse(path)
    if parsed.fmt != "events":
        raise ValueError(f"{path}: expected an events export, found {parsed.fmt}")
    return importer.events_from(parsed.rows)


FORMATS: dict[str, ImportFormat] = {
    "activitywatch": ImportFormat(aw_import.read_export, aw_import.origin,
                                  "an ActivityWatch export (JSON with 'buckets')"),
    "events": ImportFormat(_read_events_export, lambda e: e.source, "`proactive export --format events`"),
}
DECISION_HELP = "proactivebench, trace, sft, reward-model: what `proactive export` writes"


class LogInUse(RuntimeError):
    pass


@dataclass
class ImportReport:
    read: int = 0
    written: int = 0  # rows the log really stored (the writer's count after the last flush)
    excluded: int = 0
    already_imported: int = 0
    refused: int = 0  # invalid values (NaN, a year-9999 time, a 10 MB title, ...): counted, never stored
    refused_reason: str = ""
    not_stored: int = 0  # the disk refused them (full, read-only)
    by_source: Counter = field(default_factory=Counter)


def import_events(fmt_name: str, path: Path, cfg: Config, db_path: Path | None = None) -> ImportReport:
    """Read `path` in format `fmt_name`, filter and redact, and write through an EventWriter.
    ValueError (bad file), LogInUse (a running app holds the log)."""
    fmt = FORMATS[fmt_name]
    db_path = db_path or paths.db_path()
    privacy = PrivacyFilter.from_config(cfg)
    events = list(fmt.read(path))  # a bad file fails whole, before the log is touched
    try:
        writer = EventWriter(db_path, queue_size=cfg["storage.queue_size"], commit_interval=1.0).start()
    except RuntimeError as exc:
        if "another writer" in str(exc):
            raise LogInUse(str(exc)) from None
        raise
    report = ImportReport()
    queued = 0
    try:
        db = open_db(db_path)
        marks = read_import_marks(db, fmt_name)
        newest = dict(marks)
        for event in events:
            report.read += 1
            stream = fmt.origin(event)
            if event.start <= marks.get(stream, float("-inf")):
                report.already_imported += 1
                continue
            why = validate.problem(event)
            if why is not None:
                writer.refuse(why)
                continue
            newest[stream] = max(newest.get(stream, float("-inf")), event.start)
            clean = privacy.apply(event)
            if clean is None:
                report.excluded += 1
                continue
            if writer.put(clean):
                report.by_source[clean.source] += 1
                queued += 1
                if queued % FLUSH_EVERY == 0:
                    writer.flush(60)
        if writer.flush(60):
            write_import_marks(db, fmt_name, newest)
    finally:
        writer.stop()
        stats = writer.snapshot()
        report.written, report.refused, report.refused_reason = stats.inserted, stats.refused, stats.refused_reason
        report.not_stored = stats.not_stored + stats.waiting + stats.dropped
    return report


@click.command("import")
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS) + list(importer.DECISION_FORMATS)),
              help="Say what the files are (default: recognised from the content). Events: "
                   + "; ".join(f"{k}: {v.help}" for k, v in FORMATS.items()) + f". Decisions: {DECISION_HELP}.")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@JSON_FLAG
def import_command(fmt: str | None, files: tuple[Path, ...], as_json: bool) -> None:
    """Import history recorded by another tool, or read back this app's own exports. Events are filtered
    and redacted like live ones; decisions keep their labels and relabel history."""
    cfg = load_config_or_exit()
    results = []
    for file in files:
        try:
            found = fmt or importer.parse(file).fmt
            if found in FORMATS:
                report = import_events(found, file, cfg)
                sources = ", ".join(f"{n} {s}" for s, n in report.by_source.most_common()) or "nothing new"
                line = (f"Imported {report.written} of {report.read} events from {file} ({sources}); "
                        f"{report.excluded} left out by your privacy rules, {report.already_imported} imported "
                        "before" + (f", {report.refused} refused as invalid (last: {report.refused_reason})"
                                    if report.refused else "")
                        + (f", {report.not_stored} not stored (the disk refused them; import again later)"
                           if report.not_stored else "") + ".")
                results.append({"file": str(file), "format": found, **report.__dict__,
                                "by_source": dict(report.by_source)})
            else:
                parsed = importer.parse(file)
                if parsed.fmt != found:
                    raise FormatError(f"{file}: --format {found}, but the file holds {parsed.fmt}")
                done = importer.import_decisions(open_db(paths.db_path()), parsed)
                line = (f"Imported {done.added} decisions from {file} with their labels ({found}); "
                        f"{done.already} were here already" + (f"; {done.observations} observations" if
                                                                 found == "trace" else "") + ".")
                results.append({"file": str(file), "format": found, **done.__dict__})
        except LogInUse:
            click.echo("Cannot import while the assistant is running (it holds the event log): stop it first, "
                       "then import again.", err=True)
            sys.exit(1)
        except FileNotFoundError:
            click.echo(f"Cannot import: {file}: no such file", err=True)
            sys.exit(2)
        except (ValueError, OSError) as exc:  # FormatError is a ValueError
            click.echo(f"Cannot import: {exc}", err=True)
            sys.exit(2)
        if not as_json:
            click.echo(line)
    if as_json:
        emit_json(results if len(results) > 1 else results[0])


COMMANDS = [import_command]
