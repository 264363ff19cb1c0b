"""Shell and apt facts: which Debian package provides a missing command, what apt knows about a package, who
holds the dpkg lock, and the command an error itself tells the user to run.

A command's package comes from Debian's own data on this machine: `/usr/lib/command-not-found` (its database is
built from the archive's Commands files), else `apt-file`; with neither, it is said that it cannot be verified.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

from models.facts.evidence import Evidence
from models.facts.sheet import FactSheet
from models.facts.tools import Tools

_CNF_INSTALL = re.compile(r"(?m)^\s*(?:sudo\s+)?apt(?:-get)?\s+install\s+([a-z0-9][a-z0-9+.-]+)\s*$")
_CNF_SUGGEST = re.compile(r"(?m)^\s*command '([^']+)' from deb ([a-z0-9][a-z0-9+.-]+)")
_CNF_AT = re.compile(r"is available in '([^']+)'")
_ADVICE = re.compile(r"""(?i)(?:try|run|use|running|type|to add it:|you must manually run)\s*:?\s*['"`‘“]?"""
                     r"""((?:sudo\s+)?(?:apt(?:-get)?|dpkg|git|docker|go|npm|pip3?|cargo|python3?)\s[^'"`’”\n]{2,80})""")
_EXTRA_BIN = ("/usr/sbin", "/sbin", "/usr/local/sbin", "~/.local/bin", "~/.cargo/bin", "~/go/bin",
              "/snap/bin", "~/.npm-global/bin")


def command_package_facts(sheet: FactSheet, command: str, ev: Evidence, tools: Tools) -> None:
    """`bash: htop: command not found` -> the Debian package that provides it (or where it already is)."""
    sheet.subject = command
    if not re.fullmatch(r"[\w.+-]{1,64}", command):
        return
    on_path = tools.which(command)
    if on_path:
        sheet.add(f"`{command}` is on PATH now ({on_path}): open a new terminal, or run `hash -r`.", "PATH")
        return
    for folder in _EXTRA_BIN:
        path = Path(os.path.expanduser(folder)) / command
        if path.is_file() and os.access(path, os.X_OK):
            sheet.add(f"`{command}` is installed at {path}, a folder that is not on your PATH.", "the file system")
            sheet.step(f"Run it by its full path (or add {path.parent} to PATH):", str(path),
                       f"{path} exists but {path.parent} is not on PATH.")
            return
    if ev.project_dir is not None:
        local = ev.project_dir / "node_modules" / ".bin" / command
        if local.exists():
            sheet.add(f"`{command}` is installed in the project's node_modules/.bin.", "the project's files")
            sheet.step("Run the project's copy through npx:", f"npx {command}", f"{local} exists.")
            return
    packages, source = debian_packages_for(command, tools)
    if packages:
        names = ", ".join(f"**{p}**" for p in packages)
        sheet.add(f"On Debian/Ubuntu `{command}` is provided by {names}.", source)
        if len(packages) == 1 and _apt_candidate(packages[0], tools):
            sheet.step(f"Install the package that provides `{command}`:", f"sudo apt install {packages[0]}",
                       f"{source} says {packages[0]} provides {command}.")
        elif len(packages) > 1:
            sheet.cannot_verify(f"Which of {', '.join(packages)} you want; each provides a `{command}`.")
        return
    suggestions = _cnf_suggestions(command, tools)
    if suggestions:  # installed ones first, then the closest spelling
        suggestions.sort(key=lambda cp: (tools.which(cp[0]) is None,
                                         -difflib.SequenceMatcher(None, command, cp[0]).ratio()))
        installed = [c for c, _ in suggestions if tools.which(c)]
        sheet.add(f"No package provides `{command}`; similar commands: " + ", ".join(
            f"`{c}` ({'installed here' if tools.which(c) else 'package ' + p})" for c, p in suggestions[:4])
            + ".", "command-not-found")
        if installed:
            sheet.step(f"Probably a typo: did you mean `{installed[0]}`? It is installed here.", "",
                       f"`{command}` exists nowhere; `{installed[0]}` is spelled alike and installed here.")
        return
    if source:
        sheet.add(f"No Debian package in the lists on this computer provides `{command}`.", source)
    sheet.cannot_verify(f"Which package provides `{command}`: " + (
        "neither command-not-found nor apt-file is installed here." if not source else
        "it is not a Debian command; it may come from pip, npm or the project itself."))


def debian_packages_for(command: str, tools: Tools) -> tuple[list[str], str]:
    """Debian packages providing `command`, and the tool that said so ([], "" without such a tool)."""
    if tools.which("/usr/lib/command-not-found"):
        status, out = tools.run(["/usr/lib/command-not-found", "--ignore-installed", "--no-failure-msg", command])
        found = list(dict.fromkeys(_CNF_INSTALL.findall(out)))
        if not found and "not found, but can be installed with" not in out:
            found = [p for c, p in _CNF_SUGGEST.findall(out) if c == command]
        return found, "/usr/lib/command-not-found"
    if tools.which("apt-file"):
        status, out = tools.run(["apt-file", "search", "-x", rf"^/(usr/)?s?bin/{re.escape(command)}$"],
                                timeout_s=30)
        if status in (0, 1):
            return sorted({line.split(":")[0] for line in out.splitlines() if ":" in line}), "apt-file"
    return [], ""


def _cnf_suggestions(command: str, tools: Tools) -> list[tuple[str, str]]:
    if not tools.which("/usr/lib/command-not-found"):
        return []
    _, out = tools.run(["/usr/lib/command-not-found", "--ignore-installed", "--no-failure-msg", command])
    return [(c, p) for c, p in _CNF_SUGGEST.findall(out) if c != command]


def _apt_candidate(package: str, tools: Tools) -> str | None:
    """The version apt would install (None when apt knows no candidate, or there is no apt)."""
    status, out = tools.run(["apt-cache", "policy", package])
    m = re.search(r"Candidate:\s*(\S+)", out)
    return m.group(1) if status == 0 and m and m.group(1) != "(none)" else None


def apt_facts(sheet: FactSheet, error: str, ev: Evidence, tools: Tools) -> None:
    """apt's errors: unknown packages (and what apt does know), the dpkg lock and who holds it."""
    missing = re.search(r"(?:Unable to locate package|Package '?)\s*'?([a-z0-9][a-z0-9+.:-]*)", error)
    lock = re.search(r"Could not get lock (\S+)", error)
    if lock:
        sheet.subject = "dpkg lock"
        holder = re.search(r"held by process (\d+)(?: \(([^)]+)\))?", error)
        alive = _process(int(holder.group(1))) if holder else _package_manager_process()
        if alive:
            sheet.add(f"Process {alive[0]} ({alive[1]}) is running and holds the package manager's lock "
                      f"{lock.group(1)}.", "the process table")
            sheet.step(f"Wait for {alive[1]} (process {alive[0]}) to finish, then run your command again; do not "
                       "delete the lock file.", "", f"process {alive[0]} is still running.")
        else:
            sheet.add("No apt or dpkg process is running now: the lock was released.", "the process table")
            sheet.step("Run your apt command again.", "", "the process that held the lock has ended.")
        return
    if missing:
        name = missing.group(1).rstrip(".:")
        sheet.subject = name
        candidate = _apt_candidate(name, tools)
        if candidate:
            sheet.add(f"apt knows {name} {candidate} now (the lists were updated since).", "apt-cache policy")
            return
        lists = Path("/var/lib/apt/lists")
        have_lists = lists.is_dir() and any(p.name.endswith("Packages") or "Packages" in p.name
                                            for p in lists.iterdir())
        if not have_lists:
            sheet.add("This computer has no package lists yet.", "/var/lib/apt/lists")
            sheet.step("Download the package lists, then install again:", "sudo apt update",
                       "apt cannot find any package before `apt update` has run once.")
            return
        similar = _similar_packages(name, tools)
        sheet.add(f"No package named `{name}` is in this computer's package lists.", "apt-cache policy")
        if similar:
            sheet.add("Packages with similar names: " + ", ".join(f"`{p}`" for p in similar) + ".",
                      "apt-cache search --names-only")
            if len(similar) == 1 or similar[0] in (f"python3-{name.removeprefix('python-')}", name + "3"):
                sheet.step(f"Install {similar[0]} instead:", f"sudo apt install {similar[0]}",
                           f"{name} does not exist here; {similar[0]} does.")
        return


def _similar_packages(name: str, tools: Tools) -> list[str]:
    stem = re.sub(r"^python3?-|[0-9.]+$", "", name) or name
    status, out = tools.run(["apt-cache", "search", "--names-only", re.escape(stem)], timeout_s=10)
    names = [line.split(" - ")[0].strip() for line in out.splitlines() if " - " in line] if status == 0 else []
    preferred = [n for n in (f"python3-{name.removeprefix('python-')}", name + "3") if n in names]
    ranked = difflib.get_close_matches(name, names, n=5, cutoff=0.6)
    return list(dict.fromkeys(preferred + ranked))[:5]


def _process(pid: int) -> tuple[int, str] | None:
    try:
        import psutil

        return pid, psutil.Process(pid).name()
    except Exception:  # noqa: BLE001 - gone, or not ours to see
        return None


def _package_manager_process() -> tuple[int, str] | None:
    try:
        import psutil

        for p in psutil.process_iter(["pid", "name"]):
            if p.info["name"] in ("apt", "apt-get", "dpkg", "unattended-upgr", "aptitude", "packagekitd"):
                return p.info["pid"], p.info["name"]
    except Exception:  # noqa: BLE001
        return None
    return None


def advised_commands(error: str) -> list[str]:
    """Commands the error text itself tells the user to run ("Try 'apt --fix-broken install'",
    "to add it: go get x", "you must manually run 'sudo dpkg --configure -a'")."""
    return [m.group(1).strip().rstrip(".") for m in _ADVICE.finditer(error)]
