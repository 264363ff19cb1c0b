#!/usr/bin/env bash
# Smoke-run the bundle built by packaging/build.sh, as CI does (.ci/bundle):
#   --version, status --json, and a 10 s headless run under Xvfb + openbox (--accept-defaults) that must log
#   the focus of an xterm window it opens, with the embedded model loaded.
#   Needs xvfb, openbox, xterm, xdotool (packaging/install.sh --test).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BUNDLE:-dist/proactive/proactive}
[[ -x "$BIN" ]] || { echo "[smoke] no bundle at $BIN: run bash packaging/build.sh" >&2; exit 1; }
HOME_DIR=$(mktemp -d)
export PROACTIVE_HOME="$HOME_DIR"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$HOME_DIR"; }
trap cleanup EXIT

version=$("$BIN" --version)
[[ "$version" == proactive,\ version* ]] || { echo "[smoke] --version said: $version" >&2; exit 1; }
echo "[smoke] $version"

env -u DISPLAY "$BIN" status --json > "$HOME_DIR/status.json"
grep -q '"running": false' "$HOME_DIR/status.json" || { echo "[smoke] status --json:" >&2; cat "$HOME_DIR/status.json" >&2; exit 1; }
echo "[smoke] status --json ok"

Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$HOME_DIR/display" 2>/dev/null &
PIDS+=($!)
for _ in $(seq 50); do [[ -s "$HOME_DIR/display" ]] && break; sleep 0.1; done
export DISPLAY=":$(head -1 "$HOME_DIR/display")"
openbox >/dev/null 2>&1 &
PIDS+=($!)
sleep 1
TITLE="smoke-window-$$"
xterm -T "$TITLE" -e sleep 900 &
PIDS+=($!)
for _ in $(seq 50); do xdotool search --name "^$TITLE\$" >/dev/null 2>&1 && break; sleep 0.2; done
xdotool windowactivate --sync "$(xdotool search --name "^$TITLE\$" | head -1)" >/dev/null 2>&1 || true

# the model loads when needed (the first Accept); a model that words proposals loads at start, which is what
# this checks: the bundled llama.cpp libraries load the embedded GGUF
cfg=$("$BIN" config path)
mkdir -p "$(dirname "$cfg")"
printf 'model:\n  propose: "on"\n' > "$cfg"
"$BIN" run --accept-defaults --headless --for 10s > "$HOME_DIR/run.log" 2>&1 &
RUN=$!
model=""
for _ in $(seq 40); do  # the embedded model loads through the bundled llama.cpp libraries
  model=$("$BIN" status --json | grep -A1 '"name": "model"' | grep -o '"state": "[a-z]*"' || true)
  [[ "$model" == '"state": "ready"' ]] && break
  sleep 0.2
done
wait "$RUN" || { echo "[smoke] run failed:" >&2; cat "$HOME_DIR/run.log" >&2; exit 1; }
if [[ "$model" != '"state": "ready"' ]]; then
  echo "[smoke] the embedded model did not load ($model); run output:" >&2; cat "$HOME_DIR/run.log" >&2; exit 1
fi
echo "[smoke] the embedded model loaded (llama.cpp)"
if ! "$BIN" events --since 5m --json | grep -q "\"title\": \"$TITLE\""; then
  echo "[smoke] no window event for $TITLE; run output:" >&2; cat "$HOME_DIR/run.log" >&2; exit 1
fi
echo "[smoke] headless run logged the window '$TITLE'"
"$BIN" export --format events --out "$HOME_DIR/events.jsonl" 2>/dev/null
grep -q "$TITLE" "$HOME_DIR/events.jsonl" || { echo "[smoke] export --format events lost the window" >&2; exit 1; }
PROACTIVE_HOME="$HOME_DIR/imported" "$BIN" import "$HOME_DIR/events.jsonl" >/dev/null
PROACTIVE_HOME="$HOME_DIR/imported" "$BIN" events --since 5m --json | grep -q "$TITLE" ||
  { echo "[smoke] import of the events export lost the window" >&2; exit 1; }
"$BIN" label stats >/dev/null
(sleep 4; printf q) | timeout 30 script -qec "$BIN label" /dev/null >"$HOME_DIR/label.txt" 2>&1 || true
grep -q "answers recorded" "$HOME_DIR/label.txt" || { echo "[smoke] proactive label (terminal UI) failed:" >&2
  tail -c 2000 "$HOME_DIR/label.txt" >&2; exit 1; }
echo "[smoke] export, import, label stats and the terminal labeller ok"
if "$BIN" judge train x.jsonl 2>"$HOME_DIR/judge.err"; then echo "[smoke] judge train ran without scikit-learn?" >&2; exit 1; fi
grep -q "needs scikit-learn" "$HOME_DIR/judge.err" || { echo "[smoke] judge train:" >&2; cat "$HOME_DIR/judge.err" >&2; exit 1; }
echo "[smoke] judge training says it needs the Python install"
echo "[smoke] ok"
