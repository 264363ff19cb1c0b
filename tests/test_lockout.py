"""Never locked out: with a log truncated to half, a log whose header was overwritten, a read-only data folder
and a data folder on a full disk, every command answers in one line without a traceback, and `proactive run`
starts (collecting, or paused with the reason shown). A damaged log is set aside and salvaged by the first
command that meets it, not only by the app."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.damaged_log import DAMAGES, command, damage, prepare

COMMANDS = {"status": ["status"], "events": ["events", "--since", "2h"], "export": ["export", "--out", "OUT"],
            "pause": ["pause"], "consent": ["consent", "--show"], "label stats": ["label", "stats"]}
OWN_STDERR = {"export": 1}  # lines a command writes to stderr on a healthy log (export's summary)


def _stderr_lines(out: subprocess.CompletedProcess) -> list[str]:
    return [line for line in out.stderr.splitlines() if line.strip()]


@pytest.mark.parametrize("how", DAMAGES)
def test_every_command_answers_in_one_line(home: Path, tmp_path: Path, how: str) -> None:
    for name, args in COMMANDS.items():
        case = tmp_path / name.replace(" ", "-")
        prepare(case, 50)
        damage(case, how)
        args = [str(tmp_path / f"{name}.jsonl") if a == "OUT" else a for a in args]
        out = command(case, how, *args)
        text = out.stdout + out.stderr
        assert "Traceback" not in text, (how, name, text)
        assert out.returncode in (0, 1), (how, name, out.returncode, text)
        assert len(_stderr_lines(out)) <= 1 + OWN_STDERR.get(name, 0), (how, name, out.stderr)
        assert "Start the app" not in text, (how, name, text)
        if out.returncode:
            assert len(_stderr_lines(out)) == 1 and not out.stdout.strip(), (how, name, text)


@pytest.mark.parametrize("how", DAMAGES)
def test_run_starts_collecting_or_clearly_paused(home: Path, tmp_path: Path, how: str) -> None:
    prepare(tmp_path, 50)
    damage(tmp_path, how)
    out = command(tmp_path, how, "run", "--headless", "--no-model", "--for", "2s")
    text = out.stdout + out.stderr
    assert out.returncode == 0 and "Traceback" not in text, text
    assert "Stopped." in out.stdout
    if how in ("read-only", "full"):
        assert "collection: paused" in out.stdout and ("read-only" in text or "disk is full" in text), text
    else:
        assert "event log: running" in out.stdout, text
        assert "damaged copy is kept at" in text or "it was kept at" in text, text


@pytest.mark.parametrize("how", ["truncated", "header"])
def test_the_first_command_sets_a_damaged_log_aside_and_salvages_it(home: Path, how: str) -> None:
    prepare(home, 3000)
    damage(home, how)
    out = run_cli("status", home=home)
    assert out.returncode == 0 and "Traceback" not in out.stderr
    assert "damaged copy is kept at" in out.stderr
    kept = [p for p in (home / "data").iterdir() if ".corrupt-" in p.name and p.suffix == ".db"]
    assert len(kept) == 1
    again = run_cli("status", home=home)
    assert again.returncode == 0 and not again.stderr.strip(), again.stderr  # salvaged once, then a plain log
    if how == "truncated":  # the first half of the pages is still there: the consent and rows in it are saved
        assert "Consent: given" in again.stdout, again.stdout


LOCKER = textwrap.dedent("""
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    conn.execute("INSERT OR REPLACE INTO state (key, value, updated) VALUES ('other', '1', 0)")
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
""")


def test_status_says_when_the_log_is_locked(home: Path) -> None:
    path = prepare(home, 10)
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(path), "30"], stdout=subprocess.PIPE, text=True)
    try:
        assert locker.stdout.readline().strip() == "locked"
        out = run_cli("status", home=home)
    finally:
        locker.kill()
        locker.wait()
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    assert "locked by another process" in out.stdout, out.stdout
    assert "Stored: 10 events" in out.stdout


def test_a_full_disk_frees_and_collection_starts(home: Path, tmp_path: Path) -> None:
    """The paused app tries again: once the disk has room it opens the log and collects."""
    prepare(tmp_path, 5)
    data, keep, log = tmp_path / "data", tmp_path / "data-copy", tmp_path / "run.out"
    setup = (f'rm -rf "{keep}" && cp -a "{data}" "{keep}" && mount -t tmpfs -o size=4m,mode=0700 tmpfs "{data}" '
             f'&& cp -a "{keep}/." "{data}/" && (dd if=/dev/zero of="{data}/filler" bs=4096 2>/dev/null || true)')
    free_later = (f'( for i in $(seq 600); do grep -q "collection is paused" "{log}" && break; sleep 0.1; done; '
                  f'rm -f "{data}/filler" ) &')
    flags = ["-m"] if os.geteuid() == 0 else ["-r", "-m"]
    run = [sys.executable, "-m", "assistant", "run", "--headless", "--no-model", "--for", "20s"]
    out = subprocess.run(["unshare", *flags, "sh", "-c", f'{setup} && {free_later} "$@" > "{log}" 2>&1', "sh",
                          *run], capture_output=True, text=True, timeout=150,
                         env={**os.environ, "PROACTIVE_HOME": str(tmp_path), "DISPLAY": ""})
    text = log.read_text()
    assert out.returncode == 0, text + out.stderr
    assert "collection is paused" in text and "can be written again: collection starts" in text, text
