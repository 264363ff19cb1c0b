"""The right moment in eight everyday scenarios (bench/scenarios.py has the scripts and expected outcomes),
through the chain the live app builds; and the stuck-on-an-error scenario on a real X desktop with the real
app and window collector."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import pytest

from bench.scenarios import SCENARIOS, run
from tests.conftest import REPO
from tests.display import xserver  # noqa: F401  (fixture)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_the_assistant_speaks_only_when_help_is_needed(scenario):
    outcome = run(scenario)
    assert outcome.ok, f"{scenario.name}: expected {outcome.expected}; {outcome.why}; surfaced {outcome.surfaced}"


@pytest.mark.display
def test_stuck_on_an_error_on_a_real_desktop_gets_a_card_about_the_error(home, xserver):  # noqa: F811
    cfg = home / "config"
    cfg.mkdir(parents=True, exist_ok=True)
    (cfg / "config.yaml").write_text("collectors:\n  input:\n    enabled: false\n  processes:\n    enabled: false\n")
    env = {**xserver.env, "PROACTIVE_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    app = subprocess.Popen([sys.executable, "-m", "assistant", "run", "--accept-defaults", "--headless", "--no-model", "--for", "60s"],
                           cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = _Lines(app)
    try:
        time.sleep(4)
        error = "python train.py: ModuleNotFoundError: No module named 'torch'"
        for title in ("train.py - vision - Visual Studio Code", error, "train.py - vision - Visual Studio Code"):
            xserver.open_window(title)
            time.sleep(3)
        assert "Suggestion #" not in out.text(), "a card before there was any evidence"
        evidence_at = time.monotonic()
        xserver.open_window(error)  # the rerun shows the same error
        line = out.wait_for("Suggestion #", 30)
        assert line, "no card within 30 s of the evidence"
        assert time.monotonic() - evidence_at < 60
        assert "torch" in line or "ModuleNotFoundError" in line, line
    finally:
        xserver.close_windows()
        app.terminate()
        app.wait(30)


class _Lines:
    """The app's output, read line by line in a thread (select() on a buffered pipe would miss lines)."""

    def __init__(self, proc: subprocess.Popen):
        self.lines: list[str] = []
        threading.Thread(target=lambda: self.lines.extend(iter(proc.stdout.readline, "")), daemon=True).start()

    def text(self) -> str:
        return "".join(self.lines)

    def wait_for(self, needle: str, seconds: float) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = next((line for line in list(self.lines) if needle in line), "")
            if found:
                return found
            time.sleep(0.2)
        return ""


def test_the_scenario_bench_writes_its_table(tmp_path):
    out = subprocess.run([sys.executable, "-m", "bench.scenarios"], cwd=REPO, capture_output=True, text=True,
                         timeout=300, check=False)
    assert out.returncode == 0, out.stderr
    result = json.loads((REPO / "bench" / "results" / "scenarios.json").read_text())
    assert len(result["outcomes"]) == len(SCENARIOS)
    assert "t=" in out.stdout and "expected" in out.stdout
