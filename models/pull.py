"""Bring a model here: `pull(source, sha256=None)`.

SOURCE is a catalogue name (`qwen2.5-1.5b`), `hf:OWNER/REPO/FILE`, an http(s) URL or a local path.
- Hugging Face sources go through `huggingface_hub` (resumable, progress bars, the cache other tools share);
  the file is then checked against the repository's own SHA-256 (the LFS etag) and `--sha256`, if given.
- URLs are downloaded to `<name>.part` in the models dir with HTTP range requests: a dropped connection is
  resumed (here, and by the next pull after an interruption); the SHA-256 is computed on the way.
- Local paths are linked (or copied) into the models dir.
Free disk is checked before anything is fetched. A file only gets its final name once its checksum matched
and it reads as a GGUF; a wrong checksum deletes what was downloaded and says so. Every failure is a
`PullError` whose message is one line for the user.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from http.client import HTTPException
from pathlib import Path
from typing import Any

from models.catalog import find_entry, models_dir
from models.gguf_info import NotGGUF, inspect

Progress = Callable[[int, int | None], None]  # (bytes so far, total or None)
CHUNK = 1 << 20
DISK_MARGIN = 64 << 20
DEFAULT_MAX_BYTES = 64 << 30  # no GGUF a desktop can run is larger; a server that never ends its body stops here
CATALOG_SLACK = 1.25  # a catalogue size is rounded: a file may be this much larger than listed
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class PullError(RuntimeError):
    """A pull failed; str(exc) is one line for the user."""


@dataclass(frozen=True)
class PullResult:
    path: str
    size_bytes: int
    sha256: str
    source: str
    seconds: float
    downloaded_bytes: int  # 0 when the file was already here

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _mb(n: int) -> str:
    return f"{n / 1e6:,.0f} MB" if n >= 1e6 else f"{n:,} bytes"


def check_free_disk(directory: Path, needed: int) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(directory).free
    if needed + DISK_MARGIN > free:
        raise PullError(f"not enough free disk in {directory}: the model needs {_mb(needed)}, "
                        f"{_mb(free)} are free")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _normalise_sha(sha256: str | None) -> str | None:
    if sha256 is None:
        return None
    value = sha256.strip().lower().removeprefix("sha256:")
    if not _HEX64.match(value):
        raise PullError(f"--sha256 must be 64 hexadecimal digits, got {sha256!r}")
    return value


def _ensure_gguf(path: Path, source: str) -> None:
    try:
        inspect(path)
    except NotGGUF as exc:
        path.unlink(missing_ok=True)
        raise PullError(f"{source} is not a GGUF model ({exc}); nothing was kept") from exc


def _os_error(exc: OSError, what: str) -> PullError:
    if exc.errno == errno.ENOSPC:
        return PullError(f"the disk is full while writing {what}; the partial file was deleted")
    return PullError(f"cannot write {what}: {exc.strerror or exc}")


def _give_up(part: Path, why: str) -> PullError:
    """The download cannot finish: delete what it wrote (a full disk must never outlive the pull) and say why."""
    part.unlink(missing_ok=True)
    return PullError(why)


# ------------------------------------------------------------------ plain URLs

def _file_name_from_url(url: str) -> str:
    name = Path(urllib.parse.unquote(urllib.parse.urlparse(url).path)).name
    if not name or name in (".", ".."):
        raise PullError(f"cannot tell a file name from {url}; give a URL that ends in the file's name")
    return name


def _open(url: str, start: int, timeout: float) -> Any:
    headers = {"User-Agent": "proactive-assistant", "Accept-Encoding": "identity"}
    if start:
        headers["Range"] = f"bytes={start}-"
    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and start:
            return None  # the partial file is already whole
        detail = "not found" if exc.code == 404 else (exc.reason or "")
        raise PullError(f"{url} answered HTTP {exc.code} {detail}".rstrip()) from exc
    except urllib.error.URLError as exc:
        raise PullError(f"cannot reach {url}: {exc.reason} (no network?)") from exc
    except (TimeoutError, OSError) as exc:
        raise PullError(f"cannot reach {url}: {exc} (no network?)") from exc


def _total_size(resp: Any, start: int) -> int | None:
    content_range = resp.headers.get("Content-Range", "")
    if resp.status == 206 and "/" in content_range:
        tail = content_range.rsplit("/", 1)[1]
        return int(tail) if tail.isdigit() else None
    length = resp.headers.get("Content-Length")
    return int(length) if length and length.isdigit() else None


def download_url(url: str, dest: Path, sha256: str | None = None, progress: Progress | None = None,
                 attempts: int = 5, timeout: float = 30.0, max_bytes: int | None = None) -> tuple[int, str]:
    """Download `url` to `dest` through `dest.part` (resumed if present); (bytes fetched, sha256).

    At most `max_bytes` (the catalogue's size, `--max-size`, else DEFAULT_MAX_BYTES), at most what the server
    announced, and never into the last DISK_MARGIN bytes of the disk: a server that never ends its body, or a
    disk that fills, ends the pull with the partial file deleted."""
    part = dest.with_name(dest.name + ".part")
    cap = max_bytes or DEFAULT_MAX_BYTES
    fetched = 0
    tries = 0
    while True:
        have = part.stat().st_size if part.exists() else 0
        resp = _open(url, have, timeout)
        if resp is None:
            break
        with resp:
            if have and resp.status == 200:
                have = 0  # the server ignored the range: start again
            total = _total_size(resp, have)
            if total is not None:
                if total > cap:
                    raise _give_up(part, f"{url} is {_mb(total)}, more than the {_mb(cap)} allowed for it "
                                         "(pass --max-size to allow more); nothing was kept")
                check_free_disk(dest.parent, total - have)
            limit = min(cap, total if total is not None else cap)
            try:
                with open(part, "r+b" if have else "wb") as out:
                    out.truncate(have)
                    out.seek(have)
                    done = have
                    while block := resp.read(CHUNK):
                        if done + len(block) > limit:
                            raise _give_up(part, f"{url} sent more than {_mb(limit)}"
                                                 + (" (its announced size)" if limit == total else
                                                    " (pass --max-size to allow more)") + "; nothing was kept")
                        out.write(block)
                        done += len(block)
                        fetched += len(block)
                        if done % (64 * CHUNK) < len(block) and shutil.disk_usage(dest.parent).free < DISK_MARGIN:
                            raise _give_up(part, f"the disk is almost full while downloading {url}; the partial "
                                                 "file was deleted")
                        if progress:
                            progress(done, total)
            except PullError:
                raise
            except OSError as exc:
                if isinstance(exc, TimeoutError | ConnectionError):
                    done = part.stat().st_size
                else:
                    part.unlink(missing_ok=True)
                    raise _os_error(exc, part.name) from exc
            except HTTPException:
                done = part.stat().st_size
        if total is None or done >= total:
            break
        tries += 1
        if tries >= attempts:
            raise PullError(f"the connection to {url} kept dropping ({_mb(done)} of {_mb(total)} fetched); "
                            "run the same pull again to resume")
        time.sleep(min(0.2 * tries, 2.0))
    digest = sha256_of(part)
    if sha256 and digest != sha256:
        part.unlink(missing_ok=True)
        raise PullError(f"wrong checksum for {url}: expected sha256 {sha256}, got {digest}; "
                        "the download was deleted")
    _ensure_gguf(part, url)
    os.chmod(part, 0o600)
    os.replace(part, dest)
    return fetched, digest


# ------------------------------------------------------------------ Hugging Face

def _parse_hf(source: str) -> tuple[str, str]:
    spec = source.removeprefix("hf:").strip("/")
    parts = spec.split("/")
    if len(parts) < 3 or not all(parts):
        raise PullError(f"expected hf:OWNER/REPO/FILE, got {source!r}")
    return "/".join(parts[:2]), "/".join(parts[2:])


def _hf_error(exc: Exception, repo: str, file: str) -> PullError:
    kind = type(exc).__name__
    if kind in ("RepositoryNotFoundError", "GatedRepoError"):
        return PullError(f"Hugging Face repository {repo} was not found (or needs a login)")
    if kind in ("EntryNotFoundError", "RemoteEntryNotFoundError", "RevisionNotFoundError"):
        return PullError(f"{file} was not found in the Hugging Face repository {repo} (HTTP 404)")
    if kind in ("LocalEntryNotFoundError", "OfflineModeIsEnabled", "ConnectError", "ConnectTimeout"):
        return PullError(f"cannot reach the Hugging Face hub for {repo}/{file} (no network?)")
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return PullError(f"the disk is full while downloading {file}")
    return PullError(f"downloading {repo}/{file} failed: {str(exc).splitlines()[0] if str(exc) else kind}")


def _forget_hf_file(path: Path) -> None:
    """Delete a cached file: its snapshot link and the blob it points at."""
    blob = path.resolve()
    path.unlink(missing_ok=True)
    if blob != path:
        blob.unlink(missing_ok=True)


def download_hf(repo: str, file: str, sha256: str | None = None) -> tuple[Path, int, str]:
    """Fetch through huggingface_hub into the shared cache; (path, bytes fetched, sha256)."""
    import huggingface_hub as hub  # heavy: only when a pull needs it
    from huggingface_hub import constants

    try:
        meta = hub.get_hf_file_metadata(hub.hf_hub_url(repo, file))
        cache = Path(constants.HF_HUB_CACHE)
        cached = hub.try_to_load_from_cache(repo, file)
        already = isinstance(cached, str) and Path(cached).exists()
        if not already and meta.size:
            check_free_disk(cache, meta.size)
        path = Path(hub.hf_hub_download(repo, file))
    except PullError:
        raise
    except Exception as exc:
        raise _hf_error(exc, repo, file) from exc
    digest = sha256_of(path)
    expected = (meta.etag or "").strip('"').lower()
    for want, what in ((sha256, "--sha256"), (expected if _HEX64.match(expected) else None, "the repository")):
        if want and digest != want:
            _forget_hf_file(path)
            raise PullError(f"wrong checksum for hf:{repo}/{file}: {what} says sha256 {want}, the file has "
                            f"{digest}; the download was deleted")
    try:
        inspect(path)
    except NotGGUF as exc:
        _forget_hf_file(path)
        raise PullError(f"hf:{repo}/{file} is not a GGUF model ({exc}); nothing was kept") from exc
    return path, 0 if already else path.stat().st_size, digest


# ------------------------------------------------------------------ local files

def import_local(path: Path, dest_dir: Path, sha256: str | None = None) -> Path:
    if not path.is_file():
        raise PullError(f"no such file: {path}")
    try:
        inspect(path)
    except NotGGUF as exc:
        raise PullError(str(exc)) from exc
    if sha256 and sha256_of(path) != sha256:
        raise PullError(f"wrong checksum for {path}: expected sha256 {sha256}; nothing was copied")
    dest = dest_dir / path.name
    if dest.exists() and dest.resolve() == path.resolve():
        return dest
    tmp = dest.with_name(dest.name + ".part")
    tmp.unlink(missing_ok=True)
    try:
        os.link(path, tmp)
    except OSError:
        check_free_disk(dest_dir, path.stat().st_size)
        try:
            shutil.copyfile(path, tmp)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise _os_error(exc, dest.name) from exc
    os.replace(tmp, dest)
    return dest


# ------------------------------------------------------------------ entry point

def pull(source: str, sha256: str | None = None, progress: Progress | None = None,
         dest_dir: Path | None = None, attempts: int = 5, max_bytes: int | None = None) -> PullResult:
    """Fetch SOURCE (see the module docstring); the GGUF's final path is in the result. A download is capped at
    `max_bytes`, else at the catalogue's size for a catalogue name (with some slack), else DEFAULT_MAX_BYTES."""
    want = _normalise_sha(sha256)
    t0 = time.perf_counter()
    entry = find_entry(source)
    if entry is not None:
        source = entry.source
        max_bytes = max_bytes or int(entry.size_mb * 1e6 * CATALOG_SLACK)
    if source.startswith("hf:"):
        repo, file = _parse_hf(source)
        path, fetched, digest = download_hf(repo, file, want)
        return PullResult(str(path), path.stat().st_size, digest, source, time.perf_counter() - t0, fetched)
    directory = dest_dir or models_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        os.chmod(directory, 0o700)
    except OSError as exc:
        raise _os_error(exc, str(directory)) from exc
    if source.startswith(("http://", "https://")):
        dest = directory / _file_name_from_url(source)
        if dest.exists() and (want is None or sha256_of(dest) == want):
            return PullResult(str(dest), dest.stat().st_size, want or sha256_of(dest), source,
                              time.perf_counter() - t0, 0)
        fetched, digest = download_url(source, dest, want, progress, attempts, max_bytes=max_bytes)
        return PullResult(str(dest), dest.stat().st_size, digest, source, time.perf_counter() - t0, fetched)
    if "://" in source:
        raise PullError(f"unsupported source {source!r}: use a catalogue name, hf:OWNER/REPO/FILE, "
                        "an http(s) URL or a local path")
    local = Path(source).expanduser()
    if not local.exists() and "/" not in source and not source.endswith(".gguf"):
        raise PullError(f"{source!r} is not in the catalogue (see `proactive model list`) and no such file")
    dest = import_local(local, directory, want)
    return PullResult(str(dest), dest.stat().st_size, want or "", source, time.perf_counter() - t0, 0)
