"""Where config and data live. `PROACTIVE_HOME` moves both (tests point it at a tmp dir)."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import BinaryIO

import platformdirs

APP_NAME = "proactive-assistant"
log = logging.getLogger(__name__)


def config_dir() -> Path:
    home = os.environ.get("PROACTIVE_HOME")
    if home:
        return Path(home) / "config"
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    home = os.environ.get("PROACTIVE_HOME")
    if home:
        return Path(home) / "data"
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_path() -> Path:
    return config_dir() / "config.yaml"


def db_path() -> Path:
    return data_dir() / "events.db"


def display_path(path: Path | str) -> str:
    """A path as a person reads it: the home folder as `~` (`~/.local/share/proactive/events.db`)."""
    text = str(path)
    home = str(Path.home())
    if home not in ("", "/") and (text == home or text.startswith(home + os.sep)):
        return "~" + text[len(home):]
    return text


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and parents) and make it 0700: only the user can read the data. A folder that exists but
    cannot be changed (a read-only mount) is left as it is: reading it must still work. OSError, naming the
    folder, only when it does not exist and cannot be created."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        if not path.is_dir():
            raise OSError(exc.errno, f"cannot create the folder {path}: {exc.strerror or exc}") from None
    try:
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o700)
    except OSError as exc:
        log.warning("cannot make %s private (%s)", path, exc.strerror or exc)
    return path


def write_private_text(path: Path, text: str) -> None:
    """Write `text` to `path` readable by the user only (0600), atomically (a temporary file moved into place).
    Raises OSError with a message naming the path when its folder is missing or not writable."""
    write_private_bytes(path, text.encode("utf-8"))


def write_private_bytes(path: Path, data: bytes) -> None:
    """`write_private_text` for bytes."""
    path = Path(path)
    if not path.parent.is_dir():
        raise OSError(f"cannot write {path}: the folder {path.parent} does not exist")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OSError(f"cannot write {path}: {exc.strerror or exc}") from exc


_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


class NotAFile(OSError):
    """A path the user gave is not a regular file (a FIFO, /dev/zero, a directory): refused by its type, never
    read (reading would block forever or never end)."""


def open_regular(path: Path | str) -> BinaryIO:
    """Open a user-given path for reading, refusing anything but a regular file by its type (checked on the open
    file, so a symlink to /dev/zero or a FIFO is caught, and opening a FIFO never blocks)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
            raise NotAFile(f"{path} is {kind}; expected a regular file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: Path | str, limit: int) -> bytes:
    """The bytes of a user-given regular file of at most `limit` bytes (OSError naming the path otherwise)."""
    with open_regular(path) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise OSError(f"{path} is larger than {limit:,} bytes; expected a smaller file")
    return data
