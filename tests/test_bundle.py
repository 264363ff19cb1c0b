"""The desktop bundle as a user gets it: `bash packaging/build.sh` builds dist/proactive with PyInstaller and
`bash packaging/smoke.sh` runs it (--version, status --json, a 10 s run under Xvfb that logs a window with the
embedded model loaded, export / import / label stats, the terminal labeller, a clear line for judge training)."""

from __future__ import annotations

import subprocess

from tests.conftest import REPO


def test_the_bundle_builds_and_runs() -> None:
    build = subprocess.run(["bash", "packaging/build.sh"], cwd=REPO, capture_output=True, text=True, timeout=1200)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    assert (REPO / "dist" / "proactive" / "proactive").is_file()
    smoke = subprocess.run(["bash", "packaging/smoke.sh"], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert smoke.returncode == 0, smoke.stdout[-3000:] + smoke.stderr[-3000:]
    assert smoke.stdout.rstrip().endswith("[smoke] ok")
