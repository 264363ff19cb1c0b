"""Window titles as the real apps write them (browser suffixes, search pages, terminal prompts) and the small
habits of a terminal user (type a command, run it, wait), shared by the situation scripts.

All names, projects, people and page titles in the library are invented for it.
"""

from __future__ import annotations

from bench.situations.script import Script


def firefox(page: str) -> str:
    return f"{page} — Mozilla Firefox"


def chromium(page: str) -> str:
    return f"{page} - Chromium"


def google(query: str) -> str:
    return f"{query} - Google Search"


def duckduckgo(query: str) -> str:
    return f"{query} at DuckDuckGo"


def stackoverflow(question: str, tag: str = "") -> str:
    return f"{tag + ' - ' if tag else ''}{question} - Stack Overflow"


def vscode(file: str, folder: str) -> str:
    return f"{file} - {folder} - Visual Studio Code"


def konsole(text: str) -> str:
    return f"{text} — Konsole"


def command(s: Script, text: str, runs_for: float, prompt: str = "", running: str = "",
            cps: float = 6.0) -> Script:
    """Type `text` in the focused terminal and run it for `runs_for` seconds. Shells that put the running
    command in the title (zsh, fish, Konsole) show `running` (default: the command) meanwhile and go back to
    `prompt` after; with `prompt` empty the title never changes (bash's default `user@host: dir`)."""
    s.type(max(1.0, round(len(text) / cps, 1)), cps=cps).keys("Return", then=0.2)
    if prompt:
        s.title(running or text, then=runs_for).title(prompt)
    else:
        s.wait(runs_for)
    return s
