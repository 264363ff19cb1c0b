"""Facts before words: what this machine and maintained data say about the task, gathered before the model
writes, and the Fix built from them.

    sheet = gather(Evidence(task=..., kind="explain_error", error="ModuleNotFoundError: No module named 'sklearn'",
                            texts=history), Tools())
    sheet.markdown()        # **Fix** (checked on this computer): python3 -m pip install scikit-learn ...
    sheet.prompt_lines()    # the same facts as short lines for the model

Finders per ecosystem: Python (models.facts.python), Node / Rust / Go / Java (ecosystems), shell and apt
(system), git and Docker (git_docker), tests, files, e-mail, pages and searches (documents). Every Fix step's
command is checked (models.facts.commands) and kept as the Fix only when it passes.
"""

from __future__ import annotations

import re
from dataclasses import replace

from models.facts import documents, ecosystems, git_docker, python, reading, system
from models.facts.commands import CommandCheck, annotate, check_command, check_text, extract_commands
from models.facts.evidence import Evidence
from models.facts.sheet import Fact, FactSheet, FixStep
from models.facts.tools import Tools

__all__ = ["CommandCheck", "Evidence", "Fact", "FactSheet", "FixStep", "Tools", "annotate", "check_command",
           "check_text", "classify", "extract_commands", "gather"]

ERROR_KINDS = frozenset({"explain_error", "find_fix"})
_PY_MISSING = re.compile(r"No module named ['\"]?([A-Za-z_][\w.]*)['\"]?")
_PIP_NO_DIST = re.compile(r"(?:No matching distribution found for|satisfies the requirement)\s+([A-Za-z0-9][\w.-]*)")
_PEP668 = re.compile(r"externally[- ]managed[- ]environment")
_NODE = re.compile(r"Cannot find (?:module|package) ['\"]([^'\"]+)['\"]|Can't resolve ['\"]([^'\"]+)['\"]")
_RUST = re.compile(r"unresolved import [`\"](\w+)|use of (?:undeclared|unresolved) (?:crate or module|module or "
                   r"unlinked crate) [`\"](\w+)[`\"]|can't find crate for [`\"](\w+)[`\"]|unlinked crate [`\"](\w+)[`\"]")
_GO = re.compile(r"no required module provides package ([\w.~/-]+)|cannot find package \"([\w.~/-]+)\"|"
                 r"package ([\w.~/-]+) is not in (?:GOROOT|std)")
_JAVA = re.compile(r"(?:ClassNotFoundException|NoClassDefFoundError)[:\s]+([\w.$/]+)|package ([\w.]+) does not exist")
_SHELL = (re.compile(r"command not found:\s*([\w.+-]+)"), re.compile(r"Unknown command:?\s*['\"]?([\w.+-]+)"),
          re.compile(r"(?:^|[\s:])([\w.+-]+): (?:command )?not found\b"))
_APT = re.compile(r"(?:^|\s)E: |Unable to locate package|Could not get lock|has no installation candidate|dpkg was "
                  r"interrupted|Unmet dependencies")
_DOCKER = re.compile(r"(?i)docker|container|image")
_GIT = re.compile(r"(?i)\bgit\b|fatal:|CONFLICT|refspec|upstream|pathspec|publickey|detached HEAD|merge")
_TEST = re.compile(r"::\w+|--- FAIL|(?:^|\s)FAIL: Test\w|FAIL\s+\S+\.(?:test|spec)\.|test \S+ \.\.\. FAILED|\bFAILED\b")


def classify(error: str, context: str = "") -> tuple[str, str]:
    """(topic, subject) of an error line: ("python-missing-module", "sklearn"), ("node-missing-module",
    "express"), ... or ("", "") when no finder knows it."""
    error = plain_quotes(error)
    for topic, rx in (("python-missing-module", _PY_MISSING), ("node-missing-module", _NODE),
                      ("rust-missing-crate", _RUST), ("go-missing-package", _GO), ("java-missing-class", _JAVA),
                      ("pip-no-distribution", _PIP_NO_DIST)):
        m = rx.search(error)
        if m:
            return topic, next(g for g in m.groups() if g)
    if _PEP668.search(error):
        return "python-externally-managed", ""
    if _TEST.search(error):
        return "failing-test", ""
    if _APT.search(error):
        return "apt", ""
    m = next((m for m in (rx.search(error) for rx in _SHELL) if m), None)  # the most specific form first
    if m and not re.search(r"(?i)module|package|file|class", error):
        return "command-not-found", m.group(1)
    if _DOCKER.search(f"{error}\n{context}") and any(rx.search(error) for rx, _ in git_docker.DOCKER_RULES):
        return "docker", ""
    if _GIT.search(f"{error}\n{context}") and any(rx.search(error) for rx, _ in git_docker.GIT_RULES):
        return "git", ""
    return "", ""


_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "′": "'"})


def plain_quotes(text: str) -> str:
    """Typographic quotes (the narrator writes ’sklearn’ inside its own quotes) back to ASCII ones."""
    return text.translate(_QUOTES)


def gather(ev: Evidence, tools: Tools | None = None) -> FactSheet:
    """The facts for this task and the Fix built from them (only checked commands stay in the Fix)."""
    tools = tools or Tools()
    sheet = FactSheet()
    ev = replace(ev, error=plain_quotes(ev.error), texts=tuple(plain_quotes(t) for t in ev.texts))
    error = ev.error.strip()
    if error and (ev.kind in ERROR_KINDS or not ev.kind or ev.kind == "review_file"):
        _error_facts(sheet, error, ev, tools)
    if ev.kind == "review_file":
        documents.review_facts(sheet, ev, tools)
    elif ev.kind == "draft_reply":
        sheet.topic = "e-mail"
        documents.email_facts(sheet, ev)
    elif ev.kind in ("summarise_pages", "combine", "resume", "continue_document") and not sheet.fix:
        sheet.topic = sheet.topic or "page"
        documents.page_facts(sheet, ev)
        if ev.kind == "summarise_pages" and not (ev.file_text or ev.clipboard):
            sheet.cannot_verify(reading.NO_PAGE_TEXT)
    elif ev.kind == "research":
        sheet.topic = "reading"
        reading.reading_facts(sheet, ev)
    if ev.kind in ("find_example", "find_fix") and ev.query:
        documents.search_facts(sheet, ev.query, ev, tools)
    _check_fix(sheet, tools)
    return sheet


def _error_facts(sheet: FactSheet, error: str, ev: Evidence, tools: Tools) -> None:
    topic, subject = classify(error, "\n".join(ev.texts))
    sheet.topic = topic
    if topic or ev.file_text:
        sheet.add(f"The error reads: \"{error[:300]}\"", "the evidence")
    if topic == "python-missing-module":
        python.missing_module_facts(sheet, subject, [error, *ev.texts], tools, ev.cwd, ev.project_dir)
    elif topic == "pip-no-distribution":
        right = python.wrong_pip_name(subject)
        if right:
            sheet.subject = subject
            sheet.add(f"`{subject}` is an import name; the package that provides it is **{right}**.",
                      "pipreqs' import-name mapping")
            interp = python.find_interpreter([error, *ev.texts], tools, ev.cwd)
            sheet.step(f"Install {right} instead:", f"{interp.command} -m pip install {right}",
                       f"there is no installable `{subject}`; {right} provides the `{subject}` import.")
        else:
            sheet.cannot_verify(f"Whether a package named `{subject}` exists on PyPI (this is checked offline).")
    elif topic == "python-externally-managed":
        interp = python.find_interpreter([error, *ev.texts], tools, ev.cwd)
        sheet.add(f"{interp.command} belongs to the system (PEP 668): pip may not install into it.", "the error text")
        sheet.step("Make a virtual environment for the project and install there:",
                   f"{interp.command} -m venv .venv", "pip refuses to change the system's Python.")
        sheet.step("then use its Python:", ".venv/bin/python -m pip install <package>", "")
    elif topic == "node-missing-module":
        ecosystems.node_facts(sheet, subject, ev, tools, typescript="corresponding type declarations" in error)
    elif topic == "rust-missing-crate":
        ecosystems.rust_facts(sheet, subject, ev, tools)
    elif topic == "go-missing-package":
        ecosystems.go_facts(sheet, subject, error, ev, tools)
    elif topic == "java-missing-class":
        ecosystems.java_facts(sheet, subject, ev, tools, is_package="does not exist" in error)
    elif topic == "command-not-found":
        system.command_package_facts(sheet, subject, ev, tools)
    elif topic == "apt":
        system.apt_facts(sheet, error, ev, tools)
    elif topic == "failing-test":
        documents.failing_test_facts(sheet, error, ev, tools)
    elif topic == "docker":
        git_docker.apply_rules(git_docker.DOCKER_RULES, sheet, error, ev, tools)
    elif topic == "git":
        git_docker.apply_rules(git_docker.GIT_RULES, sheet, error, ev, tools)
    else:
        documents.code_lines_facts(sheet, error, ev)
    if not sheet.fix:
        for command in system.advised_commands(error):
            sheet.step("The error itself says to run:", command, "the tool names this command in its message.")


def _check_fix(sheet: FactSheet, tools: Tools) -> None:
    """Keep a Fix step only when its command passes the checks; otherwise move it under "Could not verify"."""
    checked: list[FixStep] = []
    for step in sheet.fix:
        if step.command and step.verified:
            result = check_command(step.command, tools)
            if not result.ok:
                step = FixStep(step.text, step.command, False, "; ".join(result.problems))
        checked.append(step)
    sheet.fix = checked
