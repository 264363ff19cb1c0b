"""Consent before anything is collected: no terminal and no flag -> nothing is logged and the output says how to
agree; --accept-defaults, the terminal prompt and the first-run screen each record a consent row and collection
starts; a consent given while the app waits starts collection at once."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from assistant.app import control
from assistant.core.consent import CONSENT_VERSION, OPT_INS
from assistant.log import open_db
from assistant.log.consent import consent_history
from assistant.log.events import counts, recent
from tests.conftest import REPO, run_cli
from tests.display import XServer, xserver  # noqa: F401
from tests.logsql import sql

HOW = "Nothing is collected until you agree: run `proactive consent`"


def _events(home: Path) -> int:
    path = home / "data" / "events.db"
    return counts(open_db(path))["events"] if path.exists() else 0


def _history(home: Path) -> list:
    return consent_history(open_db(home / "data" / "events.db"))


def _run(home: Path, env: dict, *args: str, stdin=subprocess.DEVNULL) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "assistant", "run", *args], cwd=REPO, stdin=stdin,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**env, "PROACTIVE_HOME": str(home), "PYTHONUNBUFFERED": "1"})


def test_without_consent_nothing_is_collected_until_the_user_agrees(xserver: XServer, home: Path):  # noqa: F811
    xserver.open_window("Quarterly report draft")
    app = _run(home, xserver.env, "--headless", "--no-model", "--for", "25s")
    try:
        time.sleep(5)
        waiting = run_cli("status", home=home, env={"DISPLAY": ""})
        assert _events(home) == 0
        assert _history(home) == []
        assert "Consent: not given" in waiting.stdout
        agreed = run_cli("consent", "--accept-defaults", home=home)
        assert agreed.returncode == 0, agreed.stderr
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and _events(home) < 2:
            time.sleep(0.5)
    finally:
        out, _ = app.communicate(timeout=60)
    lines = [line for line in out.splitlines() if HOW in line]
    assert len(lines) == 1, out
    assert "Consent recorded: collecting starts now." in out
    titles = [e.title for _, e in recent(open_db(home / "data" / "events.db"), 120)]
    assert "Quarterly report draft" in titles


def test_no_terminal_no_display_no_flag_collects_nothing_and_says_how(home: Path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    out, _ = _run(home, env, "--no-model", "--for", "4s").communicate(timeout=60)
    assert HOW in out and "Traceback" not in out
    assert _events(home) == 0 and _history(home) == []
    status = json.loads(run_cli("status", "--json", home=home, env={"DISPLAY": ""}).stdout)
    assert status["consent"]["given"] is False


def test_accept_defaults_records_the_text_version_and_collects(home: Path):
    result = run_cli("run", "--accept-defaults", "--headless", "--no-model", "--for", "3s", home=home,
                     env={"DISPLAY": ""})
    assert result.returncode == 0, result.stderr
    assert "Consent recorded (--accept-defaults" in result.stdout and HOW not in result.stdout
    [row] = _history(home)
    assert row.via == "flag" and row.text_version == CONSENT_VERSION
    assert row.opt_ins == {key: False for key in OPT_INS}
    assert _events(home) >= 2  # the app's start and stop at least
    status = run_cli("status", home=home, env={"DISPLAY": ""}).stdout
    assert "Consent: given" in status and "via flag" in status and "opt-ins: none" in status
    again = run_cli("run", "--accept-defaults", "--headless", "--no-model", "--for", "1s", home=home,
                    env={"DISPLAY": ""})
    assert again.returncode == 0 and len(_history(home)) == 1  # consent in force: not asked or recorded again


def _talk(fd: int, proc: subprocess.Popen, script: list[tuple[str, str]], timeout: float = 60) -> str:
    """Answer prompts on a pty: for each (prompt, answer) wait for the prompt, then type the answer."""
    seen = ""
    deadline = time.monotonic() + timeout
    steps = list(script)
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 4096).decode(errors="replace")
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        if steps and steps[0][0] in seen:
            os.write(fd, (steps.pop(0)[1] + "\n").encode())
        if proc.poll() is not None and not ready:
            break
    return seen


def _run_on_pty(home: Path, script: list[tuple[str, str]]) -> tuple[str, int]:
    controller, terminal = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "run", "--no-model", "--for", "3s"], cwd=REPO,
                            stdin=terminal, stdout=terminal, stderr=terminal,
                            env={**env, "PROACTIVE_HOME": str(home), "PYTHONUNBUFFERED": "1"})
    os.close(terminal)
    try:
        seen = _talk(controller, proc, script)
        return seen, proc.wait(60)
    finally:
        os.close(controller)


def test_the_terminal_prompt_records_the_answer_and_the_opt_in(home: Path):
    seen, code = _run_on_pty(home, [("Agree and start collecting?", "y"), ("Numbers to turn on", "1")])
    assert code == 0, seen
    assert "What the assistant collects" in seen and "Stopped." in seen
    [row] = _history(home)
    assert row.via == "terminal" and row.opt_ins["collectors.input.record_text"] is True
    assert row.opt_ins["collectors.clipboard.enabled"] is False
    config_text = (home / "config" / "config.yaml").read_text()
    assert "record_text: true" in config_text and "# " in config_text  # written, comments kept
    assert _events(home) >= 2


def test_answering_no_on_the_terminal_collects_nothing(home: Path):
    seen, code = _run_on_pty(home, [("Agree and start collecting?", "n")])
    assert code == 0, seen
    assert "Not now: nothing was collected." in seen and HOW in seen
    assert _history(home) == [] and _events(home) == 0


def test_with_a_display_the_first_run_screen_comes_first_and_not_now_collects_nothing(
        xserver: XServer, home: Path):  # noqa: F811
    app = _run(home, {**xserver.env, "QT_QPA_PLATFORM": "xcb"}, "--no-model", "--for", "30s")
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and xserver.window_id("Proactive assistant — Before it starts") is None:
            time.sleep(0.3)
        assert xserver.window_id("Proactive assistant — Before it starts") is not None
        assert _events(home) == 0
        xserver.activate("Proactive assistant — Before it starts")
        xserver.key("Escape")  # Esc is Not now
        out, _ = app.communicate(timeout=30)
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
    assert app.returncode == 0, out
    assert "Not now: nothing was collected." in out
    assert _history(home) == [] and _events(home) == 0


def test_consent_needed_again_for_a_newer_text(home: Path):
    db = open_db()
    assert control.consent_needed(db)
    control.give_consent(db, {}, via="flag")
    assert not control.consent_needed(db)
    sql(db, "UPDATE consent SET text_version = '0'")  # as if agreed to an older text
    assert control.consent_needed(db) and control.consent_state(db) is None
