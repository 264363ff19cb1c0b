"""The model is loaded when it is needed: not before the first Accept, by it (the panel says "Loading the
model…" meanwhile), kept warm for `model.keep_alive` after its last use, then released and loaded again by the
next Accept; a model that cannot load says why in the panel and the rest of the app runs on."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from assistant.app.assist import TaskHelp
from assistant.app.runtime import Runtime
from assistant.core import config
from assistant.core.config import default_config
from assistant.log import open_db
from assistant.log.answers import answers_for
from models.default_model import backend_from_config, backend_name
from models.holder import ModelHolder
from tests.test_task_panel import make_proposal
from ui.settings import COLLECTORS
from ui.settings_io import save

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
NO_COLLECTORS = {f"collectors.{name}.enabled": False for name in COLLECTORS}


def _runtime(**settings) -> Runtime:
    _, problems = save({**NO_COLLECTORS, **settings})
    assert not problems, problems
    runtime = Runtime(config.load(), headless=False, say=lambda _: None)
    runtime.start()
    return runtime


def test_a_bad_keep_alive_is_one_clear_error_naming_the_key(home: Path):
    path = home / "config.yaml"
    path.write_text("model:\n  keep_alive: a while\n")
    with pytest.raises(config.ConfigError) as caught:
        config.load(path)
    [problem] = caught.value.problems
    assert problem.key == "model.keep_alive" and problem.line == 2
    assert problem.message == "expected a duration like 90s, 5m or 1h (or a number of seconds), got 'a while'"
    for good in ("90s", "5m", "1h", 0, 30):
        path.write_text(f"model:\n  keep_alive: {good}\n")
        assert config.load(path)["model.keep_alive"] == good
    assert default_config()["model.keep_alive"] == "5m"


@pytest.mark.model
def test_the_first_accept_loads_the_model_and_it_is_released_after_keep_alive(qtbot, qapp, consented):
    from ui.app import TrayApp

    runtime = _runtime(**{"model.keep_alive": "1s"})
    app = TrayApp(qapp, runtime)
    try:
        holder = runtime.live.backend
        runtime.live.step(runtime.live.clock())  # a decision pass: still nothing loaded
        assert not holder.loaded and holder.loads == 0
        part = runtime.live.model_part
        assert part["state"] == "idle" and "loads at the first accepted task" in part["reason"], part

        db = open_db(runtime.db_path, check=False)
        first = make_proposal(db)
        runtime.answer(first, "accepted")
        panel = app.open_task_panel(first)
        qtbot.waitUntil(lambda: panel.helpful_button.isEnabled(), timeout=120_000)
        assert answers_for(db, first)[0].text.strip() and holder.loads == 1
        assert not panel.loading_bar.isVisible() and not panel.error

        assert holder.wait_for(lambda h: not h.loaded, 30)  # unused for keep_alive (1 s): released
        part = runtime.live.model_part
        assert part["state"] == "idle" and "loads again" in part["reason"], part

        second = make_proposal(db, "Review 'billing.py' for bugs and possible improvements.", "review_file")
        runtime.answer(second, "accepted")
        again = app.open_task_panel(second)
        qtbot.waitUntil(lambda: again.helpful_button.isEnabled(), timeout=120_000)
        assert answers_for(db, second)[0].text.strip() and holder.loads == 2  # loaded again for it
        db.close()
    finally:
        app.shutdown()
        runtime.stop()


@pytest.mark.model
def test_the_panel_says_loading_the_model_while_it_loads(qtbot, home):
    from ui.panel import TaskPanel

    cfg = default_config()
    go_on = threading.Event()

    def slow_load():  # the real embedded model, once the test has seen the panel while it loads
        go_on.wait(30)
        return backend_from_config(cfg)

    holder = ModelHolder(slow_load, backend_name(cfg), keep_alive_s=60)
    db = open_db()
    panel = TaskPanel(TaskHelp.open(db, make_proposal(db), cfg), db, holder)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.loading_bar.isVisible(), timeout=5000)
    assert panel.loading_label.text().startswith("Loading the model (SmolLM2-135M-Instruct")
    go_on.set()
    qtbot.waitUntil(lambda: panel.helpful_button.isEnabled(), timeout=120_000)
    assert not panel.loading_bar.isVisible() and not panel.loading_label.isVisible()
    assert panel.answer_text().strip() and holder.loaded and holder.loads == 1
    holder.close()
    assert not holder.loaded


@pytest.mark.model
def test_callers_at_once_share_one_load(home):
    cfg = default_config()
    holder = ModelHolder(lambda: backend_from_config(cfg), backend_name(cfg), keep_alive_s=60)
    results: list[str] = []
    ask = [{"role": "user", "content": "Say hello."}]
    threads = [threading.Thread(target=lambda: results.append(holder.complete(ask, 4).text)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(results) == 3 and holder.loads == 1
    holder.close()


@pytest.mark.slow  # about 2.5 s on two cores (the tray app in process)
def test_a_model_that_cannot_load_says_why_in_the_panel_and_the_rest_runs(qtbot, qapp, consented, tmp_path):
    from ui.app import TrayApp

    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\0" * 64)  # there, but not a model
    runtime = _runtime(**{"model.gguf_path": str(broken), "model.propose": "off"})  # only Accepts use it
    app = TrayApp(qapp, runtime)
    try:
        assert runtime.live.model_part["state"] == "idle"  # the file is there: it is tried at the first Accept
        db = open_db(runtime.db_path, check=False)
        pid = make_proposal(db)
        runtime.answer(pid, "accepted")
        panel = app.open_task_panel(pid)
        qtbot.waitUntil(lambda: panel.stream is None and bool(panel.error), timeout=60_000)
        assert panel.error.startswith("The model could not be loaded (") and "broken.gguf" in panel.error
        assert "Traceback" not in panel.error and not panel.ask_button.isEnabled()
        parts = {p["name"]: p for p in runtime.parts()}
        assert parts["model"]["state"] == "failed" and "broken.gguf" in parts["model"]["reason"]
        assert parts["engine"]["state"] == "running"
        backend, why = runtime.answer_backend()
        assert backend is None and "broken.gguf" in why
        db.close()
    finally:
        app.shutdown()
        runtime.stop()


def test_settings_saves_off_as_the_word_off(home: Path):
    cfg, problems = save({"model.propose": "off", "model.keep_alive": "0"})  # YAML 1.1 would read off as false
    assert not problems, problems
    assert cfg["model.propose"] == "off" and config.load()["model.propose"] == "off"
    assert config.load()["model.keep_alive"] == "0"


def test_keep_alive_is_set_in_settings_and_a_bad_one_is_shown_under_it(qtbot, home: Path):
    from ui.settings import SettingsDialog

    config.load()
    before = config.load().path.read_text()
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.keep_alive.setText("a while")
    assert dialog.save() is False
    problem = dialog.fields["model.keep_alive"][1]
    assert not problem.isHidden() and "a while" in problem.text() and "duration" in problem.text()
    assert config.load().path.read_text() == before  # nothing written
    dialog.keep_alive.setText("30m")
    assert dialog.save() is True
    assert config.load()["model.keep_alive"] == "30m"


def test_settings_changes_reach_the_held_model_without_loading_it(home: Path):
    from assistant.app.live import LiveLoop
    from assistant.core import paths

    live = LiveLoop(default_config(), paths.db_path(), surface=lambda p: None)
    live.start()
    try:
        holder = live.backend
        live.reconfigure(default_config().with_overrides({"model.keep_alive": "10s"}))
        assert live.backend is holder and holder.keep_alive_s == 10 and not holder.loaded
        assert "released after 10s unused" in live.model_part["reason"]
        live.reconfigure(default_config().with_overrides({"model.gguf_path": "/nowhere/other.gguf"}))
        assert live.backend is not holder and holder.state == "idle"  # the old one let go, never loaded
        part = live.model_part
        assert part["state"] == "failed" and "model file not found: /nowhere/other.gguf" in part["reason"]
    finally:
        live.stop()
