"""`proactive label`: a small keyboard UI in the terminal to walk the decisions of a day, shown tasks and the
moments the assistant stayed silent, and label them (Textual)."""

from __future__ import annotations

import datetime as dt

from rich.markup import escape
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Header, ListItem, ListView, Static

from assistant.log.db import Database
from assistant.research.review import Moment, label

ANSWER_WORDS = {"accepted": "accepted", "rejected": "rejected", "other-help": "help, not this",
                "not-now": "not now", "ignored": "ignored (card closed)", "superseded": "replaced by another card",
                "help-needed": "help was needed",
                "no-help-needed": "no help needed", None: "not labelled"}


def _clock(t: float) -> str:
    return dt.datetime.fromtimestamp(t).strftime("%H:%M:%S")


def _row_text(m: Moment) -> str:
    what = f"Suggested: {m.decision.task}" if m.decision.task else "Stayed silent"
    return f"{_clock(m.decision.time)}  {escape(what[:70])}  [{ANSWER_WORDS.get(m.label, m.label)}]"


# what set a moment off (the policy's evidence), in words
TRIGGER_WORDS = {"stall": "after a pause in typing", "error_again": "after the same error again",
                 "search_after_error": "while looking an error up", "reply": "when a reply was opened",
                 "research": "after several pages read for one search", "switching": "after switching back and forth",
                 "long_read": "during a long read"}


def _occasion(trigger: str | None, where: str | None) -> str:
    """'(after a pause in typing, in firefox)' from the stored trigger and place ('firefox|', 'code|.py')."""
    app, _, detail = (where or "").partition("|")
    place = f"in {app}" + (f" ({detail})" if detail else "") if app else ""
    when = TRIGGER_WORDS.get(trigger or "", (trigger or "").replace("_", " "))
    said = ", ".join(p for p in (when, place) if p)
    return f"({said})" if said else ""


def _detail(m: Moment) -> str:
    d = m.decision
    lines = [f"[b]#{d.id} at {_clock(d.time)}[/b] {escape(_occasion(d.trigger, d.where))}",
             "", "[b]What the user did[/b]"]
    lines += [f"  {_clock(t)}  {escape(s)}" for t, s in zip(d.times, d.history, strict=True)] or ["  (nothing)"]
    lines += ["", "[b]What the assistant considered[/b]"]
    for task, score in d.candidates:
        mark = "->" if task == d.task else "  "
        lines.append(f"  {mark} {escape(task or '(stay silent)')}" + (f"  {score:.2f}" if score is not None else ""))
    lines += ["", f"[b]Your answer:[/b] {ANSWER_WORDS.get(m.label, m.label)}", "",
              "[b]Keys:[/b] " + "   ".join(f"[b]{k}[/b] {words}" for k, (_, words) in m.keys.items())
              + "   [b]s[/b] skip"]
    return "\n".join(lines)


class LabelApp(App[int]):
    """Returns (as its result) how many answers were given."""

    TITLE = "proactive label"
    CSS = "#list { width: 55%; } #detail { width: 45%; padding: 0 1; }"
    BINDINGS = [Binding("s", "skip", "skip"), Binding("q", "quit", "quit")] + [
        Binding(k, f"answer('{k}')", show=False) for k in "arnoy"]

    def __init__(self, db: Database, found: list[Moment], annotator: str, heading: str):
        super().__init__()
        self.db = db
        self.found = found
        self.annotator = annotator
        self.heading = heading
        self.answered = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            yield ListView(*[ListItem(Static(_row_text(m))) for m in self.found], id="list")
            with VerticalScroll(id="detail"):
                yield Static(self._detail_text(0), id="detail-text")
        yield Static("", id="message")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"{self.heading}, annotator {self.annotator}"
        self.query_one("#list", ListView).focus()

    def _detail_text(self, index: int | None) -> str:
        if not self.found:
            return "Nothing to label on this day."
        return _detail(self.found[index or 0])

    @property
    def index(self) -> int:
        return self.query_one("#list", ListView).index or 0

    def on_list_view_highlighted(self, _event: ListView.Highlighted) -> None:
        self.query_one("#detail-text", Static).update(self._detail_text(self.index))

    def action_skip(self) -> None:
        self.query_one("#list", ListView).action_cursor_down()

    def action_answer(self, key: str) -> None:
        if not self.found:
            return
        i = self.index
        moment = self.found[i]
        message = self.query_one("#message", Static)
        if key not in moment.keys:
            message.update(f"'{key}' is not an answer here: " + ", ".join(
                f"{k} {w}" for k, (_, w) in moment.keys.items()))
            return
        try:
            new = label(self.db, moment, key, self.annotator)
        except ValueError as exc:
            message.update(escape(str(exc)))
            return
        before = moment.label
        self.found[i] = new
        self.answered += 1
        item = self.query_one("#list", ListView).children[i]
        item.query_one(Static).update(_row_text(new))
        change = f"relabelled #{new.decision.id}: {ANSWER_WORDS[before]} -> " if before and before != "ignored" \
            else f"labelled #{new.decision.id}: "
        message.update(change + ANSWER_WORDS[new.label] + (" (the old answer is kept)" if "relabel" in change
                                                            else ""))
        self.action_skip()
        self.query_one("#detail-text", Static).update(self._detail_text(self.index))

    def action_quit(self) -> None:
        self.exit(self.answered)
