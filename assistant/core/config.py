"""Load, validate and write the YAML config. Every key has a default; bad input is named precisely.

The file is read defensively: at most 1 MiB of UTF-8, no YAML anchors or aliases (a few hundred bytes of
aliases can expand to gigabytes), nesting at most 16 levels deep, and every regular expression is checked for
catastrophic backtracking (`assistant.core.safe_regex`). Each problem is one line naming the file, the line
when known, the key and what was expected; nothing here raises a traceback at the user.
"""

from __future__ import annotations

import copy
import difflib
import os
import re
import reprlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistant.core import paths
from assistant.core.config_schema import SCHEMA, Key
from assistant.core.durations import parse_duration
from assistant.core.safe_regex import problem as regex_problem

MAX_CONFIG_BYTES = 1 << 20
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_DEPTH = 16


@dataclass(frozen=True)
class ConfigProblem:
    file: str
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.key}: {self.message}"


class ConfigError(Exception):
    """The config file is invalid; `problems` lists every problem found."""

    def __init__(self, problems: list[ConfigProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class Config:
    """Validated settings. `cfg["policy.max_proposals_per_hour"]` or `cfg.section("policy")`."""

    def __init__(self, data: dict[str, Any], path: Path | None = None):
        self.data = data
        self.path = path

    def __getitem__(self, dotted: str) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            node = node[part]
        return node

    def section(self, name: str) -> dict[str, Any]:
        return self[name]

    def with_overrides(self, overrides: dict[str, Any]) -> "Config":
        """A copy with dotted keys replaced (used by tests and `--set`)."""
        data = copy.deepcopy(self.data)
        for dotted, value in overrides.items():
            *parents, last = dotted.split(".")
            node = data
            for part in parents:
                node = node[part]
            node[last] = value
        return Config(data, self.path)


def defaults(schema: dict[str, Any] = SCHEMA) -> dict[str, Any]:
    return {k: (defaults(v) if isinstance(v, dict) else copy.deepcopy(v.default)) for k, v in schema.items()}


def default_config() -> Config:
    return Config(defaults())


# ---------------------------------------------------------------- validation

def _expected(key: Key) -> str:
    bounds = ""
    if key.minimum is not None and key.maximum is not None:
        bounds = f" between {key.minimum:g} and {key.maximum:g}"
    elif key.minimum is not None:
        bounds = f" >= {key.minimum:g}"
    return {
        "bool": "true or false",
        "int": f"an integer{bounds}",
        "float": f"a number{bounds}",
        "str": "a string",
        "choice": "one of " + ", ".join(repr(c) for c in key.choices),
        "duration": "a duration like 90s, 5m or 1h (or a number of seconds)",
        "regex_list": "a list of regular expressions",
        "str_list": "a list of strings",
        "regex_map": "a mapping of names to regular expressions",
        "category_map": ("a mapping of category names to rules (apps, titles, sites: lists of strings; regex; "
                         "color: '#rrggbb') or to a regular expression"),
    }[key.kind]


def _show(value: Any, limit: int = 80) -> str:
    """repr(value), cut to `limit` characters: a message never grows with the file."""
    short = reprlib.Repr()
    short.maxstring, short.maxother, short.maxlevel = limit, limit, 3
    text = short.repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _check_value(key: Key, value: Any) -> tuple[Any, str | None]:
    """Return (normalised value, problem or None)."""
    kind = key.kind
    if kind == "bool":
        return value, None if isinstance(value, bool) else f"expected {_expected(key)}, got {_show(value)}"
    if kind in ("int", "float"):
        ok_type = isinstance(value, int) and not isinstance(value, bool)
        if kind == "float":
            ok_type = ok_type or isinstance(value, float)
        if not ok_type:
            return value, f"expected {_expected(key)}, got {_show(value)}"
        if (key.minimum is not None and value < key.minimum) or (key.maximum is not None and value > key.maximum):
            return value, f"expected {_expected(key)}, got {_show(value)}"
        return (float(value) if kind == "float" else value), None
    if kind == "str":
        if value is None:
            return "", None
        return value, None if isinstance(value, str) else f"expected {_expected(key)}, got {_show(value)}"
    if kind == "choice":
        return value, None if value in key.choices else f"expected {_expected(key)}, got {_show(value)}"
    if kind == "duration":
        return _check_duration(key, value)
    if kind in ("regex_list", "str_list"):
        if value is None:
            return [], None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return value, f"expected {_expected(key)}, got {_show(value)}"
        return value, None
    if kind == "category_map":
        return _check_categories(key, value)
    if kind == "regex_map":
        if value is None:
            return {}, None
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                  for k, v in value.items()):
            return value, f"expected {_expected(key)}, got {_show(value)}"
        return dict(value), None
    raise AssertionError(kind)


def _check_duration(key: Key, value: Any) -> tuple[Any, str | None]:
    """A duration as people type it ("5m"), or a number of seconds; kept as written."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return value, f"expected {_expected(key)}, got {_show(value)}"
    try:
        seconds = parse_duration(str(value))
    except ValueError:
        return value, f"expected {_expected(key)}, got {_show(value)}"
    return value, None if seconds >= 0 else f"expected {_expected(key)}, got {_show(value)}"


CATEGORY_FIELDS = ("apps", "titles", "sites", "regex", "color")


def _check_categories(key: Key, value: Any) -> tuple[Any, str | None]:
    """dashboard.categories: name -> a regex, or a mapping of readable rules (see ui/categories.py)."""
    if value is None:
        return {}, None
    if not isinstance(value, dict):
        return value, f"expected {_expected(key)}, got {_show(value)}"
    for name, rule in value.items():
        if not isinstance(name, str) or not name.strip():
            return value, f"expected category names to be text, got {_show(name)}"
        if isinstance(rule, str):
            problem = regex_problem(rule)
            if problem:
                return value, f"{name}: {problem}"
            continue
        if not isinstance(rule, dict):
            return value, f"{name}: expected a regex or a mapping with {', '.join(CATEGORY_FIELDS)}, got {_show(rule)}"
        for field_name, item in rule.items():
            if field_name not in CATEGORY_FIELDS:
                return value, f"{name}: unknown key {_show(field_name)} (expected one of: {', '.join(CATEGORY_FIELDS)})"
            if field_name in ("apps", "titles", "sites"):
                items = [item] if isinstance(item, str) else item
                if item is not None and (not isinstance(items, list) or not all(isinstance(i, str) for i in items)):
                    return value, f"{name}.{field_name}: expected a list of strings, got {_show(item)}"
            elif field_name == "regex":
                problem = regex_problem(item) if isinstance(item, str) else f"expected a string, got {_show(item)}"
                if item is not None and problem:
                    return value, f"{name}.regex: {problem}"
            elif item is not None and not (isinstance(item, str) and _COLOR.match(item)):
                return value, f"{name}.color: expected a colour like '#4e79a7', got {_show(item)}"
    return dict(value), None


def _line_map(node: yaml.Node | None, prefix: str = "") -> dict[str, int]:
    """Map dotted key -> 1-based line number where it appears in the YAML source (list items: key[i])."""
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            dotted = f"{prefix}{key_node.value}"
            lines[dotted] = key_node.start_mark.line + 1
            if isinstance(value_node, yaml.SequenceNode):
                for i, item in enumerate(value_node.value):
                    lines[f"{dotted}[{i}]"] = item.start_mark.line + 1
            lines.update(_line_map(value_node, dotted + "."))
    return lines


def validate(raw: Any, file: str, lines: dict[str, int] | None = None) -> tuple[dict[str, Any], list[ConfigProblem]]:
    """Merge `raw` over the defaults; collect every problem instead of stopping at the first."""
    lines = lines or {}
    problems: list[ConfigProblem] = []
    merged = defaults()
    if raw is None:
        return merged, problems
    if not isinstance(raw, dict):
        return merged, [ConfigProblem(file, 1, "(top level)", "expected a mapping of sections, e.g. 'policy:'")]

    def walk(raw_node: dict, schema: dict, out: dict, prefix: str) -> None:
        for name, value in raw_node.items():
            dotted = f"{prefix}{name}"
            line = lines.get(dotted)
            if name not in schema:
                known = sorted(schema)
                hint = difflib.get_close_matches(str(name), known, n=1)
                msg = f"unknown key (expected one of: {', '.join(known)})"
                dotted = f"{prefix}{_show(name, 60)}" if not isinstance(name, str) or len(name) > 60 else dotted
                if hint:
                    msg += f"; did you mean '{prefix}{hint[0]}'?"
                problems.append(ConfigProblem(file, line, dotted, msg))
                continue
            spec = schema[name]
            if isinstance(spec, dict):
                if value is None:
                    continue
                if not isinstance(value, dict):
                    problems.append(ConfigProblem(file, line, dotted,
                                                  f"expected a section with keys {', '.join(sorted(spec))}"))
                    continue
                walk(value, spec, out[name], dotted + ".")
                continue
            normalised, problem = _check_value(spec, value)
            if not problem and spec.kind == "regex_list":
                for i, pattern in enumerate(normalised):
                    problem = regex_problem(pattern)
                    if problem:
                        line = lines.get(f"{dotted}[{i}]", line)
                        break
            if not problem and spec.kind == "regex_map":
                for name, pattern in normalised.items():
                    problem = regex_problem(pattern)
                    if problem:
                        line, problem = lines.get(f"{dotted}.{name}", line), f"{name}: {problem}"
                        break
            if problem:
                problems.append(ConfigProblem(file, line, dotted, problem))
            else:
                out[name] = normalised

    walk(raw, SCHEMA, merged, "")
    return merged, problems


class _Refused(Exception):
    def __init__(self, line: int | None, message: str):
        super().__init__(message)
        self.line, self.message = line, message


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases and nesting deeper than MAX_DEPTH (before building them)."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused(line, "YAML anchors and aliases (&name, *name, <<) are not allowed in the config; "
                                 "write each value out")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(line, f"expected at most {MAX_DEPTH} levels of nesting")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _read_text(path: Path) -> str:
    """The file's text; _Refused says why it cannot be read as a small UTF-8 file."""
    try:
        with paths.open_regular(path) as fh:  # a FIFO or a symlink to /dev/zero is refused by its type
            data = fh.read(MAX_CONFIG_BYTES + 1)
        if len(data) > MAX_CONFIG_BYTES:
            raise _Refused(None, f"is larger than {MAX_CONFIG_BYTES:,} bytes; expected a YAML file of at most "
                                 f"{MAX_CONFIG_BYTES:,} bytes")
    except paths.NotAFile as exc:
        kind = str(exc).split(" is ", 1)[-1].split(";")[0]
        raise _Refused(None, f"is {kind}; expected a YAML file") from None
    except IsADirectoryError:
        raise _Refused(None, "is a directory; expected a YAML file") from None
    except OSError as exc:
        raise _Refused(None, f"cannot be read ({exc.strerror or exc}); expected a readable YAML file") from None
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise _Refused(line, f"byte 0x{data[exc.start]:02x} at column {column} is not UTF-8; expected a "
                             "UTF-8 text file") from None


def parse_yaml(text: str) -> tuple[Any, yaml.Node | None]:
    """(Python value, root node) of a config text; _Refused / yaml.YAMLError on bad input."""
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    finally:
        loader.dispose()


def read_yaml(path: Path) -> Any:
    """The config file's YAML value, read with every guard of `check_file`. Raises ConfigError."""
    try:
        return parse_yaml(_read_text(path))[0]
    except _Refused as exc:
        raise ConfigError([ConfigProblem(str(path), exc.line, "(file)", exc.message)]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([_yaml_problem(path, exc)]) from None
    except RecursionError:
        raise ConfigError([ConfigProblem(str(path), None, "(syntax)",
                                         f"expected at most {MAX_DEPTH} levels of nesting")]) from None


def _yaml_problem(path: Path, exc: yaml.YAMLError) -> ConfigProblem:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark else None
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if isinstance(exc, yaml.reader.ReaderError):
        problem = f"unacceptable character #x{exc.character:04x} (position {exc.position})" \
            if isinstance(exc.character, int) else str(exc).splitlines()[0]
    return ConfigProblem(str(path), line, "(syntax)", f"invalid YAML: {_show(problem, 200)}")


def check_file(path: Path) -> tuple[Config, list[ConfigProblem]]:
    """Parse and validate `path`; returns the config and all problems (empty list when valid). Never raises."""
    try:
        raw, node = parse_yaml(_read_text(path))
    except _Refused as exc:
        return default_config(), [ConfigProblem(str(path), exc.line, "(file)", exc.message)]
    except yaml.YAMLError as exc:
        return default_config(), [_yaml_problem(path, exc)]
    except RecursionError:
        return default_config(), [ConfigProblem(str(path), None, "(syntax)",
                                                f"expected at most {MAX_DEPTH} levels of nesting")]
    data, problems = validate(raw, str(path), _line_map(node))
    return Config(data, path), problems


def missing_files(cfg: Config) -> list[ConfigProblem]:
    """Files the config names that do not exist. Not a reason to refuse the config (the app runs with that part
    disabled and says why), but `proactive config check` reports them."""
    problems = []
    where = str(cfg.path or paths.config_path())
    gguf = cfg["model.gguf_path"]
    if cfg["model.backend"] == "llama" and gguf and not Path(gguf).expanduser().is_file():
        problems.append(ConfigProblem(where, None, "model.gguf_path", f"no such model file {gguf!r}; expected a "
                                      "GGUF file (`proactive model list` shows what is installed); until then the "
                                      "app proposes from templates and the judge only"))
    judge_dir = cfg["judge.model_dir"]
    if judge_dir and not Path(judge_dir).expanduser().is_dir():
        problems.append(ConfigProblem(where, None, "judge.model_dir", f"no such directory {judge_dir!r}; expected "
                                      "a judge trained with `proactive judge train`"))
    return problems


def load(path: Path | None = None, create: bool = True) -> Config:
    """Load the config, writing a commented default on first run. Raises ConfigError if invalid."""
    path = path or paths.config_path()
    if not path.exists() and not path.is_symlink():
        if not create:
            return Config(defaults(), path)
        try:
            write_default(path)
        except OSError as exc:
            raise ConfigError([ConfigProblem(str(path), None, "(file)", f"cannot write the default config "
                                             f"({exc.strerror or exc}); expected a writable config directory")]) \
                from None
    cfg, problems = check_file(path)
    if problems:
        raise ConfigError(problems)
    return cfg


# ---------------------------------------------------------------- writing the commented default

def _render(schema: dict[str, Any], indent: int) -> list[str]:
    out: list[str] = []
    pad = "  " * indent
    for name, spec in schema.items():
        if isinstance(spec, dict):
            out.append(f"{pad}{name}:")
            out.extend(_render(spec, indent + 1))
            continue
        out.append(f"{pad}# {spec.help}")
        flow = None if spec.kind == "category_map" else False  # categories: one short line per rule
        dumped = yaml.safe_dump({name: spec.default}, default_flow_style=flow, sort_keys=False, width=110,
                                allow_unicode=True).rstrip()
        out.extend(pad + line for line in dumped.splitlines())
    return out


def default_text() -> str:
    header = [
        "# Proactive assistant settings. Every key is optional: delete a line to get its default back.",
        "# Check this file with: proactive config check",
        "",
    ]
    body: list[str] = []
    for name, spec in SCHEMA.items():
        body.append(f"{name}:")
        body.extend(_render(spec, 1))
        body.append("")
    return "\n".join(header + body)


def write_default(path: Path) -> None:
    paths.ensure_private_dir(path.parent)
    path.write_text(default_text(), encoding="utf-8")
    os.chmod(path, 0o600)
