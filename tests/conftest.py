"""Shared fixtures: every test gets its own PROACTIVE_HOME (config + data) in a tmp dir."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PROACTIVE_HOME", str(tmp_path))
    return tmp_path


def run_cli(*args: str, home: Path, timeout: float = 120, input: str | None = None,
            env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real `proactive` command in a subprocess, as a user would."""
    full_env = {**os.environ, "PROACTIVE_HOME": str(home), **(env or {})}
    return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True,
                          timeout=timeout, env=full_env, input=input, cwd=REPO)
