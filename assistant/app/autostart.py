"""Start with the desktop session: an XDG autostart entry (Linux) and the icon it names. Other platforms: say how
instead.

`enable()` installs the icon into the user's icon theme (~/.local/share/icons/hicolor/scalable/apps/) and writes
~/.config/autostart/proactive-assistant.desktop whose Exec carries the environment choices the user made
(PROACTIVE_HOME and the other PROACTIVE_* variables, QT_QPA_PLATFORM, QT_SCALE_FACTOR), so the session starts the
same assistant on the same data. `disable()` removes both.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

ENTRY_NAME = "proactive-assistant.desktop"
ICON_NAME = "proactive-assistant"
CARRIED = ("QT_QPA_PLATFORM", "QT_SCALE_FACTOR")  # besides every PROACTIVE_* variable


def autostart_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "autostart" / ENTRY_NAME


def icon_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "icons" / "hicolor" / "scalable" / "apps" / f"{ICON_NAME}.svg"


def _quote(arg: str) -> str:
    """An Exec argument as the Desktop Entry spec wants it (double quotes; \\ " ` $ escaped)."""
    if arg and not any(c in arg for c in ' \t\n"\'\\><~|&;$*?#()`='):
        return arg
    return '"' + "".join("\\" + c if c in '"`$\\' else c for c in arg) + '"'


def carried_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    env = os.environ if env is None else env
    return {k: v for k, v in sorted(env.items()) if k.startswith("PROACTIVE_") or k in CARRIED}


def command(env: Mapping[str, str] | None = None) -> str:
    """The command the session should run: this installation's own `proactive`, with the user's choices."""
    exe = shutil.which("proactive") or str(Path(sys.executable).with_name("proactive"))
    assignments = [f"{k}={v}" for k, v in carried_env(env).items()]
    prefix = ["env", *assignments] if assignments else []
    return " ".join(_quote(a) for a in [*prefix, exe, "run"])


def entry_text(env: Mapping[str, str] | None = None) -> str:
    template = (Path(__file__).resolve().parent.parent.parent / "packaging" / ENTRY_NAME)
    lines = template.read_text().splitlines() if template.exists() else [
        "[Desktop Entry]", "Type=Application", "Name=Proactive Assistant", "Exec=proactive run",
        f"Icon={ICON_NAME}", "Terminal=false"]
    out = []
    for line in lines:
        if line.startswith("Exec="):
            line = f"Exec={command(env)}"
        elif line.startswith("Icon="):
            line = f"Icon={ICON_NAME}"
        out.append(line)
    return "\n".join(out) + "\n"


def enable(icon_source: Path | None = None, env: Mapping[str, str] | None = None) -> Path:
    """Install the icon (from `icon_source`, an SVG) and write the autostart entry; returns the entry's path."""
    if sys.platform != "linux":
        raise RuntimeError("autostart is set up for Linux desktops; on this system add `proactive run` to "
                           "your login items by hand")
    if icon_source is not None:
        target = icon_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(icon_source, target)
    path = autostart_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(entry_text(env))
    return path


def disable() -> bool:
    """Remove the autostart entry and the icon; True when there was an entry."""
    path = autostart_path()
    try:
        icon_path().unlink()
    except FileNotFoundError:
        pass
    if path.exists():
        path.unlink()
        return True
    return False
