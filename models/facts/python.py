"""Python facts: which distribution provides an import name, which interpreter ran the failing command, and
whether the module is installed there.

Sources, in order: the installed distributions' own metadata (`importlib.metadata.packages_distributions()`,
asked of the interpreter that failed when that is another one), then the import-name mapping maintained by the
pipreqs project (shipped in data/, Apache-2.0; names it does not list are distributed under the import name,
pipreqs' own rule), and `sys.stdlib_module_names` for the standard library.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

from models.facts.sheet import FactSheet
from models.facts.tools import Tools

_VENV_BIN = re.compile(r"((?:~|/)[\w.@+~/-]*?)/bin/(python[\d.]*)(?![\w.])")
_SITE = re.compile(r"((?:~|/)[\w.@+~/-]*?)/lib/python\d+\.\d+/(?:site|dist)-packages")
_PROMPT_VENV = re.compile(r"\(([\w.-]{1,40})\)\s*[\w.-]+@[\w.-]+")
_TITLE_CWD = re.compile(r"[\w.-]+@[\w.-]+:\s*((?:~|/)[^\s'\"$#]*)")
_COMMAND_PY = re.compile(r"(?<![\w/.-])(python[\d.]*|py)\s+(?:-m\s+)?[\w./-]+")
_PROBE = ("import importlib.util, importlib.metadata as m, json, sys\n"
          "name = sys.argv[1]\n"
          "try:\n    spec = importlib.util.find_spec(name) is not None\nexcept Exception:\n    spec = False\n"
          "dists = m.packages_distributions().get(name, []) if spec else []\n"
          "pip = importlib.util.find_spec('pip') is not None\n"
          "print(json.dumps({'found': spec, 'dists': [[d, m.version(d)] for d in dists],"
          " 'pip': pip, 'prefix': sys.prefix, 'base': sys.base_prefix, 'version': sys.version.split()[0],"
          " 'managed': __import__('os').path.exists(__import__('os').path.join("
          "__import__('sysconfig').get_path('stdlib'), 'EXTERNALLY-MANAGED'))}))")


@lru_cache(maxsize=1)
def pipreqs_mapping() -> dict[str, tuple[str, ...]]:
    """import name -> distributions, from the shipped pipreqs mapping (pure: read once)."""
    out: dict[str, list[str]] = {}
    text = resources.files("models.facts").joinpath("data/pipreqs_mapping.txt").read_text("utf-8")
    for line in text.splitlines():
        name, _, dist = line.strip().partition(":")
        if name and dist and dist not in out.setdefault(name, []):
            out[name].append(dist)
    return {k: tuple(v) for k, v in out.items()}


def display_name(dist: str) -> str:
    """A distribution name as pip users write it: underscores as hyphens, case kept (Pillow, discord.py)."""
    return dist.replace("_", "-")


def same_distribution(a: str, b: str) -> bool:
    """PEP 503: names equal after lower-casing and folding runs of -_. into one hyphen."""
    return re.sub(r"[-_.]+", "-", a).lower() == re.sub(r"[-_.]+", "-", b).lower()


@dataclass(frozen=True)
class Interpreter:
    command: str  # what to type: "python3", "/home/u/proj/.venv/bin/python"
    evidence: str  # why this one: "the traceback's site-packages", "the default python3 on PATH"
    is_venv: bool = False


def find_interpreter(texts: Iterable[str], tools: Tools, cwd: str | None = None) -> Interpreter:
    """The interpreter that ran the failing command, when the evidence names it (a venv path in a traceback or
    a title, a venv prompt with the terminal's directory, `python3.11 x.py`); else python3 (or python) on PATH."""
    joined = "\n".join(texts)
    for rx, what in ((_VENV_BIN, "the command line"), (_SITE, "the traceback's site-packages path")):
        for m in rx.finditer(joined):
            root = os.path.expanduser(m.group(1))
            exe = os.path.join(root, "bin", m.group(2) if rx is _VENV_BIN else "python")
            if tools.which(exe):
                return Interpreter(exe, what, (Path(root) / "pyvenv.cfg").exists())
    venv = _PROMPT_VENV.search(joined)
    where = _TITLE_CWD.search(joined)
    folder = os.path.expanduser(where.group(1)) if where else cwd
    if venv and folder:
        exe = os.path.join(folder, venv.group(1), "bin", "python")
        if tools.which(exe):
            return Interpreter(exe, f"the terminal's prompt ({venv.group(0)})", True)
    named = _COMMAND_PY.search(joined)
    if named and named.group(1) != "py" and tools.which(named.group(1)):
        return Interpreter(named.group(1), f"the command line `{named.group(0)}`")
    for name in ("python3", "python"):
        if tools.which(name):
            return Interpreter(name, f"the first {name} on PATH, {tools.which(name)}; the evidence names no other")
    return Interpreter("python3", "a guess: there is no Python on PATH here")


def probe(interpreter: Interpreter, name: str, tools: Tools) -> dict | None:
    """Ask the interpreter whether `name` imports, which distributions provide it and whether pip may install
    into it (PEP 668). In-process when it is this very interpreter; None when it cannot be asked."""
    exe = tools.which(interpreter.command)
    if exe and os.path.realpath(exe) == os.path.realpath(sys.executable) and \
            Path(sys.prefix) == Path(exe).resolve().parent.parent:
        import importlib.util
        import sysconfig
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        dists = metadata.packages_distributions().get(name, []) if found else []
        return {"found": found, "dists": [[d, metadata.version(d)] for d in dists], "prefix": sys.prefix,
                "pip": importlib.util.find_spec("pip") is not None,
                "base": sys.base_prefix, "version": sys.version.split()[0],
                "managed": os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED"))}
    if exe is None:
        return None
    status, out = tools.run([exe, "-c", _PROBE, name], timeout_s=8.0)
    try:
        return json.loads(out.strip().splitlines()[-1]) if status == 0 else None
    except (ValueError, IndexError):
        return None


def distributions_for(name: str, installed: list[list[str]] | None = None) -> tuple[list[str], str]:
    """The distributions that provide import `name` and the source that says so."""
    if installed:
        return [display_name(d) for d, _ in installed], "the installed package's metadata"
    elsewhere = metadata.packages_distributions().get(name)
    if elsewhere:
        return [display_name(d) for d in dict.fromkeys(elsewhere)], "the package metadata of another environment here"
    mapped = pipreqs_mapping().get(name)
    if mapped:
        return [display_name(d) for d in mapped], "pipreqs' import-name mapping"
    return [name], "pipreqs' rule: a name its mapping does not list is distributed under the import name"


def missing_module_facts(sheet: FactSheet, module: str, texts: Iterable[str], tools: Tools,
                         cwd: str | None = None, project_dir: Path | None = None) -> None:
    """Facts and the Fix for `No module named 'module'`."""
    top = module.split(".")[0]
    sheet.subject = top
    texts = list(texts)
    if top in sys.stdlib_module_names:
        sheet.add(f"`{top}` is part of Python's standard library, not a package on PyPI.", "sys.stdlib_module_names")
        _system_split(sheet, top, list(texts), tools, cwd)
        return
    if project_dir is not None and _local_module(project_dir, top):
        sheet.add(f"`{top}` is a module of your project ({_local_module(project_dir, top)}), not a package: run "
                  "the command from the project's folder.", "the project's files")
        return
    interp = find_interpreter(texts, tools, cwd)
    info = probe(interp, top, tools)
    dists, source = distributions_for(top, (info or {}).get("dists") or None)
    where = interp.command
    sheet.add(f"The Python that failed: {where}.", interp.evidence)
    if len(dists) == 1:
        dist = dists[0]
        same = same_distribution(dist, top)
        sheet.add(f"The import name `{top}` is provided by the package **{dist}**"
                  + ("" if same else f" (not `{top}`)") + ".", source)
    else:
        sheet.add(f"The import name `{top}` is provided by one of: " + ", ".join(f"**{d}**" for d in dists)
                  + ".", source)
    if info is None:
        sheet.cannot_verify(f"Could not ask {where} whether `{top}` is installed.")
    elif info["found"]:
        versions = ", ".join(f"{d} {v}" for d, v in info["dists"]) or "found"
        sheet.add(f"`{top}` does import in {where} ({versions}): the failing command used another "
                  "interpreter or environment.", "asked of that Python")
        return
    else:
        env = "virtual environment " + info["prefix"] if info["prefix"] != info["base"] else info["prefix"]
        sheet.add(f"`{top}` is not installed for {where} (Python {info['version']}, {env}).",
                  "asked of that Python")
    if len(dists) != 1:
        sheet.cannot_verify("Which of these packages you want depends on your code; install the one its docs name.")
        return
    why = (f"`{top}` is the import name; the package is {dists[0]}."
           if not same_distribution(dists[0], top) else f"{dists[0]} provides `{top}`.")
    if info is not None and info.get("managed") and info["prefix"] == info["base"]:
        sheet.add(f"{where} is managed by the system (PEP 668): pip refuses to install into it.",
                  "EXTERNALLY-MANAGED in its stdlib folder")
        sheet.step("Create a virtual environment for the project, then install into it:",
                   f"{where} -m venv .venv && .venv/bin/python -m pip install {dists[0]}", why)
        return
    if info is not None and not info.get("pip", True):
        sheet.add(f"pip is not installed for {where}.", "asked of that Python")
        sheet.step("Give that Python its pip first:", f"{where} -m ensurepip --upgrade", "")
    sheet.step(f"Install {dists[0]} for the Python that ran the command:", f"{where} -m pip install {dists[0]}",
               why)


# Debian and Ubuntu ship these parts of the standard library in their own packages
DEBIAN_SPLIT = {"tkinter": "python3-tk", "_tkinter": "python3-tk", "turtle": "python3-tk", "venv": "python3-venv",
                "ensurepip": "python3-venv", "lib2to3": "python3-lib2to3", "distutils": "python3-distutils"}


def _system_split(sheet: FactSheet, top: str, texts: list[str], tools: Tools, cwd: str | None) -> None:
    """A standard-library module the system's Python lacks: the Debian package that holds it, when apt knows it
    and its description names the module, and the Python that failed is the system's."""
    package = DEBIAN_SPLIT.get(top)
    if package is None:
        return
    interp = find_interpreter(texts, tools, cwd)
    exe = os.path.realpath(tools.which(interp.command) or interp.command)
    status, shown = tools.run(["apt-cache", "show", package])
    known = status == 0 and top.strip("_").lower() in shown.lower()
    if not exe.startswith(("/usr/bin/", "/bin/")):
        sheet.add(f"The Python that failed ({interp.command} -> {exe}) is not the system's: it was built without "
                  f"`{top}`; a system package will not add it.", interp.evidence)
        sheet.cannot_verify(f"How that Python was built (pyenv, conda, a download): rebuild it with `{top}` support.")
        return
    if known:
        sheet.add(f"On this system `{top}` comes in the Debian package **{package}**.", "apt-cache show")
        sheet.step(f"Install {package}:", f"sudo apt install {package}", f"apt's description of {package} names "
                   f"{top}.")
    else:
        sheet.cannot_verify(f"Which system package holds `{top}` (apt does not know {package} here).")


def _local_module(project_dir: Path, name: str) -> str | None:
    for candidate in (project_dir / f"{name}.py", project_dir / name / "__init__.py"):
        if candidate.is_file():
            return str(candidate.relative_to(project_dir))
    return None


def wrong_pip_name(requested: str) -> str | None:
    """When `pip install requested` names an import name whose package is another one (sklearn ->
    scikit-learn), that package; else None."""
    if requested in sys.stdlib_module_names:  # the mapping has py2 shims (tkinter -> future): not a package name
        return None
    mapped = pipreqs_mapping().get(requested) or pipreqs_mapping().get(requested.replace("-", "_"))
    if not mapped or len(mapped) != 1:
        return None
    dist = display_name(mapped[0])
    return None if same_distribution(dist, requested) else dist
