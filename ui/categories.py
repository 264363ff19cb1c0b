"""Categories of time (Coding, Media, ...) and the colours of apps and categories. No Qt here.

A category has a name, a colour and rules a person can read: apps (process names, exact), words or phrases in
the window title, sites (a domain such as youtube.com, or a site's name as browsers show it), and for experts a
regular expression on "app title". The first category whose rule matches wins; anything else is "Other".
In config.yaml (`dashboard.categories`) a category is either that mapping or, as before, a bare regex.

Colours are stable: an app's colour is derived from its name (a hash into a palette), so it is the same in
the timeline, the bars, the week view and search, today and tomorrow.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from assistant.core.safe_regex import UserPattern

OTHER = "Other"
OTHER_COLOR = "#9aa0a6"
# 16 colours far enough apart to tell apps apart, readable on light and dark backgrounds (grey is "Other")
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#17becf", "#bcbd22", "#2f4b7c", "#d45087", "#8cd17d", "#a05195", "#ffbe7d")
SITE_SEPARATORS = re.compile(r"\s+(?:[-\u2013\u2014|\u00b7•:])\s+")
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


# everyday apps get colours of their own, apart from each other (as ActivityWatch does); the rest a hash
KNOWN = {"firefox": "#f28e2b", "firefox-esr": "#f28e2b", "chromium": "#4e79a7", "chrome": "#4e79a7",
         "google-chrome": "#4e79a7", "code": "#2f4b7c", "codium": "#2f4b7c", "xterm": "#59a14f",
         "gnome-terminal-server": "#59a14f", "konsole": "#59a14f", "alacritty": "#59a14f", "kitty": "#59a14f",
         "foot": "#59a14f", "slack": "#a05195", "thunderbird": "#17becf", "evolution": "#17becf",
         "libreoffice": "#76b7b2", "soffice.bin": "#76b7b2", "evince": "#e15759", "okular": "#e15759",
         "nautilus": "#bcbd22", "dolphin": "#bcbd22", "spotify": "#8cd17d", "vlc": "#ffbe7d", "mpv": "#ffbe7d",
         "gimp": "#9c755f", "inkscape": "#9c755f", "discord": "#b07aa1", "telegram-desktop": "#d45087",
         "emacs": "#b07aa1", "vim": "#edc948", "nvim": "#edc948", "gedit": "#edc948", "kate": "#edc948"}


def color_for(name: str) -> str:
    """A stable colour for an app or a category name (same name, same colour, in every view and every run)."""
    key = name.strip().lower()
    return KNOWN.get(key) or PALETTE[zlib.crc32(key.encode("utf-8")) % len(PALETTE)]


def host_of(url: str) -> str:
    try:
        return (urlparse(url).hostname or "").removeprefix("www.")
    except ValueError:
        return ""


def site_of(page: str, url: str) -> str:
    """The site of a browser page: its address's host when known, else the site's name browsers put last in
    the page title ("Some video - YouTube" -> "YouTube"); "" when neither says."""
    if url:
        host = host_of(url)
        if host:
            return host
    parts = SITE_SEPARATORS.split(page.strip()) if page else []
    last = parts[-1].strip() if len(parts) > 1 else ""
    return last if 0 < len(last) <= 32 and len(last.split()) <= 3 else ""


def _site_word(site: str) -> str:
    """youtube.com -> youtube; docs.google.com -> docs.google; YouTube -> youtube."""
    site = site.strip().lower().removeprefix("www.")
    labels = site.split(".")
    return ".".join(labels[:-1]) if len(labels) > 1 else site


@dataclass(frozen=True)
class Category:
    name: str
    apps: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    regex: str = ""
    color: str = ""

    @property
    def shown_color(self) -> str:
        return self.color if COLOR.match(self.color or "") else color_for(self.name)

    def describe(self) -> str:
        """'apps code, xterm · titles "report" · sites github.com' (what the editor's list shows)."""
        parts = []
        if self.apps:
            parts.append("apps " + ", ".join(self.apps))
        if self.titles:
            parts.append("titles " + ", ".join(f"“{t}”" for t in self.titles))
        if self.sites:
            parts.append("sites " + ", ".join(self.sites))
        if self.regex:
            parts.append("pattern " + self.regex)
        return " · ".join(parts) or "no rule yet"

    def as_config(self) -> dict[str, Any] | str:
        """The value written to config.yaml (only the fields that are set)."""
        out: dict[str, Any] = {}
        for key in ("apps", "titles", "sites"):
            if getattr(self, key):
                out[key] = list(getattr(self, key))
        if self.regex:
            out["regex"] = self.regex
        if self.color:
            out["color"] = self.color
        return out


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    return tuple(v.strip() for v in value or () if isinstance(v, str) and v.strip())


def parse(rules: dict[str, Any]) -> list[Category]:
    """Categories from the config's `dashboard.categories` (a mapping, or a bare regex per name), in order."""
    out = []
    for name, value in (rules or {}).items():
        if isinstance(value, str):
            out.append(Category(str(name), regex=value))
        elif isinstance(value, dict):
            out.append(Category(str(name), _strings(value.get("apps")), _strings(value.get("titles")),
                                _strings(value.get("sites")), str(value.get("regex") or ""),
                                str(value.get("color") or "")))
    return out


def to_config(categories: list[Category]) -> dict[str, Any]:
    return {c.name: c.as_config() for c in categories}


class Matcher:
    """Compiled categories: `category(app, title, page, url)` -> the first matching name, or "Other"."""

    def __init__(self, categories: list[Category]):
        self.categories = categories
        self.colors = {c.name: c.shown_color for c in categories}
        self._rules = []
        for c in categories:
            pattern = None
            if c.regex:
                try:
                    pattern = UserPattern(c.regex)
                except Exception:  # noqa: BLE001 - an invalid pattern is reported by config check, not here
                    pattern = None
            self._rules.append((c.name, {a.lower() for a in c.apps}, [t.lower() for t in c.titles],
                                [_site_rule(s) for s in c.sites], pattern))
        self._cache: dict[tuple[str, str, str, str], str] = {}

    def color(self, name: str) -> str:
        return OTHER_COLOR if name == OTHER else self.colors.get(name) or color_for(name)

    def category(self, app: str, title: str, page: str = "", url: str = "") -> str:
        key = (app, title, page, url)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._match(app, title, page, url)
            if len(self._cache) < 20000:
                self._cache[key] = hit
        return hit

    def _match(self, app: str, title: str, page: str, url: str) -> str:
        low_app, low_title = app.lower(), title.lower()
        host = host_of(url) if url else ""
        for name, apps, titles, sites, pattern in self._rules:
            if low_app in apps or any(t in low_title for t in titles):
                return name
            if (page or url) and any(rule(host, page) for rule in sites):
                return name
            if pattern is not None and pattern.search(f"{app} {title}"):
                return name
        return OTHER


def _site_rule(site: str):
    """A test (host, page title) -> bool for one site entry: the address's host is the domain or under it; or,
    with no address known, the page title names the site as a word."""
    domain = site.strip().lower().removeprefix("www.")
    word = re.compile(r"(?<![\w.])" + re.escape(_site_word(domain)) + r"(?![\w])", re.IGNORECASE)
    dotted = "." in domain

    def rule(host: str, page: str) -> bool:
        if host and dotted:
            return host == domain or host.endswith("." + domain)
        return word.search(page) is not None or (bool(host) and word.search(host) is not None)

    return rule
