"""Point-and-click rules from what the dashboard shows: "never record this app / this site / titles like this"
and "put it in a category", offered by a right click on the timeline, the Activity tab's tables and list.

Each action writes config.yaml through `ui.settings_io` (comments and the rest of the file kept) and emits
`changed`; the tray app then applies the new config to the running app at once (privacy rules included).
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QObject, QPoint, Signal
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMenu, QMessageBox, QWidget

from assistant.core import paths
from ui import settings_io
from ui.categories import OTHER, parse, site_of

NEW_CATEGORY = "New category…"
_TAIL = re.compile(r"\s+[-\u2013\u2014|]\s+[^-\u2013\u2014|]{1,40}$")


def title_guess(app: str, title: str, page: str = "") -> str:
    """What "titles like this" most likely means: the page title, or the title without its app's name."""
    text = (page or title).strip()
    while True:
        cut = _TAIL.sub("", text)
        if cut == text or not cut:
            break
        tail = text[len(cut):].lower()
        if app.lower() not in tail and "mozilla" not in tail and "chrome" not in tail and not page:
            break
        text = cut
    return text


class RuleActions(QObject):
    """Builds the right-click menu for one window (app, title, page title, address) and carries it out."""

    changed = Signal()

    def __init__(self, parent: QWidget, path: Path | None = None, confirm: bool = True):
        super().__init__(parent)
        self.widget = parent
        self.path = path or paths.config_path()
        self.confirm = confirm  # tests answer the questions themselves
        self.last_error = ""

    # ------------------------------------------------------------ the menu

    def menu(self, app: str, title: str = "", page: str = "", url: str = "") -> QMenu:
        site = site_of(page, url) if (page or url) else ""
        menu = QMenu(self.widget)
        if app:
            menu.addAction(f"Never record {app}…", lambda: self.never_app(app))
        if site:
            menu.addAction(f"Never record {site}…", lambda: self.never_site(site))
        if title:
            menu.addAction("Never record titles like this…", lambda: self.never_title(app, title, page))
        menu.addSeparator()
        names = [c.name for c in parse(settings_io.current(self.path)["dashboard.categories"])]
        for what, kind in ((app, "app"), (site, "site")):
            if not what:
                continue
            sub = menu.addMenu(f"Put {what} in category")
            for name in names:
                sub.addAction(name, lambda n=name, w=what, k=kind: self.categorise(n, w, k))
            sub.addSeparator()
            sub.addAction(NEW_CATEGORY, lambda w=what, k=kind: self.categorise(None, w, k))
        return menu

    def popup(self, where: QPoint, app: str, title: str = "", page: str = "", url: str = "") -> QMenu:
        menu = self.menu(app, title, page, url)
        menu.popup(where)
        return menu

    # ------------------------------------------------------------ actions

    def never_app(self, app: str) -> bool:
        return self._exclude("privacy.exclude_apps", settings_io.app_rule(app), f"windows of {app}")

    def never_site(self, site: str) -> bool:
        return self._exclude("privacy.exclude_titles", settings_io.site_rule(site), f"pages of {site}")

    def never_title(self, app: str, title: str, page: str = "", text: str | None = None) -> bool:
        if text is None:
            text, ok = QInputDialog.getText(
                self.widget, "Proactive assistant — Never record titles like this",
                "Windows whose title contains this text leave no trace (any case):", QLineEdit.EchoMode.Normal,
                title_guess(app, title, page))
            if not ok:
                return False
        text = text.strip()
        if not text:
            return False
        return self._exclude("privacy.exclude_titles", settings_io.title_rule(text), f"windows titled like “{text}”",
                             ask=False)

    def categorise(self, category: str | None, what: str, kind: str) -> bool:
        if category is None:
            category, ok = QInputDialog.getText(self.widget, "Proactive assistant — New category",
                                                f"Name of the new category for {what}:")
            category = category.strip() if ok else ""
            if not category or category == OTHER:
                return False
        cfg = settings_io.current(self.path)
        change = settings_io.in_category(cfg, category, app=what if kind == "app" else None,
                                         site=what if kind == "site" else None)
        return self._save(change)

    def _exclude(self, key: str, pattern: str, what: str, ask: bool = True) -> bool:
        if ask and self.confirm:
            answer = QMessageBox.question(
                self.widget, "Proactive assistant — Never record",
                f"From now on, {what} leave no trace: no events, no input counts, no suggestions about them.\n\n"
                "What was already recorded stays until you forget it (tray menu: Forget last hour…, or "
                "`proactive forget`). You can undo this in Settings > Privacy.",
                QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Ok)
            if answer != QMessageBox.StandardButton.Ok:
                return False
        return self._save(settings_io.with_rule(settings_io.current(self.path), key, pattern))

    def _save(self, change: dict) -> bool:
        if not change:
            return True  # already so
        cfg, problems = settings_io.save(change, self.path)
        if cfg is None:
            self.last_error = "; ".join(str(p) for p in problems)
            if self.confirm:
                QMessageBox.warning(self.widget, "Proactive assistant — Not saved", self.last_error)
            return False
        self.changed.emit()
        return True
