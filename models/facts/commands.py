"""Checking the commands in an answer: the program exists on PATH (or is a known installer), each flag appears
in its `--help` or man page, and an install names a package that the facts do not contradict.

    checks = check_text(markdown, tools)          # every command found in code blocks, code spans and prose
    shown = annotate(markdown, checks)            # unverified ones marked where they stand, and listed at the end

Nothing here runs the commands themselves: only `PROGRAM [SUB] --help` / `-h` and `man PROGRAM`.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path
from dataclasses import dataclass

from models.facts.python import wrong_pip_name
from models.facts.tools import SUBCOMMAND_PROGRAMS, Tools

KNOWN_INSTALLERS = frozenset({"pip", "pip3", "npm", "yarn", "pnpm", "npx", "cargo", "go", "apt", "apt-get",
                              "brew", "conda", "gem", "mvn", "gradle", "dnf", "yum", "pacman", "snap", "pipx",
                              "rustup", "uv", "poetry", "composer"})
SHELL_BUILTINS = frozenset({"cd", "export", "source", ".", "echo", "set", "unset", "alias", "hash", "exit",
                            "newgrp", "type", "ulimit", "umask", "read", "printf", "true", "false", "eval"})
PY_MODULES_WITH_HELP = frozenset({"pip", "venv", "pytest", "ensurepip", "pipx", "unittest", "http.server"})
_SHELL_LANGS = {"sh", "bash", "shell", "console", "zsh", "terminal", "shell-session", "fish"}
_CODE_LINE = re.compile(r"^\s*(?:from\s+\S+\s+import|import\s|def\s|class\s|return\b|#|//|[\w.\[\]'\"]+\s*[=(])")
_FENCE = re.compile(r"```([\w+-]*)[^\n]*\n(.*?)(?:```|\Z)", re.DOTALL)
_SPAN = re.compile(r"(?<!`)`([^`\n]{3,200})`(?!`)")
_PROSE = re.compile(r"(?m)(?:^|(?<=[\s:(]))((?:sudo\s+)?(?:pip3?|python3?\s+-m\s+pip|npm|yarn|pnpm|apt(?:-get)?|"
                    r"cargo|go|brew|conda|gem)\s+(?:install|add|get|i|remove|uninstall|update|upgrade)\b"
                    r"[^\n`.,;:)]*)")
_PLACEHOLDER = re.compile(r"<[^<>]{1,40}>|\byour[-_]\w+|\bYOUR_\w+|\.\.\.$")
_PY = re.compile(r"^(?:.*/)?python[\d.]*$")
_NPM_NAME = re.compile(r"^(?:@[a-z0-9][\w.~-]*/)?[a-z0-9][\w.~-]*$")


@dataclass(frozen=True)
class CommandCheck:
    command: str
    ok: bool
    problems: tuple[str, ...] = ()
    template: bool = False  # holds a placeholder (<url>, your-name) the user fills in


def extract_commands(text: str) -> list[str]:
    """Commands in Markdown: shell code blocks (and lines of other blocks that start with a known program),
    code spans of two words or more that start with a program, and install commands written in prose."""
    found: list[str] = []
    rest = text
    for m in _FENCE.finditer(text):
        lang = m.group(1).lower()
        lines = _join_continued(m.group(2).splitlines())
        for line in lines:
            line = re.sub(r"^\s*(?:\$|#|>|PS>)\s+", "", line) if re.match(r"^\s*(?:\$|>|PS>)\s", line) else line
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            shell = lang in _SHELL_LANGS or (lang in ("", "text") and not _CODE_LINE.match(line)
                                              and " " in line and not line.endswith((":", ".")))
            if (shell and _looks_like_command(line)) or _starts_with_program(line):
                found.append(line)
        rest = rest.replace(m.group(0), " ")
    for m in _SPAN.finditer(rest):
        span = m.group(1).strip()
        if len(span.split()) >= 2 and _starts_with_program(span):
            found.append(span)
    rest = _SPAN.sub(" ", rest)
    found += [m.group(1).strip() for m in _PROSE.finditer(rest)]
    return list(dict.fromkeys(found))


def _join_continued(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if out and out[-1].endswith("\\"):
            out[-1] = out[-1][:-1] + " " + line.strip()
        else:
            out.append(line)
    return out


def _first_word(line: str) -> str:
    words = line.split()
    while words and (words[0] == "sudo" or re.match(r"^[A-Z_][A-Z0-9_]*=", words[0])):
        words = words[1:]
    return words[0] if words else ""


def _starts_with_program(line: str) -> bool:
    word = _first_word(line)
    return word in KNOWN_INSTALLERS or word in SUBCOMMAND_PROGRAMS or bool(_PY.match(word)) or \
        word in ("git", "docker", "sudo", "pytest", "node", "make", "chmod", "ssh", "ssh-keygen", "systemctl")


def _looks_like_command(line: str) -> bool:
    """A line of a shell block that is a command, not output or prose."""
    return not line.endswith(":") and len(line) < 300 and not re.match(r"^[A-Z][a-z]+\s+\w+\s+\w+.*[.!]$", line)


def check_command(command: str, tools: Tools) -> CommandCheck:
    """Is every simple command of `command` verifiable here (program, subcommand, flags, package name)?"""
    template = bool(_PLACEHOLDER.search(command))
    problems: list[str] = []
    created: list[str] = []  # folders an earlier part makes (python -m venv .venv && .venv/bin/python ...)
    for part in re.split(r"\s*(?:&&|\|\||;|\|)\s*", command):
        if part.strip():
            problems += _check_simple(part.strip(), tools, created)
            made = re.search(r"-m\s+venv\s+(?:--?\S+\s+)*(\S+)|\bmkdir\s+(?:-p\s+)?(\S+)", part)
            if made:
                created.append((made.group(1) or made.group(2)).rstrip("/") + "/")
    return CommandCheck(command, not problems, tuple(problems), template)


def _check_simple(command: str, tools: Tools, created: list[str] | None = None) -> list[str]:
    try:
        words = shlex.split(command, comments=True)
    except ValueError:
        return [f"`{command}` is not a complete shell command (unbalanced quotes)"]
    sudo = False
    while words and (words[0] == "sudo" or re.match(r"^[A-Za-z_]\w*=", words[0])):
        sudo = sudo or words[0] == "sudo"
        words = words[1:]
        while sudo and words and words[0] in ("-E", "-H", "-i", "-s"):
            words = words[1:]
    if not words:
        return []
    program = words[0]
    if program in SHELL_BUILTINS or _PLACEHOLDER.fullmatch(program) or \
            any(program.startswith(c) for c in created or ()):
        return []
    exists = tools.which(program) or (sudo and (tools.which(f"/usr/sbin/{program}") or
                                                tools.which(f"/sbin/{program}")))
    if not exists and program not in KNOWN_INSTALLERS:
        if "/" in program:
            return [f"`{program}` does not exist on this computer"]
        return [f"`{program}` is not installed on this computer (not on PATH) and is no known installer"]
    args = words[1:]
    module = None
    if _PY.match(program) and len(args) >= 2 and args[0] == "-m":
        module, args = args[1], args[2:]
    sub = None
    name = module or program
    if (module or program) in SUBCOMMAND_PROGRAMS or module == "pip":
        sub = next((a for a in args[:1] if not a.startswith("-")), None)
    problems = _package_problems(name, sub, args, tools)
    flags = _flags(args)
    if not flags and not sub:
        return problems
    if not exists:
        if flags:
            problems.append(f"`{name}` is not installed here, so its flags ({' '.join(flags)}) cannot be checked")
        return problems
    sources = _help_sources(tools, program, module, sub)
    text = ""
    for source in sources:  # the man page first (no program runs), then `--help`
        text += "\n" + source()
        if all(_flag_in(f, text) for f in flags):
            break
    if not text.strip():
        if flags:
            problems.append(f"`{name}{' ' + sub if sub else ''}` has no --help or man page here to check "
                            f"{' '.join(flags)} against")
        return problems
    if sub and (module or program) in SUBCOMMAND_PROGRAMS and not _has_subcommand(tools, program, module, sub):
        problems.append(f"`{name} {sub}` is not a subcommand its help lists")
    for flag in flags:
        if not _flag_in(flag, text):
            problems.append(f"`{flag}` is not an option of `{name}{' ' + sub if sub else ''}` (not in its help)")
    return problems


def _help_sources(tools: Tools, program: str, module: str | None, sub: str | None) -> list:
    if module is not None:
        return [lambda: _module_help(tools, program, module, sub)]
    return [lambda: tools.man_text(program, sub), lambda: tools.cmd_help(program, sub)]


def _has_subcommand(tools: Tools, program: str, module: str | None, sub: str) -> bool:
    if module is not None:
        return bool(_module_help(tools, program, module, sub))
    name = program.rsplit("/", 1)[-1]
    if tools.man(f"{name}-{sub}"):
        return True
    pattern = rf"(?<![\w-]){re.escape(sub)}(?![\w-])"
    return bool(re.search(pattern, tools.man_text(program)) or re.search(pattern, tools.cmd_help(program)))


def _module_help(tools: Tools, program: str, module: str, sub: str | None) -> str:
    """`python -m MODULE [SUB] --help` for the few modules known to print help (never an arbitrary module)."""
    if module not in PY_MODULES_WITH_HELP:
        return ""
    key = (program, f"-m {module}", sub or "")
    if key not in tools._help:
        status, out = tools.run([program, "-m", module, *([sub] if sub else []), "--help"])
        tools._help[key] = out if status == 0 else ""
    return tools._help[key]


def _flags(args: list[str]) -> list[str]:
    flags: list[str] = []
    for a in args:
        if a == "--":
            break
        if a.startswith("-") and len(a) > 1 and not re.fullmatch(r"-\d+", a):
            flags.append(a.split("=", 1)[0])
    return flags


def _flag_in(flag: str, help_text: str) -> bool:
    def present(f: str) -> bool:
        return bool(re.search(rf"(?<![\w-]){re.escape(f)}(?![\w-])", help_text))

    if present(flag):
        return True
    if re.fullmatch(r"-[A-Za-z]{2,}", flag):  # -aG, -xvf: each letter is its own option
        return all(present(f"-{c}") for c in flag[1:])
    return False


def _package_problems(program: str, sub: str | None, args: list[str], tools: Tools) -> list[str]:
    names = [a for a in args[1:] if not a.startswith("-")] if sub else []
    problems: list[str] = []
    if program in ("pip", "pip3") and sub == "install":
        for name in names:
            base = re.split(r"[<>=!~\[;@ ]", name, maxsplit=1)[0]
            right = wrong_pip_name(base) if base and not base.startswith((".", "/", "-")) else None
            if right:
                problems.append(f"`{base}` is an import name; the package on PyPI is `{right}`")
            elif base in sys.stdlib_module_names:
                problems.append(f"`{base}` is part of Python's standard library; pip does not install it")
    if program in ("apt", "apt-get") and sub == "install" and tools.which("apt-cache"):
        for name in names:
            if re.fullmatch(r"[a-z0-9][a-z0-9+.-]+", name):
                status, out = tools.run(["apt-cache", "policy", name])
                if status == 0 and not re.search(r"Candidate:\s*(?!\(none\))\S", out):
                    problems.append(f"apt on this computer knows no package `{name}`")
    if program in ("npm", "yarn", "pnpm") and sub in ("install", "i", "add"):
        for name in names:
            if name.startswith((".", "/", "~", "git+", "http:", "https:", "file:", "github:")):
                continue
            bare = re.sub(r"(?<=.)@[^/@]*$", "", name)
            if not _NPM_NAME.match(bare):
                problems.append(f"`{name}` is not an npm package name" + (
                    " (npm would read it as a GitHub user/repo)" if "/" in bare and not bare.startswith("@") else ""))
    return problems


_MAVEN_XML = re.compile(r"<groupId>\s*([\w.-]+)\s*</groupId>\s*<artifactId>\s*([\w.-]+)\s*</artifactId>"
                        r"(?:\s*<version>\s*([\w.-]+)\s*</version>)?")
_MAVEN_GAV = re.compile(r"['\"`]([a-z][\w.-]*\.[\w.-]+):([\w.-]+):(\d[\w.-]*)['\"`]")


def maven_checks(text: str) -> list[CommandCheck]:
    """Maven coordinates the model wrote (pom.xml snippets, group:artifact:version) pass only when that artifact
    is in the local Maven or Gradle cache: nothing else can verify them offline."""
    home = Path(os.path.expanduser("~"))
    out = []
    for m in [*_MAVEN_XML.finditer(text), *_MAVEN_GAV.finditer(text)]:
        group, artifact, version = m.group(1), m.group(2), m.group(3)
        coords = f"{group}:{artifact}" + (f":{version}" if version else "")
        local = home / ".m2" / "repository" / Path(*group.split(".")) / artifact / (version or "")
        gradle = home / ".gradle" / "caches" / "modules-2" / "files-2.1" / group / artifact / (version or "")
        ok = local.is_dir() or gradle.is_dir()
        out.append(CommandCheck(coords, ok, () if ok else (
            "these Maven coordinates are not in the local Maven or Gradle cache; they cannot be checked offline",)))
    return out


def check_text(text: str, tools: Tools) -> list[CommandCheck]:
    return [check_command(c, tools) for c in extract_commands(text)] + maven_checks(text)


def annotate(text: str, checks: list[CommandCheck]) -> str:
    """The text with each unverified command marked where it stands and listed at the end with the reason."""
    bad = [c for c in checks if not c.ok]
    if not bad:
        return text
    out = text
    for c in bad:
        span = f"`{c.command}`"
        if span in out:
            out = out.replace(span, f"{span} ⚠", 1)
    lines = "\n".join(f"- `{c.command}`: {'; '.join(c.problems)}" for c in bad)
    return out.rstrip() + f"\n\n**⚠ Not verified** (do not run these as they are):\n{lines}\n"


_NOTE = re.compile(r"\*\*⚠ Not verified\*\*[^\n]*\n((?:- `[^\n]+\n?)+)")


def mark_unverified(text: str) -> str:
    """For display: each command the answer's own "⚠ Not verified" list names is marked ⚠ where it stands
    (after its code span, or under the code block that holds it). The stored text stays as written."""
    note = _NOTE.search(text)
    if not note:
        return text
    commands = [m.group(1) for m in re.finditer(r"^- `(.+?)`:", note.group(1), re.M)]
    body, tail = text[:note.start()], text[note.start():]
    for command in commands:
        span = f"`{command}`"
        if span in body:
            body = body.replace(span, f"{span} ⚠", 1)
            continue
        for block in _FENCE.finditer(body):
            if command in block.group(2):
                end = block.end()
                body = body[:end] + f"\n\n⚠ *Not verified:* `{command}`\n" + body[end:]
                break
    return body + tail
