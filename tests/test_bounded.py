"""Bounded everything: a user-given path that is a special file (a symlink to /dev/zero, a FIFO) is refused by
its type wherever it is read, and a model download is capped (the catalogue's size, --max-size, the size the
server announced) and cleaned up when it cannot finish, so a server that never ends its body cannot fill the
disk, and a disk filled by a download never stops the app from starting."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli


def _special(tmp_path: Path, kind: str, name: str) -> Path:
    path = tmp_path / name
    if kind == "zero":
        path.symlink_to("/dev/zero")
    else:
        os.mkfifo(path)
    return path


@pytest.mark.parametrize("kind", ["zero", "fifo"])
def test_config_check_refuses_special_files_by_type(home: Path, kind: str) -> None:
    (home / "config").mkdir(parents=True)
    _special(home / "config", kind, "config.yaml")
    out = run_cli("config", "check", home=home, timeout=60)
    assert out.returncode != 0 and "Traceback" not in out.stderr
    said = out.stdout + out.stderr
    assert ("character device" if kind == "zero" else "named pipe") in said, said


@pytest.mark.parametrize("kind", ["zero", "fifo"])
@pytest.mark.parametrize("args", [["import"], ["import", "--format", "activitywatch"],
                                  ["eval", "trace"]])
def test_files_to_read_are_refused_by_type(home: Path, tmp_path: Path, kind: str, args: list[str]) -> None:
    path = _special(tmp_path, kind, "input.json")
    out = run_cli(*args, str(path), home=home, timeout=60)
    said = out.stdout + out.stderr
    assert out.returncode != 0 and "Traceback" not in said, said
    assert "expected a regular file" in said, said


class EndlessServer:
    """A loopback server (a stand-in for a hostile model host) whose body never ends and has no length."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._send, args=(conn,), daemon=True).start()

    def _send(self, conn: socket.socket) -> None:
        try:
            conn.recv(4096)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n")
            block = b"GGUF" + bytes(65532)
            while not self.stop.is_set():
                conn.sendall(block)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


@pytest.fixture
def endless():
    server = EndlessServer()
    yield server
    server.close()


def test_a_body_that_never_ends_stops_at_the_cap_and_leaves_nothing(home: Path, endless: EndlessServer) -> None:
    out = run_cli("model", "pull", f"http://127.0.0.1:{endless.port}/huge.gguf", "--max-size", "8M", home=home)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "sent more than" in out.stderr and "nothing was kept" in out.stderr, out.stderr
    models = home / "data" / "models"
    assert not models.exists() or list(models.iterdir()) == []


def test_a_download_that_fills_the_disk_is_deleted_and_the_app_still_starts(home: Path,
                                                                            endless: EndlessServer) -> None:
    """The data folder on a 24 MB tmpfs (its own mount namespace): the pull stops at the full disk, deletes its
    partial file, and `proactive run` starts afterwards with collecting on."""
    data = home / "data"
    data.mkdir(parents=True)
    url = f"http://127.0.0.1:{endless.port}/huge.gguf"
    script = (f'mount -t tmpfs -o size=24m,mode=0700 tmpfs "{data}" && '
              f'"$0" -m assistant model pull {url}; echo "pull-exit=$?"; ls -A "{data}/models"; echo listed; '
              f'"$0" -m assistant run --accept-defaults --headless --no-model --for 3s')
    flags = ["-m"] if os.geteuid() == 0 else ["-r", "-m"]
    out = subprocess.run(["unshare", *flags, "sh", "-c", script, sys.executable], capture_output=True, text=True,
                         timeout=300, cwd=REPO, env={**os.environ, "PROACTIVE_HOME": str(home), "DISPLAY": ""})
    said = out.stdout + out.stderr
    assert "Traceback" not in said, said
    assert "pull-exit=1" in out.stdout and "disk" in out.stderr and "deleted" in out.stderr, said
    listing = out.stdout.split("pull-exit=1", 1)[1].split("listed", 1)[0]
    assert ".part" not in listing, listing
    assert "event log: running" in out.stdout and "Stopped." in out.stdout, said
