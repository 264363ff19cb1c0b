"""Reading and writing config.yaml for the settings window. No Qt here.

Saving goes through `assistant.core.settings.apply_changes`: the changed keys are set in the file as it is
(the user's comments, key order and other keys kept), the result is validated (nothing is written when there
is a problem) and written atomically with mode 0600.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from assistant.core import paths, settings
from assistant.core.config import Config, ConfigProblem, check_file, validate


def with_changes(raw: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of `raw` with dotted keys set (sections created as needed)."""
    out = copy.deepcopy(raw)
    for dotted, value in changes.items():
        *parents, last = dotted.split(".")
        node = out
        for part in parents:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        node[last] = value
    return out


def save(changes: dict[str, Any], path: Path | None = None) -> tuple[Config | None, list[ConfigProblem]]:
    """Apply `changes` (dotted key -> value) to the config file. Returns (config, []) when written,
    (None, problems) when the result would be invalid; the file is then left as it was."""
    return settings.apply_changes(changes, path or paths.config_path())


def current(path: Path | None = None) -> Config:
    """The config as it is on disk now, defaults filled in (problems ignored: the dialog shows the file's)."""
    path = path or paths.config_path()
    if not path.exists():
        return Config(validate({}, str(path))[0], path)
    return check_file(path)[0]
