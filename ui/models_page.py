"""The dashboard's Models tab: what is installed, the catalogue, servers on this machine; download with a
progress bar, use, remove. The same library calls as `proactive model list|pull|use|remove`."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from assistant.core import settings
from models.catalog import CATALOG, installed
from models.manage import ModelChoiceError, remove_model, use_changes
from models.pull import PullError, pull


def _mb(n: float) -> str:
    return f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB"


class _Bridge(QObject):
    progress = Signal(int, int)  # bytes so far, total (-1: unknown)
    done = Signal(str, str)  # path, error ("" when fine)


class ModelsPage(QWidget):
    """`config_source()` returns the current Config. `changed` is emitted after the config was rewritten."""

    changed = Signal()

    def __init__(self, config_source: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.config_source = config_source
        self.bridge = _Bridge()
        self.bridge.progress.connect(self._progress)
        self.bridge.done.connect(self._done)
        self.worker: threading.Thread | None = None
        self.installed_table = self._table(["Model", "Where", "Size", "Quantisation", "Context", "In use"])
        self.catalog_table = self._table(["Name", "Model", "Download", "RAM", "Licence"])
        self.source = QLineEdit(placeholderText="catalogue name, hf:OWNER/REPO/FILE.gguf, https://... or a path")
        self.download_button = QPushButton("Download", clicked=self.download)
        self.use_button = QPushButton("Use selected", clicked=self.use_selected)
        self.remove_button = QPushButton("Remove selected", clicked=self.remove_selected)
        self.bar = QProgressBar()
        self.bar.setVisible(False)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.catalog_table.itemSelectionChanged.connect(self._catalog_picked)
        box = QVBoxLayout(self)
        box.addWidget(QLabel("<b>Installed</b> (the one in use is marked)"))
        box.addWidget(self.installed_table, 2)
        row = QHBoxLayout()
        row.addWidget(self.use_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        box.addLayout(row)
        box.addWidget(QLabel("<b>Catalogue</b>: instruct models that run on a laptop CPU (Q4_K_M)"))
        box.addWidget(self.catalog_table, 3)
        pull_row = QHBoxLayout()
        pull_row.addWidget(self.source, 1)
        pull_row.addWidget(self.download_button)
        box.addLayout(pull_row)
        box.addWidget(self.bar)
        box.addWidget(self.message)
        self.reload()

    @staticmethod
    def _table(headers: list[str]) -> QTableWidget:
        table = QTableWidget(0, len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.verticalHeader().setVisible(False)
        table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    def reload(self) -> None:
        cfg = self.config_source()
        self.rows = installed(cfg)
        self.installed_table.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            size = _mb(r.info.size_bytes) if r.info is not None else "-"
            quant = r.info.quantization if r.info is not None else (r.problem or "-")
            ctx = str(r.info.context_length) if r.info is not None and r.info.context_length else "-"
            name = "SmolLM2-135M (ships with the app)" if r.where == "embedded" else r.catalog_name or r.name
            for j, text in enumerate([name, r.where, size, quant, ctx, "yes" if r.in_use else ""]):
                self.installed_table.setItem(i, j, QTableWidgetItem(text))
        self.catalog_table.setRowCount(len(CATALOG))
        for i, e in enumerate(CATALOG):
            for j, text in enumerate([e.name, e.title, f"{e.size_mb} MB", f"{e.ram_gb:g} GB", e.licence]):
                self.catalog_table.setItem(i, j, QTableWidgetItem(text))

    def _catalog_picked(self) -> None:
        rows = self.catalog_table.selectionModel().selectedRows()
        if rows:
            self.source.setText(CATALOG[rows[0].row()].name)

    # ------------------------------------------------------------ download

    def download(self) -> None:
        source = self.source.text().strip()
        if not source:
            self.message.setText("Choose a model from the catalogue, or type a source.")
            return
        if self.worker is not None and self.worker.is_alive():
            return
        self.download_button.setEnabled(False)
        self.bar.setVisible(True)
        self.bar.setRange(0, 0)  # busy until the first progress report (Hugging Face shows its own)
        self.message.setText(f"Downloading {source}… (resumable: a stopped download continues where it was)")

        def work() -> None:
            try:
                result = pull(source, progress=lambda done, total: self.bridge.progress.emit(done, total or -1))
                self.bridge.done.emit(result.path, "")
            except PullError as exc:
                self.bridge.done.emit("", str(exc))
            except Exception as exc:  # noqa: BLE001 - whatever went wrong is said in the page, never a traceback
                self.bridge.done.emit("", f"{exc.__class__.__name__}: {exc}")

        self.worker = threading.Thread(target=work, name="model-pull", daemon=True)
        self.worker.start()

    def _progress(self, done: int, total: int) -> None:
        if total > 0:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * done / total))
            self.bar.setFormat(f"{_mb(done)} of {_mb(total)}")

    def _done(self, path: str, error: str) -> None:
        self.download_button.setEnabled(True)
        self.bar.setVisible(False)
        if error:
            self.message.setText(f"Download failed: {error}")
            return
        self.message.setText(f"Downloaded {path}. Select it above and press Use selected.")
        self.reload()

    # ------------------------------------------------------------ use and remove

    def _selected(self) -> Any:
        rows = self.installed_table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def use_selected(self) -> None:
        row = self._selected()
        if row is None:
            self.message.setText("Select an installed model first.")
            return
        target = "default" if row.where == "embedded" else row.path
        try:
            changes, what = use_changes(target, self.config_source())
        except ModelChoiceError as exc:
            self.message.setText(str(exc))
            return
        _, problems = settings.apply_changes(changes)
        if problems:
            self.message.setText(f"The config was not changed: {problems[0]}")
            return
        self.message.setText(f"Now using {what}.")
        self.reload()
        self.changed.emit()

    def remove_selected(self) -> None:
        row = self._selected()
        if row is None:
            self.message.setText("Select an installed model first.")
            return
        try:
            path = remove_model(row.path, self.config_source())
        except (ModelChoiceError, OSError) as exc:
            self.message.setText(str(exc))
            return
        self.message.setText(f"Removed {path}.")
        self.reload()


