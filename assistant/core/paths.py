"""Where config and data live. `PROACTIVE_HOME` moves both (tests point it at a tmp dir)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "proactive-assistant"


def config_dir() -> Path:
    home = os.environ.get("PROACTIVE_HOME")
    if home:
        return Path(home) / "config"
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    home = os.environ.get("PROACTIVE_HOME")
    if home:
        return Path(home) / "data"
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_path() -> Path:
    return config_dir() / "config.yaml"


def db_path() -> Path:
    return data_dir() / "events.db"


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and parents) and make it 0700: only the user can read the data."""
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path
