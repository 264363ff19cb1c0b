"""Change keys in config.yaml the way a careful person would: comments, order and layout kept.

    cfg, problems = apply_changes({"model.gguf_path": "/models/q.gguf", "model.backend": "llama"})

The file is edited as a round-trip YAML document (ruamel.yaml), so the user's comments, key order and other
keys stay as they were; missing sections are added at the end. The result is validated with
`assistant.core.config` before anything is written: with a problem nothing is written and the problems come
back. Writing is atomic (a temporary file in the same directory, fsync, rename) and the file is 0600. A
missing file starts from the commented default. This is the one writer of config.yaml besides the first-run
default (the settings window and `proactive model use` both go through it).
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError as RuamelError
from ruamel.yaml.scalarstring import SingleQuotedScalarString

from assistant.core import paths
from assistant.core.config import (
    Config,
    ConfigError,
    ConfigProblem,
    _line_map,
    default_text,
    parse_yaml,
    read_yaml,
    validate,
)


def _yaml() -> YAML:
    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.indent(mapping=2, sequence=4, offset=2)
    rt.width = 4096  # never fold a long value (a regex, a path) onto two lines
    return rt


def _set(doc: CommentedMap, dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    node = doc
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = CommentedMap()
            node[part] = child
        node = child
    node[last] = SingleQuotedScalarString(value) if isinstance(value, str) and _misread(value) else value


def _misread(text: str) -> bool:
    """Would the config's YAML 1.1 reader take this string for something else ('off' -> False, '10' -> 10)?"""
    try:
        return yaml.safe_load(text) != text
    except yaml.YAMLError:
        return True


def render_changes(text: str, changes: dict[str, Any]) -> str:
    """`text` (config.yaml's content) with the dotted keys set; raises ValueError for unreadable YAML."""
    rt = _yaml()
    try:
        doc = rt.load(text)
    except RuamelError as exc:
        raise ValueError(f"invalid YAML: {exc}") from exc
    if doc is None:
        doc = CommentedMap()
    if not isinstance(doc, dict):
        raise ValueError("expected a mapping of sections, e.g. 'policy:'")
    for dotted, value in changes.items():
        _set(doc, dotted, value)
    out = io.StringIO()
    rt.dump(doc, out)
    return out.getvalue()


def _check_text(text: str, where: str) -> tuple[dict[str, Any], list[ConfigProblem]]:
    """Validate with the config's own guarded parser (no aliases, bounded depth and size)."""
    try:
        raw, node = parse_yaml(text)
    except Exception as exc:  # noqa: BLE001 - the guarded parser's refusals and YAML errors alike
        message = getattr(exc, "message", None) or (str(exc).splitlines() or [type(exc).__name__])[0]
        return {}, [ConfigProblem(where, None, "(syntax)", f"invalid YAML: {message[:200]}")]
    return validate(raw, where, _line_map(node))


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` in one step (0600; the directory is made private if new)."""
    paths.ensure_private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def apply_changes(changes: dict[str, Any], path: Path | None = None) -> tuple[Config | None, list[ConfigProblem]]:
    """Set dotted keys in the config file. (config, []) when written; (None, problems) when the result
    would be invalid or the file cannot be read, in which case the file is left exactly as it was."""
    path = path or paths.config_path()
    try:
        if path.exists():
            read_yaml(path)  # the guarded read first: an alias bomb or a huge file never reaches ruamel
        text = (paths.read_regular(path, 1 << 20).decode("utf-8") if path.exists()  # read_yaml checked it
                else default_text())
    except ConfigError as exc:
        return None, exc.problems
    except OSError as exc:
        return None, [ConfigProblem(str(path), None, "(read)", f"cannot read the file: {exc.strerror or exc}")]
    try:
        new_text = render_changes(text, changes)
    except ValueError as exc:
        return None, [ConfigProblem(str(path), None, "(syntax)", str(exc))]
    merged, problems = _check_text(new_text, str(path))
    if problems:
        return None, problems
    try:
        write_atomic(path, new_text)
    except OSError as exc:
        return None, [ConfigProblem(str(path), None, "(write)", f"cannot write the file: {exc.strerror or exc}")]
    return Config(merged, path), []
