"""The dashboard's Models tab with real widgets: download from a loopback hub with a moving progress bar, use
(the config is rewritten and the running app told), remove refused for the model in use."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.test_model_management import NAME, hub, models_dir  # noqa: E402, F401 - the loopback hub fixture
from ui import settings_io  # noqa: E402
from ui.models_page import ModelsPage  # noqa: E402


def test_the_dashboards_models_page_downloads_with_progress_uses_and_removes(home, hub, qtbot):
    server, served = hub
    page = ModelsPage(settings_io.current)
    qtbot.addWidget(page)
    page.resize(900, 640)
    page.show()
    assert page.catalog_table.rowCount() >= 8 and page.catalog_table.item(1, 0).text() == "qwen2.5-1.5b"
    in_use = [page.installed_table.item(i, 5).text() for i in range(page.installed_table.rowCount())]
    assert in_use.count("yes") == 1  # the embedded model
    reports: list[int] = []
    page.bridge.progress.connect(lambda done, total: reports.append(done))
    page.source.setText(f"{server.url}/files/{NAME}")
    page.download()
    qtbot.waitUntil(lambda: "Downloaded" in page.message.text() or "failed" in page.message.text(), timeout=60000)
    assert "Downloaded" in page.message.text(), page.message.text()
    assert reports and reports[-1] == served.stat().st_size  # the bar moved to the end
    names = [page.installed_table.item(i, 0).text() for i in range(page.installed_table.rowCount())]
    page.installed_table.selectRow(names.index(NAME))
    with qtbot.waitSignal(page.changed, timeout=5000):
        page.use_selected()
    assert "Now using" in page.message.text()
    assert settings_io.current()["model.gguf_path"] == str((models_dir(home) / NAME).resolve())
    page.grab().save(str(home / "models_page.png"))
    artifacts = Path(__file__).resolve().parent / "artifacts"
    artifacts.mkdir(exist_ok=True)
    page.grab().save(str(artifacts / "models_page.png"))
    page.installed_table.selectRow(names.index(NAME))
    page.remove_selected()  # the one in use is refused, in words
    assert "in use" in page.message.text() and (models_dir(home) / NAME).exists()
