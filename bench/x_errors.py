"""A long headless run under Xvfb while windows open and close: does anything print X protocol errors?

    .venv/bin/python -m bench.x_errors [--minutes 30]

Starts Xvfb + openbox, a terminal window, and `proactive run --headless --accept-defaults` (the embedded model
loaded); then, until the time is up, opens windows, makes each the active one and destroys it a few
milliseconds later (10 s of that, 20 s pause), and stops the app with Ctrl+C. Prints how many windows came and
went, how many lines the app printed and how many of them were X errors (the test `tests/test_quiet_output.py`
does the same for 20 s). Writes bench/results/x_errors.json.
"""

from __future__ import annotations

import argparse
import signal
import tempfile
import time
from pathlib import Path

from bench.harness import report
from tests.display import XServer
from tests.test_quiet_output import X_NOISE, _flash_windows, _start, _wait_for


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=30.0)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="proactive-x-errors-"))
    server = XServer()
    proc = None
    try:
        server.open_window("Long run notes", ["xterm", "-T", "Long run notes", "-e", "sleep", "1000000"])
        wid = server.window_id("Long run notes") or ""
        proc = _start(home, server.env)
        out = _wait_for(proc, "Model ready", 300)
        flashed, end = 0, time.monotonic() + args.minutes * 60
        while time.monotonic() < end:
            flashed += _flash_windows(server.display, 10, seed=flashed)
            server.xdotool("windowactivate", wid)
            time.sleep(20)
        proc.send_signal(signal.SIGINT)
        out += proc.communicate(timeout=120)[0]
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
        server.shutdown()
    noise = sum(out.count(n) for n in X_NOISE)
    report("x_errors", [("minutes", args.minutes, "min", ""), ("windows opened and closed", float(flashed), "", ""),
                        ("lines printed", float(len(out.splitlines())), "", ""),
                        ("X error lines", float(noise), "", "0"),
                        ("'Model ready' lines", float(out.count("Model ready")), "", "1"),
                        ("goodbye printed", float("Stopped. Goodbye." in out), "", "1")],
           {"command": f"python -m bench.x_errors --minutes {args.minutes:g}"})


if __name__ == "__main__":
    main()
