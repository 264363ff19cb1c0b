"""Untrusted input (issue 8's attacks, kept): redaction and user regexes on hostile text, YAML bombs, X11
title encodings, a process that lies about its name. Each probe returns one short figure (see __main__)."""

from __future__ import annotations

import importlib.util
import os
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

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

    out = []
    for pattern in ("(a+)+$", "(ab|abab)+$"):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "config.yaml"
            path.write_text(f"privacy:\n  exclude_titles: ['{pattern}']\n")
            problems = config.check_file(path)[1]
        out.append(f"{pattern} {'refused' if problems else 'accepted'}")
    return "; ".join(out)


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
