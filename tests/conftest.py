"""Shared fixtures: every test gets its own PROACTIVE_HOME (config + data) in a tmp dir, automatically, so no
test can ever read or write a real user's home."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tiers import is_slow

REPO = Path(__file__).resolve().parent.parent


def pytest_configure(config: pytest.Config) -> None:
    """Test files or ids named on the command line run whatever their tier (`pytest tests/test_lockout.py` runs
    the whole file) unless `-m` is given; otherwise pyproject's default `-m "not slow"` keeps to the quick tier."""
    args = config.invocation_params.args
    named = any(not a.startswith("-") and Path(a.split("::")[0]).is_file() for a in args)  # not a folder
    chose = any(a.startswith("-m") or a.startswith("--markexpr") for a in args)
    if named and not chose and config.option.markexpr == "not slow":
        config.option.markexpr = ""


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the slow tier (tests/tiers.py) so that `-m "not slow"` leaves it out."""
    for item in items:
        markers = {m.name for m in item.iter_markers()}
        name = getattr(item, "originalname", item.name)
        if is_slow(item.path.stem, name, list(getattr(item, "fixturenames", ())), markers):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's PROACTIVE_HOME (autouse: every test has one, whether it asks for it or not)."""
    monkeypatch.setenv("PROACTIVE_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def consented(home: Path) -> Path:
    """Consent to the defaults recorded in this test's home, as `proactive consent --accept-defaults` does (an
    app started in process with `Runtime` collects nothing without it)."""
    from assistant.app import control
    from assistant.log import open_db

    db = open_db()
    try:
        control.give_consent(db, {}, via="flag")
    finally:
        db.close()
    return home


STORAGE_MODES = {"spool": 60.0, "direct": 0.0}  # the writer's two ways to make events crash-safe


@pytest.fixture(params=list(STORAGE_MODES))
def sync_interval(request: pytest.FixtureRequest) -> float:
    """storage.sync_interval for each storage mode: tests that take it run once per mode."""
    return STORAGE_MODES[request.param]


def run_cli(*args: str, home: Path, timeout: float = 120, input: str | None = None,
            env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real `proactive` command in a subprocess, as a user would."""
    full_env = {**os.environ, "PROACTIVE_HOME": str(home), **(env or {})}
    return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True,
                          timeout=timeout, env=full_env, input=input, cwd=REPO)


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory):
    """A real OpenAI-compatible server (llama_cpp.server) serving the embedded model, shared by the session."""
    from models.default_model import default_gguf_path
    from tests.llama_server import LlamaServer

    server = LlamaServer(default_gguf_path(), tmp_path_factory.mktemp("llama-server") / "server.log")
    try:
        yield server
    finally:
        server.stop()
