#!/usr/bin/env bash
# Build the one-folder bundle dist/proactive/ (run it as dist/proactive/proactive) with PyInstaller.
#   bash packaging/build.sh            -> uses .venv (or $PYTHON), installs pyinstaller into it if missing
# Then: bash packaging/smoke.sh (--version, status --json, a 10 s headless run under Xvfb that logs windows).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
if [[ ! -x "$PY" ]]; then
  echo "[build] no Python at $PY: run packaging/install.sh first (or set PYTHON)" >&2
  exit 1
fi
if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
  echo "[build] installing pyinstaller (the dev extra)"
  "$PY" -m pip install -q "pyinstaller>=6.0"
fi
rm -rf build/proactive dist/proactive
"$PY" -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build packaging/proactive.spec
# Drop debug symbols (libpython alone carries 17 MB of them). Not the wheels' vendored libraries in *.libs/
# (patchelf-edited OpenBLAS: strip breaks them) - PyInstaller's own strip=True would touch those too.
if command -v strip >/dev/null; then
  find dist/proactive/_internal -type f -name "*.so*" -not -path "*.libs/*" -print0 |
    xargs -0 strip --strip-unneeded 2>/dev/null || true
fi
echo "[build] dist/proactive/proactive ($(du -sh dist/proactive | cut -f1))"
