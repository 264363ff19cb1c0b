"""The dashboard's Review tab: walk the decisions of a day, including the moments the assistant stayed silent,
and label them (the same answers as `proactive label`; answering again is a relabel that keeps history)."""

from __future__ import annotations

import datetime as dt
import html
import time
from collections.abc import Callable

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from assistant.log import Database
from assistant.research.review import SILENT_KEYS, TASK_KEYS, Moment, label, moments

WORDS = {"accepted": "Accepted", "rejected": "Rejected", "other-help": "Help, but not this", "not-now": "Not now",
         "ignored": "Ignored", "superseded": "Replaced by another card",
         "help-needed": "Help was needed", "no-help-needed": "No help needed",
         None: "Not labelled"}


def _clock(t: float) -> str:
    return dt.datetime.fromtimestamp(t).strftime("%H:%M")


class ReviewTab(QWidget):
    def __init__(self, db: Database, annotator: str = "me", clock: Callable[[], float] = time.time,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.annotator = annotator
        self.clock = clock
        self.found: list[Moment] = []
        self.day = QDateEdit(QDate.fromString(dt.date.fromtimestamp(clock()).isoformat(), Qt.DateFormat.ISODate))
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("ddd d MMM yyyy")
        self.day.dateChanged.connect(lambda _d: self.reload())
        self.silent = QCheckBox("Include moments the assistant stayed silent")
        self.silent.setChecked(True)
        self.silent.toggled.connect(lambda _on: self.reload())
        top = QHBoxLayout()
        top.addWidget(QLabel("Day"))
        top.addWidget(self.day)
        top.addWidget(self.silent)
        top.addStretch(1)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.currentRowChanged.connect(self._show)
        self.detail = QTextBrowser()
        split = QSplitter()
        split.addWidget(self.list)
        split.addWidget(self.detail)
        split.setSizes([420, 380])
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, (lab, words) in {**TASK_KEYS, **{f"s{k}": v for k, v in SILENT_KEYS.items()}}.items():
            button = QPushButton(words[0].upper() + words[1:])
            button.setObjectName(f"answer-{lab}")
            button.clicked.connect(lambda _checked=False, k=key: self.answer(k))
            self.buttons[key] = button
            row.addWidget(button)
        row.addStretch(1)
        self.message = QLabel("")
        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addWidget(split, 1)
        box.addLayout(row)
        box.addWidget(self.message)
        self.reload()

    def reload(self) -> None:
        date = dt.date.fromisoformat(self.day.date().toString(Qt.DateFormat.ISODate))
        start = dt.datetime.combine(date, dt.time()).timestamp()
        self.found = moments(self.db, start, start + 86400 + 3600, self.annotator,
                             include_silent=self.silent.isChecked())
        self.found = [m for m in self.found if dt.date.fromtimestamp(m.decision.time) == date]  # DST-safe
        self.list.clear()
        for m in self.found:
            self.list.addItem(QListWidgetItem(self._row(m)))
        if not self.found:
            self.detail.setHtml("<p>Nothing was decided on this day.</p>")
        self.list.setCurrentRow(0 if self.found else -1)
        self._show(self.list.currentRow())

    def _row(self, m: Moment) -> str:
        what = f"Suggested: {m.decision.task}" if m.decision.task else "Stayed silent"
        return f"{_clock(m.decision.time)}  {what}   [{WORDS.get(m.label, m.label)}]"

    def _show(self, index: int) -> None:
        valid = 0 <= index < len(self.found)
        m = self.found[index] if valid else None
        for key, button in self.buttons.items():
            button.setVisible(m is not None and (key.startswith("s") == m.silent))
        if m is None:
            return
        d = m.decision
        seen = "".join(f"<li>{_clock(t)} {html.escape(s)}</li>" for t, s in zip(d.times, d.history, strict=True))
        considered = "".join(f"<li>{'<b>' if c == d.task else ''}{html.escape(c or '(stay silent)')}"
                             f"{'</b>' if c == d.task else ''}</li>" for c, _ in d.candidates)
        question = "Was help needed here?" if m.silent else "Was this the right help at this moment?"
        self.detail.setHtml(f"<h3>{_clock(d.time)}: {html.escape(d.task or 'stayed silent')}</h3>"
                            f"<p>{question} Your answer: <b>{WORDS.get(m.label, m.label)}</b></p>"
                            f"<p><b>What you did</b></p><ul>{seen or '<li>nothing</li>'}</ul>"
                            f"<p><b>What the assistant considered</b></p><ul>{considered}</ul>")

    def answer(self, key: str) -> None:
        index = self.list.currentRow()
        if not 0 <= index < len(self.found):
            return
        moment = self.found[index]
        try:
            new = label(self.db, moment, key.removeprefix("s"), self.annotator)
        except ValueError as exc:
            self.message.setText(str(exc))
            return
        self.found[index] = new
        self.list.item(index).setText(self._row(new))
        relabel = moment.label is not None and moment.label != "ignored"
        self.message.setText(f"{'Relabelled' if relabel else 'Labelled'} #{new.decision.id}: "
                             f"{WORDS[new.label]}" + (" (the earlier answer is kept)" if relabel else ""))
        if index + 1 < len(self.found):
            self.list.setCurrentRow(index + 1)
        else:
            self._show(index)
