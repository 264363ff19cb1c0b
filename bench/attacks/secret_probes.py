"""Redaction measured on a list kept apart from the tests (held_apart.py), through the privacy gate every
collector uses, the browser endpoint, the ActivityWatch endpoint and import; password managers and private
windows; structured data; export; what ordinary text loses; and the time the rules take on hostile text."""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from pathlib import Path

OURS = Path(__file__).resolve().parents[2]


def _held():
    spec = importlib.util.spec_from_file_location("held_apart", OURS / "bench" / "attacks" / "held_apart.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["held_apart"] = module
    spec.loader.exec_module(module)
    return module


def _gate():
    from assistant.core.config import default_config
    from collectors.privacy import PrivacyFilter

    return PrivacyFilter.from_config(default_config())


def _leaks(shapes, stored_text) -> tuple[Counter, Counter]:
    total, leaked = Counter(), Counter()
    for shape in shapes:
        total[shape.category] += 1
        if any(core and core in stored_text(shape) for core in shape.cores):
            leaked[shape.category] += 1
    return total, leaked


def _report(held, total: Counter, leaked: Counter) -> str:
    promised = sum(leaked[c] for c in held.PROMISED)
    attempted = [c for c in total if c not in held.PROMISED]
    detail = ", ".join(f"{c} {leaked[c]}/{total[c]}" for c in held.PROMISED if leaked[c])
    return (f"{sum(total.values())} shapes; promised categories: {promised} of "
            f"{sum(total[c] for c in held.PROMISED)} leak" + (f" ({detail})" if detail else "")
            + f"; attempted: {sum(leaked[c] for c in attempted)} of {sum(total[c] for c in attempted)} leak")


def probe_secrets_held_apart():
    from assistant.core.events import Event

    held, gate = _held(), _gate()

    def stored(shape) -> str:
        clean = gate.apply(Event("window", "focus", app="xterm", title=shape.text))
        return "" if clean is None else json.dumps([clean.title, clean.data], ensure_ascii=False) + clean.title

    return _report(held, *_leaks(held.SHAPES, stored))


def probe_secrets_test_list():
    from assistant.core.events import Event

    spec = importlib.util.spec_from_file_location("secret_shapes", OURS / "tests" / "secret_shapes.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["secret_shapes"] = module
    spec.loader.exec_module(module)
    gate = _gate()
    leaked = [s for s in module.SHAPES if any(
        core in ((c := gate.apply(Event("window", "focus", app="xterm", title=s.text))) and c.title or "")
        for core in s.cores)]
    return f"{len(leaked)} of {len(module.SHAPES)} leak (the list the tests tune on)"


def probe_secrets_through_doors():
    """The held-apart shapes through the browser endpoint (title and URL), the ActivityWatch endpoint (window
    title, tab URL) and `proactive import` (events), each into a real log; then every file is searched."""
    held = _held()
    promised = [s for s in held.SHAPES if s.promised]
    out = []
    for door in ("browser", "activitywatch", "import"):
        tmp = Path(tempfile.mkdtemp())
        try:
            _through(door, promised, tmp)
        except Exception as exc:  # noqa: BLE001 - a door that fails is a figure too
            out.append(f"{door}: failed ({type(exc).__name__})")
            continue
        files = b"".join(p.read_bytes() for p in tmp.rglob("*") if p.is_file() and p.suffix != ".jsonl")
        leaked = sum(any(core and core.encode() in files for core in s.cores) for s in promised)
        out.append(f"{door} {leaked}/{len(promised)}")
    return "promised shapes leaking: " + ", ".join(out)


def _through(door: str, shapes, tmp: Path) -> None:
    from assistant.core.config import default_config
    from assistant.log import EventWriter
    from collectors.privacy import Emitter, PrivacyFilter

    if door == "import":
        rows = [{"start": time.time() - 600 + i, "duration": 1.0, "source": "window", "kind": "focus",
                 "app": "xterm", "title": s.text, "data": {"note": s.text}} for i, s in enumerate(shapes)]
        (tmp / "in.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
        subprocess.run([sys.executable, "-m", "assistant", "import", "--format", "events", str(tmp / "in.jsonl")],
                       capture_output=True, timeout=300, env={**os.environ, "PROACTIVE_HOME": str(tmp / "home")})
        return
    writer = EventWriter(tmp / "events.db", commit_interval=0.1).start()
    emit = Emitter(PrivacyFilter.from_config(default_config()), writer.put)
    if door == "browser":
        from collectors.browser_endpoint import BrowserEndpoint

        ep = BrowserEndpoint(emit, port=0, info_path=tmp / "ep.json", burst=1000)
        ep.start()
        while not (ep.address and (tmp / "ep.json").exists()):
            time.sleep(0.02)
        token = json.loads((tmp / "ep.json").read_text())["token"]
        for s in shapes:
            url = "https://example.org/search?q=" + urllib.parse.quote_plus(s.text)  # as a browser encodes it
            _post(ep.address[1], json.dumps({"title": s.text[:1000], "url": url[:4096]}).encode(), token)
        ep.stop()
    else:
        from collectors.activitywatch_api import ActivityWatchApi

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        api = ActivityWatchApi(emit, port)
        api.create_bucket("aw-watcher-window_h", {"type": "currentwindow"})
        api.create_bucket("aw-watcher-web-firefox", {"type": "web.tab.current"})
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60))
        for s in shapes:
            api.receive("aw-watcher-window_h", {"timestamp": stamp, "duration": 1, "data": {"app": "x", "title": s.text}})
            api.receive("aw-watcher-web-firefox", {"timestamp": stamp, "duration": 1, "data": {
                "url": "https://example.org/#" + s.text, "title": s.text}})
    writer.flush(30)
    writer.stop()


VAULTS = [("keeweb", "KeeWeb"), ("chromium", "KeeWeb - Chromium"), ("Enpass", "Enpass"),
          ("firefox", "Enpass — Mozilla Firefox"), ("chrome", "iCloud Passwords - Google Chrome"),
          ("icloudpasswords", "iCloud Passwords"), ("xterm", "bob@dev:~$ pass -c bank/visa"),
          ("xterm", "$ pass social/mastodon"), ("xterm", "~> gopass show -c infra/db"), ("xterm", "rbw get github"),
          ("xterm", "keepassxc-cli show vault.kdbx mail"), ("xterm", "bw unlock"), ("xterm", "op read op://v/i/p"),
          ("xterm", "lpass show --password bank"), ("xterm", "secret-tool lookup app mail"),
          ("firefox", "vault.bitwarden.com — Mozilla Firefox"), ("chrome", "Google Password Manager - Chrome"),
          ("firefox", "about:logins"), ("chrome", "passwords.google.com - Google Chrome"),
          ("firefox", "Proton Pass — Mozilla Firefox"), ("brave", "Private Window - Brave"),
          ("firefox", "Reddit — Mozilla Firefox Private Browsing"), ("chrome", "New Tab - Google Chrome (Incognito)"),
          ("msedge", "InPrivate - Microsoft Edge"), ("epiphany", "Guest Mode - Web"),
          ("firefox", "Dashlane — Mozilla Firefox"), ("chrome", "NordPass - Google Chrome"),
          ("chrome", "app.keeweb.info - Google Chrome")]
VAULT_APPS = ["keepassxc", "KeePass", "keeweb", "enpass", "bitwarden", "1password", "Buttercup"]


def probe_vaults_held_apart():
    gate = _gate()
    titles = [t for app, t in VAULTS if not gate.excluded(app, t)]
    apps = [a for a in VAULT_APPS if not gate.excluded(a, "Main window")]
    return (f"{len(titles)} of {len(VAULTS)} vault / password-CLI / private-window titles stored; "
            f"{len(apps)} of {len(VAULT_APPS)} password-manager apps stored")


def probe_structured_keys():
    from collectors.aw_events import to_event

    token = "ghp_" + "Zx9" * 12
    gate = _gate()
    event = to_event("aw-custom_h", f"com.example.{token}", {"timestamp": time.time() - 5, "duration": 1,
                                                              "data": {token: "v", "password": "Blue Otter 77"}})
    clean = gate.apply(event)
    stored = json.dumps([clean.kind, clean.data]) if clean else ""
    parts = [name for name, core in (("bucket type", token), ("data key", token), ("value", "Otter"))
             if core in stored]
    return "stored raw: " + (", ".join(sorted(set(parts))) or "nothing") + " (ActivityWatch data keys, bucket type)"


def probe_export_rescan():
    from assistant.core.events import Event
    from assistant.log import EventWriter

    home = Path(tempfile.mkdtemp())
    writer = EventWriter(home / "data" / "events.db", commit_interval=0.1).start()
    held = _held()
    leaks = [s for s in held.SHAPES if s.promised][:40]
    for i, s in enumerate(leaks):  # stored as an older version of the rules could have left them
        writer.put(Event("window", "focus", start=time.time() - 600 + i, app="xterm", title=s.text))
    writer.flush(30)
    writer.stop()
    out_file = home / "events.jsonl"
    out = subprocess.run([sys.executable, "-m", "assistant", "export", "--format", "events", "--out", str(out_file)],
                         capture_output=True, text=True, timeout=120, env={**os.environ, "PROACTIVE_HOME": str(home)})
    text = out_file.read_text() if out_file.exists() else ""
    left = sum(any(core and core in text for core in s.cores) for s in leaks)
    summary = next((line for line in out.stderr.splitlines() if "redacted" in line), "no summary")
    return f"{left} of {len(leaks)} raw secrets still in the export; it says: {summary.split('; ')[-1][:60]}"


def probe_ordinary_text_kept():
    """ProactiveBench observation sentences (public, English desktop narration) changed by redaction."""
    from assistant.core.redact import redact

    root = Path(os.environ.get("PROACTIVE_DATA", "/work/shared/data/proactivebench"))
    sentences: list[str] = []
    for path in sorted(root.glob("*.jsonl"))[:2]:
        for line in path.read_text(encoding="utf-8").splitlines()[:400]:
            try:
                sentences += [o.get("event", "") if isinstance(o, dict) else str(o)
                              for o in json.loads(line).get("obs", [])]
            except (ValueError, AttributeError):
                continue
    if not sentences:
        return "no ProactiveBench data found"
    changed = sum(redact(s) != s for s in sentences)
    return f"{changed} of {len(sentences)} ProactiveBench sentences changed by redaction"


def probe_rules_linear():
    """Every rule (built-in, and the vendored ones where present) on 16 KB and 64 KB of hostile text."""
    from assistant.core.redact import redact

    try:
        from assistant.core import vendored_rules

        keywords = sorted({k for r in vendored_rules.load()[0] for k in r.keywords})
    except ImportError:
        keywords = ["password", "token", "key", "secret"]
    unit = " ".join(k + "_" + "a" * 30 + " = '" + "b9" * 10 for k in keywords) + " 4111 1111 " * 20 + "+4" * 40
    redact((unit * 4)[:16_384], (), 16_384)  # warm up: rules loaded, RE2's automata built
    times = {}
    for size in (16_384, 65_536):
        text = (unit * (size // len(unit) + 1))[:size]
        runs = []
        for _ in range(3):  # the best of three: the machine is shared
            started = time.perf_counter()
            redact(text + " " * len(runs), (), size + 2)  # a new text each time: the cache must not answer
            runs.append(time.perf_counter() - started)
        times[size] = min(runs)
    return (f"{times[16_384] * 1000:.0f} ms on 16 KB, {times[65_536] * 1000:.0f} ms on 64 KB "
            f"(x{times[65_536] / max(times[16_384], 1e-6):.1f} for x4 the text)")


def _post(port: int, body: bytes, token: str) -> int:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
            sock.sendall(f"POST /tab HTTP/1.1\r\nHost: x\r\nX-Proactive-Token: {token}\r\n"
                         f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
            reply = sock.recv(100)
        return int(reply.split(b" ", 2)[1]) if reply else 0
    except OSError:
        return 0
