"""Pseudonymous by construction: the names of people and machines in exported text become stable pseudonyms.

What is replaced (in every free-text string of an export, a study bundle and a merged study):
- shell prompts and logins `user@host` (followed by `:`, `]`, a space or the end, as prompts and `ssh user@host`
  are written) -> `user1@host1`;
- home folders `/home/NAME`, `/var/home/NAME`, `/Users/NAME`, `C:\\Users\\NAME`, `~NAME/` -> `/home/user1`, ...;
- every other whole-word occurrence of a user or host name found that way, or known on the exporting machine
  (its login name, the words of its full name, its host name), e.g. "carol's notes" -> "user1's notes".

Pseudonyms are numbered per `Pseudonymizer`, i.e. per participant: the same name is the same pseudonym within one
participant's data and says nothing across participants. Generic account and machine names (root, admin, vm,
localhost, ...) and names under three characters are replaced only inside prompts and paths, never as words
elsewhere ("root cause" stays). Text that is already pseudonymous (`user3@host1`) is left as it is, so exporting
an export again changes nothing. Annotator names become A1, A2, ... (`AnnotatorAliases`).
"""

from __future__ import annotations

import getpass
import os
import re
import socket
from collections.abc import Iterable

GENERIC = frozenset({
    "root", "user", "users", "admin", "administrator", "ubuntu", "debian", "fedora", "arch", "kali", "centos",
    "pi", "guest", "home", "localhost", "local", "vm", "server", "host", "dev", "test", "me", "www", "docker",
    "vagrant", "ec2-user", "nobody", "shared", "public", "default", "desktop", "laptop", "workstation", "pc",
    "computer", "mac", "macbook", "runner", "build", "ci", "app", "web", "db", "node", "master", "main", "box",
})
ALIAS = re.compile(r"(?:user|host)\d+\Z|A\d+\Z")
_WORD = r"[A-Za-z_][\w.-]{0,63}"
PROMPT = re.compile(rf"(?<![\w.@%+-])({_WORD})@([A-Za-z0-9][A-Za-z0-9-]{{0,62}}(?:\.[A-Za-z0-9-]{{1,63}})*)"
                    r"(?=[:\s\]\)$#>'\"`,;!?]|\.(?![A-Za-z0-9])|\Z)")
HOME = re.compile(rf"(/home/|/var/home/|/Users/|[A-Za-z]:\\Users\\|(?<![\w/~])~(?=[A-Za-z_][\w.-]{{0,63}}/))"
                  rf"({_WORD})(?=[/\\\s:'\"\),;]|\Z)")


def local_identity() -> tuple[set[str], set[str]]:
    """(user names, host names) of the machine the export runs on: login, the words of the full name, host name
    (short and full). Whatever cannot be read is skipped."""
    users: set[str] = set()
    hosts: set[str] = set()
    try:
        users.add(getpass.getuser())
    except (OSError, KeyError, ImportError):
        pass
    try:
        import pwd

        gecos = pwd.getpwuid(os.getuid()).pw_gecos.split(",")[0]
        users.update(w for w in re.split(r"\s+", gecos) if w)
    except (ImportError, KeyError, OSError, AttributeError):
        pass
    try:
        name = socket.gethostname()
        hosts.update({name, name.split(".")[0]})
    except OSError:
        pass
    return {u for u in users if u}, {h for h in hosts if h}


def _wordy(name: str) -> bool:
    """Replaced wherever it occurs as a word, not only inside prompts and paths."""
    return len(name) >= 3 and name.lower() not in GENERIC and not ALIAS.match(name)


class Pseudonymizer:
    """Stable pseudonyms for one participant. `learn(text)` finds names; `__call__(text)` replaces them. Learn
    from all of a participant's text first, so a name seen in a prompt is also replaced where it stands alone."""

    def __init__(self, users: Iterable[str] = (), hosts: Iterable[str] = ()) -> None:
        self.users: dict[str, str] = {}
        self.hosts: dict[str, str] = {}
        self._words: re.Pattern[str] | None = None
        for u in users:
            self._user(u)
        for h in hosts:
            self._host(h)

    @classmethod
    def for_this_machine(cls) -> Pseudonymizer:
        users, hosts = local_identity()
        return cls(sorted(users), sorted(hosts))

    def _user(self, name: str) -> str:
        if ALIAS.match(name):
            return name
        key = name.lower()
        if key not in self.users:
            self.users[key] = f"user{len(self.users) + 1}"
            self._words = None
        return self.users[key]

    def _host(self, name: str) -> str:
        if ALIAS.match(name):
            return name
        key = name.lower()
        if key not in self.hosts:
            self.hosts[key] = f"host{len(self.hosts) + 1}"
            self._words = None
        return self.hosts[key]

    def learn(self, text: str) -> None:
        if "@" not in text and "/" not in text and "\\" not in text and "~" not in text:
            return
        for m in PROMPT.finditer(text):
            self._user(m.group(1))
            self._host(m.group(2))
            self._host(m.group(2).split(".")[0])
        for m in HOME.finditer(text):
            if m.group(2).lower() not in GENERIC:  # /Users/Shared, /home/user: nobody's name
                self._user(m.group(2))

    def _word_pattern(self) -> re.Pattern[str] | None:
        if self._words is None:
            names = sorted({n for n in (*self.users, *self.hosts) if _wordy(n)}, key=len, reverse=True)
            self._words = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, names)) + r")(?![\w-])",
                                     re.IGNORECASE) if names else re.compile(r"(?!x)x")
        return self._words

    def __call__(self, text: str) -> str:
        if not text or (not self.users and not self.hosts and "@" not in text and "/" not in text
                        and "\\" not in text and "~" not in text):
            return text
        self.learn(text)
        text = PROMPT.sub(lambda m: f"{self._user(m.group(1))}@{self._host(m.group(2))}", text)
        text = HOME.sub(lambda m: m.group(0) if m.group(2).lower() in GENERIC else m.group(1) + self._user(m.group(2)),
                        text)
        words = self._word_pattern()
        return words.sub(lambda m: self.users.get(m.group(1).lower()) or self.hosts[m.group(1).lower()], text)


class AnnotatorAliases:
    """Annotator names -> A1, A2, ... in order of first appearance; `scope` keeps two participants' `me` apart."""

    def __init__(self) -> None:
        self.names: dict[tuple[str, str], str] = {}

    def __call__(self, name: str, scope: str = "") -> str:
        key = (scope, name)
        if key not in self.names:
            self.names[key] = f"A{len(self.names) + 1}"
        return self.names[key]
