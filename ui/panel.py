"""The task panel: an accepted task carried out by the model, its answer streaming in as Markdown.

Non-modal, next to the cards; it takes the keyboard only because the user clicked Accept (Esc closes it). Stop,
Copy answer, Copy task, Copy code (one per code block; "Copy text" for a block of words, as a reply outline), Open
in browser (search-like tasks, no model needed), Ask a follow-up (a short chat in the same context) and Helpful /
Not helpful on the answer. The model runs in a
worker thread; text pieces cross to the Qt thread through a signal. Everything is kept through
`assistant.app.assist.TaskHelp` (the answer, its timings, the follow-ups and the rating go into the log).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from assistant.app.assist import TaskHelp
from assistant.log import Database
from assistant.log.answers import AnswerRecord
from models.answer import Answer, AnswerStream
from models.backends import Backend
from models.facts.commands import mark_unverified
from ui import theme

PANEL_WIDTH = 520
PANEL_HEIGHT = 460
RENDER_MS = 60  # re-render the Markdown at most this often while text streams in
LOADING_MS = 100  # while an answer runs, look this often whether the model is loading
_FENCE = re.compile(r"```([^\n]*)\n(.*?)```", re.S)
_PROSE_FENCES = frozenset({"text", "txt", "plain", "markdown", "md"})  # a block of words (a reply outline), not code


class _Bridge(QObject):
    piece = Signal(str)
    done = Signal(object)  # Answer or None


class TaskPanel(QWidget):
    """One accepted task. `closed` when the window goes away."""

    closed = Signal()

    def __init__(self, help_: TaskHelp, db: Database, backend: Backend | None, *, search_url: str | None = None,
                 notice: str | None = None, unavailable: str = "", kept: AnswerRecord | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint)
        self.help = help_
        self.db = db
        self.backend = backend
        self.search_url = search_url
        self.stream: AnswerStream | None = None
        self.turns: list[tuple[str, str]] = []  # (question, answer text); question "" for the task itself
        self.current = ""
        self.error = ""
        self.bridge = _Bridge()
        self.bridge.piece.connect(self._on_piece)
        self.bridge.done.connect(self._on_done)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("Assistant — working on your task" if kept is None else "Assistant — your answer")
        self.resize(PANEL_WIDTH, PANEL_HEIGHT)
        self._render_timer = QTimer(self, singleShot=True, interval=RENDER_MS)
        self._render_timer.timeout.connect(self._render)
        self.rated = kept is not None and kept.rating is not None
        self._build(notice, unavailable)
        if kept is not None:  # an answer kept earlier: shown again, rated or followed up (no new answer)
            self._show_kept(kept, backend)
        elif backend is not None:
            self._ask("")

    # ------------------------------------------------------------ layout

    def _build(self, notice: str | None, unavailable: str) -> None:
        colors = theme.Colors.from_palette()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(theme.SPACING, theme.SPACING, theme.SPACING, theme.SPACING)
        self.task_label = QLabel(self.help.record.task or "")
        self.task_label.setWordWrap(True)
        self.task_label.setStyleSheet("font-weight: 600; font-size: 11pt;")
        layout.addWidget(self.task_label)
        self.notice_label = QLabel(notice or unavailable)
        self.notice_label.setWordWrap(True)
        self.notice_label.setStyleSheet(f"color: {theme.css(colors.warn)};")
        self.notice_label.setVisible(bool(notice or unavailable))
        layout.addWidget(self.notice_label)
        self.loading_label = QLabel("")  # "Loading the model…" while a model held until needed loads
        self.loading_label.setStyleSheet(f"color: {theme.css(colors.muted)};")
        self.loading_bar = QProgressBar()
        self.loading_bar.setRange(0, 0)  # indeterminate: llama.cpp reports no progress of its own
        self.loading_bar.setMaximumHeight(6)
        self.loading_bar.setTextVisible(False)
        for widget in (self.loading_label, self.loading_bar):
            widget.setVisible(False)
            layout.addWidget(widget)
        self._loading_timer = QTimer(self, interval=LOADING_MS)
        self._loading_timer.timeout.connect(self._show_loading)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(False)
        self.browser.setOpenLinks(False)
        self.browser.setPlaceholderText("The answer appears here as it is written.")
        layout.addWidget(self.browser, 1)
        self.code_row = QHBoxLayout()
        layout.addLayout(self.code_row)
        self.stats_label = QLabel("")
        self.stats_label.setStyleSheet(f"color: {theme.css(colors.muted)}; font-size: 8pt;")
        layout.addWidget(self.stats_label)
        row = QHBoxLayout()
        self.stop_button = self._button("Stop", self.stop, row)
        self.copy_button = self._button("Copy answer", self.copy_answer, row)
        self.copy_task_button = self._button("Copy task", self.copy_task, row)
        self.browser_button = self._button("Open in browser", self.open_in_browser, row)
        self.browser_button.setVisible(self.search_url is not None)
        row.addStretch(1)
        self.helpful_button = self._button("✓ Helpful", lambda: self.rate(True), row)
        self.unhelpful_button = self._button("✗ Not helpful", lambda: self.rate(False), row)
        layout.addLayout(row)
        ask = QHBoxLayout()
        self.follow_edit = QLineEdit()
        self.follow_edit.setPlaceholderText("Ask a follow-up…")
        self.follow_edit.returnPressed.connect(self._send_follow_up)
        ask.addWidget(self.follow_edit, 1)
        self.ask_button = self._button("Ask", self._send_follow_up, ask)
        layout.addLayout(ask)
        self._set_busy(False)

    def _show_kept(self, kept: AnswerRecord, backend: Backend | None) -> None:
        self.turns = [("", kept.text)]
        turns = kept.followups
        for question, reply in zip(turns[::2], turns[1::2], strict=False):
            self.turns.append((question.get("content", ""), reply.get("content", "")))
        self.help.answer_id, self.help.followups = kept.id, list(kept.followups)  # ratings go to this answer
        if backend is not None:
            self.help.resume(backend, kept)
        when = kept.time
        rating = {"helpful": " · rated helpful", "not-helpful": " · rated not helpful"}.get(kept.rating or "", "")
        self.stats_label.setText(f"{kept.model} · answered {dt.datetime.fromtimestamp(when):%Y-%m-%d %H:%M}{rating}")
        self._render()
        self._code_buttons()
        self._set_busy(False)

    def _button(self, text: str, slot: Callable[[], None], row: QHBoxLayout) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(slot)
        row.addWidget(button)
        return button

    def _show_loading(self) -> None:
        """'Loading the model…' with the seconds it has taken, while the model held until needed loads."""
        since = getattr(self.backend, "loading_since", None)
        loading = self.stream is not None and getattr(self.backend, "state", "") == "loading" and since is not None
        if loading:
            name = self.backend.name.split(":", 1)[-1]
            self.loading_label.setText(f"Loading the model ({name})… {time.monotonic() - since:.1f} s")
        self.loading_label.setVisible(loading)
        self.loading_bar.setVisible(loading)
        if self.stream is None:
            self._loading_timer.stop()

    def _set_busy(self, busy: bool) -> None:
        has_model = self.backend is not None and getattr(self.backend, "state", "") != "failed"
        if busy:
            self._loading_timer.start()
            self._show_loading()
        self.stop_button.setEnabled(busy)
        self.follow_edit.setEnabled(has_model and not busy)
        self.ask_button.setEnabled(has_model and not busy)
        rated = self.help.answer_id is not None and not busy and not self.rated
        self.helpful_button.setEnabled(rated)
        self.unhelpful_button.setEnabled(rated)
        self.copy_button.setEnabled(bool(self.turns) or bool(self.current))

    # ------------------------------------------------------------ streaming

    def _ask(self, question: str) -> None:
        try:
            self.stream = self.help.start(self.backend) if not question else self.help.follow_up(question)
        except Exception as exc:  # the model failed to start: say so, keep the panel useful
            self._show_error(f"The model could not answer: {exc}")
            return
        self.current = ""
        self.turns.append((question, ""))
        self._set_busy(True)
        stream = self.stream
        threading.Thread(target=self._pump, args=(stream,), name="task-panel-stream", daemon=True).start()

    def _pump(self, stream: AnswerStream) -> None:
        """Worker thread: forward pieces, then the finished answer."""
        try:
            for piece in stream:
                self.bridge.piece.emit(piece)
        except Exception:  # noqa: BLE001 - answer() below carries the error
            pass
        self.bridge.done.emit(stream.answer(timeout=None))

    def _on_piece(self, piece: str) -> None:
        self.current += piece
        question, _ = self.turns[-1]
        self.turns[-1] = (question, self.current)
        if not self._render_timer.isActive():
            self._render_timer.start()

    def _on_done(self, answer: Answer | None) -> None:
        if answer is not None:
            question, _ = self.turns[-1]
            self.turns[-1] = (question, answer.text)
            try:
                self.help.keep(self.db, answer)
            except Exception as exc:  # a locked log: the answer stays on screen
                self._show_error(f"Could not keep the answer: {exc}")
            first = f"first token after {answer.first_token_s:.1f} s, " if answer.first_token_s is not None else ""
            if answer.fix and answer.model_first_token_s is not None:
                first = (f"Fix after {answer.first_token_s:.1f} s, model's first token after "
                         f"{answer.model_first_token_s:.1f} s, ")
            speed = f"{answer.tokens_per_s:.0f} tokens/s, " if answer.tokens_per_s else ""
            stopped = " (stopped)" if answer.finish_reason == "cancelled" else ""
            self.stats_label.setText(f"{answer.model} · {first}{speed}{answer.completion_tokens} tokens{stopped}")
            if getattr(self.backend, "state", "") == "failed":  # a model held until needed could not load
                self._show_error(f"The model could not be loaded ({self.backend.reason}). Copy the task, or "
                                 "choose another model (`proactive model list`).")
            elif answer.error:
                self._show_error(f"The model stopped with an error: {answer.error}")
        self.stream = None
        self._show_loading()
        self._render()
        self._code_buttons()
        self._set_busy(False)

    def _render(self) -> None:
        parts = []
        for question, text in self.turns:
            if question:
                parts.append(f"**You:** {question}")
            parts.append(mark_unverified(text) if text else "…")
        self.browser.setMarkdown("\n\n---\n\n".join(parts))
        bar = self.browser.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _code_buttons(self) -> None:
        while self.code_row.count():
            item = self.code_row.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        blocks = self.code_blocks()
        prose = {code for lang, code in self.fenced_blocks() if lang in _PROSE_FENCES}
        for n, code in enumerate(blocks, 1):
            what = "text" if code in prose else "code"
            label = f"Copy {what}" if len(blocks) == 1 else f"Copy {what} {n}"
            button = QPushButton(label)
            button.setProperty("code", code)
            button.clicked.connect(self._copy_code)
            self.code_row.addWidget(button)
        self.code_row.addStretch(1)

    def _copy_code(self) -> None:
        button = self.sender()
        if button is not None:
            QGuiApplication.clipboard().setText(str(button.property("code") or ""))

    def _show_error(self, text: str) -> None:
        self.error = text
        self.notice_label.setText(text)
        self.notice_label.setVisible(True)

    # ------------------------------------------------------------ actions

    def answer_text(self) -> str:
        return self.turns[-1][1] if self.turns else ""

    def fenced_blocks(self) -> list[tuple[str, str]]:
        """(language tag, text) of every fenced block of the conversation, in order."""
        return [(m.group(1).strip().lower(), m.group(2).rstrip("\n"))
                for _, text in self.turns for m in _FENCE.finditer(text)]

    def code_blocks(self) -> list[str]:
        """Every fenced block of the conversation (the Fix of the first answer too), each once."""
        return list(dict.fromkeys(code for _, code in self.fenced_blocks()))

    def stop(self) -> None:
        if self.stream is not None:
            self.stream.close()

    def copy_answer(self) -> None:
        QGuiApplication.clipboard().setText(self.answer_text())

    def copy_task(self) -> None:
        QGuiApplication.clipboard().setText(self.help.record.task or "")

    def open_in_browser(self) -> None:
        if self.search_url:
            QDesktopServices.openUrl(QUrl(self.search_url))

    def rate(self, helpful: bool) -> None:
        try:
            self.help.rate(self.db, helpful)
        except Exception as exc:
            self._show_error(f"Could not keep your rating: {exc}")
            return
        self.stats_label.setText(self.stats_label.text() + ("  ·  thanks: helpful" if helpful
                                                            else "  ·  thanks: not helpful"))
        self.rated = True
        self.helpful_button.setEnabled(False)
        self.unhelpful_button.setEnabled(False)

    def _send_follow_up(self) -> None:
        question = self.follow_edit.text().strip()
        if not question or self.stream is not None or self.backend is None:
            return
        self.follow_edit.clear()
        self._ask(question)

    # ------------------------------------------------------------ window

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)

    def place_beside(self, anchor: QWidget | None) -> None:
        """Left of the card it came from (or bottom-right of the screen), fully on screen."""
        screen = (anchor.screen() if anchor is not None else None) or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        if anchor is not None and anchor.isVisible():
            x = anchor.geometry().left() - self.width() - theme.SPACING
            y = anchor.geometry().bottom() - self.height()
        else:
            x, y = area.right() - self.width() - 24, area.bottom() - self.height() - 24
        self.move(max(area.left(), min(x, area.right() - self.width())),
                  max(area.top(), min(y, area.bottom() - self.height())))

    def closeEvent(self, event) -> None:
        self.stop()
        self.closed.emit()
        super().closeEvent(event)
