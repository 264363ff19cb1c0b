"""The tray app: `run_tray(runtime, seconds)` owns the main thread while the assistant runs with a desktop.

The runtime's status loop (`Runtime.run`: pause checks, status writes) runs in a background thread; the engine
calls `runtime.on_proposal` from its own thread, so proposals cross to the Qt thread through a Signal. Without a
system tray the cards still appear at the bottom-right of the screen and Ctrl+C quits.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox, QSystemTrayIcon

from assistant.app import control
from assistant.app.assist import TaskHelp, search_url, tiny_notice_once
from assistant.app.status import Status, collect
from assistant.log import open_db
from ui import data, theme
from ui.card import CardSlot, SuggestionCard
from ui.panel import TaskPanel
from ui.screen import fit_on_screen
from ui.single_instance import InstanceServer

STATUS_MS = 5000
SIGNAL_POLL_MS = 250  # lets Python run its signal handlers (Ctrl+C) while Qt's loop runs
FORGET_SECONDS = 3600


class _Bridge(QObject):
    """Carries objects from the engine's thread to the Qt thread (queued connection)."""

    proposal = Signal(object)
    forgotten = Signal(object)


class TrayApp(QObject):
    def __init__(self, app: QApplication, runtime: Any):
        super().__init__()
        self.app = app
        self.runtime = runtime
        self.say = getattr(runtime, "say", print)
        self.db = open_db(runtime.db_path)
        self.cards = CardSlot()
        self.panels: list[TaskPanel] = []
        self.dashboard = None
        self.settings = None
        self.bridge = _Bridge()
        self.bridge.proposal.connect(self.show_proposal)
        self.bridge.forgotten.connect(self._forgotten)
        runtime.on_proposal = self.bridge.proposal.emit
        self.has_tray = QSystemTrayIcon.isSystemTrayAvailable()
        self.tray: QSystemTrayIcon | None = None
        if self.has_tray:
            self._build_tray()
        else:
            self.say("No system tray on this desktop: suggestions appear as cards at the bottom-right of the "
                     "screen. Press Ctrl+C to quit.")
        self.status_timer = QTimer(self, interval=STATUS_MS)
        self.status_timer.timeout.connect(self.update_status)
        self.status_timer.start()
        self.signal_timer = QTimer(self, interval=SIGNAL_POLL_MS)
        self.signal_timer.timeout.connect(lambda: None)
        self.signal_timer.start()
        self._loop: threading.Thread | None = None
        self.instance = InstanceServer(self)  # a second launch brings the dashboard forward
        self.instance.show_requested.connect(self._second_launch)

    def _second_launch(self) -> None:
        self.say("A second launch asked for the dashboard: brought forward.")
        self.open_dashboard()

    # ------------------------------------------------------------ tray and menu

    def _build_tray(self) -> None:
        self.tray = QSystemTrayIcon(theme.icon("assistant"), self)
        menu = QMenu()
        self.status_action = menu.addAction("")
        self.status_action.setEnabled(False)
        menu.addSeparator()
        self.pause30_action = menu.addAction("Pause for 30 min", lambda: self.pause(30))
        self.pause_action = menu.addAction("Pause until I resume", lambda: self.pause(None))
        self.resume_action = menu.addAction("Resume", self.resume)
        menu.addSeparator()
        self.quiet_hour_action = menu.addAction("Quiet for 1 hour", lambda: self.quiet(3600.0))
        self.quiet_today_action = menu.addAction("Quiet for today", lambda: self.quiet("today"))
        self.speak_action = menu.addAction("Suggestions on again", lambda: self.quiet(None))
        menu.addSeparator()
        menu.addAction("Dashboard…", self.open_dashboard)
        menu.addAction("Settings…", self.open_settings)
        menu.addAction("Forget last hour…", self.ask_forget)
        menu.addSeparator()
        menu.addAction("Quit", self.app.quit)
        menu.aboutToShow.connect(self.update_status)
        self.menu = menu
        self.tray.setContextMenu(menu)
        self.tray.activated.connect(self._activated)
        self.update_status()
        self.tray.show()

    def menu_entries(self) -> list[str]:
        return [a.text() for a in self.menu.actions() if not a.isSeparator() and a.isVisible()]

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.open_dashboard()

    def status_text(self) -> str:
        pause = data.pause_info(self.db)
        if pause.paused:
            return data.describe_pause(pause)
        quiet = control.quiet_state(self.db)
        if quiet is not None:
            return f"Quiet until {data.clock(quiet)} · collecting"
        parts = self.runtime_status().parts
        failing = [p for p in parts if p.state == "failed" and not p.name.startswith("collector ")]
        text = "Running · " + data.collectors_summary(parts)
        return text + "".join(f" · {p.name}: {p.reason}" for p in failing[:1])

    def update_status(self) -> None:
        """Cheap: one small query and the collectors' in-memory states."""
        if self.tray is None:
            return
        paused = data.pause_info(self.db).paused
        text = self.status_text()
        self.status_action.setText(text)
        self.pause30_action.setVisible(not paused)
        self.pause_action.setVisible(not paused)
        self.resume_action.setVisible(paused)
        quiet = control.quiet_state(self.db) is not None
        self.quiet_hour_action.setVisible(not quiet)
        self.quiet_today_action.setVisible(not quiet)
        self.speak_action.setVisible(quiet)
        self.tray.setIcon(theme.icon("assistant-paused" if paused else "assistant"))
        self.tray.setToolTip(f"Proactive assistant — {text}")

    # ------------------------------------------------------------ actions

    def pause(self, minutes: float | None) -> None:
        self.runtime.pause(minutes * 60 if minutes else None)
        self.update_status()

    def resume(self) -> None:
        self.runtime.resume()
        self.update_status()

    def quiet(self, how: float | str | None) -> None:
        """No cards for `how` seconds, 'today', or None for cards again."""
        until = control.quiet_until(how) if isinstance(how, str) else (time.time() + how if how else None)
        self.runtime.quiet(until)
        self.update_status()

    def runtime_status(self) -> Status:
        return collect(self.db, self.runtime)

    def open_dashboard(self) -> None:
        from ui.dashboard import Dashboard

        if self.dashboard is None:
            self.dashboard = Dashboard(self.db, self.runtime_status,
                                       categories=self.runtime.cfg["dashboard.categories"])
            self.dashboard.settings_requested.connect(self.open_settings)
            self.dashboard.answer_requested.connect(self.open_kept_answer)
            self.dashboard.config_changed.connect(self._settings_saved)  # a right-click rule: applied live
            self.dashboard.models_page.changed.connect(self._settings_saved)  # a model chosen there: live
        self.dashboard.bring_forward()

    def open_settings(self) -> None:
        from ui.settings import SettingsDialog

        if self.settings is None or not self.settings.isVisible():
            self.settings = SettingsDialog()
            self.settings.accepted.connect(self._settings_saved)
        fit_on_screen(self.settings)
        self.settings.show()
        self.settings.raise_()
        self.settings.activateWindow()

    def _settings_saved(self) -> None:
        """Apply what can be applied to the running app at once; say what waits for a restart."""
        from ui import settings_io

        applied, later = self.runtime.reload_config(settings_io.current())
        if self.dashboard is not None:
            self.dashboard.categories = self.runtime.cfg["dashboard.categories"]
        message = "Applied now." if applied or not later else "Saved."
        if later:
            message += " After a restart: " + ", ".join(later) + "."
        self.notify("Settings saved", message)

    def ask_forget(self) -> None:
        answer = QMessageBox.question(
            None, "Proactive assistant — Forget the last hour?",
            "Delete everything collected in the last hour: events, what it noticed, suggestions and your answers "
            "to them? This cannot be undone.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer == QMessageBox.StandardButton.Yes:
            self.forget_recent(FORGET_SECONDS)

    def forget_recent(self, seconds: float) -> threading.Thread:
        """Delete the last `seconds` on a fresh connection in a thread (VACUUM can take a moment)."""
        def work() -> None:
            try:
                result: Any = self.runtime.forget(last_seconds=seconds)
            except Exception as exc:  # a locked DB: say so
                result = exc
            self.bridge.forgotten.emit(result)

        thread = threading.Thread(target=work, name="forget", daemon=True)
        thread.start()
        return thread

    def _forgotten(self, result: Any) -> None:
        if isinstance(result, Exception):
            self.notify("Could not forget", str(result), error=True)
            return
        self.notify("Forgotten", "Deleted " + ", ".join(f"{n} {table}" for table, n in result.items()) + ".")
        if self.dashboard is not None:
            self.dashboard.refresh()

    def notify(self, title: str, message: str, error: bool = False) -> None:
        if self.tray is not None and self.tray.supportsMessages():
            icon = QSystemTrayIcon.MessageIcon.Warning if error else QSystemTrayIcon.MessageIcon.Information
            self.tray.showMessage(title, message, icon, 5000)
        else:
            self.say(f"{title}: {message}")

    # ------------------------------------------------------------ proposals

    def show_proposal(self, proposal: Any) -> SuggestionCard:
        card = SuggestionCard(proposal, self.runtime.answer, self.runtime.cfg["ui.card_timeout_seconds"],
                              quiet=lambda seconds: self.runtime.quiet(time.time() + seconds))
        card.answered.connect(lambda pid, label, reason, c=card: self._answered(pid, label, reason, c))
        self.cards.add(card)
        return card

    def _answered(self, proposal_id: int, label: str, reason: object, card: SuggestionCard | None = None) -> None:
        if label == "accepted":
            self.open_task_panel(proposal_id, card)
        if self.dashboard is not None and self.dashboard.isVisible():
            self.dashboard.refresh()

    def open_task_panel(self, proposal_id: int, anchor: Any = None) -> TaskPanel | None:
        """Carry an accepted task out in the task panel (the user clicked: the panel may take focus)."""
        cfg = self.runtime.cfg
        help_ = TaskHelp.open(self.db, proposal_id, cfg, clipboard_text=QGuiApplication.clipboard().text())
        if help_ is None:
            return None
        backend, why = self.runtime.answer_backend()
        panel = TaskPanel(help_, self.db, backend, search_url=search_url(help_.record, cfg),
                          notice=tiny_notice_once(self.db, cfg), unavailable=why)
        panel.closed.connect(lambda p=panel: self.panels.remove(p) if p in self.panels else None)
        self.panels.append(panel)
        panel.place_beside(anchor)
        panel.show()
        panel.raise_()
        panel.activateWindow()
        return panel

    def open_kept_answer(self, proposal_id: int) -> TaskPanel | None:
        """The answer kept for an accepted task, opened again from the dashboard; a task accepted without an
        answer (no model then, or answered in another way) is carried out now."""
        from ui.answer_view import open_kept_answer

        backend, why = self.runtime.answer_backend()
        panel = open_kept_answer(self.db, proposal_id, self.runtime.cfg, backend, why)
        if panel is None:
            return self.open_task_panel(proposal_id, self.dashboard)
        panel.closed.connect(lambda p=panel: self.panels.remove(p) if p in self.panels else None)
        self.panels.append(panel)
        panel.place_beside(None)
        panel.show()
        panel.raise_()
        panel.activateWindow()
        return panel

    # ------------------------------------------------------------ lifecycle

    def start(self, seconds: float | None) -> None:
        """Run the runtime's status loop in a thread; quit when it ends (SIGTERM) or after `seconds`."""
        self._loop = threading.Thread(target=self.runtime.run, name="runtime-loop", daemon=True)
        self._loop.start()
        self.loop_watch = QTimer(self, interval=500)
        self.loop_watch.timeout.connect(lambda: self._loop.is_alive() or self.app.quit())
        self.loop_watch.start()
        if seconds:
            QTimer.singleShot(int(seconds * 1000), self.app.quit)

    def shutdown(self) -> None:
        self.instance.close()
        self.status_timer.stop()
        self.signal_timer.stop()
        self.cards.close_all()
        for panel in list(self.panels):
            panel.close()
        for window in (self.dashboard, self.settings):
            if window is not None:
                window.close()
        if self.tray is not None:
            self.tray.hide()
        self.runtime.on_proposal = None
        self.runtime.request_stop()  # ends Runtime.run; runtime.stop() follows in the caller
        if self._loop is not None:
            self._loop.join(5)
        self.db.close()


def run_tray(runtime: Any, seconds: float | None) -> None:
    """Show the tray (or bare cards) until Quit, Ctrl+C, SIGTERM or `seconds`. Returns; the caller stops."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    app.setApplicationName("Proactive assistant")
    app.setWindowIcon(theme.icon("assistant"))
    tray_app = TrayApp(app, runtime)
    tray_app.start(seconds)
    previous = signal.signal(signal.SIGINT, lambda *_: app.quit())
    try:
        app.exec()
    finally:
        signal.signal(signal.SIGINT, previous)
        tray_app.shutdown()
