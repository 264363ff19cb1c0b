"""The focused window on KDE Plasma (KWin) from a KWin script that calls us back over D-Bus.

KWin offers no protocol that tells a client which window is active, but it runs JavaScript: we load
`desktop_scripts/kwin_active_window.js` through `org.kde.kwin.Scripting.loadScript`, with our own D-Bus
connection's unique name filled in, and start it. On each activation or caption change the script calls
``ActiveWindow(caption, resourceClass, pid, present)`` on our connection; the window collector selects on
that connection's socket. The script is unloaded again on close.
"""

from __future__ import annotations

import os
import tempfile
from importlib import resources
from typing import Any

from jeepney import MatchRule, new_method_return

from collectors import dbus_session
from collectors.window_info import WindowInfo

KWIN = "org.kde.KWin"
SCRIPTING_PATH, SCRIPTING_IFACE = "/Scripting", "org.kde.kwin.Scripting"
OUR_PATH, OUR_IFACE = "/org/proactive/KWin", "org.proactive.KWin"


def script_text(service: str) -> str:
    source = resources.files("collectors").joinpath("desktop_scripts/kwin_active_window.js").read_text()
    return source.replace("__SERVICE__", service)


def kwin_problem() -> str | None:
    problem = dbus_session.session_problem()
    if problem:
        return problem
    try:
        with dbus_session.connect() as conn:
            if not dbus_session.has_owner(conn, KWIN):
                return f"{KWIN} is not on the session bus (not a KDE Plasma session?)"
    except Exception as exc:  # noqa: BLE001
        return f"cannot reach the D-Bus session bus ({exc})"
    return None


class KWinActiveWindow:
    def __init__(self) -> None:
        self.conn = dbus_session.connect()
        self.plugin = f"proactive-assistant-{os.getpid()}"
        self._current: WindowInfo | None = None
        self._seen = 0
        try:
            self.inbox = dbus_session.Inbox(self.conn, MatchRule(type="method_call", interface=OUR_IFACE))
            self._load()
        except Exception:
            self.conn.close()
            raise

    def _call(self, path: str, iface: str, method: str, signature: str | None = None, body: tuple = ()) -> tuple:
        return dbus_session.call(self.conn, KWIN, path, iface, method, signature, body)

    def _load(self) -> None:
        self._unload()  # a script of ours left by a crash
        fd, path = tempfile.mkstemp(prefix="proactive-kwin-", suffix=".js")
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(script_text(self.conn.unique_name))
            os.chmod(path, 0o644)  # KWin reads it (nothing secret: the script and our bus name)
            (number,) = self._call(SCRIPTING_PATH, SCRIPTING_IFACE, "loadScript", "ss", (path, self.plugin))
            if number < 0:
                raise RuntimeError("KWin refused to load the script")
            try:  # Plasma 6 path first, then Plasma 5's
                self._call(f"/Scripting/Script{number}", "org.kde.kwin.Script", "run")
            except dbus_session.DBusCallError:
                self._call(f"/{number}", "org.kde.kwin.Script", "run")
        finally:
            os.unlink(path)

    def _unload(self) -> None:
        try:
            self._call(SCRIPTING_PATH, SCRIPTING_IFACE, "unloadScript", "s", (self.plugin,))
        except Exception:  # noqa: BLE001, S110 - nothing loaded, or KWin is gone
            pass

    def fileno(self) -> int:
        return self.inbox.fileno()

    def active(self) -> WindowInfo | None:
        return self._current

    def drain(self) -> bool:
        changed = False
        for message in self.inbox.take():
            if message.header.fields.get(3) == "ActiveWindow":  # 3 = member
                self._apply(message.body)
                changed = True
            try:
                self.conn.send(new_method_return(message))
            except OSError:
                pass
        return changed

    def _apply(self, body: tuple[Any, ...]) -> None:
        caption, resource_class, pid, present = (list(body) + ["", "", 0, False])[:4]
        if not present:
            self._current = None
            return
        self._seen += 1
        pid_int = int(pid) if isinstance(pid, (int, float)) and pid > 0 else None
        self._current = WindowInfo(self._seen, str(caption), pid_int, str(resource_class) or None)

    def close(self) -> None:
        self._unload()
        self.conn.close()
