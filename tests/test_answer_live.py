"""Live, headless: the real app on a real X desktop proposes a card about a missing module whose package name
differs from its import name, and `proactive answer ID accept` streams an answer (real embedded model) whose
Fix installs the right package into the interpreter that failed. No command in it is stated as a fix unless
it passed the checks."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from assistant.log import open_db
from assistant.log.answers import answers_for
from models.facts import Tools, check_text
from tests.conftest import REPO, run_cli
from tests.display import xserver  # noqa: F401  (fixture)
from tests.test_scenarios import _Lines

FIX = re.compile(r"\*\*Fix\*\* \(checked on this computer\):(.*?)(?=\n\*\*Facts\*\*|\n\*\*Explanation\*\*|\Z)", re.S)


@pytest.mark.display
@pytest.mark.model
def test_stuck_on_sklearn_the_accepted_answer_installs_scikit_learn(home, xserver):  # noqa: F811
    folder = Path(tempfile.mkdtemp(prefix="vision-", dir="/tmp"))  # a short path, as a terminal title shows it
    venv = folder / ".venv"  # the project's own environment, without scikit-learn (or pip)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    cfg = home / "config"
    cfg.mkdir(parents=True, exist_ok=True)
    (cfg / "config.yaml").write_text("collectors:\n  input:\n    enabled: false\n  processes:\n    enabled: false\n")
    env = {**xserver.env, "PROACTIVE_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    app = subprocess.Popen([sys.executable, "-m", "assistant", "run", "--accept-defaults", "--headless",
                            "--no-model", "--for", "90s"],
                           cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = _Lines(app)
    error = f"{venv}/bin/python train.py: ModuleNotFoundError: No module named 'sklearn'"
    try:
        time.sleep(4)
        for title in ("train.py - vision - Visual Studio Code", error, "train.py - vision - Visual Studio Code"):
            xserver.open_window(title)
            time.sleep(3)
        xserver.open_window(error)  # the rerun shows the same error
        line = out.wait_for("Suggestion #", 45)
        assert line, "no card about the error:\n" + out.text()
        assert "sklearn" in line, line
        proposal_id = int(re.search(r"Suggestion #(\d+)", line).group(1))
        answer = run_cli("answer", str(proposal_id), "accept", home=home, timeout=300)
    finally:
        xserver.close_windows()
        app.terminate()
        app.wait(30)
        shutil.rmtree(folder, ignore_errors=True)
    assert answer.returncode == 0, answer.stderr
    shown = answer.stdout
    fix = FIX.search(shown)
    assert fix, shown
    assert f"{venv}/bin/python -m pip install scikit-learn" in fix.group(1), shown
    assert "install sklearn" not in fix.group(1)
    assert shown.index("**Fix**") < shown.index("**Explanation**")  # facts before words
    [kept] = answers_for(open_db(), proposal_id)
    assert kept.text.strip() == shown.strip()
    # nothing the model wrote passes as a fix unchecked: every failing command is listed as not verified
    model_part = shown.split("**Explanation**", 1)[1].split("**⚠ Not verified**", 1)[0]
    listed = shown.split("**⚠ Not verified**", 1)[1] if "**⚠ Not verified**" in shown else ""
    for check in check_text(model_part, Tools()):
        assert check.ok or f"`{check.command}`" in listed, (check, shown)
