"""The attacks of issue 8 on untrusted input, measured before and after the hardening.

    .venv/bin/python -m bench.attacks [--before-tree DIR]

Each attack runs in its own subprocess (with a time limit, and a 4 GB address-space limit for the YAML bomb)
against the code in this checkout ("after"); with --before-tree DIR also against an older checkout, e.g.
`mkdir /tmp/before && git archive b37e342 | tar -x -C /tmp/before` ("before"). Attacks that need a display
start their own Xvfb (tests/display.py). Writes bench/results/attacks.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LIMIT_S = 60
LIMITS = {"title_180kb": 180}


def _redact_fn():
    try:
        from assistant.core.redact import redact
    except ImportError:
        from collectors.redact import redact  # the tree before the move
    return redact


def _shapes():
    spec = importlib.util.spec_from_file_location("secret_shapes", REPO / "tests" / "secret_shapes.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["secret_shapes"] = module
    spec.loader.exec_module(module)
    return module.SHAPES


def _privacy(exclude_titles=None):
    from assistant.core.config import default_config
    from collectors.privacy import PrivacyFilter

    cfg = default_config()
    return PrivacyFilter(cfg["privacy.exclude_apps"], cfg["privacy.exclude_titles"] if exclude_titles is None
                         else exclude_titles, [])


def _timed(fn, *args):
    started = time.perf_counter()
    try:
        fn(*args)
        outcome = "returned"
    except BaseException as exc:  # noqa: BLE001 - the outcome is what we measure
        outcome = type(exc).__name__
    return outcome, round(time.perf_counter() - started, 3)


# ---------------------------------------------------------------- probes (each prints one JSON value)

def probe_redact_luhn():
    outcome, seconds = _timed(_redact_fn(), " ".join(["4111 1111 1111 1111"] * 880))
    return f"{outcome} in {seconds} s"


def probe_title_180kb():
    from assistant.core.events import Event

    event = Event("window", "focus", app="firefox", title="Release notes " + "a" * 180_000)  # one long word
    outcome, seconds = _timed(_privacy().apply, event)
    return f"{outcome} in {seconds} s"


def probe_user_regex():
    outcome, seconds = _timed(_privacy([r"(a+)+$"]).excluded, "xterm", "a" * 36 + "!")
    return f"{outcome} in {seconds} s"


def probe_user_regex_timeout():
    outcome, seconds = _timed(_privacy([r"(a|aa)+$"]).excluded, "xterm", "a" * 40 + "!")
    return f"{outcome} in {seconds} s"


def probe_config_accepts_redos():
    from assistant.core import config

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config.yaml"
        path.write_text("privacy:\n  exclude_titles: ['(a+)+$']\n")
        problems = config.check_file(path)[1]
    return f"refused: {problems[0]}"[:140] if problems else "accepted"


def probe_secrets():
    from assistant.core.events import Event

    privacy, shapes = _privacy(), _shapes()
    leaked = []
    for shape in shapes:
        clean = privacy.apply(Event("window", "focus", app="xterm", title=shape.text))
        if clean is not None and any(core in clean.title for core in shape.cores):
            leaked.append(shape.name)
    return f"{len(leaked)} of {len(shapes)} leak"


VAULTS = [("chrome", "1Password – Google Chrome"), ("firefox", "my.1password.com — Mozilla Firefox"),
          ("chromium", "Bitwarden Web vault - Chromium"), ("chrome", "lastpass.com/vault - Google Chrome"),
          ("firefox", "Dashlane — Mozilla Firefox"), ("xterm", "me@host: ~ $ bw get password github"),
          ("xterm", "op item get Amazon --fields password"), ("xterm", "lpass show --password email")]


def probe_vaults():
    privacy = _privacy()
    stored = [t for app, t in VAULTS if not privacy.excluded(app, t)]
    return f"{len(stored)} of {len(VAULTS)} stored"


def probe_x11_titles():
    from assistant.core.config import default_config
    from collectors.privacy import Emitter, PrivacyFilter
    from collectors.window import FocusState, WindowCollector
    from tests.display import XServer

    server = XServer()
    os.environ["DISPLAY"] = server.display
    got = []
    collector = WindowCollector(Emitter(PrivacyFilter.from_config(default_config()), got.append), FocusState(), 0.5)
    try:
        server.open_window("Probe")
        wid = server.window_id("Probe")
        env = {**server.env, "LC_ALL": "C.UTF-8"}
        collector.start()
        time.sleep(1)
        wanted = {"xdotool (UTF-8 in STRING)": "Build failed: naïve_test.py", "Latin-1 STRING": "Café crème",
                  "COMPOUND_TEXT": "Ошибка сборки – ビルド失敗"}
        subprocess.run(["xdotool", "set_window", "--name", wanted["xdotool (UTF-8 in STRING)"], wid], check=False, env=env)
        time.sleep(1)
        subprocess.run(["xprop", "-id", wid, "-remove", "_NET_WM_NAME"], check=False, env=env)
        subprocess.run(["xprop", "-id", wid, "-f", "WM_NAME", "8s", "-set", "WM_NAME", ""], check=False, env=env)
        from Xlib import Xatom, display

        conn = display.Display(server.display)
        win = conn.create_resource_object("window", int(wid))
        win.change_property(Xatom.WM_NAME, Xatom.STRING, 8, wanted["Latin-1 STRING"].encode("latin-1"))
        conn.flush()
        time.sleep(1)
        subprocess.run(["xprop", "-id", wid, "-f", "WM_NAME", "8t", "-set", "WM_NAME", wanted["COMPOUND_TEXT"]],
                       check=False, env=env)
        time.sleep(1)
        conn.close()
    finally:
        collector.stop()
        server.shutdown()
    seen = {e.title for e in got}
    right = [k for k, v in wanted.items() if v in seen]
    return f"{len(right)} of 3 read right" + (f" ({', '.join(right)})" if right else "")


def probe_wm_class():
    from assistant.core.config import default_config
    from collectors.privacy import Emitter, PrivacyFilter
    from collectors.window import FocusState, WindowCollector
    from tests.display import XServer

    script = textwrap.dedent("""
        import os, sys, time
        from Xlib import X, Xatom, display
        d = display.Display(); s = d.screen()
        w = s.root.create_window(0, 0, 300, 200, 0, s.root_depth, X.InputOutput, X.CopyFromParent)
        w.set_wm_class("Navigator", "firefox")
        w.change_property(d.intern_atom("_NET_WM_NAME"), d.intern_atom("UTF8_STRING"), 8, b"Docs - Mozilla Firefox")
        w.change_property(d.intern_atom("_NET_WM_PID"), Xatom.CARDINAL, 32, [os.getpid()])
        w.map(); d.flush(); print(w.id, flush=True); time.sleep(30)
    """)
    server = XServer()
    os.environ["DISPLAY"] = server.display
    got = []
    with tempfile.TemporaryDirectory() as tmp:
        wrapper = Path(tmp) / "Terminal"
        wrapper.symlink_to(os.path.realpath(sys.executable))
        import Xlib

        proc = subprocess.Popen([str(wrapper), "-c", script], stdout=subprocess.PIPE, text=True,
                                env={**server.env, "PYTHONPATH": str(Path(Xlib.__file__).parent.parent)})
        collector = WindowCollector(Emitter(PrivacyFilter.from_config(default_config()), got.append), FocusState(),
                                    0.5)
        try:
            wid = proc.stdout.readline().strip()
            server.xdotool("windowactivate", "--sync", wid)
            collector.start()
            time.sleep(1.5)
        finally:
            collector.stop()
            proc.kill()
            server.shutdown()
    apps = {e.app for e in got if e.title == "Docs - Mozilla Firefox"}
    return f"app = {', '.join(sorted(apps)) or 'none'}"


def _endpoint(**kw):
    from collectors.browser_endpoint import BrowserEndpoint
    from collectors.privacy import Emitter, PrivacyFilter

    got = []
    tmp = Path(tempfile.mkdtemp())
    c = BrowserEndpoint(Emitter(PrivacyFilter([], [], []), got.append), port=0, info_path=tmp / "ep.json", **kw)
    c.start()
    for _ in range(200):
        if c.address and (tmp / "ep.json").exists():
            break
        time.sleep(0.02)
    return c, json.loads((tmp / "ep.json").read_text())["token"], got


def _post(port, body, token, timeout=10.0):
    started = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(f"POST /tab HTTP/1.1\r\nX-Proactive-Token: {token}\r\nContent-Length: {len(body)}\r\n\r\n"
                         .encode() + body)
            reply = sock.recv(100)
        code = int(reply.split(b" ", 2)[1]) if reply else 0
    except OSError:
        code = 0
    return code, time.perf_counter() - started


ATTACKER = textwrap.dedent("""
    import resource, socket, sys, time
    resource.setrlimit(resource.RLIMIT_NOFILE, (4096, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
    socks = []
    for _ in range(1000):
        s = socket.socket(); s.setblocking(False); s.connect_ex(("127.0.0.1", int(sys.argv[1]))); socks.append(s)
        time.sleep(0.002)
    for s in socks:
        try:
            s.send(b"POST /tab HTTP/1.1\\r\\nX-Slow: ")
        except OSError:
            pass
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
""")


def probe_slowloris():
    """1,000 connections from another process that send half a head and wait; this process has the usual
    desktop limit of 1,024 open files."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
    c, token, _ = _endpoint()
    port = c.address[1]
    threads0, fds0 = threading.active_count(), len(os.listdir("/proc/self/fd"))
    attacker = subprocess.Popen([sys.executable, "-c", ATTACKER, str(port), "20"], stdout=subprocess.PIPE, text=True)
    attacker.stdout.readline()
    time.sleep(3.0)
    threads = threading.active_count() - threads0
    fds = len(os.listdir("/proc/self/fd")) - fds0
    code, seconds = _post(port, json.dumps({"title": "ok", "url": "https://a.b/"}).encode(), token, timeout=5)
    attacker.kill()
    c.stop(2)
    return f"+{threads} threads, +{fds} fds; valid tab: {code or 'no answer'} after {seconds:.2f} s"


def probe_flood():
    c, token, got = _endpoint()
    codes = [_post(c.address[1], json.dumps({"title": f"t{i}", "url": "https://a.b/"}).encode(), token)[0]
             for i in range(2000)]
    reason = c.status().get("reason", "")
    c.stop(2)
    shown = "counted in status" if "shed" in reason else "not in status"
    return f"{len(got)} of 2000 stored, {codes.count(429)} shed ({shown})"


def probe_nested_json():
    c, token, _ = _endpoint()
    body = b'{"title": "x", "url": "https://a.b", "n": ' + b"[" * 2000 + b"]" * 2000 + b"}"
    code, _ = _post(c.address[1], body, token)
    c.stop(2)
    return f"HTTP {code}" if code else "connection dropped"


def _bomb(levels: int) -> str:
    keys = ["privacy.exclude_titles", "privacy.secret_patterns", "privacy.exclude_apps",
            "policy.max_proposals_per_hour", "policy.stall_seconds", "policy.switch_repeat", "judge.threshold",
            "ui.card_timeout_seconds"][:levels]
    lines, section = [], None
    for i, key in enumerate(keys):
        top, name = key.split(".")
        if top != section:
            lines.append(f"{top}:")
            section = top
        items = ", ".join(["lol"] * 9) if i == 0 else ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"  {name}: &a{i} [{items}]")
    return "\n".join(lines) + "\n"


def probe_yaml_bomb():
    from assistant.core import config

    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, resource.getrlimit(resource.RLIMIT_AS)[1]))
    text = _bomb(8)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config.yaml"
        path.write_text(text)
        started = time.perf_counter()
        try:
            message = "\n".join(str(p) for p in config.check_file(path)[1])
            outcome = f"message {len(message):,} bytes"
        except MemoryError:
            outcome = "MemoryError"
        seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return f"{len(text)}-byte file: {outcome}, {seconds:.1f} s, peak RSS {rss:,.0f} MB"


def probe_yaml_other():
    from assistant.core import config

    cases = {"recursive alias": b"policy:\n  max_proposals_per_hour: &a [*a]\n",
             "5000-deep list": b"policy:\n  max_proposals_per_hour: " + b"[" * 5000 + b"]" * 5000 + b"\n",
             "non-UTF-8 byte": b"policy:\n  # caf\xe9\n  max_proposals_per_hour: 3\n", "directory": None}
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in cases.items():
            path = Path(tmp) / name.replace(" ", "_")
            if data is None:
                path.mkdir()
            else:
                path.write_bytes(data)
            try:
                problems = config.check_file(path)[1]
                out.append(f"{name}: {'one line' if len(problems) == 1 else f'{len(problems)} problems'}")
            except BaseException as exc:  # noqa: BLE001
                out.append(f"{name}: {type(exc).__name__}")
    return "; ".join(out)


ATTACKS = [
    ("redact: 16.8 KB of Luhn-valid digit groups", "redact_luhn"),
    ("window title of 180 KB through the privacy gate", "title_180kb"),
    ("exclude_titles '(a+)+$' on 36 a's and '!'", "user_regex"),
    ("exclude_titles '(a|aa)+$' on 40 a's and '!'", "user_regex_timeout"),
    ("config check of exclude_titles '(a+)+$'", "config_accepts_redos"),
    ("secret shapes in window titles (default config)", "secrets"),
    ("password-manager vault pages and CLIs", "vaults"),
    ("X11 titles set as STRING / COMPOUND_TEXT", "x11_titles"),
    ("Firefox window of a process named 'Terminal'", "wm_class"),
    ("slowloris: 1,000 held connections", "slowloris"),
    ("flood: 2,000 valid tabs as fast as possible", "flood"),
    ("JSON body nested 2,000 deep (12 KB)", "nested_json"),
    ("YAML alias bomb under known keys", "yaml_bomb"),
    ("recursive alias, deep list, non-UTF-8, directory", "yaml_other"),
]


def run_probe(name: str, tree: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    try:
        out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--probe", name], check=False, cwd=tree, env=env,
                             capture_output=True, text=True, timeout=LIMITS.get(name, LIMIT_S))
    except subprocess.TimeoutExpired:
        return f"froze: killed after {LIMITS.get(name, LIMIT_S)} s"
    lines = [line for line in out.stdout.splitlines() if line.startswith("RESULT ")]
    if not lines:
        tail = (out.stderr.strip().splitlines() or ["no output"])[-1]
        return f"crashed: {tail[:100]}"
    return json.loads(lines[-1][7:])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before-tree", type=Path)
    parser.add_argument("--probe")
    args = parser.parse_args()
    if args.probe:
        here = str(Path(__file__).resolve().parent)  # bench/collectors.py must not shadow the collectors package
        sys.path[:] = [p for p in sys.path if p and str(Path(p).resolve()) != here]
        print("RESULT " + json.dumps(globals()[f"probe_{args.probe}"]()), flush=True)
        os._exit(0)  # do not wait for threads a frozen attack left behind
    from bench.harness import RESULTS

    rows = []
    for title, name in ATTACKS:
        before = run_probe(name, args.before_tree) if args.before_tree else "(not run)"
        after = run_probe(name, REPO)
        rows.append({"attack": title, "before": before, "after": after,
                     "command": f"python bench/attacks.py --probe {name}"})
        print(f"{title}\n  before: {before}\n  after:  {after}", flush=True)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "attacks.json"
    out.write_text(json.dumps({"benchmark": "attacks", "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
                               "before_tree": str(args.before_tree or ""), "rows": rows}, indent=2))
    print(f"written {out}")


if __name__ == "__main__":
    main()
