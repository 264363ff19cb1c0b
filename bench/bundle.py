"""The PyInstaller bundle as a user gets it: its size on disk and its start-up time to a visible tray icon.

    python -m bench.bundle [--runs 5] [--bundle dist/proactive]

Build it first (`bash packaging/build.sh`). Start-up is measured on Xvfb + openbox + trayer (a freedesktop system
tray): from launching `proactive run --accept-defaults` in a fresh PROACTIVE_HOME until the app's tray icon
window is embedded in trayer's panel (seen with `xwininfo -root -tree`, polled every 20 ms). The first launch
is reported as cold and dropped from the warm figures (the files are then in the page cache). The model loads
in the background after the tray shows, so it does not count. Writes bench/results/bundle.json.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bench.harness import percentile, report
from tests.display import XServer

REPO = Path(__file__).resolve().parent.parent
ICON = re.compile(r'"Proactive assistant": \("[^"]*" "Proactive assistant"\)\s+(\d+)x(\d+)\+\S+\s+\+(\d+)\+(\d+)')
TARGET_MB = 400
TARGET_S = 3.0


def size_bytes(folder: Path) -> int:
    """What `du -s` says, in bytes: blocks actually used on disk."""
    out = subprocess.run(["du", "-s", "--block-size=1", str(folder)], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[0])


def tray_icon_shown(x: XServer) -> bool:
    """The app's tray icon window, embedded in trayer at the top of the screen (not its 1x1 helper windows)."""
    tree = subprocess.run(["xwininfo", "-root", "-tree"], env=x.env, capture_output=True, text=True,
                          check=False).stdout
    return any(int(w) > 1 and int(h) > 1 and int(y) < 40 for w, h, _, y in ICON.findall(tree))


def start_to_tray(x: XServer, binary: Path, timeout: float = 60.0) -> float:
    home = Path(tempfile.mkdtemp(prefix="bench-bundle-"))
    env = {**x.env, "PROACTIVE_HOME": str(home)}
    env.pop("QT_QPA_PLATFORM", None)
    started = time.monotonic()
    proc = subprocess.Popen([str(binary), "run", "--accept-defaults", "--for", "60s"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.monotonic() - started < timeout:
            if tray_icon_shown(x):
                return time.monotonic() - started
            if proc.poll() is not None:
                raise RuntimeError(f"the bundle exited with {proc.returncode} before its tray icon showed")
            time.sleep(0.02)
        raise RuntimeError(f"no tray icon after {timeout:.0f} s")
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="warm launches (after one cold launch)")
    parser.add_argument("--bundle", type=Path, default=REPO / "dist" / "proactive")
    args = parser.parse_args()
    binary = args.bundle / "proactive"
    if not binary.exists():
        raise SystemExit(f"no bundle at {binary}: build it with `bash packaging/build.sh`")
    x = XServer()
    trayer = subprocess.Popen(["trayer", "--edge", "top", "--align", "right", "--widthtype", "request",
                               "--height", "28", "--SetDockType", "true"], env=x.env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)
        cold = start_to_tray(x, binary)
        warm = [start_to_tray(x, binary) for _ in range(args.runs)]
    finally:
        trayer.terminate()
        trayer.wait(5)
        x.shutdown()
    used = size_bytes(args.bundle)
    report("bundle", [
        ("bundle size (du -sh)", round(used / 2**20, 1), "MiB", f"<= {TARGET_MB}"),
        ("bundle size (du -s, 10^6 bytes)", round(used / 1e6, 1), "MB", f"<= {TARGET_MB}"),
        ("start to tray icon, cold (first launch)", round(cold, 3), "s", ""),
        ("start to tray icon, warm median", round(percentile(warm, 50), 3), "s", f"<= {TARGET_S:g}"),
        ("start to tray icon, warm max", round(max(warm), 3), "s", ""),
    ], extra={"runs": args.runs, "warm_s": [round(w, 3) for w in warm], "cpus": os.cpu_count(),
              "command": "proactive run --accept-defaults (Xvfb + openbox + trayer)"})


if __name__ == "__main__":
    main()
