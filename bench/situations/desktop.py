"""Playing a situation's steps on a real X server (Xvfb + openbox, tests/display.py's XServer).

Windows are xterms started through symlinks named like the app's process (see apps.py); titles are set as a
modern toolkit sets them (_NET_WM_NAME as UTF8_STRING, then WM_NAME); focus changes go through the window
manager (_NET_ACTIVE_WINDOW via xdotool); typing, keys and the mouse wheel are real input events (XTEST), so
the input collector counts them as it counts a person's.
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.situations.apps import app as app_profile
from bench.situations.script import Step
from tests.display import XServer

SINK = Path(__file__).resolve().parent / "sink.py"
WORDS = ("the", "data", "we", "should", "check", "value", "before", "sending", "it", "again", "so", "that",
         "report", "looks", "right", "and", "then", "update", "notes", "with", "result")
CHUNK_S = 2.0  # typing and scrolling are done in chunks of this long, so the schedule is kept


class Desktop(XServer):
    """An X server that opens app-like windows by script name and plays steps on them."""

    def __init__(self, bin_dir: Path) -> None:
        super().__init__()
        from Xlib import display

        self.bin_dir = bin_dir
        self.ids: dict[str, int] = {}
        self.procs_by_name: dict[str, subprocess.Popen] = {}
        self.conn = display.Display(self.display)
        self._words = itertools.cycle(WORDS)

    def _binary(self, process: str) -> Path:
        path = self.bin_dir / process
        if not path.exists():
            path.symlink_to(shutil.which("xterm") or "/usr/bin/xterm")
        return path

    def open(self, window: str, app: str, title: str, text: str = "") -> None:
        """Launch a window that looks like `app` to the collectors, titled `title`; it takes the focus."""
        profile = app_profile(app)
        slot = len(self.ids) % 5
        cmd = [str(self._binary(profile.process)), "-class", profile.wm_class, "-name", profile.wm_instance,
               "-xrm", "*utf8Title: true", "-T", title, "-geometry", f"110x34+{40 + 60 * slot}+{30 + 40 * slot}",
               "-e", sys.executable, str(SINK), text or title]
        proc = subprocess.Popen(cmd, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.windows.append(proc)
        self.procs_by_name[window] = proc
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            found = self.xdotool("search", "--onlyvisible", "--pid", str(proc.pid)).split()
            if found:
                self.ids[window] = int(found[0])
                break
            time.sleep(0.05)
        else:
            raise RuntimeError(f"window {window!r} ({app}) did not appear")
        self.set_title(window, title)
        self.focus(window)

    def set_title(self, window: str, title: str) -> None:
        """Retitle a window: _NET_WM_NAME (UTF8_STRING) first, then WM_NAME, as GTK and Qt do."""
        win = self.conn.create_resource_object("window", self.ids[window])
        utf8 = self.conn.intern_atom("UTF8_STRING")
        data = title.encode("utf-8")
        win.change_property(self.conn.intern_atom("_NET_WM_NAME"), utf8, 8, data)
        win.change_property(self.conn.intern_atom("WM_NAME"), utf8, 8, data)
        self.conn.flush()

    def focus(self, window: str) -> None:
        self.xdotool("windowactivate", "--sync", str(self.ids[window]))

    def close(self, window: str) -> None:
        proc = self.procs_by_name.pop(window)
        self.ids.pop(window)
        proc.terminate()
        proc.wait(10)

    def type_until(self, end: float, cps: float) -> int:
        """Type filler words into the focused window at `cps` characters a second until `end` (monotonic)."""
        typed = 0
        while (left := end - time.monotonic()) > 0.3:
            n = max(1, int(min(CHUNK_S, left) * cps))
            text = ""
            while len(text) < n:
                text += next(self._words) + " "
            self.xdotool("type", "--delay", str(int(1000 / cps)), text[:n])
            typed += n
        return typed

    def scroll_until(self, window: str, end: float, per_s: float) -> int:
        """Turn the mouse wheel (down) over `window` `per_s` times a second until `end` (monotonic)."""
        self.xdotool("mousemove", "--window", str(self.ids[window]), "300", "200")
        clicks = 0
        while (left := end - time.monotonic()) > 0.2:
            chunk = min(CHUNK_S, left)
            n = int(chunk * per_s + 0.5) or 0
            if n:
                self.xdotool("click", "--repeat", str(n), "--delay", str(int(1000 / max(per_s, 0.1))), "5")
                clicks += n
            time.sleep(max(0.0, chunk - n / max(per_s, 0.1)))
        return clicks

    def play(self, step: Step, t0: float) -> None:
        """Do one step (`t0`: the monotonic time of the situation's start)."""
        if step.action == "open":
            self.open(step.window, step.app, step.title, step.text)
        elif step.action == "focus":
            if step.title:
                self.set_title(step.window, step.title)
            self.focus(step.window)
        elif step.action == "title":
            self.set_title(step.window, step.title)
        elif step.action == "type":
            self.type_until(t0 + step.at + step.seconds, step.rate)
        elif step.action == "scroll":
            self.scroll_until(step.window, t0 + step.at + step.seconds, step.rate)
        elif step.action == "keys":
            self.xdotool("key", "--delay", "120", *step.keys.split())
        elif step.action == "close":
            self.close(step.window)
        else:
            raise ValueError(f"unknown step action {step.action!r}")

    def shutdown(self) -> None:
        try:
            self.conn.close()
        finally:
            super().shutdown()


def perform(desktop: Desktop, steps: tuple[Step, ...], t0: float) -> list[float]:
    """Play the steps that happen after the start on schedule (`t0`: monotonic start); returns each step's
    lateness in seconds (how far the desktop fell behind the script)."""
    late = []
    for step in steps:
        if step.at < 0:
            continue
        wait = t0 + step.at - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        late.append(max(0.0, time.monotonic() - t0 - step.at))
        desktop.play(step, t0)
    return late
