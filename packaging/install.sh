#!/usr/bin/env bash
# Install the proactive assistant on a fresh Debian machine.
#   bash packaging/install.sh          -> system libs, .venv, app (llama-cpp-python built from source)
#   bash packaging/install.sh --test   -> the above plus Xvfb/openbox/xdotool/trayer, headless sway + foot (Wayland
#                                         tests, run as the unprivileged user proactive-wl), kwin-wayland (the KWin
#                                         backend's test; about 150 packages, 2 minutes) and the test extras.
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_TEST=0
[[ "${1:-}" == "--test" ]] && WITH_TEST=1

SUDO=""
[[ $(id -u) -ne 0 ]] && SUDO="sudo"
APT_PKGS=(python3-venv python3-dev build-essential cmake libgomp1 x11-xserver-utils
          libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
          libxcb-shape0 libxcb-xkb1 libxcb-xinerama0 libxcb-randr0 libxkbcommon-x11-0
          libxkbcommon0 libegl1 libgl1 libfontconfig1 libdbus-1-3 fonts-dejavu-core command-not-found)
if [[ $WITH_TEST -eq 1 ]]; then
  APT_PKGS+=(xvfb xdotool x11-utils openbox trayer xterm sway foot dbus-daemon kwin-wayland)
fi
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "[install] apt packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [[ " ${missing[*]} " == *" command-not-found "* ]]; then
    # its index of which package has which command (answers name the package to install) is built by apt update
    $SUDO apt-get update -qq || echo "[install] apt-get update failed: answers will not name Debian packages"
  fi
fi

if [[ $WITH_TEST -eq 1 && $(id -u) -eq 0 ]] && ! id proactive-wl >/dev/null 2>&1; then
  # sway refuses to run as root: the Wayland tests start it as this unprivileged user
  useradd --system --no-create-home --shell /usr/sbin/nologin proactive-wl
fi

PY=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip wheel >/dev/null
# llama-cpp-python has no binary wheel here: build it portable (the native build uses AMX and crashes).
# pip caches the built wheel, so later installs take seconds.
export CMAKE_ARGS="-DGGML_NATIVE=OFF"
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2}
if ! .venv/bin/python -c "import llama_cpp" 2>/dev/null; then
  echo "[install] llama-cpp-python (a source build takes about 6 minutes the first time)"
  .venv/bin/python -m pip install -q "llama-cpp-python>=0.3.16"
fi
if [[ $WITH_TEST -eq 1 ]]; then
  .venv/bin/python -m pip install -q -e ".[test]"
else
  .venv/bin/python -m pip install -q -e .
fi
echo "[install] done: .venv/bin/proactive"
