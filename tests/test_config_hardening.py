"""Hostile config files: one clear line each (file, line, what was expected), never a traceback or a blow-up."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from assistant.core import config, paths
from assistant.core.config import default_config
from assistant.core.events import Event
from collectors.privacy import Emitter, PrivacyFilter
from tests.conftest import run_cli


def alias_bomb(levels: int) -> str:
    """A YAML alias bomb under known keys: 9**levels strings from a few hundred bytes."""
    keys = ["privacy.exclude_titles", "privacy.secret_patterns", "privacy.exclude_apps",
            "policy.max_proposals_per_hour", "policy.stall_seconds", "policy.switch_repeat", "judge.threshold",
            "ui.card_timeout_seconds", "model.threads"][:levels]
    lines, section = [], None
    for i, key in enumerate(keys):
        top, name = key.split(".")
        if top != section:
            lines.append(f"{top}:")
            section = top
        items = ", ".join(["lol"] * 9) if i == 0 else ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"  {name}: &a{i} [{items}]")
    return "\n".join(lines) + "\n"


ALIAS_BOMB = alias_bomb(8)  # 578 bytes, 9**8 = 43 million strings once expanded
CASES = {
    "alias bomb": (ALIAS_BOMB.encode(), 2, "anchors and aliases"),
    "recursive alias": (b"policy:\n  max_proposals_per_hour: &a [*a]\n", 2, "anchors and aliases"),
    "5000-deep list": (b"policy:\n  max_proposals_per_hour: " + b"[" * 5000 + b"]" * 5000 + b"\n", 2,
                       "at most 16 levels of nesting"),
    "non-UTF-8 byte": ("policy:\n  # caf\xe9\n  max_proposals_per_hour: 3\n".encode("latin-1"), 2,
                       "byte 0xe9 at column 8 is not UTF-8"),
    "catastrophic regex": (b"privacy:\n  exclude_titles:\n    - '(?i)incognito'\n    - '(a+)+$'\n", 4,
                           "privacy.exclude_titles: expected a regular expression that runs in linear time"),
}


def _write(home: Path, data: bytes) -> Path:
    path = paths.config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_hostile_file_is_one_clear_line(home: Path, case: str) -> None:
    data, line, expected = CASES[case]
    path = _write(home, data)
    started = time.monotonic()
    _, problems = config.check_file(path)
    assert time.monotonic() - started < 5  # the bomb used to take 92 s and 5.7 GB
    assert len(problems) == 1, problems
    text = str(problems[0])
    assert text.startswith(f"{path}:{line}: ") and expected in text and len(text) < 400, text


def test_a_directory_as_config_is_one_clear_line(home: Path) -> None:
    paths.config_path().mkdir(parents=True)
    _, problems = config.check_file(paths.config_path())
    assert [str(p) for p in problems] == [f"{paths.config_path()}: (file): is a directory; expected a YAML file"]


@pytest.mark.parametrize("case", ["alias bomb", "non-UTF-8 byte", "directory", "catastrophic regex"])
def test_every_command_that_loads_the_config_says_it_in_one_line(home: Path, case: str) -> None:
    if case == "directory":
        paths.config_path().mkdir(parents=True)
        expected = "is a directory"
    else:
        _write(home, CASES[case][0])
        expected = CASES[case][2]
    for args in (["config", "check"], ["config", "show"], ["run", "--accept-defaults", "--headless", "--no-model", "--for", "1s"]):
        result = run_cli(*args, home=home, timeout=60)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr and expected in result.stderr, (args, result.stderr)
        assert len(result.stderr) < 2000, (args, len(result.stderr))


def test_a_catastrophic_pattern_that_slipped_past_the_check_cannot_freeze_the_app() -> None:
    """Patterns given directly (not from a checked file) still run with a timeout and fail closed."""
    got: list[Event] = []
    privacy = PrivacyFilter([], [r"(a|aa)+$"], [r"(x|xx)+y"])
    emit = Emitter(privacy, got.append)
    ticks = []
    stop = threading.Event()

    def tick() -> None:
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.01)

    ticker = threading.Thread(target=tick)
    ticker.start()
    started = time.monotonic()
    try:
        assert not emit(Event("window", "focus", app="xterm", title="a" * 36 + "!"))  # fail closed: dropped
        assert emit(Event("window", "focus", app="xterm", title="build " + "x" * 40 + "!"))
    finally:
        stop.set()
        ticker.join()
    assert time.monotonic() - started < 5  # before: the process froze, holding the GIL
    assert len(ticks) >= 10, "other threads kept running while the pattern gave up"
    assert privacy.timeouts == 1 and emit.excluded == 1
    assert got[0].title == "[redacted:unscannable]"


def test_default_patterns_all_pass_the_check() -> None:
    cfg = default_config()
    for key in ("privacy.exclude_apps", "privacy.exclude_titles"):
        assert all(config.regex_problem(p) is None for p in cfg[key])
