"""The app's own windows (dashboard, settings, cards, task panel, first-run screen, its dialogs): never logged.

The collectors' privacy filter drops them at the source (by the window's PID when the desktop tells it, else by
title and app); the event log leaves out rows an older version stored (a migration deletes them, and the
dashboard's queries skip them), so they appear in no event, tab, narration or export.

Every window the app opens is titled "Proactive assistant — <what>" (or one of the few exact titles below) and
runs in a process named `proactive` (the installed command, the bundle), a Python interpreter, or carries the
app id / WM_CLASS "proactive-assistant".
"""

from __future__ import annotations

import re

TITLE_PREFIX = "Proactive assistant — "
EXACT_TITLES = ("Proactive assistant", "Suggestion", "Assistant — working on your task")
OWN_TITLES = re.compile("^(?:" + "|".join(re.escape(t) for t in EXACT_TITLES) + "|" + re.escape(TITLE_PREFIX)
                        + ".*)$", re.DOTALL)
OWN_APPS = ("proactive", "proactive-assistant", "proactive assistant")
HOST_PREFIX = "python"  # python, python3, python3.11: the app run from a source checkout


def own_app(app: str | None) -> bool:
    """True when `app` can be this app's process (its command, its app id, or a Python interpreter)."""
    name = (app or "").strip().lower()
    return not name or name in OWN_APPS or name.startswith(HOST_PREFIX)


def own_title(title: str | None) -> bool:
    return bool(title) and OWN_TITLES.match(title) is not None


def own_window(app: str | None, title: str | None, pid: int | None = None, own_pid: int | None = None) -> bool:
    """True for a window of this app: its PID is ours (when both are known), or its title is one of ours and its
    app could be us. A window of another process with one of our titles (a web page about this project) is not."""
    if pid is not None and own_pid is not None:
        return pid == own_pid
    return own_title(title) and own_app(app)
