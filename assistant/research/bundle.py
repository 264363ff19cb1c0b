"""Reading a participant's study bundle without trusting it: every size capped before it is read (on disk,
per file, in total, and as a compression ratio), files streamed and checksummed, rows checked one by one, and
anything wrong reported as one `BundleError` line naming the bundle and what was expected."""

from __future__ import annotations

import hashlib
import json
import math
import os
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from assistant.research.formats import parse_time

SCHEMA_VERSION = "2"
READABLE_SCHEMAS = ("1", "2")  # 1: ISO observation times, real annotator names; merged to 2's shape
DATA_FILES = ("labels.jsonl", "trace.json", "consent.json")
REQUIRED_FILES = ("labels.jsonl",)
MAX_BUNDLE_BYTES = 256 << 20  # the zip on disk
MAX_FILE_BYTES = {"labels.jsonl": 256 << 20, "trace.json": 64 << 20, "consent.json": 4 << 20,
                  "manifest.json": 1 << 20}
MAX_TOTAL_BYTES = 384 << 20  # all files of one bundle, uncompressed
MAX_RATIO = 100  # uncompressed / compressed, for files over RATIO_FROM bytes (a zip bomb is > 1000)
RATIO_FROM = 1 << 20
MAX_LINE_BYTES = 8 << 20
MAX_ENTRIES = 64
CATEGORIES = ("Correct-Detection (CD)", "False-Alarm (FA)", "Correct-Rejection (CR)", "Missed-Need (MN)")
CHUNK = 1 << 16


class BundleError(ValueError):
    """A bundle that cannot be trusted or merged; the message names the bundle and the file."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number this format allows")


def loads(text: str | bytes) -> Any:
    """json.loads refusing NaN/Infinity; nesting too deep for Python is a ValueError, not a crash."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Bundle:
    """A checked bundle: its manifest, which data files it has, and what the first reading found."""

    path: Path
    manifest: dict[str, Any]
    files: list[str]
    sha256: str
    rows: int = 0
    first_time: float | None = None
    last_time: float | None = None
    participant: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    def seen(self, t: float) -> None:
        self.first_time = t if self.first_time is None else min(self.first_time, t)
        self.last_time = t if self.last_time is None else max(self.last_time, t)


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise BundleError(f"{path}: no such file") from None
    if not stat.S_ISREG(mode):
        raise BundleError(f"{path}: not a regular file (a study bundle is a .zip file)")
    if os.path.getsize(path) > MAX_BUNDLE_BYTES:
        raise BundleError(f"{path}: larger than {MAX_BUNDLE_BYTES >> 20} MB, more than a study bundle holds")
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise BundleError(f"{path}: not a zip file ({exc})") from None
    if len(zf.infolist()) > MAX_ENTRIES:
        zf.close()
        raise BundleError(f"{path}: {len(zf.infolist())} entries; a study bundle has at most {MAX_ENTRIES}")
    return zf


def _info(path: Path, zf: zipfile.ZipFile, name: str) -> zipfile.ZipInfo:
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise BundleError(f"{path}: {name} is missing (expected a study bundle from `proactive study export`)") \
            from None
    if info.is_dir() or info.flag_bits & 0x1:
        raise BundleError(f"{path}: {name} is a folder or encrypted, not a plain file")
    cap = MAX_FILE_BYTES[name]
    if info.file_size > cap:
        raise BundleError(f"{path}: {name} unpacks to {info.file_size:,} bytes, over the {cap:,} a bundle may hold")
    if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise BundleError(f"{path}: {name} expands {info.file_size // max(info.compress_size, 1)}-fold when "
                          f"unpacked (more than {MAX_RATIO}-fold: refused as a zip bomb)")
    return info


def _read_small(path: Path, zf: zipfile.ZipFile, name: str) -> bytes:
    info = _info(path, zf, name)
    with zf.open(info) as fh:
        data = fh.read(MAX_FILE_BYTES[name] + 1)
    if len(data) > MAX_FILE_BYTES[name]:
        raise BundleError(f"{path}: {name} is larger than it says")
    return data


def open_bundle(path: Path) -> tuple[zipfile.ZipFile, Bundle]:
    """Open a bundle and check its manifest (schema, participant, listed files and their sizes). The caller
    closes the zip."""
    zf = _open_zip(path)
    try:
        raw = _read_small(path, zf, "manifest.json")
        try:
            manifest = loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise BundleError(f"{path}: manifest.json is not JSON ({exc})") from None
        if not isinstance(manifest, dict):
            raise BundleError(f"{path}: manifest.json is not a JSON object")
        schema = manifest.get("schema_version")
        if schema not in READABLE_SCHEMAS:
            raise BundleError(f"{path}: schema version {str(schema)[:40]!r} is not one this app reads "
                              f"({', '.join(READABLE_SCHEMAS)}); export the bundle again with this app's version")
        participant = manifest.get("participant")
        if not isinstance(participant, str) or not participant.strip() or len(participant) > 200:
            raise BundleError(f"{path}: manifest.json has no participant id (expected a non-empty string)")
        listed = manifest.get("files")
        if not isinstance(listed, dict) or not all(isinstance(v, dict) for v in listed.values()):
            raise BundleError(f"{path}: manifest.json has no `files` table of checksums")
        unknown = sorted(set(listed) - set(DATA_FILES))
        if unknown:
            raise BundleError(f"{path}: manifest.json lists {str(unknown[0])[:80]!r}, not a file a bundle holds "
                              f"({', '.join(DATA_FILES)})")
        for name in REQUIRED_FILES:
            if name not in listed:
                raise BundleError(f"{path}: manifest.json does not list {name}")
        total = sum(_info(path, zf, name).file_size for name in listed)
        if total > MAX_TOTAL_BYTES:
            raise BundleError(f"{path}: its files unpack to {total:,} bytes, over the {MAX_TOTAL_BYTES:,} allowed")
        return zf, Bundle(path, manifest, sorted(listed), sha256_file(path), participant=participant.strip())
    except BaseException:
        zf.close()
        raise


def verify(zf: zipfile.ZipFile, b: Bundle) -> None:
    """Every listed file streamed through sha256 against the manifest (nothing is kept in memory)."""
    for name in b.files:
        digest = hashlib.sha256()
        with zf.open(_info(b.path, zf, name)) as fh:
            for chunk in iter(lambda fh=fh: fh.read(CHUNK), b""):
                digest.update(chunk)
        if digest.hexdigest() != b.manifest["files"][name].get("sha256"):
            raise BundleError(f"{b.path}: {name} does not match its checksum in manifest.json (changed or damaged "
                              "after export)")


def lines(zf: zipfile.ZipFile, b: Bundle, name: str) -> Iterator[tuple[int, str]]:
    """(line number, text) of a JSONL file, streamed; an over-long line is an error, not a memory spike."""
    with zf.open(_info(b.path, zf, name)) as raw:
        fh: IO[bytes] = raw
        n = 0
        while True:
            line = fh.readline(MAX_LINE_BYTES + 1)
            if not line:
                return
            n += 1
            if len(line) > MAX_LINE_BYTES:
                raise BundleError(f"{b.path}: {name} line {n} is longer than {MAX_LINE_BYTES >> 20} MB")
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                raise BundleError(f"{b.path}: {name} line {n} is not UTF-8 text") from None
            if text.strip():
                yield n, text


def rows(zf: zipfile.ZipFile, b: Bundle) -> Iterator[dict[str, Any]]:
    """The labels, each checked to be a ProactiveBench row with this app's meta."""
    for n, text in lines(zf, b, "labels.jsonl"):
        try:
            row = loads(text)
            check_row(row)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise BundleError(f"{b.path}: labels.jsonl line {n}: {exc}") from None
        yield row


def check_row(row: Any) -> None:
    if not isinstance(row, dict):
        raise ValueError("expected a JSON object (a ProactiveBench row)")
    obs = row.get("obs")
    if not isinstance(obs, list) or not all(isinstance(o, dict) and isinstance(o.get("event"), str) for o in obs):
        raise ValueError("`obs` must be a list of {time, event}")
    for o in obs:
        parse_time(o.get("time"))
    if not (row.get("pred_task") is None or isinstance(row.get("pred_task"), str)):
        raise ValueError("`pred_task` must be a string or null")
    if not isinstance(row.get("valid"), bool) or not isinstance(row.get("help_needed"), bool):
        raise ValueError("`valid` and `help_needed` must be true or false")
    votes = row.get("annotation")
    if not isinstance(votes, list) or not votes or not all(isinstance(v, bool) for v in votes):
        raise ValueError("`annotation` must be a non-empty list of true/false")
    if row.get("category") not in CATEGORIES:
        raise ValueError(f"`category` must be one of {', '.join(CATEGORIES)}")
    meta = row.get("meta")
    if not isinstance(meta, dict) or not isinstance(meta.get("proposal_id"), int):
        raise ValueError("`meta` with a proposal id is missing")
    parse_time(meta.get("time"))
    labels = meta.get("labels", [])
    if not isinstance(labels, list) or not all(isinstance(x, dict) and isinstance(x.get("annotator"), str)
                                               for x in labels):
        raise ValueError("`meta.labels` must be a list of answers with an annotator")


def trace(zf: zipfile.ZipFile, b: Bundle) -> list[dict[str, Any]]:
    """The trace's steps, checked (size capped by MAX_FILE_BYTES before it is parsed)."""
    raw = _read_small(b.path, zf, "trace.json")
    try:
        steps = loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BundleError(f"{b.path}: trace.json is not JSON ({exc})") from None
    if not isinstance(steps, list):
        raise BundleError(f"{b.path}: trace.json is not a list of steps")
    for i, step in enumerate(steps):
        try:
            obs = step["observation"]
            parse_time(obs["time"])
            if not isinstance(obs["event"], str) or not isinstance(step.get("meta", {}), dict):
                raise TypeError("event must be text")
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BundleError(f"{b.path}: trace.json step {i}: expected {{observation: {{time, event}}, ...}} "
                              f"({exc.__class__.__name__}: {exc})") from None
    return steps


def consent(zf: zipfile.ZipFile, b: Bundle) -> Any:
    if "consent.json" not in b.files:
        return []
    raw = _read_small(b.path, zf, "consent.json")
    try:
        return loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BundleError(f"{b.path}: consent.json is not JSON ({exc})") from None


def finite(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


READ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, NotImplementedError,
               RuntimeError, UnicodeDecodeError)
