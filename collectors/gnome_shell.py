"""The focused window on GNOME (Mutter) through a small GNOME Shell extension shipped with the app.

GNOME offers no protocol that tells a client which window is active, so the extension in
`desktop_scripts/gnome/` (installed by `proactive setup gnome`) runs inside GNOME Shell and exports
``org.proactive.FocusedWindow`` at ``/org/proactive/FocusedWindow`` on the session bus (bus name
org.gnome.Shell): ``Get() -> s`` (JSON: title, wm_class, app_id, pid; ``{}`` when nothing has focus) and the
signal ``Changed(s)`` on every focus or title change. The window collector selects on our D-Bus socket.

`install_extension()` copies the extension into ~/.local/share/gnome-shell/extensions/ (the ES-module
variant for GNOME 45+, the legacy one before) and enables it; on Wayland GNOME Shell loads new extensions
at the next login.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from importlib import resources
from pathlib import Path

from jeepney import MatchRule

from collectors import dbus_session
from collectors.window_info import WindowInfo

UUID = "focused-window@proactive-assistant"
SHELL = "org.gnome.Shell"
PATH, IFACE = "/org/proactive/FocusedWindow", "org.proactive.FocusedWindow"
MISSING = ("the GNOME Shell extension is missing or off: run `proactive setup gnome`, then log out and in "
           "again")


def gnome_problem() -> str | None:
    problem = dbus_session.session_problem()
    if problem:
        return problem
    try:
        with dbus_session.connect() as conn:
            if not dbus_session.has_owner(conn, SHELL):
                return f"{SHELL} is not on the session bus (not a GNOME session?)"
            dbus_session.call(conn, SHELL, PATH, IFACE, "Get")
    except dbus_session.DBusCallError:
        return MISSING
    except Exception as exc:  # noqa: BLE001
        return f"cannot reach the D-Bus session bus ({exc})"
    return None


def parse_window(text: str) -> WindowInfo | None:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(doc, dict) or not doc:
        return None
    pid = doc.get("pid")
    app = doc.get("app_id") or doc.get("wm_class") or None
    return WindowInfo(0, str(doc.get("title") or ""), pid if isinstance(pid, int) and pid > 0 else None,
                      str(app) if app else None)


class GnomeActiveWindow:
    def __init__(self) -> None:
        self.conn = dbus_session.connect()
        try:
            dbus_session.subscribe(self.conn, interface=IFACE, member="Changed", path=PATH)
            self.inbox = dbus_session.Inbox(self.conn, MatchRule(type="signal", interface=IFACE, member="Changed"))
            (text,) = dbus_session.call(self.conn, SHELL, PATH, IFACE, "Get")
            self._current = parse_window(text)
        except Exception:
            self.conn.close()
            raise

    def fileno(self) -> int:
        return self.inbox.fileno()

    def active(self) -> WindowInfo | None:
        return self._current

    def drain(self) -> bool:
        messages = self.inbox.take()
        for message in messages:
            if message.body and isinstance(message.body[0], str):
                self._current = parse_window(message.body[0])
        return bool(messages)

    def close(self) -> None:
        self.conn.close()


# ---- installing the extension (`proactive setup gnome`)

def shell_major(version_text: str | None = None) -> int | None:
    """GNOME Shell's major version from `gnome-shell --version` ("GNOME Shell 46.2"), None if unknown."""
    if version_text is None:
        if not shutil.which("gnome-shell"):
            return None
        version_text = subprocess.run(["gnome-shell", "--version"], capture_output=True, text=True,
                                      timeout=10, check=False).stdout
    match = re.search(r"(\d+)\.", version_text or "")
    return int(match.group(1)) if match else None


def extension_files(major: int) -> dict[str, str]:
    """The extension's files (name -> text) for GNOME Shell `major`."""
    base = resources.files("collectors").joinpath("desktop_scripts/gnome")
    common = base.joinpath("common.js.in").read_text()
    variant = "extension-esm.js.in" if major >= 45 else "extension-legacy.js.in"
    return {"metadata.json": base.joinpath("metadata.json").read_text(),
            "extension.js": base.joinpath(variant).read_text().replace("@COMMON@", common.strip())}


def extensions_dir() -> Path:
    data = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(data) / "gnome-shell" / "extensions"


def install_extension(major: int | None) -> tuple[Path, str]:
    """Write the extension for GNOME Shell `major` (45 when unknown) and try to enable it.
    Returns (its folder, what the user still has to do)."""
    target = extensions_dir() / UUID
    target.mkdir(parents=True, exist_ok=True)
    for name, text in extension_files(major or 45).items():
        (target / name).write_text(text)
    if shutil.which("gnome-extensions"):
        done = subprocess.run(["gnome-extensions", "enable", UUID], capture_output=True, text=True, timeout=20,
                              check=False)
        if done.returncode == 0:
            return target, "enabled; log out and in again so GNOME Shell loads it"
    return target, f"enable it after the next login with: gnome-extensions enable {UUID}"
