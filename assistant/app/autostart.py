"""Start with the desktop session: an XDG autostart entry (Linux). Other platforms: say how instead."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ENTRY_NAME = "proactive-assistant.desktop"


def autostart_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "autostart" / ENTRY_NAME


def command() -> str:
    """The command the session should run: this installation's own `proactive`."""
    exe = shutil.which("proactive") or str(Path(sys.executable).with_name("proactive"))
    return f"{exe} run"


def entry_text() -> str:
    template = (Path(__file__).resolve().parent.parent / "packaging" / ENTRY_NAME)
    lines = template.read_text().splitlines() if template.exists() else [
        "[Desktop Entry]", "Type=Application", "Name=Proactive Assistant", "Exec=proactive run"]
    return "\n".join(f"Exec={command()}" if line.startswith("Exec=") else line for line in lines) + "\n"


def enable() -> Path:
    if sys.platform != "linux":
        raise RuntimeError("autostart is set up for Linux desktops; on this system add `proactive run` to "
                           "your login items by hand")
    path = autostart_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(entry_text())
    return path


def disable() -> bool:
    path = autostart_path()
    if path.exists():
        path.unlink()
        return True
    return False
