"""One app per data dir, seen from a second launch: ask the running one to bring its dashboard forward.

The running desktop app listens on a Unix socket in the data dir (0600, never a network socket; see
ui/single_instance.py). A second `proactive run` connects, says `show`, and exits with one line.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import socket
from pathlib import Path
from typing import Any

from assistant.core import paths
from assistant.log.db import cannot_write

log = logging.getLogger(__name__)

SOCKET_NAME = "ui.sock"
SHOW = b"show\n"


def socket_path() -> Path:
    return paths.data_dir() / SOCKET_NAME


def ask_running_to_show(timeout: float = 3.0) -> str | None:
    """The running app's answer (e.g. 'shown pid 123') when one listens, else None (nothing runs there)."""
    path = socket_path()
    if not path.exists():
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(str(path))
        sock.sendall(SHOW)
        reply = b""
        while not reply.endswith(b"\n") and len(reply) < 200:
            chunk = sock.recv(200)
            if not chunk:
                break
            reply += chunk
        return reply.decode("utf-8", "replace").strip() or "shown"
    except OSError:
        return None  # a stale socket file: nothing listens
    finally:
        sock.close()


def running_pid() -> int | None:
    """The pid of the app running on this data dir (it holds run.lock), or None when none runs."""
    path = paths.data_dir() / "run.lock"
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    except OSError:
        text = os.read(fd, 32).decode("ascii", "replace").strip()
        return int(text) if text.isdigit() else -1
    finally:
        os.close(fd)


def take_instance_lock() -> Any:
    """One running app per data dir (a second one would interleave event ids): the locked run.lock file, kept
    open while the app runs; RuntimeError naming the other pid when one runs. A data dir that cannot be written
    (read-only) has no lock file (None): nothing can be written there anyway, so nothing interleaves."""
    try:
        lock_path = paths.ensure_private_dir(paths.data_dir()) / "run.lock"
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        if cannot_write(exc):
            log.info("no instance lock: %s", exc)
            return None
        raise
    with contextlib.suppress(OSError):
        os.chmod(lock_path, 0o600)
    lock_file = os.fdopen(fd, "r+b", buffering=0)
    try:
        fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        other = lock_file.read(32).decode("ascii", "replace").strip() or "?"
        lock_file.close()
        raise RuntimeError(f"another proactive assistant (pid {other}) is already running on "
                           f"{paths.data_dir()}; stop it first") from None
    try:  # the pid is for people reading the file; a full disk must not stop the app over it
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
    except OSError as exc:
        log.info("could not write the pid into %s: %s", lock_path, exc)
    return lock_file
