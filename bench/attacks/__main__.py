"""The attack bench: every hole of issues 8 and 21 with its figure, before and after.

    python -m bench.attacks [--before-tree DIR] [--only NAME,...]

Each attack runs in its own subprocess (with a time limit) against this checkout ("after"); with
--before-tree DIR also against an older checkout, e.g. `mkdir /tmp/before && git archive a19d33a | tar -x -C
/tmp/before` ("before"). Attacks that need a display start their own Xvfb, the full and read-only data folders
are made in a private mount namespace (`unshare -m`). Secret shapes are measured on bench/attacks/held_apart.py,
a list kept apart from the tests that tune the rules. Writes bench/results/attacks.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
LIMIT_S = 90
# (title, module, probe, time limit)
ATTACKS = [
    ("redact: 16.8 KB of Luhn-valid digit groups", "input_probes", "redact_luhn", LIMIT_S),
    ("window title of 180 KB through the privacy gate", "input_probes", "title_180kb", 180),
    ("exclude_titles '(a+)+$' on 36 a's and '!'", "input_probes", "user_regex", LIMIT_S),
    ("exclude_titles '(a|aa)+$' on 40 a's and '!'", "input_probes", "user_regex_timeout", LIMIT_S),
    ("config check of '(a+)+$' and '(ab|abab)+$'", "input_probes", "config_accepts_redos", LIMIT_S),
    ("X11 titles set as STRING / COMPOUND_TEXT", "input_probes", "x11_titles", LIMIT_S),
    ("Firefox window of a process named 'Terminal'", "input_probes", "wm_class", LIMIT_S),
    ("YAML alias bomb under known keys", "input_probes", "yaml_bomb", LIMIT_S),
    ("recursive alias, deep list, non-UTF-8, directory", "input_probes", "yaml_other", LIMIT_S),
    ("browser endpoint: slowloris, 1,000 held connections", "endpoint_probes", "slowloris", LIMIT_S),
    ("browser endpoint: 2,000 valid tabs as fast as possible", "endpoint_probes", "flood", LIMIT_S),
    ("browser endpoint: JSON nested 2,000 deep", "endpoint_probes", "nested_json", LIMIT_S),
    ("ActivityWatch: 16 sockets trickling a byte every 5 s", "endpoint_probes", "aw_trickle", 120),
    ("ActivityWatch: 250 junk buckets, then a real watcher", "endpoint_probes", "aw_junk_buckets", 150),
    ("NaN/inf/negative duration, year 9999, 10 MB: collectors' gate", "door_probes", "door_collectors", LIMIT_S),
    ("... through the browser endpoint", "door_probes", "door_browser", LIMIT_S),
    ("... through the ActivityWatch endpoint", "door_probes", "door_activitywatch", LIMIT_S),
    ("... through proactive import (events export)", "door_probes", "door_import", 180),
    ("hostile values in right-shaped spool lines, then run", "door_probes", "door_spool", 180),
    ("log truncated to half: every command, and run", "lockout_probes", "lockout_truncated", 400),
    ("log header overwritten: every command, and run", "lockout_probes", "lockout_header", 400),
    ("read-only data folder: every command, and run", "lockout_probes", "lockout_readonly", 400),
    ("full data folder: every command, and run", "lockout_probes", "lockout_full", 400),
    ("status while another process holds the log locked", "lockout_probes", "status_while_locked", 120),
    ("--accept-defaults with both endpoints on in the config", "bounded_probes", "accept_defaults_sockets", 120),
    ("secret shapes held apart (>= 100), privacy gate", "secret_probes", "secrets_held_apart", LIMIT_S),
    ("... through browser endpoint, ActivityWatch, import", "secret_probes", "secrets_through_doors", 400),
    ("secret shapes of the tests (the tuning list)", "secret_probes", "secrets_test_list", LIMIT_S),
    ("password managers / private windows held apart", "secret_probes", "vaults_held_apart", LIMIT_S),
    ("secrets in ActivityWatch data keys and bucket types", "secret_probes", "structured_keys", LIMIT_S),
    ("export of rows stored with older rules", "secret_probes", "export_rescan", 180),
    ("ordinary text changed by redaction", "secret_probes", "ordinary_text_kept", LIMIT_S),
    ("every rule on 16 KB / 64 KB of hostile text", "secret_probes", "rules_linear", 180),
    ("study merge: 300 MB deflated into a small bundle", "study_probes", "study_expansion", 300),
    ("study merge: checksum-valid bundle with planted secrets", "study_probes", "study_secrets", 120),
    ("study merge: unknown schema version", "study_probes", "study_schema", 120),
    ("study merge: 20 malformed bundles", "study_probes", "study_malformed", 600),
    ("config, import, eval trace of /dev/zero and a FIFO", "bounded_probes", "special_files", 600),
    ("model pull from a body that never ends (32 MB disk)", "bounded_probes", "endless_download", 300),
    ("kill -9 with a window in front: duration lost", "bounded_probes", "kill9_duration", 240),
    ("injection titles becoming suggestions that quote them", "bounded_probes", "injection_titles", LIMIT_S),
    ("ProactiveBench sentences taken for an injection", "bounded_probes", "injection_false_alarms", LIMIT_S),
]


def run_probe(module: str, probe: str, tree: Path, limit: int) -> str:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    try:
        out = subprocess.run([sys.executable, str(HERE / "probe.py"), module, probe], check=False, cwd=tree,
                             env=env, capture_output=True, text=True, timeout=limit)
    except subprocess.TimeoutExpired:
        return f"froze: killed after {limit} s"
    lines = [line for line in out.stdout.splitlines() if line.startswith("RESULT ")]
    if not lines:
        tail = (out.stderr.strip().splitlines() or ["no output"])[-1]
        return f"crashed: {tail[:120]}"
    return json.loads(lines[-1][7:])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before-tree", type=Path)
    parser.add_argument("--only", help="comma-separated probe names")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    rows = []
    for title, module, probe, limit in ATTACKS:
        if only and probe not in only:
            continue
        before = run_probe(module, probe, args.before_tree, limit) if args.before_tree else "(not run)"
        after = run_probe(module, probe, REPO, limit)
        rows.append({"attack": title, "before": before, "after": after,
                     "command": f"python -m bench.attacks --only {probe}"})
        print(f"{title}\n  before: {before}\n  after:  {after}", flush=True)
    results = REPO / "bench" / "results"
    results.mkdir(exist_ok=True)
    out = results / "attacks.json"
    previous = json.loads(out.read_text()).get("rows", []) if out.exists() and only else []
    done = {r["attack"] for r in rows}
    rows = [r for r in previous if r["attack"] not in done] + rows
    order = {title: i for i, (title, *_rest) in enumerate(ATTACKS)}
    rows.sort(key=lambda r: order.get(r["attack"], len(order)))
    out.write_text(json.dumps({"benchmark": "attacks", "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
                               "before_tree": str(args.before_tree or ""), "rows": rows}, indent=2,
                              ensure_ascii=False) + "\n")
    print(f"written {out}")


if __name__ == "__main__":
    main()
