"""Pieces of the dashboard: the search and activity tabs, the health panel (parts with their states), tables."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui import data, theme
from ui.categories import color_for, site_of


def table(headers: tuple[str, ...], stretch: int = 1) -> QTableWidget:
    """A read-only table with the dashboard's look; column `stretch` takes the free width."""
    tbl = QTableWidget(0, len(headers))
    tbl.setHorizontalHeaderLabels(headers)
    tbl.verticalHeader().hide()
    tbl.setShowGrid(False)
    tbl.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    tbl.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    tbl.setWordWrap(True)
    header = tbl.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    for col in range(len(headers)):
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return tbl


def fill(tbl: QTableWidget, rows: list[tuple[str, ...]], empty: str) -> None:
    tbl.setRowCount(len(rows) or 1)
    if not rows:
        tbl.setItem(0, 0, QTableWidgetItem(""))
        tbl.setItem(0, min(1, tbl.columnCount() - 1), QTableWidgetItem(empty))
        return
    for i, row in enumerate(rows):
        for col, text in enumerate(row):
            tbl.setItem(i, col, QTableWidgetItem(text))


def swatch(color: str) -> QIcon:
    """A small round dot in `color` (the app's or category's colour, as in the charts)."""
    pixmap = QPixmap(12, 12)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(color))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(1, 1, 10, 10)
    painter.end()
    return QIcon(pixmap)


class SearchTab(QWidget):
    """Search over every stored window: one row per visit (app, title, from-to, time in focus), newest first.
    Double-click (or Enter on) a visit to see that moment in the timeline."""

    visit_chosen = Signal(object)  # data.Visit

    def __init__(self, run: Callable[[str], list[data.Visit]], clock: Callable[[], float] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.run = run
        self.clock = clock
        self.visits: list[data.Visit] = []
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 8, 0, 0)
        row = QHBoxLayout()
        self.query = QLineEdit(placeholderText="Search apps and window titles, e.g. report.pdf or firefox")
        self.query.returnPressed.connect(self.search)
        row.addWidget(self.query, 1)
        row.addWidget(QPushButton("Search", clicked=lambda: self.search()))
        box.addLayout(row)
        self.summary = QLabel("", objectName="muted")
        box.addWidget(self.summary)
        self.results = table(("When", "App", "Title", "In focus"), stretch=2)
        self.results.cellDoubleClicked.connect(lambda r, _c: self.choose(r))
        self.results.setToolTip("Double-click a visit to see it in the timeline.")
        box.addWidget(self.results, 1)

    def search(self, text: str | None = None) -> int:
        """Show the visits matching `text` (or the query field); returns how many."""
        if text is not None:
            self.query.setText(text)
        needle = self.query.text().strip()
        self.visits = self.run(needle) if needle else []
        now = self.clock() if self.clock else None
        rows = [(data.visit_when(v, now), v.app, v.title, data.exact_text(v.seconds)) for v in self.visits]
        fill(self.results, rows, "No window matches." if needle else "Type something to search for.")
        for i, v in enumerate(self.visits):
            self.results.item(i, 1).setIcon(swatch(color_for(v.app)))
            self.results.item(i, 2).setToolTip(v.title)
        many = len(self.visits)
        self.summary.setText(f"{many} visit{'s' if many != 1 else ''}, newest first. Double-click one to see it in "
                             "the timeline." if many else "")
        return many

    def choose(self, row: int) -> None:
        if 0 <= row < len(self.visits):
            self.visit_chosen.emit(self.visits[row])


class ActivityTab(QWidget):
    """ActivityWatch's activity view, for the day or week shown: time per window title and per site, each row in
    its app's colour, and what the assistant noticed in the last half hour. A right click on any row offers
    "never record ..." and "put in category ..." (`menu_requested(app, title, page, url, global pos)`)."""

    menu_requested = Signal(str, str, str, str, QPoint)
    titles_shown = 40

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 8, 0, 0)
        self.summary = QLabel("", objectName="muted")
        box.addWidget(self.summary)
        split = QHBoxLayout()
        left, right = QVBoxLayout(), QVBoxLayout()
        left.addWidget(QLabel("Window titles", objectName="title"))
        self.titles = table(("App", "Title", "Active"), stretch=1)
        left.addWidget(self.titles, 1)
        right.addWidget(QLabel("Sites", objectName="title"))
        self.sites = table(("Site", "Active"), stretch=0)
        right.addWidget(self.sites, 1)
        right.addWidget(QLabel("What it noticed (last half hour)", objectName="title"))
        self.noticed = QListWidget()
        self.noticed.setWordWrap(True)
        self.noticed.setSpacing(2)
        self.noticed.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        right.addWidget(self.noticed, 1)
        split.addLayout(left, 3)
        split.addLayout(right, 2)
        box.addLayout(split, 1)
        self.title_rows: list[tuple[str, str, str, str]] = []  # (app, title, page, url) per table row
        self.site_rows: list[tuple[str, str]] = []  # (page, url) of one page of the site
        self.noticed_rows: list[data.Noticed] = []
        for widget in (self.titles, self.sites, self.noticed):
            widget.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.titles.customContextMenuRequested.connect(lambda pos: self._menu(self.titles, pos))
        self.sites.customContextMenuRequested.connect(lambda pos: self._menu(self.sites, pos))
        self.noticed.customContextMenuRequested.connect(lambda pos: self._menu(self.noticed, pos))

    def show_period(self, period: data.Period, label: str) -> None:
        active, away = data.shares([period.active, period.away_seconds])
        self.summary.setText(f"{label}: active {data.minutes_text(active)} · away {data.minutes_text(away)}. "
                             "Right-click a row to stop recording it or to put it in a category.")
        pages: dict[tuple[str, str], tuple[str, str]] = {}
        sites: dict[str, tuple[str, str]] = {}
        for p in period.pieces:
            pages.setdefault((p.app, p.title), (p.page, p.url))
            if p.page or p.url:
                sites.setdefault(site_of(p.page, p.url) or "other pages", (p.page, p.url))
        keyed = [(f"{a}\x00{t}", s) for a, t, s in period.titles]
        figures = data.breakdown(keyed, lambda _k: "", limit=self.titles_shown, rest="other windows")
        rows, self.title_rows = [], []
        for figure in figures:
            if "\x00" in figure.name:
                app, _, title = figure.name.partition("\x00")
                self.title_rows.append((app, title, *pages.get((app, title), ("", ""))))
            else:  # the row of the rest ("12 other windows")
                app, title = "", figure.name
                self.title_rows.append(("", "", "", ""))
            rows.append((app, title, figure.text))
        fill(self.titles, rows, "Nothing recorded.")
        for i, (app, title, _, _) in enumerate(self.title_rows):
            if app:
                self.titles.item(i, 0).setIcon(swatch(color_for(app)))
                self.titles.item(i, 1).setToolTip(title)
        site_figures = data.breakdown(period.sites, lambda _k: "", limit=20, rest="other sites")
        fill(self.sites, [(f.name, f.text) for f in site_figures], "No browser pages.")
        self.site_rows = [sites.get(f.name, ("", "")) for f in site_figures]

    def show_noticed(self, noticed: list[data.Noticed], now: float) -> None:
        self.noticed.clear()
        self.noticed_rows = noticed
        for item in noticed:
            self.noticed.addItem(f"{data.clock(item.time, now)}   {item.sentence}")
        if not noticed:
            self.noticed.addItem("Nothing noticed in the last half hour.")

    def _menu(self, widget: QWidget, pos: QPoint) -> None:
        where = widget.viewport().mapToGlobal(pos) if hasattr(widget, "viewport") else widget.mapToGlobal(pos)
        target = self.target(widget, pos)
        if target is not None:
            self.menu_requested.emit(*target, where)

    def target(self, widget: QWidget, pos: QPoint) -> tuple[str, str, str, str] | None:
        """(app, title, page, url) of the row at `pos`, or None."""
        if widget is self.noticed:
            row = self.noticed.indexAt(pos).row()
            if 0 <= row < len(self.noticed_rows) and self.noticed_rows[row].app:
                n = self.noticed_rows[row]
                return n.app, n.title, n.page, n.url
            return None
        row = widget.indexAt(pos).row()
        if widget is self.titles and 0 <= row < len(self.title_rows) and self.title_rows[row][0]:
            return self.title_rows[row]
        if widget is self.sites and 0 <= row < len(self.site_rows) and any(self.site_rows[row]):
            page, url = self.site_rows[row]
            return "", "", page, url
        return None


class HealthPanel:
    """The parts of the running app (collectors, event log, engine, judge, model) with a coloured dot each."""

    def __init__(self, grid: QGridLayout, colors: theme.Colors):
        self.grid = grid
        self.colors = colors
        self.rows: list[tuple[str, str, str]] = []  # (name, state, reason) as shown

    def show(self, parts: list[data.Part]) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.rows = [(p.name, p.state, p.reason) for p in parts]
        if not parts:
            self.grid.addWidget(QLabel("Not running: start it with `proactive run`.", objectName="muted"),
                                0, 0, 1, 2)
            return
        c = self.colors
        parts = sorted(parts, key=lambda p: p.state in ("disabled", "off"))  # what runs first, opt-ins last
        for row, part in enumerate(parts):
            color = c.ok if part.ok else {"disabled": c.muted, "off": c.muted, "failed": c.danger}.get(part.state,
                                                                                                      c.warn)
            dot = QLabel("●")
            dot.setStyleSheet(f"color: {theme.css(color)};")
            dot.setAlignment(Qt.AlignmentFlag.AlignTop)
            state, reason = plain_state(part)
            text = QLabel(f"<b>{escape(PART_NAMES.get(part.name, part.name))}</b> · {escape(state)}"
                          + (f"<br><span style='color:{theme.css(c.muted)}'>{escape(_first(reason))}</span>"
                             if reason else ""))
            text.setToolTip(f"{part.name}: {part.state}" + (f"\n{part.reason}" if part.reason else ""))
            text.setWordWrap(True)
            text.setTextFormat(Qt.TextFormat.RichText)
            self.grid.addWidget(dot, row, 0)
            self.grid.addWidget(text, row, 1)
        self.grid.setColumnStretch(1, 1)


PART_NAMES = {"collector window": "Active window", "collector afk": "Away from keyboard",
              "collector input": "Input counts", "collector processes": "App launches",
              "collector clipboard": "Clipboard", "collector browser": "Browser extension",
              "collector activitywatch": "ActivityWatch watchers", "event log": "Event log",
              "engine": "Suggestions", "judge": "What it learned", "model": "Language model", "consent": "Consent"}


def plain_state(part: data.Part) -> tuple[str, str]:
    """(state, reason) in plain words: a collector turned off in the config is 'off', and says so briefly."""
    if part.state == "disabled" and "turned off in the config" in part.reason:
        opt_in = "(opt-in)" if part.name in ("collector clipboard", "collector browser",
                                            "collector activitywatch") else ""
        return "off", f"turned off in Settings {opt_in}".strip()
    return part.state, part.reason


def _first(reason: str, limit: int = 140) -> str:
    """The first part of a long reason (the whole one is in the tooltip)."""
    first = reason.split("; ")[0]
    return first if len(first) <= limit else first[:limit - 1] + "…"


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
