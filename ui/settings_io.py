"""Reading and writing config.yaml for the settings window. No Qt here.

Saving goes through `assistant.core.settings.apply_changes`: the changed keys are set in the file as it is
(the user's comments, key order and other keys kept), the result is validated (nothing is written when there
is a problem) and written atomically with mode 0600.
"""

from __future__ import annotations

import copy
import re
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


# ------------------------------------------------------------------ point-and-click rules

_SITE_SEP = r"\s[-\u2013\u2014|\u00b7:]\s+"
_HOST_PREFIX = r"(?i)^https?://([^/?#]*\.)?"
_HOST_SUFFIX = r"([/:?#]|$)"


def _escape(text: str) -> str:
    return re.escape(text.strip())


def _unescape(pattern: str) -> str | None:
    """The text `re.escape` made `pattern` from, or None when it is not such a pattern."""
    text = re.sub(r"\\(.)", r"\1", pattern, flags=re.DOTALL)
    return text if re.escape(text) == pattern else None


def app_rule(app: str) -> str:
    """privacy.exclude_apps: exactly this app (process name), any case."""
    return f"(?i)^{_escape(app)}$"


def site_rule(site: str) -> str:
    """privacy.exclude_titles: a site, by its address (youtube.com and its subdomains) and by the name browsers
    put last in its page titles ("... - YouTube"); a bare name (no dot) by the name only."""
    site = site.strip().removeprefix("www.")
    if "." not in site:
        return f"(?i){_SITE_SEP}{_escape(site)}$"
    name = site.rsplit(".", 1)[0].split(".")[-1]
    return f"{_HOST_PREFIX}{_escape(site)}{_HOST_SUFFIX}|{_SITE_SEP}{_escape(name)}(\\.\\w+)?$"


def title_rule(text: str) -> str:
    """privacy.exclude_titles: window titles (and page titles, addresses) containing `text`, any case."""
    return f"(?i){_escape(text)}"


def describe_rule(key: str, pattern: str) -> tuple[str, str] | None:
    """(kind, what) for a rule `app_rule`, `site_rule` or `title_rule` wrote: ("app", "firefox"),
    ("site", "youtube.com"), ("title", "budget"); None for any other regex (shown under Advanced)."""
    if key == "privacy.exclude_apps":
        inner = pattern.removeprefix("(?i)^").removesuffix("$") if pattern.startswith("(?i)^") else None
        app = _unescape(inner) if inner is not None and pattern.endswith("$") else None
        return ("app", app) if app else None
    if pattern.startswith(_HOST_PREFIX):
        host = _unescape(pattern[len(_HOST_PREFIX):].split(_HOST_SUFFIX, 1)[0])
        return ("site", host) if host and site_rule(host) == pattern else None
    if pattern.startswith(f"(?i){_SITE_SEP}") and pattern.endswith("$"):
        name = _unescape(pattern[len(f"(?i){_SITE_SEP}"):-1])
        return ("site", name) if name else None
    if pattern.startswith("(?i)"):
        text = _unescape(pattern[4:])
        return ("title", text) if text else None
    return None


def with_rule(cfg: Config, key: str, pattern: str) -> dict[str, Any]:
    """The change that adds `pattern` to the list `key` (nothing when it is there already)."""
    rules = list(cfg[key])
    return {} if pattern in rules else {key: rules + [pattern]}


def in_category(cfg: Config, category: str, app: str | None = None, site: str | None = None) -> dict[str, Any]:
    """The change that puts an app or a site in `category` (made if new), taking it out of any other."""
    rules = copy.deepcopy(dict(cfg["dashboard.categories"]))
    field, value = ("apps", app) if app else ("sites", site)
    assert value
    for name, rule in rules.items():
        if isinstance(rule, dict) and name != category:
            kept = [v for v in _as_list(rule.get(field)) if v.lower() != value.lower()]
            if len(kept) != len(_as_list(rule.get(field))):
                rules[name] = {**rule, field: kept}
    target = rules.get(category)
    if isinstance(target, str):
        target = {"regex": target}
    target = dict(target or {})
    values = _as_list(target.get(field))
    if value.lower() not in (v.lower() for v in values):
        values.append(value)
    target[field] = values
    if category in rules:
        rules[category] = target
        return {"dashboard.categories": rules}
    return {"dashboard.categories": {category: target, **rules}}  # a new category is tried first


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value or [] if isinstance(v, str)]
