"""What the fact finders may look at: the error text, what the user did, and (opt-in) the project's files."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

MANIFESTS = ("package.json", "Cargo.toml", "go.mod", "pyproject.toml", "pom.xml", "build.gradle",
             "build.gradle.kts", "requirements.txt", "requirements-dev.txt", "setup.cfg")
MAX_MANIFEST_BYTES = 512_000


@dataclass(frozen=True)
class Evidence:
    """The task and what it is about. `project_dir` is given only when the user opted in to file access
    (`assist.read_files`); `texts` are the observation sentences and window titles (untrusted, only read)."""

    task: str = ""
    kind: str = ""
    error: str = ""
    query: str = ""  # what the user searched for (search-like tasks)
    texts: Sequence[str] = ()
    file_name: str = ""
    file_text: str | None = None
    clipboard: str | None = None
    project_dir: Path | None = None
    cwd: str | None = None

    @property
    def all_text(self) -> str:
        return "\n".join([self.error, *self.texts])

    def manifest(self, name: str) -> str | None:
        """The text of a manifest (package.json, Cargo.toml, go.mod, requirements*.txt, ...) in the project
        folder or one of its parents, only with file access opted in; None otherwise."""
        if self.project_dir is None:
            return None
        for folder in (self.project_dir, *list(self.project_dir.parents)[:4]):
            path = folder / name
            try:
                if path.is_file() and path.stat().st_size <= MAX_MANIFEST_BYTES:
                    return path.read_text("utf-8", "replace")
            except OSError:
                return None
        return None


def package_json_deps(text: str) -> dict[str, str]:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    deps: dict[str, str] = {}
    for key in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"):
        if isinstance(data.get(key), dict):
            deps.update({str(k): str(v) for k, v in data[key].items()})
    return deps


def cargo_deps(text: str) -> set[str]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return set()
    names: set[str] = set()
    for key in ("dependencies", "dev-dependencies", "build-dependencies"):
        for name, spec in (data.get(key) or {}).items():
            names.add(name)
            if isinstance(spec, dict) and isinstance(spec.get("package"), str):
                names.add(spec["package"])
    return names


def go_requires(text: str) -> set[str]:
    return set(re.findall(r"(?m)^\s*(?:require\s+)?([\w.-]+\.[\w.-]+/[\w./-]+)\s+v[\d.]", text))


def requirement_names(text: str) -> set[str]:
    """Distribution names in requirements*.txt or pyproject.toml dependencies (lower-cased, PEP 503)."""
    names = set()
    for m in re.finditer(r"""(?m)^\s*["']?([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?:[<>=!~;@"',]|$)""",
                         text):
        names.add(re.sub(r"[-_.]+", "-", m.group(1)).lower())
    return names
