"""The tray app with a real Runtime, offscreen (no system tray there: cards only), and `proactive run`'s
desktop path in a subprocess: Ctrl+C and --for end it cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtGui import QGuiApplication

from assistant.app.runtime import Runtime
from assistant.core import config
from assistant.core.events import Event
from assistant.core.proposal import Proposal
from assistant.log import open_db
from assistant.log.proposals import record_proposal
from assistant.log.state import read_runtime
from tests.conftest import REPO
from tests.logsql import one
from ui import settings_io
from ui.app import TrayApp
from ui.settings import COLLECTORS

QUIET = {**{f"collectors.{name}.enabled": False for name in COLLECTORS}, "model.gguf_path": "/nonexistent.gguf"}


def quiet_config(home: Path, **extra) -> config.Config:
    """No collectors and a model path that does not exist: the runtime starts in a second, nothing heavy."""
    _, problems = settings_io.save({**QUIET, **extra})
    assert not problems, problems
    return config.load()


@pytest.fixture
def runtime(home: Path, consented: Path):
    said: list[str] = []
    rt = Runtime(quiet_config(home), headless=False, say=said.append)
    rt.said = said
    rt.start()
    yield rt
    rt.stop()


def test_tray_app_without_a_tray_shows_cards_pauses_and_forgets(qtbot, qapp, runtime):
    app = TrayApp(qapp, runtime)
    try:
        assert not app.has_tray
        assert any("No system tray" in line for line in runtime.said)
        app.start(None)

        # a proposal surfaced from the engine's thread becomes a card on the Qt thread
        db = open_db(runtime.db_path, check=False)
        p = Proposal(time=time.time(), task="Write down the three decisions from the call", score=0.7,
                     context="Editor:call.md", trigger="stall", history=["The user types in 'call.md'"],
                     observation_event_ids=[[1]])
        p.id = record_proposal(db, p, surfaced=True)
        threading.Thread(target=runtime.on_proposal, args=(p,)).start()
        qtbot.waitUntil(lambda: len(app.cards.cards) == 1, timeout=3000)
        card = app.cards.cards[0]
        assert card.isVisible() and card.task_label.text() == p.task
        area = QGuiApplication.primaryScreen().availableGeometry()
        assert card.geometry().right() > area.right() - 40 and card.geometry().bottom() > area.bottom() - 40

        # pause and resume reach the running runtime through the event log
        app.pause(30)
        qtbot.waitUntil(lambda: runtime.paused, timeout=4000)
        app.resume()
        qtbot.waitUntil(lambda: not runtime.paused, timeout=4000)

        # forget the last hour on a fresh connection
        runtime.writer.put(Event("window", "focus", app="gedit", title="secret plans.md - gedit"))
        runtime.writer.flush()
        assert one(db, "SELECT count(*) FROM events WHERE title LIKE 'secret%'")[0] == 1
        with qtbot.waitSignal(app.bridge.forgotten, timeout=10000):
            app.forget_recent(3600)
        assert one(db, "SELECT count(*) FROM events WHERE title LIKE 'secret%'")[0] == 0
        assert one(db, "SELECT count(*) FROM proposals")[0] == 0
        assert any(line.startswith("Forgotten: Deleted") for line in runtime.said)
        db.close()
    finally:
        app.shutdown()
    assert not app._loop.is_alive()
    assert app.cards.cards == []


def _start_cli(home: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PROACTIVE_HOME": str(home), "QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0",
           "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "assistant", "run", "--accept-defaults", *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _read_until(proc: subprocess.Popen, needle: str, timeout: float) -> str:
    seen: list[str] = []
    done = threading.Event()

    def reader() -> None:
        for line in proc.stdout:
            seen.append(line)
            if needle in line:
                done.set()
        done.set()

    threading.Thread(target=reader, daemon=True).start()
    done.wait(timeout)
    return "".join(seen)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_signal_quits_the_desktop_app_cleanly(home, signum):
    quiet_config(home)
    proc = _start_cli(home)
    try:
        out = _read_until(proc, "No system tray", 30)
        assert "No system tray" in out, out
        time.sleep(0.5)
        proc.send_signal(signum)
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    time.sleep(0.2)
    assert read_runtime(open_db()).running is False


def test_run_for_a_duration_ends_by_itself(home):
    quiet_config(home)
    proc = _start_cli(home, "--for", "3s")
    try:
        started = time.monotonic()
        out, _ = proc.communicate(timeout=40)
        assert proc.returncode == 0, out
        assert "Stopped." in out and "No system tray" in out
        assert time.monotonic() - started >= 3
    finally:
        if proc.poll() is None:
            proc.kill()


def test_the_headless_path_does_not_load_qt():
    code = ("import sys, assistant.cli.main, assistant.app.runtime; "
            "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'ui'))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_the_qt_binding_survives_a_long_session():
    """PySide6 6.12.0 dropped a reference to None on every call of a void method; on Python 3.11 the app then
    aborts ("deallocating None") after some thousand UI updates. A long session's worth of calls must pass."""
    code = ("from PySide6.QtWidgets import QApplication, QPushButton, QTextBrowser\n"
            "app = QApplication([]); b = QPushButton('x'); t = QTextBrowser()\n"
            "for i in range(30000):\n    b.setEnabled(i % 2 == 0)\n    t.setPlainText('x')\n"
            "import gc; gc.collect(); print('ok')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-500:]
