"""The real system tray: Xvfb + openbox (tests/display.py) + trayer, which gives Qt a tray under Xvfb.

The tray app runs in a subprocess on that display (the in-process Qt app of the other UI tests is offscreen).
Set UI_SHOTS=/some/dir to keep a screenshot of the desktop with the open tray menu and a card.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.display import XServer, _wait, x_env, xserver  # noqa: F401
from ui import settings_io

pytestmark = pytest.mark.display

PROBE = r"""
import json, os, subprocess, threading, time
from PySide6.QtCore import QPoint, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from assistant.core import config
from assistant.log.proposals import record_proposal
from assistant.core.proposal import Proposal
from assistant.app.runtime import Runtime
from assistant.log import open_db
from ui.app import TrayApp

from assistant.app import control
app = QApplication([])
control.give_consent(open_db(), {}, via="flag")
runtime = Runtime(config.load(), say=lambda text: print("SAY", text, flush=True))
runtime.start()
tray = TrayApp(app, runtime)
tray.start(None)
out = {"has_tray": tray.has_tray}

def active_window():
    return subprocess.run(["xdotool", "getactivewindow", "getwindowname"], capture_output=True,
                          text=True).stdout.strip()

def menu_and_card():
    out["visible"] = tray.tray.isVisible()
    g = tray.tray.geometry()
    out["geometry"] = [g.x(), g.y(), g.width(), g.height()]
    out["entries"] = tray.menu_entries()
    tray.pause(30)
    out["entries_paused"] = tray.menu_entries()
    out["tooltip_paused"] = tray.tray.toolTip()
    tray.resume()
    out["active_before"] = active_window()
    db = open_db(runtime.db_path, check=False)
    p = Proposal(time=time.time(), task="List the open questions from the notes before the meeting",
                 score=0.7, context="Editor", trigger="stall",
                 history=["The user types in 'Editor' in Terminal for 2 minutes"], observation_event_ids=[[1]])
    p.id = record_proposal(db, p, surfaced=True)
    threading.Thread(target=runtime.on_proposal, args=(p,)).start()
    QTimer.singleShot(1500, check_card)

def check_card():
    card = tray.cards.cards[0]
    out["card_visible"] = card.isVisible()
    geo = card.frameGeometry()
    out["card"] = [geo.x(), geo.y(), geo.width(), geo.height()]
    out["active_after"] = active_window()
    g = tray.tray.geometry()
    tray.menu.popup(QPoint(g.x() - 200, g.y() + g.height()))
    QTimer.singleShot(700, finish)

def finish():
    shots = os.environ.get("UI_SHOTS")
    if shots:
        QGuiApplication.primaryScreen().grabWindow(0).save(os.path.join(shots, "tray-xvfb.png"))
    tray.menu.hide()
    print("RESULT " + json.dumps(out), flush=True)
    app.quit()

QTimer.singleShot(1500, menu_and_card)
app.exec()
tray.shutdown()
runtime.stop()
"""


@pytest.fixture
def tray_display(x_env: XServer):  # noqa: F811 (the fixture)
    """The X server with trayer running on it (a freedesktop system tray)."""
    if not shutil.which("trayer"):
        pytest.skip("needs trayer (apt-get install trayer)")
    proc = subprocess.Popen(["trayer", "--edge", "top", "--align", "right", "--widthtype", "request",
                             "--height", "28", "--SetDockType", "true"], env=x_env.env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(lambda: bool(x_env.xdotool("search", "--classname", "trayer").split()), 10, "trayer")
        yield x_env
    finally:
        proc.terminate()
        proc.wait(5)


def _env(xs: XServer, home: Path) -> dict[str, str]:
    env = {**xs.env, "PROACTIVE_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    env.pop("QT_QPA_PLATFORM", None)
    return env


def _quiet_config(home: Path) -> None:
    """Only the real window collector; a model path that does not exist, so nothing heavy loads."""
    names = ("window", "afk", "input", "processes", "clipboard", "browser_endpoint")
    changes = {**{f"collectors.{n}.enabled": n == "window" for n in names}, "model.gguf_path": "/nonexistent.gguf"}
    _, problems = settings_io.save(changes)
    assert not problems, problems


def test_tray_icon_menu_and_a_card_that_does_not_take_focus(tray_display: XServer, home: Path):
    _quiet_config(home)
    tray_display.open_window("Editor")
    proc = subprocess.run([sys.executable, "-c", PROBE], env=_env(tray_display, home), cwd=REPO,
                          capture_output=True, text=True, timeout=60, check=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stdout + proc.stderr
    out = json.loads(lines[0][len("RESULT "):])
    assert out["has_tray"] and out["visible"]
    x, y, w, h = out["geometry"]
    assert w > 0 and h > 0 and x > 1000 and y < 40  # embedded in trayer at the top right
    assert out["entries"][0].startswith("Running · 1 active, 6 off"), out["entries"][0]
    assert out["entries"][1:] == ["Pause for 30 min", "Pause until I resume", "Quiet for 1 hour", "Quiet for today",
                                  "Dashboard…", "Settings…", "Forget last hour…", "Quit"]
    assert out["entries_paused"][0].startswith("Paused until")
    assert "Resume" in out["entries_paused"] and "Pause for 30 min" not in out["entries_paused"]
    assert "Paused until" in out["tooltip_paused"]
    assert out["card_visible"]
    cx, cy, cw, ch = out["card"]
    assert cx + cw > 1280 - 60 and cy + ch > 800 - 60  # bottom-right corner of the screen
    assert out["active_before"] == out["active_after"] == "Editor"  # the card never took the focus


def test_proactive_run_uses_the_tray_when_there_is_one(tray_display: XServer, home: Path):
    _quiet_config(home)
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "assistant", "run", "--accept-defaults", "--for", "3s"], env=_env(tray_display, home),
                          cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No system tray" not in proc.stdout and "running headless" not in proc.stdout
    assert "Stopped." in proc.stdout and time.monotonic() - started >= 3


ONE_CARD_PROBE = r"""
import json, os, subprocess, threading, time
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from assistant.app import control
from assistant.app.runtime import Runtime
from assistant.core import config
from assistant.core.events import Event
from assistant.log import open_db
from ui.app import TrayApp
from tests.logsql import sql

app = QApplication([])
control.give_consent(open_db(), {}, via="flag")
runtime = Runtime(config.load(), say=lambda text: None, load_model=False)
runtime.start()
tray = TrayApp(app, runtime)
tray.start(None)
out = {"visible_cards": [], "tasks": []}
shots = os.environ.get("UI_SHOTS")

def focus(at, app_, title):
    runtime.sink(Event("window", "focus", start=at, duration=1.0, app=app_, title=title))

def visible_cards():
    ids = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^Suggestion$"], capture_output=True,
                         text=True).stdout.split()
    return len(ids)

def watch():  # every half second: how many card windows X shows
    out["visible_cards"].append(visible_cards())
    card = tray.cards.card
    if card is not None and card.proposal.task not in out["tasks"]:
        out["tasks"].append(card.proposal.task)

def step(name, then, wait_ms):
    if shots:
        QGuiApplication.primaryScreen().grabWindow(0).save(os.path.join(shots, f"one-card-{name}.png"))
    QTimer.singleShot(wait_ms, then)

def stuck_on_an_error():
    now = time.time()
    focus(now - 30, "xterm", "python billing.py: KeyError: 'total'")
    focus(now - 20, "code", "billing.py - invoices - Visual Studio Code")
    focus(now - 5, "xterm", "python billing.py: KeyError: 'total'")
    QTimer.singleShot(3000, lambda: step("first", another_need_waits, 100))

def another_need_waits():  # a reply and the same error looked up: one waits, one is the same need
    now = time.time()
    focus(now, "thunderbird", "Quarterly numbers for the board - Inbox - Mozilla Thunderbird")
    focus(now + 0.5, "firefox", "KeyError total dict - Google Search")
    focus(now + 1.0, "thunderbird", "Re: Quarterly numbers for the board - Write")
    QTimer.singleShot(19000, lambda: step("waiting", strong_evidence_replaces, 100))

def strong_evidence_replaces():  # another error seen again, the first card unanswered for 20 s: it gives way
    now = time.time()
    focus(now - 12, "xterm", "cargo build: error[E0382]: borrow of moved value: `v`")
    focus(now - 6, "code", "main.rs - borrow - Visual Studio Code")
    focus(now, "xterm", "cargo build: error[E0382]: borrow of moved value: `v`")
    QTimer.singleShot(3000, lambda: step("replaced", finish, 100))

def finish():
    db = open_db(runtime.db_path, check=False)
    out["labels"] = sql(db, "SELECT p.task, l.label FROM labels l JOIN proposals p ON p.id = "
                        "l.proposal_id ORDER BY l.id")
    out["shown"] = [r[0] for r in sql(db, "SELECT task FROM proposals WHERE surfaced = 1 ORDER BY id")]
    print("RESULT " + json.dumps(out), flush=True)
    app.quit()

timer = QTimer(interval=500)
timer.timeout.connect(watch)
timer.start()
QTimer.singleShot(1500, stuck_on_an_error)
app.exec()
tray.shutdown()
runtime.stop()
"""


def test_one_card_on_screen_another_need_waits_or_replaces_it(tray_display: XServer, home: Path):
    """The real chain and the real tray: a card about one error; a reply and a search for the same error meanwhile
    bring no second card; another error seen again after 20 s replaces the card, which is recorded as
    superseded (not as a judgement). X never shows two cards (UI_SHOTS keeps the screenshots)."""
    names = ("window", "afk", "input", "processes", "clipboard", "browser_endpoint")
    _, problems = settings_io.save({**{f"collectors.{n}.enabled": False for n in names},
                                    "model.gguf_path": "/nonexistent.gguf", "ui.card_timeout_seconds": 300.0})
    assert not problems, problems
    proc = subprocess.run([sys.executable, "-c", ONE_CARD_PROBE], env=_env(tray_display, home), cwd=REPO,
                          capture_output=True, text=True, timeout=120, check=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stdout + proc.stderr
    out = json.loads(lines[0][len("RESULT "):])
    assert max(out["visible_cards"]) == 1 and out["visible_cards"][-1] == 1, out["visible_cards"]
    assert len(out["shown"]) == 2, out["shown"]  # the error, then the other error: the reply waited
    first, second = out["shown"]
    assert "KeyError" in first and "E0382" in second
    assert out["tasks"] == [first, second]
    assert out["labels"] == [[first, "superseded"]]
