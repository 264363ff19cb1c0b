"""The suggestion card: a small always-on-top window that never takes the keyboard from what you type.

It shows one proposal (the task, at most TASK_LINES lines cut at a word with an ellipsis, the whole of it on
hover and in the task panel; and "why now": the evidence of need in plain words), hands the answer to `record`
(the runtime's `answer`: stored in the log and given to the engine at once), and closes by itself when the
engine would count the card as ignored (proposal time + ui.card_timeout_seconds); a card that times out
records nothing.
Accepting opens the task panel, where the model carries the task out (it writes; it never runs anything).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QPropertyAnimation, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from assistant.core.proposal import Proposal
from ui import theme
from ui.elide import elide_words
from ui.screen import has_compositor

CARD_WIDTH = 384
TASK_LINES = 3
WHY_LINES = 2
# what each kind of evidence means, for a proposal that carries no sentence of its own
TRIGGER_WORDS = {
    "error_again": "The same error came back.",
    "search_after_error": "You looked the error up right after it appeared.",
    "reply": "You opened a reply after reading a message.",
    "stall": "You stopped typing a while ago.",
    "rerun": "You ran the same command again and again.",
    "research": "You read several pages for one search.",
    "switching": "You kept switching between the same two windows.",
}
REASONS = ("Not useful", "Wrong time", "Already done")
REASON_SECONDS = 25.0  # how long the "why?" row waits before the rejection is recorded without a reason
MIN_REASON_SECONDS = 6.0  # with less time left before the engine's deadline, reject at once
FEEDBACK_MS = {"accepted": 1400, "default": 700, "error": 4000}


def why_now(proposal: Proposal) -> str:
    """The evidence of need in plain words (what the chain saw), else what kind of evidence it was, else the
    last narrated sentence."""
    if proposal.why:
        return proposal.why
    if proposal.trigger in TRIGGER_WORDS:
        return TRIGGER_WORDS[proposal.trigger]
    return proposal.history[-1] if proposal.history else ""


class _Pages(QWidget):
    """Pages of which only the current one is visible, so the card is as tall as that page
    (QStackedWidget keeps the tallest page's height when a label wraps)."""

    def __init__(self) -> None:
        super().__init__()
        self._box = QVBoxLayout(self)
        self._box.setContentsMargins(0, 0, 0, 0)
        self._pages: list[QWidget] = []
        self._current = 0

    def addWidget(self, page: QWidget) -> None:
        self._box.addWidget(page)
        page.setVisible(not self._pages)
        self._pages.append(page)

    def currentIndex(self) -> int:
        return self._current

    def setCurrentIndex(self, index: int) -> None:
        self._current = index
        for i, page in enumerate(self._pages):
            page.setVisible(i == index)


class SuggestionCard(QWidget):
    """One proposal. `answered(id, label, reason)` after a recorded answer; `finished` when it closes."""

    answered = Signal(int, str, object)
    finished = Signal()

    def __init__(self, proposal: Proposal, record: Callable[[int, str, str | None], object], timeout_seconds: float,
                 clock: Callable[[], float] = time.time, parent: QWidget | None = None,
                 quiet: Callable[[float], object] | None = None):
        super().__init__(parent, Qt.WindowType.Tool | Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint | Qt.WindowType.WindowDoesNotAcceptFocus)
        self.proposal = proposal
        self.record = record
        self.quiet = quiet  # "quiet for 1 hour": no more cards for that long (None: no such button)
        self.clock = clock
        self.label: str | None = None
        self.reason_text: str | None = None
        self.replaced = False  # another card took this one's place before an answer
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.composited = has_compositor()  # without a compositing manager translucency paints black corners
        if self.composited:
            self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setWindowTitle("Suggestion")
        self.setFixedWidth(CARD_WIDTH)
        self.deadline = proposal.time + timeout_seconds
        self._build()
        self._close_timer = QTimer(self, singleShot=True)
        self._close_timer.timeout.connect(self._on_deadline)
        self._arm(max(0.0, self.deadline - clock()))

    # ------------------------------------------------------------ layout

    def _build(self) -> None:
        c = theme.Colors.from_palette(self.palette())
        self.setStyleSheet(theme.buttons_css(c) + f"""
            QFrame#card {{ background: {theme.css(c.surface)}; border: 1px solid {theme.css(c.border)};
                           border-radius: {14 if self.composited else 0}px; }}
            QLabel {{ background: transparent; border: none; }}
            QLabel#kicker, QLabel#why, QLabel#hint {{ color: {theme.css(c.muted)}; }}
            QLabel#done {{ color: {theme.css(c.ok)}; font-weight: 600; }}
            QLabel#error {{ color: {theme.css(c.danger)}; }}
            QProgressBar {{ background: {theme.css(c.border, 0.5)}; border: none; border-radius: 1px; }}
            QProgressBar::chunk {{ background: {theme.css(c.accent, 0.7)}; border-radius: 1px; }}
            QLineEdit {{ border: 1px solid {theme.css(c.border)}; border-radius: 7px; padding: 5px 8px;
                         background: {theme.css(c.window)}; }}
        """)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.frame = frame = QFrame(self, objectName="card")
        outer.addWidget(frame)
        box = QVBoxLayout(frame)
        box.setContentsMargins(18, 14, 18, 14)
        box.setSpacing(8)

        head = QHBoxLayout()
        head.setSpacing(8)
        badge = QLabel()
        badge.setPixmap(theme.icon("assistant").pixmap(18, 18))
        head.addWidget(badge)
        kicker = QLabel("Suggestion", objectName="kicker")
        kicker.setFont(theme.scaled_font(self.font(), 0.9, QFont.Weight.DemiBold))
        head.addWidget(kicker)
        head.addStretch(1)
        box.addLayout(head)

        task = self.proposal.task or ""
        self.task_label = QLabel(wordWrap=True)
        self.task_label.setFont(theme.scaled_font(self.font(), 1.15, QFont.Weight.Bold))
        self.task_label.setTextFormat(Qt.TextFormat.PlainText)
        room = CARD_WIDTH - 36 - 4
        self.task_label.setText(elide_words(task, QFontMetrics(self.task_label.font()), room, TASK_LINES))
        self.task_label.setToolTip(task)  # the whole task on hover (and in the task panel)
        box.addWidget(self.task_label)

        why = why_now(self.proposal)
        why_row = QHBoxLayout()
        why_row.setSpacing(6)
        why_title = QLabel("Why now", objectName="why")
        why_title.setFont(theme.scaled_font(self.font(), 0.92, QFont.Weight.Bold))
        why_title.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.why_label = QLabel(objectName="why", wordWrap=True)
        self.why_label.setTextFormat(Qt.TextFormat.PlainText)
        self.why_label.setFont(theme.scaled_font(self.font(), 0.92))
        room = CARD_WIDTH - 36 - why_title.sizeHint().width() - 6 - 4
        self.why_label.setText(elide_words(why, QFontMetrics(self.why_label.font()), room, WHY_LINES))
        self.why_label.setToolTip(why)
        why_row.addWidget(why_title, 0, Qt.AlignmentFlag.AlignTop)
        why_row.addWidget(self.why_label, 1)
        if why:
            box.addLayout(why_row)
        else:
            why_title.hide()
            self.why_label.hide()

        self.countdown = QProgressBar(textVisible=False, maximum=1000, value=1000)
        self.countdown.setFixedHeight(2)
        box.addSpacing(2)
        box.addWidget(self.countdown)
        box.addSpacing(2)

        self.pages = _Pages()
        self.pages.addWidget(self._answer_page())
        self.pages.addWidget(self._reason_page())
        self.pages.addWidget(self._feedback_page())
        box.addWidget(self.pages)

    def _button(self, text: str, name: str = "", slot: Callable[[], None] | None = None) -> QPushButton:
        button = QPushButton(text, objectName=name)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        if slot is not None:
            button.clicked.connect(slot)
        return button

    def _answer_page(self) -> QWidget:
        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        self.reject_button = self._button("Reject", "danger", self._on_reject)
        self.not_now_button = self._button("Not now", "", lambda: self._answer("not-now"))
        self.accept_button = self._button("Accept", "primary", lambda: self._answer("accepted"))
        self.quiet_button = self._button("Quiet 1 h", "", self._quiet_hour)
        self.quiet_button.setProperty("flat", True)
        self.quiet_button.setToolTip("No more suggestions for an hour (this one counts as 'not now')")
        self.quiet_button.setVisible(self.quiet is not None)
        row.addWidget(self.reject_button)
        row.addWidget(self.quiet_button)
        row.addStretch(1)
        row.addWidget(self.not_now_button)
        row.addWidget(self.accept_button)
        return page

    def _reason_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(8)
        top = QHBoxLayout()
        top.addWidget(QLabel("Why not? (optional)", objectName="hint"))
        top.addStretch(1)
        self.skip_button = self._button("Skip", "", lambda: self._answer("rejected", self._typed_reason()))
        self.skip_button.setProperty("flat", True)
        top.addWidget(self.skip_button)
        box.addLayout(top)
        chips = QHBoxLayout()
        chips.setSpacing(6)
        self.reason_chips: list[QPushButton] = []
        for text in REASONS:
            chip = self._button(text, "", lambda _=False, t=text: self._answer("rejected", t.lower()))
            chip.setProperty("chip", True)
            chips.addWidget(chip)
            self.reason_chips.append(chip)
        chips.addStretch(1)
        box.addLayout(chips)
        self.reason_row = QWidget()
        row = QHBoxLayout(self.reason_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        self.reason_edit = QLineEdit(placeholderText="Something else? Click to type…")
        self.reason_edit.setMaxLength(300)
        self.reason_edit.returnPressed.connect(self._send_reason)
        self.reason_edit.installEventFilter(self)
        palette = self.reason_edit.palette()
        palette.setColor(QPalette.ColorRole.PlaceholderText, theme.Colors.from_palette(self.palette()).muted)
        self.reason_edit.setPalette(palette)
        self.send_button = self._button("Send", "primary", self._send_reason)
        row.addWidget(self.reason_edit, 1)
        row.addWidget(self.send_button)
        box.addWidget(self.reason_row)
        return page

    def _feedback_page(self) -> QWidget:
        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 4, 0, 4)
        self.feedback = QLabel(objectName="done", wordWrap=True)
        row.addWidget(self.feedback, 1)
        return page

    # ------------------------------------------------------------ timing

    def _arm(self, seconds: float) -> None:
        """Close (or record the pending rejection) in `seconds`; the thin bar shows the time left."""
        self._close_timer.start(int(seconds * 1000))
        if getattr(self, "_bar_animation", None) is not None:
            self._bar_animation.stop()
        self._bar_animation = QPropertyAnimation(self.countdown, b"value", self)
        self._bar_animation.setDuration(max(1, int(seconds * 1000)))
        self._bar_animation.setStartValue(1000)
        self._bar_animation.setEndValue(0)
        self._bar_animation.start()

    def _on_deadline(self) -> None:
        if self.pages.currentIndex() == 1:  # the user rejected and did not pick a reason in time
            self._answer("rejected", self._typed_reason())
        else:
            self.close()  # unanswered: the engine records 'ignored' itself

    # ------------------------------------------------------------ answers

    def _on_reject(self) -> None:
        left = self.deadline - self.clock()
        if left < MIN_REASON_SECONDS:
            self._answer("rejected")
            return
        self.pages.setCurrentIndex(1)
        self._arm(min(REASON_SECONDS, left - 1.0))
        self._fit()

    def eventFilter(self, watched, event) -> bool:
        if watched is self.reason_edit and event.type() == QEvent.Type.MouseButtonPress:
            self.enable_typing()
        return super().eventFilter(watched, event)

    def enable_typing(self) -> None:
        """Typing needs the keyboard: only now, on the user's click, may the card take focus."""
        if self.windowFlags() & Qt.WindowType.WindowDoesNotAcceptFocus:
            self.setWindowFlag(Qt.WindowType.WindowDoesNotAcceptFocus, False)
            self.show()
        self.activateWindow()
        self.reason_edit.setFocus()

    def _quiet_hour(self) -> None:
        if self.quiet is not None:
            self.quiet(3600.0)
        self._answer("not-now", "quiet for 1 hour")

    def _typed_reason(self) -> str | None:
        text = self.reason_edit.text().strip()
        return text or None

    def _send_reason(self) -> None:
        self._answer("rejected", self._typed_reason())

    def _answer(self, label: str, reason: str | None = None) -> None:
        if self.label is not None:
            return  # one answer per card
        self._close_timer.stop()
        try:
            self.record(int(self.proposal.id), label, reason)
        except Exception as exc:  # a locked DB or a forgotten proposal: say so instead of failing silently
            self.feedback.setObjectName("error")
            self._show_feedback(f"Could not save your answer: {exc}", FEEDBACK_MS["error"])
            return
        self.label, self.reason_text = label, reason
        if label == "accepted":
            message = "✓  On it — the answer opens beside this card."
        elif label == "not-now":
            message = "Okay: quiet for an hour." if reason == "quiet for 1 hour" else "Okay, not now."
        else:
            message = "Thanks — noted." if reason else "Rejected."
        self.answered.emit(int(self.proposal.id), label, reason)
        self._show_feedback(message, FEEDBACK_MS.get(label, FEEDBACK_MS["default"]))

    def _show_feedback(self, message: str, ms: int) -> None:
        self.feedback.style().unpolish(self.feedback)
        self.feedback.style().polish(self.feedback)
        self.feedback.setText(message)
        self.pages.setCurrentIndex(2)
        self.countdown.hide()
        self._fit()
        QTimer.singleShot(ms, self, self.close)

    # ------------------------------------------------------------ placement hooks

    def _fit(self) -> None:
        """Shrink or grow to the current page, then let the stack re-place the cards."""
        self.pages.updateGeometry()
        for layout in (self.frame.layout(), self.layout()):
            layout.invalidate()
            layout.activate()
        self.adjustSize()
        self.geometry_changed()

    def geometry_changed(self) -> None:
        """Called after the card changed height; the stack re-places the cards."""
        stack = getattr(self, "stack", None)
        if stack is not None:
            stack.place()

    def closeEvent(self, event) -> None:
        self._close_timer.stop()
        self.finished.emit()
        super().closeEvent(event)


class CardSlot:
    """The one place a card is shown: the bottom-right of the primary screen, one card at a time.

    The chain never surfaces a second card while one is unanswered, unless it replaces it (it records the old
    one as 'superseded'), so a new card here takes the place of the one on screen, which closes without
    recording anything. Cards never stack or overlap."""

    MARGIN = 18

    def __init__(self) -> None:
        self.card: SuggestionCard | None = None

    @property
    def cards(self) -> list[SuggestionCard]:
        return [self.card] if self.card is not None else []

    def add(self, card: SuggestionCard) -> None:
        old, self.card = self.card, card
        if old is not None:
            old.replaced = True
            old.close()  # replaced: the chain has recorded it as superseded
        card.stack = self
        card.finished.connect(lambda c=card: self._remove(c))
        card.adjustSize()
        self.place()
        card.show()

    def _remove(self, card: SuggestionCard) -> None:
        if self.card is card:
            self.card = None

    def place(self) -> None:
        screen = QGuiApplication.primaryScreen()
        if screen is None or self.card is None:
            return
        area = screen.availableGeometry()
        card = self.card
        height = card.sizeHint().height()
        card.setGeometry(area.right() - self.MARGIN - card.width(), area.bottom() - self.MARGIN - height,
                         card.width(), height)

    def close_all(self) -> None:
        if self.card is not None:
            self.card.close()
