"""Cost of the window collector on Wayland (sway IPC, wlr-foreign-toplevel on sway) beside X11 (Xvfb +
openbox), on the same scripted workload.

    .venv/bin/python -m bench.wayland_window [--busy 40] [--idle 20]

Each backend runs the window collector alone in a child process (`--child BACKEND`: privacy filter and a
counting sink, no writer, no engine) while the parent drives three terminal windows: busy phase, focus moves
to the next window every 0.5 s (xdotool windowactivate on X11, swaymsg focus on sway); idle phase, nothing.
Measured on the child after a 3 s warm-up: CPU % of one core (/proc/PID/task/*/schedstat), peak RSS (VmHWM)
and events emitted. The drivers' own cost (xdotool, swaymsg) is outside the child. Writes
bench/results/wayland_window.json.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.harness import report

REPO = Path(__file__).resolve().parent.parent
TITLES = ["Report draft", "Budget 2025", "Notes"]
WARMUP = 3.0


def _proc(pid: int) -> tuple[float, float]:
    """(CPU seconds of all live threads, nanosecond precision from schedstat; peak RSS in MB)."""
    cpu_ns = sum(int((task / "schedstat").read_text().split()[0]) for task in Path(f"/proc/{pid}/task").iterdir())
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return cpu_ns / 1e9, int(status["VmHWM"].split()[0]) / 1024


def child(backend: str) -> None:
    """Run one window collector until SIGTERM; print the number of events it emitted."""
    from assistant.core.config import default_config
    from collectors import window_backends
    from collectors.privacy import Emitter, PrivacyFilter
    from collectors.session import detect
    from collectors.window import FocusState, WindowCollector

    count = [0]
    emit = Emitter(PrivacyFilter.from_config(default_config()), lambda e: count.__setitem__(0, count[0] + 1))
    collector = WindowCollector(emit, FocusState(), 1.0, backend=window_backends.choose(backend, detect()))
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    collector.start()
    print(f"ready {collector.status()['state']}", flush=True)
    done.wait()
    collector.stop()
    print(f"events {count[0]}", flush=True)


def _measure(backend: str, env: dict[str, str], focus, busy: float, idle: float) -> dict[str, float]:
    proc = subprocess.Popen([sys.executable, "-m", "bench.wayland_window", "--child", backend], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    if line != "ready running":
        proc.kill()
        raise RuntimeError(f"the {backend} collector did not start: {line}")
    time.sleep(WARMUP)
    cpu0, _ = _proc(proc.pid)
    start = time.monotonic()
    i = 0
    while time.monotonic() - start < busy:
        focus(TITLES[i % len(TITLES)])
        i += 1
        time.sleep(max(0.0, start + i * 0.5 - time.monotonic()))
    cpu1, _ = _proc(proc.pid)
    busy_s = time.monotonic() - start
    time.sleep(idle)
    cpu2, hwm = _proc(proc.pid)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=20)
    events = int(out.split()[-1]) if out.split() else -1
    return {"cpu_busy": 100 * (cpu1 - cpu0) / busy_s, "cpu_idle": 100 * (cpu2 - cpu1) / idle, "rss_mb": hwm,
            "events": events, "switches": i}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--busy", type=float, default=40.0)
    parser.add_argument("--idle", type=float, default=20.0)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    from tests.display import XServer
    from tests.wayland import Sway

    results: dict[str, dict[str, float]] = {}
    x = XServer()
    try:
        for title in TITLES:
            x.open_window(title)
        env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "SWAYSOCK")}
        env["DISPLAY"] = x.display
        results["x11"] = _measure("x11", env, x.activate, args.busy, args.idle)
    finally:
        x.shutdown()
    sway = Sway()
    try:
        for title in TITLES:
            sway.open_window(title)
        env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
        env.update(sway.env)
        results["sway"] = _measure("sway", env, sway.focus, args.busy, args.idle)
        results["wlr"] = _measure("wlr", env, sway.focus, args.busy, args.idle)
    finally:
        sway.shutdown()
    rows = []
    names = {"x11": "X11 (python-xlib, Xvfb+openbox)", "sway": "Wayland sway IPC",
             "wlr": "Wayland wlr-foreign-toplevel (on sway)"}
    for key, r in results.items():
        rows += [(f"{names[key]}: CPU busy (2 switches/s)", r["cpu_busy"], "% of a core", "< 2"),
                 (f"{names[key]}: CPU idle", r["cpu_idle"], "% of a core", "< 0.2"),
                 (f"{names[key]}: peak RSS", r["rss_mb"], "MB", "< 60"),
                 (f"{names[key]}: events", f"{int(r['events'])} for {int(r['switches'])} switches", "", "")]
    report("wayland_window", rows, {"busy_seconds": args.busy, "idle_seconds": args.idle, "raw": results})


if __name__ == "__main__":
    main()
