"""The model loaded when it is needed: Accept -> first token, cold and warm, and the tray's memory before any Accept.

    .venv/bin/python -m bench.model_load [--out bench/results/model_load.json] [--runs 5] [--threads 2]
                                         [--tray-seconds 40] [--shot docs/img/task-panel-loading.png]

1. Accept -> first token, in process, with the real embedded model through llama.cpp and the app's own parts:
   the live loop's `ModelHolder` (`assistant.app.live.LiveLoop`, default config), a proposal in a fresh log, and
   what an Accept runs (`TaskHelp.open` then `start`, facts on). Cold: `model.keep_alive: 0`, so the model is
   released after every answer and each Accept loads it again (the very first one also imports llama.cpp: shown
   apart). Warm: `model.keep_alive: 5m`, the Accepts after a first one. The time is from the Accept to the
   model's first token (the checked Fix, when there is one, comes earlier: "first words"). Resident memory of
   this process before the first load, while loaded and after the release is shown too.
2. The tray app's resident memory (`proactive run --accept-defaults`, Qt offscreen) with the default model
   configured and no task accepted: sampled every second for `--tray-seconds`, and whether llama.cpp's library
   was mapped at all (it should not be).
3. With `--shot`: the task panel while the model loads (Qt offscreen), saved as a PNG.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.harness import RESULTS, report

REPO = Path(__file__).resolve().parent.parent
KEYS = ("total", "price", "user_id", "amount", "name", "created", "status", "email", "rate", "items", "tax")


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory of a process now, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _proposal(db: Any, n: int = 0) -> int:
    """A card about a KeyError; `n` varies the key and file, so no two Accepts send the same prompt (llama.cpp
    would reuse the previous prompt's evaluation)."""
    from assistant.core.proposal import Proposal
    from assistant.log.proposals import record_proposal

    key, file = KEYS[n % len(KEYS)], f"billing{n}.py"
    history = [f"The user edits '{file}' in a code editor.",
               f"The user runs 'python {file}' in a terminal and sees 'KeyError: {key}'."]
    p = Proposal(time=time.time(), task=f"Explain the error 'KeyError: {key}' and suggest a fix in '{file}'.",
                 score=0.8, context=f"code|{file}", trigger="error", history=history,
                 observation_event_ids=[[1], [2]], kind="explain_error")
    return record_proposal(db, p, surfaced=True)


def accept_once(live: Any, db: Any, n: int, cfg: Any) -> dict[str, float]:
    """One Accept (of a new card) as the tray runs it; stops the answer after the model's first token."""
    from assistant.app.assist import TaskHelp

    pid = _proposal(db, n)
    t0 = time.perf_counter()
    help_ = TaskHelp.open(db, pid, cfg)
    stream = help_.start(live.backend)
    first_words = None
    for _ in stream:
        first_words = first_words if first_words is not None else time.perf_counter() - t0
        if stream.stream.stats.model_first_token_s is not None:
            break
    model_first = time.perf_counter() - t0
    stream.close()
    stream.answer(timeout=60)
    return {"first_words_s": first_words or model_first, "model_first_token_s": model_first}


def measure_accepts(runs: int, threads: int) -> tuple[list[tuple[str, float, str, str]], dict]:
    from assistant.app.live import LiveLoop
    from assistant.core import paths
    from assistant.core.config import default_config
    from assistant.log import open_db

    rows: list[tuple[str, float, str, str]] = []
    raw: dict[str, Any] = {}
    for mode, keep in (("cold", "0"), ("warm", "5m")):
        cfg = default_config().with_overrides({"model.keep_alive": keep, "model.threads": threads})
        live = LiveLoop(cfg, paths.db_path(), surface=lambda p: None)
        live.start()
        db = open_db(paths.db_path())
        holder = live.backend
        before = rss_mb()
        assert not holder.loaded, "the model was loaded before any Accept"
        times = []
        first = accept_once(live, db, 0 if mode == "cold" else 1, cfg)  # cold: the first also imports llama.cpp; warm: primes it
        if mode == "cold":
            raw["first_ever"] = first
        loaded_rss = rss_mb()
        for n in range(runs):
            if mode == "cold":
                holder.wait_for(lambda h: not h.loaded, 30)  # released: the next Accept loads again
            times.append(accept_once(live, db, n + 2, cfg))
        if mode == "cold":
            holder.wait_for(lambda h: not h.loaded, 30)
            raw["rss_mb"] = {"before_first_load": before, "loaded": loaded_rss, "after_release": rss_mb()}
        raw[mode] = times
        raw[f"{mode}_loads"] = holder.loads
        p50 = statistics.median(t["model_first_token_s"] for t in times)
        words = statistics.median(t["first_words_s"] for t in times)
        target = "<= 4 s" if mode == "cold" else "<= 1 s"
        rows.append((f"Accept -> model's first token, {mode}, p50 of {runs}", p50, "s", target))
        rows.append((f"Accept -> first words, {mode}, p50 of {runs}", words, "s", ""))
        live.stop()
        db.close()
    rows.insert(0, ("Accept -> model's first token, very first (imports llama.cpp)",
                    raw["first_ever"]["model_first_token_s"], "s", ""))
    rows.append(("bench process resident before the first load", raw["rss_mb"]["before_first_load"], "MB", ""))
    rows.append(("bench process resident with the model loaded", raw["rss_mb"]["loaded"], "MB", ""))
    rows.append(("bench process resident after the release", raw["rss_mb"]["after_release"], "MB", ""))
    return rows, raw


def measure_tray(home: Path, seconds: float) -> tuple[list[tuple[str, float, str, str]], dict]:
    """`proactive run` with the tray, default model, no Accept: resident memory over `seconds`. Without a desktop
    it runs under its own Xvfb (bench.screenshots.start_x), so the window collector and Qt run as on a desktop."""
    from bench.screenshots import start_x

    xprocs = start_x()
    env = {**os.environ, "PROACTIVE_HOME": str(home), "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(REPO)}
    env.pop("WAYLAND_DISPLAY", None)
    if "DISPLAY" not in env:  # no X server at all: Qt offscreen (the window collector then says it cannot watch)
        env.update({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"})
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "run", "--accept-defaults", "--for",
                             f"{seconds + 30:g}s"], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    samples: list[float] = []
    llama_mapped = False
    try:
        time.sleep(5)
        end = time.monotonic() + seconds
        while time.monotonic() < end and proc.poll() is None:
            samples.append(rss_mb(proc.pid))
            maps = Path(f"/proc/{proc.pid}/maps").read_text(errors="replace")
            llama_mapped = llama_mapped or "libllama" in maps or ".gguf" in maps
            time.sleep(1.0)
    finally:
        proc.terminate()
        out = proc.communicate(timeout=60)[0]
        for xproc in xprocs:
            xproc.terminate()
            xproc.wait(10)
        if xprocs:
            os.environ.pop("DISPLAY", None)  # set by start_x for a server that is gone now
    if not samples:
        raise SystemExit(f"the tray app did not run:\n{out}")
    rows = [("tray app resident, default model, no Accept (max)", max(samples), "MB", "<= 120 MB"),
            ("tray app resident, default model, no Accept (last)", samples[-1], "MB", ""),
            ("llama.cpp mapped in the tray app before an Accept", float(llama_mapped), "", "0")]
    return rows, {"tray_rss_samples_mb": samples, "tray_output_tail": out[-2000:],
                  "tray_display": "own Xvfb" if xprocs else env["DISPLAY"]}


def loading_shot(path: Path) -> bool:
    """The task panel while the embedded model loads, saved to `path` (Qt offscreen). False if it loaded
    before the panel could show it."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from assistant.app.assist import TaskHelp
    from assistant.app.live import LiveLoop
    from assistant.core import paths
    from assistant.core.config import default_config
    from assistant.log import open_db
    from ui.panel import TaskPanel

    app = QApplication.instance() or QApplication(sys.argv[:1])
    cfg = default_config()
    live = LiveLoop(cfg, paths.db_path(), surface=lambda p: None)
    live.start()
    db = open_db(paths.db_path())
    panel = TaskPanel(TaskHelp.open(db, _proposal(db), cfg), db, live.backend)
    panel.resize(620, 420)
    panel.show()
    deadline = time.monotonic() + 10
    image = None  # the last look at the panel while it said "Loading the model…" (after 0.3 s at most)
    while time.monotonic() < deadline:
        app.processEvents()
        if panel.loading_bar.isVisible():
            image = panel.grab()
            since = live.backend.loading_since
            if since is None or time.monotonic() - since >= 0.3:
                break
        elif image is not None:
            break
        time.sleep(0.02)
    seen = image is not None
    if image is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        image.save(str(path))
        print(f"  {path}")
    live.backend.wait_for(lambda h: h.state != "loading", 60)  # llama.cpp points stdout at /dev/null meanwhile
    panel.close()
    live.stop()
    db.close()
    return seen


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=RESULTS / "model_load.json")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2, help="CPU cores the model may use")
    ap.add_argument("--tray-seconds", type=float, default=40.0)
    ap.add_argument("--shot", type=Path, help="also save the panel while the model loads (PNG)")
    args = ap.parse_args()
    load_start = os.getloadavg()[0]  # other programs busy on the same cores slow every figure
    with tempfile.TemporaryDirectory(prefix="model-load-") as tmp:
        os.environ["PROACTIVE_HOME"] = str(Path(tmp) / "inproc")
        tray_rows, tray_raw = measure_tray(Path(tmp) / "tray", args.tray_seconds)  # first: nothing else runs
        rows, raw = measure_accepts(args.runs, args.threads)
        shot = loading_shot(args.shot) if args.shot else None
    result = report("model_load", rows + tray_rows, {
        "command": f"python -m bench.model_load --runs {args.runs} --threads {args.threads} "
                   f"--tray-seconds {args.tray_seconds:g}", "cores": os.cpu_count(),
        "load_average_1m": {"start": load_start, "end": os.getloadavg()[0]}, "runs": raw, **tray_raw,
        "loading_shot": str(args.shot) if shot else None})
    if args.out.resolve() != (RESULTS / "model_load.json").resolve():
        import json

        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2))
        print(f"written {args.out}")


if __name__ == "__main__":
    main()
