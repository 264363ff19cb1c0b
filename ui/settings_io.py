"""Reading and writing config.yaml for the settings window. No Qt here.

Saving merges the changed keys into the file's current YAML, validates the result with
`assistant.core.config.validate` (nothing is written when there is a problem) and writes every key with its help
comment, in the style of `assistant.core.config.default_text()`. Comments added to the file by hand are not kept.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import yaml

from assistant.core import paths
from assistant.core.config import Config, ConfigProblem, check_file, default_text, validate
from assistant.core.config_schema import SCHEMA, Key

WRITTEN_BY = "# Last written by the Settings window; changes apply the next time the assistant starts."


def read_raw(path: Path) -> dict[str, Any]:
    """The file's YAML as a dict ({} when missing or empty). Raises ValueError for unreadable YAML."""
    if not path.exists():
        return {}
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path} is not valid YAML: {exc}") from exc
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValueError(f"{path} should be a mapping of sections, e.g. 'policy:'")
    return raw


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


def render(values: dict[str, Any]) -> str:
    """Every key with its help comment and the value from `values` (a full, validated config dict)."""
    header = [line for line in default_text().splitlines()[:3] if line.startswith("#")]
    lines = header + [WRITTEN_BY, ""]

    def walk(schema: dict[str, Any], node: dict[str, Any], indent: int) -> None:
        pad = "  " * indent
        for name, spec in schema.items():
            if isinstance(spec, dict):
                lines.append(f"{pad}{name}:")
                walk(spec, node[name], indent + 1)
                if indent == 0:
                    lines.append("")
                continue
            assert isinstance(spec, Key)
            lines.append(f"{pad}# {spec.help}")
            dumped = yaml.safe_dump({name: node[name]}, default_flow_style=False, sort_keys=False,
                                    allow_unicode=True).rstrip()
            lines.extend(pad + line for line in dumped.splitlines())

    walk(SCHEMA, values, 0)
    return "\n".join(lines).rstrip() + "\n"


def save(changes: dict[str, Any], path: Path | None = None) -> tuple[Config | None, list[ConfigProblem]]:
    """Apply `changes` (dotted key -> value) to the config file. Returns (config, []) when written,
    (None, problems) when the result would be invalid; the file is then left as it was."""
    path = path or paths.config_path()
    try:
        raw = read_raw(path)
    except ValueError as exc:
        return None, [ConfigProblem(str(path), None, "(syntax)", str(exc))]
    merged, problems = validate(with_changes(raw, changes), str(path))
    if problems:
        return None, problems
    paths.ensure_private_dir(path.parent)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(render(merged), encoding="utf-8")
    os.chmod(tmp, 0o600)
    cfg, problems = check_file(tmp)  # the written text must read back as what was validated
    if problems or cfg.data != merged:
        tmp.unlink()
        return None, problems or [ConfigProblem(str(path), None, "(write)", "the file did not read back the same")]
    os.replace(tmp, path)
    return Config(merged, path), []


def current(path: Path | None = None) -> Config:
    """The config as it is on disk now, defaults filled in (problems ignored: the dialog shows the file's)."""
    path = path or paths.config_path()
    if not path.exists():
        return Config(validate({}, str(path))[0], path)
    return check_file(path)[0]
