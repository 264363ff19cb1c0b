"""Cost of the default collectors in `proactive run --headless` on Xvfb + openbox, per 8-hour day.

    .venv/bin/python -m bench.collectors [--seconds 180] [--idle-seconds 60]

Busy phase: three xterm windows; every 2 s switch window, type ~20 characters, move into the window and
click; the last 10 s of every 30 s are idle. Idle phase: no input at all. Each phase is its own
`proactive run --headless` (fresh PROACTIVE_HOME, default config, --no-model) measured after a
warm-up: CPU % of one core (/proc/PID/stat utime+stime), peak RSS (VmHWM), rows and DB growth (page count
of a backup copy, WAL included), bytes written (/proc/PID/io write_bytes), each extrapolated to 8 hours.
The same two phases are then run with only the collectors and the real event writer in a process
(`--child`, no decision engine) to show the collectors' own share. A third app phase makes decisions: the
same busy drive over windows that show errors and searches (cards are due), with cards closing unanswered
after 10 s, so the judge also learns from the ignored cards while it is measured. Writes
bench/results/collectors.json.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.log import open_db
from assistant.log.housekeeping import consistent_size
from assistant.log.proposals import day_counts
from bench.harness import report

if TYPE_CHECKING:  # imported in main(): the --child process measured must not carry pytest
    from tests.display import XServer

REPO = Path(__file__).resolve().parent.parent
DAY = 8 * 3600
WARMUP = 8.0
TICK = os.sysconf("SC_CLK_TCK")
TARGETS = {"cpu_busy": 0.4, "cpu_idle": 0.1, "rss_mb": 45, "db_mb_day": 1.0, "written_mb_day": 20}
# windows of the decision phase (invented; xdotool finds them by regex: no brackets): an error, looking it up,
# another error, a document
NEEDS = ["python ledger.py: KeyError: 'month'", "python KeyError month dict - Google Search",
         "cargo build: error E0382: borrow of moved value: v", "Report draft"]
CARD_SECONDS = 10  # the decision phase: an unanswered card closes (and is learned as ignored) after this long
WORDS = ["the", "quick", "brown", "fox", "jumps", "over", "a", "lazy", "dog", "while", "typing", "notes"]


def _proc(pid: int) -> dict[str, float]:
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    io = dict(line.split(": ") for line in Path(f"/proc/{pid}/io").read_text().splitlines())
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return {"cpu_s": (int(stat[11]) + int(stat[12])) / TICK, "write_bytes": int(io["write_bytes"]),
            "hwm_mb": int(status["VmHWM"].split()[0]) / 1024}


def _db(home: Path) -> tuple[int, int]:
    """(rows in events, bytes of a consistent copy of the DB, WAL included)."""
    return consistent_size(home / "data" / "events.db")


def _drive(x: XServer, titles: list[str], seconds: float) -> int:
    """Synthetic activity; returns the number of characters typed."""
    start = time.monotonic()
    typed = i = 0
    while (elapsed := time.monotonic() - start) < seconds:
        step_end = start + (int(elapsed / 2) + 1) * 2
        if elapsed % 30 < 20:  # the last 10 s of every 30 s are idle
            title = titles[i % len(titles)]
            i += 1
            x.activate(title)
            text = " ".join(WORDS[(i + k) % len(WORDS)] for k in range(4))[:20]
            x.type(text, delay_ms=20)
            typed += len(text)
            x.move_into(title, 40 + i % 50, 40 + i % 30)
            x.click(1)
        time.sleep(max(0.0, step_end - time.monotonic()))
    return typed


def _phase(x: XServer, titles: list[str], seconds: float, busy: bool, app: bool,
           decide: bool = False) -> dict[str, float]:
    home = Path(tempfile.mkdtemp(prefix="bench-collectors-"))
    if decide:
        (home / "config").mkdir(parents=True)
        (home / "config" / "config.yaml").write_text(f"ui:\n  card_timeout_seconds: {CARD_SECONDS}\n")
    env = {**x.env, "PROACTIVE_HOME": str(home)}
    run_for = f"{WARMUP + seconds + 3:.0f}"
    command = (["-m", "assistant", "run", "--accept-defaults", "--headless", "--no-model", "--for", run_for + "s"] if app
               else ["-m", "bench.collectors", "--child", run_for])
    proc = subprocess.Popen([sys.executable, *command], env=env, cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(WARMUP)
        before, (rows0, size0), t0 = _proc(proc.pid), _db(home), time.monotonic()
        typed = _drive(x, titles, seconds) if busy else time.sleep(seconds) or 0
        after, t1 = _proc(proc.pid), time.monotonic()
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    rows1, size1 = _db(home)
    scale = DAY / (t1 - t0)
    counts = day_counts(open_db(home / "data" / "events.db"), 0.0) if app else {}
    return {"cards": counts.get("shown", 0), "ignored": counts.get("ignored", 0),"cpu_pct": 100 * (after["cpu_s"] - before["cpu_s"]) / (t1 - t0), "rss_mb": after["hwm_mb"],
            "rows_day": (rows1 - rows0) * scale, "db_mb_day": (size1 - size0) * scale / 1e6,
            "written_mb_day": (after["write_bytes"] - before["write_bytes"]) * scale / 1e6,
            "rows": rows1 - rows0, "seconds": t1 - t0, "typed_chars": typed}


# No model is loaded: a GGUF path that does not exist makes the model part disabled, the rest runs.


def child(seconds: float) -> None:
    """Collectors + the real event writer only (no decision engine): the collectors' own share."""
    from assistant.core import config, paths
    from assistant.log import EventWriter
    from collectors.registry import build_collectors

    cfg = config.load()
    writer = EventWriter(paths.db_path(), commit_interval=cfg["storage.commit_interval"]).start()
    collectors = build_collectors(cfg, writer.put)
    for c in collectors:
        c.start()
    time.sleep(seconds)
    for c in collectors:
        c.stop()
    writer.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--child", type=float, help=argparse.SUPPRESS)
    ap.add_argument("--seconds", type=float, default=180.0, help="busy phase length (default 180)")
    ap.add_argument("--idle-seconds", type=float, default=None, help="idle phase length (default seconds/3)")
    args = ap.parse_args()
    if args.child:
        return child(args.child)
    idle_seconds = args.idle_seconds if args.idle_seconds is not None else args.seconds / 3
    from tests.display import XServer

    x = XServer()
    try:
        titles = ["Report draft", "Budget review", "Meeting notes"]
        for title in titles:
            x.open_window(title)
        busy = _phase(x, titles, args.seconds, busy=True, app=True)
        idle = _phase(x, titles, idle_seconds, busy=False, app=True)
        for title in NEEDS:
            if x.window_id(title) is None:
                x.open_window(title)
        decide = _phase(x, NEEDS, args.seconds, busy=True, app=True, decide=True)
        own_busy = _phase(x, titles, args.seconds, busy=True, app=False)
        own_idle = _phase(x, titles, idle_seconds, busy=False, app=False)
    finally:
        x.shutdown()

    t = TARGETS
    rows = [
        ("busy: CPU of one core", busy["cpu_pct"], "%", f"<= {t['cpu_busy']}"),
        ("idle: CPU of one core", idle["cpu_pct"], "%", f"<= {t['cpu_idle']}"),
        ("peak RSS (busy run)", busy["rss_mb"], "MB", f"<= {t['rss_mb']}"),
        ("peak RSS (idle run)", idle["rss_mb"], "MB", f"<= {t['rss_mb']}"),
        ("deciding: CPU of one core", decide["cpu_pct"], "%", f"<= {t['cpu_busy']}"),
        ("deciding: peak RSS", decide["rss_mb"], "MB", f"<= {t['rss_mb']}"),
        ("deciding: cards shown", decide["cards"], "cards", ""),
        ("deciding: ignored cards learned from", decide["ignored"], "answers", ""),
        ("busy: rows per 8 h", busy["rows_day"], "rows", ""),
        ("idle: rows per 8 h", idle["rows_day"], "rows", ""),
        ("busy: DB growth per 8 h", busy["db_mb_day"], "MB", f"<= {t['db_mb_day']}"),
        ("idle: DB growth per 8 h", idle["db_mb_day"], "MB", f"<= {t['db_mb_day']}"),
        ("busy: bytes written per 8 h", busy["written_mb_day"], "MB", f"<= {t['written_mb_day']}"),
        ("idle: bytes written per 8 h", idle["written_mb_day"], "MB", f"<= {t['written_mb_day']}"),
        ("collectors+writer only, busy: CPU", own_busy["cpu_pct"], "%", ""),
        ("collectors+writer only, idle: CPU", own_idle["cpu_pct"], "%", ""),
        ("collectors+writer only: peak RSS", own_busy["rss_mb"], "MB", ""),
        ("collectors+writer only, busy: written per 8 h", own_busy["written_mb_day"], "MB", ""),
    ]
    report("collectors", rows, {"busy": busy, "idle": idle, "deciding": decide, "collectors_only_busy": own_busy,
                                "collectors_only_idle": own_idle,
                                "setup": {"busy_seconds": args.seconds, "idle_seconds": idle_seconds,
                                          "warmup_seconds": WARMUP, "command": "proactive run --headless",
                                          "deciding": f"windows {NEEDS}, cards close after {CARD_SECONDS} s",
                                          "model": "off (proactive run --no-model)"}})


if __name__ == "__main__":
    main()
