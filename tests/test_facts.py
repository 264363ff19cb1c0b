"""Facts before words: the Fix comes from what this machine and maintained data say, and commands that cannot be
checked are never shown as the Fix (no model needed here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from models.facts import Evidence, Tools, check_command, check_text, classify, gather
from models.facts.commands import extract_commands, mark_unverified
from models.facts.python import pipreqs_mapping


def fix_commands(sheet) -> list[str]:
    return [s.command for s in sheet.verified_fix if s.command]


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A real virtual environment without pip or packages: the interpreter that 'failed'."""
    root = tmp_path_factory.mktemp("proj") / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True, timeout=120)
    return root


@pytest.mark.parametrize("module, package", [("sklearn", "scikit-learn"), ("cv2", "opencv-python"),
                                             ("yaml", "PyYAML"), ("bs4", "beautifulsoup4"),
                                             ("sklearn.linear_model", "scikit-learn")])
def test_the_fix_installs_the_package_that_provides_the_import_into_the_interpreter_that_failed(venv, module,
                                                                                                 package):
    error = f"ModuleNotFoundError: No module named '{module}'"
    ev = Evidence(kind="explain_error", error=error,
                  texts=[f"The user runs '{venv}/bin/python train.py' in Terminal and sees '{error}'."])
    sheet = gather(ev, Tools())
    commands = fix_commands(sheet)
    assert f"{venv}/bin/python -m pip install {package}" in commands, sheet.markdown()
    assert f"{venv}/bin/python -m ensurepip --upgrade" in commands  # that venv has no pip yet
    assert not any(f"install {module.split('.')[0]}" in c for c in commands)
    shown = sheet.markdown()
    assert shown.startswith("**Fix**") and package in shown and "not installed" in shown


def test_a_venv_prompt_in_the_terminal_title_names_the_interpreter(venv):
    ev = Evidence(kind="explain_error", error="ModuleNotFoundError: No module named 'bs4'",
                  texts=[f"The user works in Terminal titled '(.venv) dev@box: {venv.parent}'.",
                         "The user runs 'python scrape.py' in Terminal and sees 'No module named 'bs4''."])
    assert f"{venv}/bin/python -m pip install beautifulsoup4" in fix_commands(gather(ev, Tools()))


def test_the_mapping_is_the_shipped_maintained_data_with_its_licence():
    data = Path(__file__).resolve().parents[1] / "models" / "facts" / "data"
    assert "Apache License" in (data / "LICENSE.pipreqs").read_text()
    assert pipreqs_mapping()["sklearn"] == ("scikit_learn",) and len(pipreqs_mapping()) > 800


@pytest.mark.parametrize("error, fix", [
    ("Error: Cannot find module 'express'", "npm install express"),
    ("Error: Cannot find module '@babel/core/lib/index.js'", "npm install @babel/core"),
    ("Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'axios' imported from /srv/a.mjs", "npm install axios"),
    ("error[E0432]: unresolved import `serde_json`", "cargo add serde_json"),
    ("error[E0433]: failed to resolve: use of undeclared crate or module `rand`", "cargo add rand"),
    ("no required module provides package github.com/gorilla/mux; to add it: go get github.com/gorilla/mux",
     "go get github.com/gorilla/mux"),
    ("fatal: The current branch feature/x has no upstream branch.", "git push --set-upstream origin feature/x"),
    ("E: dpkg was interrupted, you must manually run 'sudo dpkg --configure -a' to correct the problem.",
     "sudo dpkg --configure -a"),
])
def test_each_ecosystem_gets_its_fix_from_its_own_rules(error, fix):
    assert fix in fix_commands(gather(Evidence(kind="explain_error", error=error), Tools()))


def test_paths_and_builtins_are_not_packages():
    relative = gather(Evidence(kind="explain_error", error="Error: Cannot find module './config'"), Tools())
    assert not relative.verified_fix and "path, not a package" in relative.markdown()
    stdlib = gather(Evidence(kind="explain_error", error="No module named 'tkinter'"), Tools())
    assert not stdlib.verified_fix and "standard library" in stdlib.markdown()
    crate = gather(Evidence(kind="explain_error", error="error[E0432]: unresolved import `crate`"), Tools())
    assert "cargo add crate" not in fix_commands(crate)


def test_a_declared_dependency_is_installed_not_added_again(tmp_path):
    (tmp_path / "package.json").write_text('{"dependencies": {"express": "^4.19.2"}}')
    ev = Evidence(kind="explain_error", error="Error: Cannot find module 'express'", project_dir=tmp_path)
    assert fix_commands(gather(ev, Tools())) == ["npm install"]
    off = Evidence(kind="explain_error", error="Error: Cannot find module 'express'")  # file access off
    assert "file access is off" in gather(off, Tools()).markdown()


def test_a_missing_command_names_its_debian_package_only_when_debian_data_says_so():
    sheet = gather(Evidence(kind="explain_error", error="bash: htop: command not found"), Tools())
    if Tools().which("/usr/lib/command-not-found") or Tools().which("apt-file"):
        assert "sudo apt install htop" in fix_commands(sheet)
    else:  # no Debian data on this machine: said plainly, and no guessed Fix
        assert not sheet.verified_fix and "could not verify" in sheet.markdown().lower()


def test_invented_flags_wrong_packages_and_unknown_programs_are_flagged():
    tools = Tools()
    assert not check_command("pip install virtualenv --system-site", tools).ok
    assert "scikit-learn" in " ".join(check_command("pip install sklearn", tools).problems)
    assert not check_command("npm install -g npmjs.com/express", tools).ok
    assert not check_command("load_sklearn_module --now", tools).ok
    assert check_command("git pull --rebase", tools).ok
    assert check_command("python3 -m venv .venv && .venv/bin/python -m pip install requests", tools).ok
    assert check_command("git remote set-url origin <url>", tools).template


def test_commands_are_found_in_code_blocks_spans_and_prose():
    text = ("Run this:\n```bash\npip install sklearn\n```\nor `npm install express`, then pip install yaml.\n"
            "```python\nimport os\n```")
    assert extract_commands(text) == ["pip install sklearn", "npm install express", "pip install yaml"]
    checks = check_text(text, Tools())
    assert [c.command for c in checks if not c.ok] == ["pip install sklearn", "pip install yaml"]


def test_a_fix_that_fails_its_checks_is_never_shown_as_the_fix():
    # the error text advises a command with a flag apt does not have: it goes under "Could not verify"
    ev = Evidence(kind="explain_error", error="E: Broken packages. Try 'apt --fix-everything-now install'.")
    sheet = gather(ev, Tools())
    assert not sheet.verified_fix
    assert "**Fix**" not in sheet.markdown() and "apt --fix-everything-now install" in sheet.markdown()


def test_the_panel_marks_unverified_commands_where_they_stand():
    text = ("Try `pip install sklearn` now.\n\n**⚠ Not verified** (commands ...):\n"
            "- `pip install sklearn`: `sklearn` is an import name; the package on PyPI is `scikit-learn`\n")
    assert mark_unverified(text).startswith("Try `pip install sklearn` ⚠ now.")


def test_errors_are_recognised_by_ecosystem():
    assert classify("ModuleNotFoundError: No module named 'PIL'") == ("python-missing-module", "PIL")
    assert classify("zsh: command not found: rg") == ("command-not-found", "rg")
    assert classify("bash: rg: command not found") == ("command-not-found", "rg")
    assert classify("java.lang.NoClassDefFoundError: org/x/Y")[0] == "java-missing-class"
    assert classify("FAILED tests/test_a.py::test_b - assert 1 == 2")[0] == "failing-test"


def test_typographic_quotes_from_the_narrator_are_read_as_quotes():
    assert classify("ModuleNotFoundError: No module named ’sklearn’") == ("python-missing-module", "sklearn")
    ev = Evidence(kind="explain_error", error="ModuleNotFoundError: No module named ’PIL’")
    assert "Pillow" in gather(ev, Tools()).markdown()


def test_every_error_of_the_answer_set_is_recognised_as_the_app_quotes_it():
    """The live app reads errors through models.titles.error_line (quoted names in double quotes): the topic
    and subject must not depend on which quotes the error came with."""
    from bench.answers import load_set
    from models.titles import error_line

    errors = [t["error"] for t in load_set() if t.get("error")]
    assert len(errors) >= 30
    for error in (e for e in errors if not error_line(e).endswith("…")):  # a shortened line may lose its key
        assert classify(error_line(error)) == classify(error), error


def test_programs_that_act_on_any_argument_are_never_started_to_read_their_help(tmp_path):
    marker = tmp_path / "ran"
    fake = tmp_path / "bin"
    fake.mkdir()
    for name in ("reboot", "rm"):
        (fake / name).write_text(f"#!/bin/sh\ntouch {marker}\n")
        (fake / name).chmod(0o755)
    tools = Tools(path=str(fake))
    assert tools.cmd_help("reboot") == "" and tools.cmd_help("rm") == ""
    assert not check_command("reboot --now-please", tools).ok
    assert not marker.exists()


def test_the_standard_library_is_not_installed_with_pip():
    problems = check_command("pip install tkinter", Tools()).problems
    assert problems == ("`tkinter` is part of Python's standard library; pip does not install it",)
    system = gather(Evidence(kind="explain_error", error="ModuleNotFoundError: No module named 'tkinter'",
                             texts=["The user runs '/usr/bin/python3 gui.py' in Terminal."]), Tools())
    if Tools().which("apt-cache") and Tools().which("/usr/bin/python3"):
        assert "sudo apt install python3-tk" in fix_commands(system)
    assert "pip install" not in system.markdown()


def test_code_in_a_plain_block_is_not_taken_for_commands_and_maven_coordinates_need_the_local_cache():
    text = ("```\nfrom cart import Cart\n\ndef test_total():\n    cart = Cart()\n```\n"
            "<dependency>\n  <groupId>com.example.nothere</groupId>\n  <artifactId>made-up</artifactId>\n"
            "  <version>1.2.2</version>\n</dependency>")
    checks = check_text(text, Tools())
    assert [c.command for c in checks] == ["com.example.nothere:made-up:1.2.2"] and not checks[0].ok
