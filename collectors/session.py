"""What kind of desktop session this is, read from the environment and the sockets present (no imports of
platform libraries, no connections): the registry picks the window and idle backends from it.

    detect(env) -> Session(kind="x11"|"wayland"|"none"|"other", desktop, compositor, runtime_dir, xwayland)

`compositor` is "sway", "hyprland", "kwin", "gnome" or "wlroots" (any other Wayland compositor: the generic
wlr-foreign-toplevel protocol is tried) on Wayland, None elsewhere.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Session:
    kind: str  # "x11", "wayland", "none" (no display at all), "other" (Windows, macOS)
    desktop: tuple[str, ...]  # XDG_CURRENT_DESKTOP, lower case, split on ':'
    compositor: str | None
    runtime_dir: str | None
    xwayland: bool  # DISPLAY is set too: X11 apps can still be watched through XWayland

    @property
    def wayland(self) -> bool:
        return self.kind == "wayland"

    def describe(self) -> str:
        if self.kind != "wayland":
            return self.kind
        return f"Wayland ({self.compositor})"


def is_socket(path: str | Path | None) -> bool:
    if not path:
        return False
    try:
        return stat.S_ISSOCK(os.stat(path).st_mode)
    except OSError:
        return False


def wayland_socket(env: Mapping[str, str]) -> str | None:
    """Path of the Wayland display socket named by WAYLAND_DISPLAY (absolute, or in XDG_RUNTIME_DIR)."""
    name = env.get("WAYLAND_DISPLAY")
    if not name:
        return None
    if name.startswith("/"):
        return name
    runtime = env.get("XDG_RUNTIME_DIR")
    return str(Path(runtime) / name) if runtime else None


def hyprland_socket(env: Mapping[str, str], which: str = ".socket2.sock") -> str | None:
    """Hyprland's IPC socket (`.socket.sock` for requests, `.socket2.sock` for events), newest layout first."""
    signature = env.get("HYPRLAND_INSTANCE_SIGNATURE")
    if not signature:
        return None
    candidates = [Path("/tmp/hypr") / signature / which]
    if env.get("XDG_RUNTIME_DIR"):
        candidates.insert(0, Path(env["XDG_RUNTIME_DIR"]) / "hypr" / signature / which)
    for path in candidates:
        if is_socket(path):
            return str(path)
    return str(candidates[0])


def detect(env: Mapping[str, str] | None = None) -> Session:
    env = os.environ if env is None else env
    desktop = tuple(p.strip().lower() for p in env.get("XDG_CURRENT_DESKTOP", "").split(":") if p.strip())
    runtime = env.get("XDG_RUNTIME_DIR")
    xwayland = bool(env.get("DISPLAY"))
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return Session("other", desktop, None, runtime, False)
    session_type = env.get("XDG_SESSION_TYPE", "").lower()
    wayland = bool(env.get("WAYLAND_DISPLAY")) and session_type in ("", "wayland")
    if not wayland:
        return Session("x11" if xwayland else "none", desktop, None, runtime, False)
    if env.get("SWAYSOCK") and is_socket(env["SWAYSOCK"]):
        compositor = "sway"
    elif env.get("HYPRLAND_INSTANCE_SIGNATURE"):
        compositor = "hyprland"
    elif "kde" in desktop:
        compositor = "kwin"
    elif "gnome" in desktop:  # also Ubuntu's "ubuntu:GNOME"
        compositor = "gnome"
    else:
        compositor = "wlroots"
    return Session("wayland", desktop, compositor, runtime, xwayland)
