"""Regenerate the README's and docs' screenshots from a realistic recorded week, with the real app.

    .venv/bin/python -m bench.screenshots [--out docs/screenshots] [--no-model]

Records the sample week of `bench.sample_day` (through the privacy filter and the real writer) into a fresh data
folder, starts the real runtime on it (collectors, engine, the embedded model) under its own X server (Xvfb and
openbox, started here when DISPLAY is not set), and saves: the first-run screen, every dashboard tab, the week
view, a visit found by search, a hover on the timeline, the settings window's Suggestions, Privacy and Categories
tabs, the tray menu, a suggestion card and the task panel carrying an accepted task out (the model writes its
answer for real; `assist.max_tokens` is 200 here). The dashboard's clock is 17:45 today, the end of the day.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def start_x() -> list[subprocess.Popen]:
    """Xvfb + openbox on a free display (DISPLAY is set for this process); [] when DISPLAY was set already."""
    if os.environ.get("DISPLAY") or not shutil.which("Xvfb"):
        return []
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1600x1000x24", "-nolisten",
                             "tcp"], pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        os.environ["DISPLAY"] = f":{int(pipe.readline().strip())}"
    procs = [xvfb]
    if shutil.which("openbox"):
        procs.append(subprocess.Popen(["openbox"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(1.0)
    return procs


def wait(app, check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        if check():
            return True
        time.sleep(0.05)
    return False


def save(widget, out: Path, name: str, app) -> Path:
    for _ in range(3):
        app.processEvents()
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    print(f"  {path}")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--no-model", action="store_true", help="Do not load the model (no task panel answer).")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="proactive-shots-"))
    # a fresh home folder, so the windows show the default places (~/.local/share/proactive), not a temp path
    os.environ["HOME"] = str(home)
    for name in ("PROACTIVE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        os.environ.pop(name, None)
    xprocs = start_x()
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb" if os.environ.get("DISPLAY") else "offscreen")
    try:
        shoot(home, args.out, not args.no_model)
    finally:
        for proc in reversed(xprocs):
            proc.terminate()
        shutil.rmtree(home, ignore_errors=True)


def shoot(home: Path, out: Path, with_model: bool) -> None:
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QApplication

    from assistant.app import control
    from assistant.app.assist import TaskHelp
    from assistant.app.runtime import Runtime
    from assistant.app.status import collect
    from assistant.core import config, paths
    from assistant.core.proposal import Proposal
    from assistant.log import open_db
    from assistant.log.decisions import proposal_by_id
    from bench.sample_day import record_sample_week
    from ui import dashboard as dashboard_module
    from ui.app import TrayApp
    from ui.card import SuggestionCard
    from ui.dashboard import Dashboard
    from ui.panel import TaskPanel
    from ui.settings import SettingsDialog

    from ui import settings_io
    from ui.first_run import FirstRunDialog

    out.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.combine(dt.date.today(), dt.time(17, 45)).timestamp()
    settings_io.save({"assist.max_tokens": 200})  # the tiny model's answer fits the panel (its own setting)
    cfg = config.load()
    db = open_db()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Proactive assistant")
    first = FirstRunDialog(db)
    first.show()
    save(first, out, "first-run", app)
    first.close()
    control.give_consent(db, via="flag")
    made = record_sample_week(paths.db_path(), now)
    print(f"recorded {made['events']:,} events ({made['dropped_by_privacy']} dropped by the privacy filter: the "
          f"app's own window), {made['shown']} suggestions")
    runtime = Runtime(cfg, headless=False, say=lambda text: print(f"  app: {text}"), load_model=with_model)
    runtime.start()
    tray = TrayApp(app, runtime)
    try:
        if with_model:
            wait(app, lambda: runtime.live.model_part["state"] != "loading", 120)
        board = Dashboard(db, lambda: collect(db, runtime), clock=lambda: now, categories=cfg["dashboard.categories"])
        board.resize(1280, 820)
        board.show()
        wait(app, board.isVisible, 5)
        board.refresh()
        names = ["dashboard-timeline", "dashboard-activity", "dashboard-suggestions", "dashboard-accepted",
                 "dashboard-search", "dashboard-review", "dashboard-models"]
        for index, name in enumerate(names):
            board.tabs.setCurrentIndex(index)
            if index == dashboard_module.SEARCH:
                board.search_tab.search("billing")
            save(board, out, name, app)
        board.tabs.setCurrentIndex(dashboard_module.TIMELINE)
        board.week_button.setChecked(True)
        save(board, out, "dashboard-week", app)
        board.week_button.setChecked(False)
        board.search_tab.search("Stack Overflow")
        board.search_tab.choose(0)  # a visit, shown in the timeline
        save(board, out, "dashboard-visit", app)
        hover(board, app, out)
        board.rules.confirm = False  # as a right-click in the dashboard would: two rules of the user's own
        board.rules.never_app("signal-desktop")
        board.rules.never_site("netflix.com")
        settings = SettingsDialog()
        settings.show()
        for index, name in ((0, "settings-suggestions"), (2, "settings-privacy"), (3, "settings-categories")):
            settings.tabs.setCurrentIndex(index)
            save(settings, out, name, app)
        settings.close()
        if tray.tray is None:
            tray._build_tray()  # no system tray on a bare X server: the same menu, shown on its own
        tray.update_status()
        tray.menu.popup(QPoint(900, 60))
        wait(app, tray.menu.isVisible, 5)
        save(tray.menu, out, "tray-menu", app)
        tray.menu.hide()
        rows = data_rows(db)
        waiting = next((r for r in rows if r[1] is None), rows[-1])  # an unanswered one, else the newest
        record = proposal_by_id(db, waiting[0])
        shown = Proposal(time=time.time(), task=record.task, score=record.score or 0.0, context=record.where,
                         trigger=record.trigger, history=record.history, observation_event_ids=record.event_ids,
                         kind=record.kind or "none", id=record.id, history_times=record.times)
        card = SuggestionCard(shown, lambda *a: None, 600)
        card.show()
        save(card, out, "card", app)
        card.close()
        if with_model:
            accepted = next(r for r in data_rows(db) if r[1] == "accepted")
            backend, why = runtime.answer_backend()
            panel = TaskPanel(TaskHelp.open(db, accepted[0], cfg), db, backend, unavailable=why)
            panel.resize(620, 560)
            panel.show()
            if not wait(app, lambda: panel.helpful_button.isEnabled(), 300):
                print("  (the answer was still being written after 5 minutes)")
            save(panel, out, "task-panel", app)
            panel.close()
        board.close()
    finally:
        tray.shutdown()
        runtime.stop()
        db.close()


def data_rows(db) -> list[tuple[int, str | None]]:
    """(proposal id, latest answer) of today's shown suggestions, oldest first."""
    from assistant.log.proposals import recent_proposals

    start = dt.datetime.combine(dt.date.today(), dt.time()).timestamp()
    return [(r.id, r.label) for r in reversed(recent_proposals(db, 1000)) if r.time >= start]


def hover(board, app, out: Path) -> None:
    """The timeline's hover details over a firefox bar (the label the pointer brings up)."""
    from PySide6.QtCore import QPointF

    board.go_today()
    chart = board.timeline
    chart.fit()
    piece = max((p for p in board.period.pieces if p.app == "firefox"), key=lambda p: p.seconds)
    lane = next(i for i, r in enumerate(chart.rows) if r.name == piece.app)
    x = ((piece.start + piece.end) / 2 - chart.period.start) / 3600
    chart._hover(chart.box.mapViewToScene(QPointF(x, chart._y(lane) + 0.5)))
    save(board, out, "dashboard-hover", app)


if __name__ == "__main__":
    main()
