"""The desktop apps a situation's windows pretend to be, as the window collector sees them.

Every window is a real X11 window: an xterm started through a symlink named like the app's process, with the
app's WM_CLASS (instance, class) and a title set the way a modern toolkit sets it (_NET_WM_NAME as
UTF8_STRING, plus WM_NAME). The collector reads the process name from the window's _NET_WM_PID (/proc/PID/comm
is the symlink's name) and WM_CLASS exactly as it would for the real app, so `app_for` picks the same app name
(e.g. IntelliJ runs as `java` and is named by its WM_CLASS `jetbrains-idea`).
Inside the xterm runs `bench/situations/sink.py`: it shows what the app would show and swallows what is typed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class App:
    """How one desktop app looks to the window collector."""

    process: str  # the process name (/proc/PID/comm)
    wm_instance: str  # WM_CLASS, first string
    wm_class: str  # WM_CLASS, second string


APPS: dict[str, App] = {
    # terminals
    "gnome-terminal": App("gnome-terminal-server", "gnome-terminal-server", "Gnome-terminal"),
    "konsole": App("konsole", "konsole", "konsole"),
    "xterm": App("xterm", "xterm", "XTerm"),
    "alacritty": App("alacritty", "Alacritty", "Alacritty"),
    # browsers
    "firefox": App("firefox", "Navigator", "firefox"),
    "chromium": App("chromium", "chromium", "Chromium"),
    "chrome": App("chrome", "google-chrome", "Google-chrome"),
    # editors and IDEs
    "code": App("code", "code", "Code"),
    "intellij": App("java", "jetbrains-idea", "jetbrains-idea"),
    "gedit": App("gedit", "gedit", "Gedit"),
    "kate": App("kate", "kate", "kate"),
    "obsidian": App("obsidian", "obsidian", "obsidian"),
    "writer": App("soffice.bin", "libreoffice", "libreoffice-writer"),
    "calc": App("soffice.bin", "libreoffice", "libreoffice-calc"),
    # mail and chat
    "thunderbird": App("thunderbird", "Mail", "thunderbird"),
    "slack": App("slack", "slack", "Slack"),
    "discord": App("Discord", "discord", "discord"),
    "element": App("element-desktop", "element", "Element"),
    # reading, video, meetings, files
    "evince": App("evince", "evince", "Evince"),
    "okular": App("okular", "okular", "okular"),
    "mpv": App("mpv", "gl", "mpv"),
    "vlc": App("vlc", "vlc", "vlc"),
    "zoom": App("zoom", "zoom", "zoom"),
    "nautilus": App("nautilus", "org.gnome.Nautilus", "Org.gnome.Nautilus"),
    "spotify": App("spotify", "spotify", "Spotify"),
    "calendar": App("gnome-calendar", "gnome-calendar", "Gnome-calendar"),
}


def app(name: str) -> App:
    """The app profile called `name`; KeyError names the known ones."""
    try:
        return APPS[name]
    except KeyError:
        raise KeyError(f"unknown app {name!r}; known: {', '.join(sorted(APPS))}") from None
