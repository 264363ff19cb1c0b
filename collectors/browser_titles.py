"""Reading the page out of a browser's window title (pure functions)."""

from __future__ import annotations

import re

# process name (lower case, without .exe) -> the browser family
BROWSERS = {
    "firefox": "firefox", "firefox-esr": "firefox", "firefox-bin": "firefox", "librewolf": "firefox",
    "chromium": "chromium", "chromium-browser": "chromium", "chrome": "chrome", "google-chrome": "chrome",
    "google-chrome-stable": "chrome", "brave": "brave", "brave-browser": "brave", "msedge": "edge",
    "microsoft-edge": "edge", "microsoft-edge-stable": "edge", "vivaldi": "vivaldi", "vivaldi-bin": "vivaldi",
    "opera": "opera",
}
# " - Google Chrome", " — Mozilla Firefox", " - Profile 1 - Microsoft\u200b Edge", ... A profile name sits between the
# page and the browser's name only in Chromium-family titles: in "Video - YouTube — Mozilla Firefox" the
# "YouTube" is part of the page title (its site), not a profile.
_SUFFIX = re.compile(  # starts only where a run of spaces starts, so long space runs cost linear time
    r"(?<!\s)\s+[-\u2014\u2013]\s+(?:"
    r"(?:Mozilla Firefox(?: Private Browsing)?|Firefox|LibreWolf)"
    r"|(?:[^-\u2014\u2013]{1,40}\s+[-\u2014\u2013]\s+)?(?:Chromium|Google Chrome|Brave|Microsoft\u200b? Edge|Vivaldi|Opera)"
    r")\s*$"
)
_URL = re.compile(r"\b(?:https?|file)://[^\s<>\"']+")
_BARE_DOMAIN = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?(?:/\S*)?$", re.IGNORECASE)


def browser_family(app: str | None) -> str | None:
    if not app:
        return None
    name = app.lower().removesuffix(".exe")
    return BROWSERS.get(name)


def page_info(app: str | None, title: str) -> dict:
    """For a known browser: {"browser": True, "page_title": ..., "url"?: ...}; {} otherwise."""
    if not browser_family(app):
        return {}
    page = _SUFFIX.sub("", title).strip()
    info: dict = {"browser": True, "page_title": page}
    match = _URL.search(page)
    if match:
        info["url"] = match.group().rstrip(".,);")
    elif _BARE_DOMAIN.match(page):  # a page without a <title> shows its address
        info["url"] = "https://" + page
    return info
