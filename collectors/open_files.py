"""Find the file a user is working on from the window's process, and read it as text (both opt-in uses).

A title names a file ("stats.py - demo - Visual Studio Code"); the window's process knows where it is: among
its open files, as an argument of its command line (`vim notes.md`), under its working directory, or under the
working directory of a child (the shell inside a terminal). Nothing here raises: a process that is gone or
not ours gives None.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psutil

from assistant.core.paths import open_regular

MAX_CHILDREN = 16
MAX_SCAN_DIRS = 400  # directories visited below a working directory, at most
MAX_DEPTH = 4
MAX_TEXT_BYTES = 256 * 1024
SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox",
                       ".mypy_cache", ".pytest_cache", ".cache", "site-packages", "dist", "build"})


def _processes(pid: int) -> list[psutil.Process]:
    try:
        proc = psutil.Process(pid)
    except (psutil.Error, ValueError):
        return []
    try:
        children = proc.children(recursive=True)[:MAX_CHILDREN]
    except psutil.Error:
        children = []
    return [proc, *children]


def _newest(paths: list[Path]) -> Path | None:
    def mtime(p: Path) -> float:
        try:
            return p.stat().st_mtime
        except OSError:
            return 0.0
    existing = [p for p in paths if p.is_file()]
    return max(existing, key=mtime) if existing else None


def _scan(root: Path, name: str) -> Iterator[Path]:
    """Files called `name` below `root`, breadth first, bounded in depth and directories."""
    level, visited = [root], 0
    for _ in range(MAX_DEPTH + 1):
        below: list[Path] = []
        for directory in level:
            visited += 1
            if visited > MAX_SCAN_DIRS:
                return
            try:
                with os.scandir(directory) as entries:
                    for entry in entries:
                        if entry.name == name and entry.is_file(follow_symlinks=False):
                            yield Path(entry.path)
                        elif (entry.is_dir(follow_symlinks=False) and entry.name not in SKIP_DIRS
                              and not entry.name.startswith(".")):
                            below.append(Path(entry.path))
            except OSError:
                continue
        level = below


def find_working_file(pid: int, file_name: str) -> Path | None:
    """The path of `file_name` (a bare name or a relative path seen in a window title) for process `pid`.

    Looked for, in order: files the process or its children have open, command-line arguments, the working
    directories themselves, then (bounded) below them. With several matches the newest file wins.
    """
    name = Path(file_name.strip()).name
    if not name or name in (".", ".."):
        return None
    procs = _processes(pid)
    opened: list[Path] = []
    cwds: list[Path] = []
    for proc in procs:
        try:
            opened += [Path(f.path) for f in proc.open_files() if Path(f.path).name == name]
        except psutil.Error:
            pass
        try:
            cwd = Path(proc.cwd())
        except (psutil.Error, OSError):
            continue
        if cwd not in cwds:
            cwds.append(cwd)
        try:
            args = proc.cmdline()[1:]
        except psutil.Error:
            args = []
        opened += [cwd / arg for arg in args if not arg.startswith("-") and Path(arg).name == name]
    found = _newest(opened) or _newest([cwd / file_name.strip() for cwd in cwds] + [cwd / name for cwd in cwds])
    if found is not None:
        return found.resolve()
    for cwd in cwds:
        if cwd == Path(cwd.anchor):
            continue  # never walk the whole disk
        found = _newest(list(_scan(cwd, name)))
        if found is not None:
            return found.resolve()
    return None


def working_dirs(pid: int) -> list[Path]:
    """The working folders of process `pid` and its children (a terminal's shells), deepest first."""
    dirs: list[Path] = []
    for proc in _processes(pid):
        try:
            cwd = Path(proc.cwd())
        except (psutil.Error, OSError):
            continue
        if cwd not in dirs and cwd != Path(cwd.anchor):
            dirs.append(cwd)
    return sorted(dirs, key=lambda d: len(d.parts), reverse=True)


def read_text_file(path: Path, max_bytes: int = MAX_TEXT_BYTES) -> str | None:
    """The file's text (its first `max_bytes`), or None when it is not a readable text file."""
    try:
        with open_regular(path) as handle:  # a FIFO or a device the process has open is never read
            data = handle.read(max_bytes)
    except OSError:
        return None
    if b"\x00" in data[:8192]:
        return None  # binary
    return data.decode("utf-8", "replace")
