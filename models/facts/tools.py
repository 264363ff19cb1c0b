"""Asking this machine: is a program on PATH, what do its `--help` and man page say, what does a tool answer.

Every program runs without a shell, with stdin closed, LANG=C, a short timeout, and only when it exists on PATH
(or is named by an absolute path that exists). Answers are cached per `Tools` object (one per answer), never in
module state.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

HELP_TIMEOUT_S = 4.0
MAX_OUTPUT_CHARS = 200_000
# programs whose subcommands have their own help ("git push -h", "cargo add --help"); the first word after the
# program is taken for a subcommand only for these
SUBCOMMAND_PROGRAMS = frozenset({
    "git", "pip", "pip3", "npm", "yarn", "pnpm", "cargo", "go", "docker", "docker-compose", "apt", "apt-get",
    "apt-cache", "conda", "gem", "systemctl", "rustup", "poetry", "uv", "kubectl", "brew", "dnf", "snap", "mvn",
    "dpkg", "npx", "pipx", "podman", "gh", "journalctl", "ip", "flatpak",
})
# never started, not even with --help (some of these act on any argument): their man page is asked instead
NEVER_RUN = frozenset({"reboot", "poweroff", "shutdown", "halt", "init", "telinit", "kill", "killall", "pkill",
                       "rm", "dd", "shred", "wipefs", "fdisk", "parted", "sudo", "su", "doas", "xdg-open", "open",
                       "sh", "bash", "zsh", "fish", "dash", "env", "nohup", "exec", "eval", "yes"})
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]|.\x08")


@dataclass
class Tools:
    """The machine as a source of facts. `path` overrides $PATH (tests, or the PATH of the failing shell)."""

    path: str | None = None
    timeout_s: float = HELP_TIMEOUT_S
    _which: dict[str, str | None] = field(default_factory=dict)
    _help: dict[tuple[str, ...], str] = field(default_factory=dict)
    _man: dict[str, str] = field(default_factory=dict)

    def which(self, program: str) -> str | None:
        """The full path of `program` on PATH (or itself when it is an existing absolute path), else None."""
        if program not in self._which:
            if os.path.isabs(program):
                found = program if os.access(program, os.X_OK) and Path(program).is_file() else None
            elif "/" in program or not program:
                found = None
            else:
                found = shutil.which(program, path=self.path)
            self._which[program] = found
        return self._which[program]

    def run(self, argv: list[str], timeout_s: float | None = None, cwd: str | None = None) -> tuple[int, str]:
        """Run an existing program (no shell) and return (exit status, stdout + stderr); (-1, reason) when it
        could not run. Used for help texts and read-only queries only."""
        exe = self.which(argv[0])
        if exe is None:
            return -1, f"{argv[0]} is not on PATH"
        env = {**os.environ, "LANG": "C", "LC_ALL": "C", "MANPAGER": "cat", "PAGER": "cat", "GIT_PAGER": "cat",
               "MANWIDTH": "200", "NO_COLOR": "1", "TERM": "dumb"}
        try:
            done = subprocess.run([exe, *argv[1:]], stdin=subprocess.DEVNULL, capture_output=True,
                                  timeout=timeout_s or self.timeout_s, env=env, cwd=cwd or os.path.expanduser("~"),
                                  check=False)
        except (OSError, subprocess.SubprocessError) as exc:
            return -1, f"{argv[0]} could not run: {exc}"
        text = (done.stdout + done.stderr).decode("utf-8", "replace")[:MAX_OUTPUT_CHARS]
        return done.returncode, _ANSI.sub("", text)

    def man(self, page: str) -> str:
        """The man page of `page` as plain text ("" when there is none or no `man`)."""
        if not re.fullmatch(r"[\w.+-]{1,60}", page) or self.which("man") is None:
            return ""
        if page not in self._man:
            status, text = self.run(["man", "-P", "cat", page])
            self._man[page] = text if status == 0 and len(text) > 200 else ""
        return self._man[page]

    def man_text(self, program: str, subcommand: str | None = None) -> str:
        """The man page of `program-sub` (git-push, npm-install) or of `program` ("" when there is none)."""
        if self.which(program) is None:
            return ""
        name = os.path.basename(program)
        return (self.man(f"{name}-{subcommand}") if subcommand else "") or self.man(name)

    def cmd_help(self, program: str, subcommand: str | None = None) -> str:
        """What `program [sub] --help` (or `-h`) prints ("" when it prints no help)."""
        key = (program, subcommand or "")
        if key not in self._help:
            text = ""
            name = os.path.basename(program)
            if self.which(program) is not None and name not in NEVER_RUN and not name.startswith("mkfs"):
                base = [program, subcommand] if subcommand else [program]
                asks = [[*base, "-h"], [*base, "--help"]] if program == "git" else [[*base, "--help"], [*base, "-h"]]
                for argv in asks:
                    status, out = self.run(argv)
                    if status != -1 and _looks_like_help(out):
                        text = out
                        break
            self._help[key] = text
        return self._help[key]

    def help_text(self, program: str, subcommand: str | None = None) -> str:
        """Both: `program [sub] --help` and the man page. "" when the program is not on PATH or says nothing."""
        return "\n".join(t for t in (self.cmd_help(program, subcommand), self.man_text(program, subcommand)) if t)


def _looks_like_help(text: str) -> bool:
    """A help text names some flags or a usage line (not an error about an unknown option only)."""
    return bool(re.search(r"(?im)^\s*usage\b|(?<![\w-])--?[A-Za-z]", text)) and len(text) > 40
