"""The house rules a user relies on without knowing: replay shows what the live engine does, status tells the
truth about each part, and the layers hold (the README's test command also runs `lint-imports`)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from assistant.app.live import LiveLoop
from assistant.core import config, paths
from assistant.core.config import default_config
from assistant.core.events import Event
from assistant.decide.build import build_chain
from assistant.evaluation.replay import TICK, replay
from assistant.log import EventWriter, open_db
from tests.conftest import REPO, run_cli
from tests.logsql import sql

# Invented desktop activity (not from any data set): (seconds after start, app, title)
SCRIPT = [
    (0, "code", "billing.py - invoices - Visual Studio Code"),
    (95, "gnome-terminal-server", "python billing.py: KeyError: 'total'"),
    (130, "firefox", "python KeyError total dict - Google Search"),  # looked up: the error's card
    (170, "firefox", "Handling missing dictionary keys - Stack Overflow"),  # the same need: no second card
    (260, "code", "billing.py - invoices - Visual Studio Code"),
    (300, "thunderbird", "Quarterly numbers - Inbox - Mozilla Thunderbird"),
    (330, "thunderbird", "Re: Quarterly numbers - Write"),  # another need: waits while the card is up
    (400, "gnome-terminal-server", "python billing.py: KeyError: 'total'"),  # the same error again
    (520, "soffice.bin", "quarterly_report.odt - LibreOffice Writer"),
    (560, "gnome-terminal-server", "cargo build: error[E0382]: borrow of moved value: `v`"),
    (600, "code", "main.rs - borrow - Visual Studio Code"),
    (640, "gnome-terminal-server", "cargo build: error[E0382]: borrow of moved value: `v`"),  # replaces the card
    (900, "firefox", "pandas merge two dataframes on a column - Google Search"),
    (1000, "code", "merge_tables.py - invoices - Visual Studio Code"),
]


def test_replay_makes_the_decisions_the_live_engine_made(home):
    """Replay runs the live loop's episode logic too: the same cards for the same needs, the same card waiting
    or replacing the one on screen."""
    cfg = default_config().with_overrides({"ui.card_timeout_seconds": 7200.0})  # nobody answers: no ignores
    path = paths.db_path()
    t0 = time.time() - 7200
    events = [Event("window", "focus", start=t0 + s, duration=(SCRIPT[i + 1][0] - s if i + 1 < len(SCRIPT) else 60),
                    app=app, title=title) for i, (s, app, title) in enumerate(SCRIPT)]
    writer = EventWriter(path).start()
    engine = LiveLoop(cfg, path, surface=lambda p: None, load_model=False)
    engine.open()
    writer.listeners.append(engine.on_event)
    live, clock = [], t0
    for event in events:  # the live loop wakes on each event and at least every TICK seconds
        while clock + TICK < event.start:
            clock += TICK
            live += engine.step(clock)
        writer.put(event)
        assert writer.flush()
        clock = max(clock, event.start)
        live += engine.step(clock)
    writer.stop()
    replayed = list(replay(open_db(path), t0, events[-1].end, build_chain(cfg)))

    def key(proposals):
        return [(round(p.time, 3), p.trigger, p.task, p.episode, p.supersedes.task if p.supersedes else None)
                for p in proposals]

    assert key(replayed) == key(live)
    cards = [p for p in live if p.task]
    assert len(cards) == 2, [p.task for p in cards]  # one card per need: the KeyError, then the borrow error
    assert "KeyError" in cards[0].task and "E0382" in cards[1].task and cards[1].supersedes is cards[0]
    assert len({p.episode for p in cards}) == 2
    stored = sql(open_db(path), "SELECT l.label FROM labels l JOIN proposals p ON p.id = l.proposal_id "
                 "WHERE p.task = ?", (cards[0].task,))
    assert stored == [("superseded",)]  # replaced before an answer: no judgement


def _status(home: Path) -> dict:
    out = run_cli("status", "--json", home=home, env={"DISPLAY": ""})
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def _part(status: dict, name: str) -> dict:
    return next((p for p in status["parts"] if p["name"] == name), {})


def _watch_model(home: Path, seconds: float) -> tuple[list[str], dict]:
    """Start `proactive run --headless` and read `proactive status` until the model part settles."""
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "run", "--accept-defaults", "--headless", "--for", f"{seconds:g}s"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO,
                            env={**os.environ, "PROACTIVE_HOME": str(home), "DISPLAY": ""})
    seen: list[str] = []
    last: dict = {}
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            status = _status(home)
            model = _part(status, "model")
            if model:
                last = status
                if not seen or seen[-1] != model["state"]:
                    seen.append(model["state"])
                if model["state"] not in ("loading",):
                    break
            time.sleep(0.3)
    finally:
        proc.terminate()
        proc.wait(30)
    return seen, last


def test_status_says_the_model_loads_when_it_is_needed(home):
    seen, status = _watch_model(home, 40)
    assert seen and seen[-1] == "idle", seen  # nothing loaded before a task is accepted
    assert "SmolLM2" in _part(status, "model")["reason"]
    assert "loads at the first accepted task" in _part(status, "model")["reason"]
    assert _part(status, "judge")["state"] == "ready" and _part(status, "engine")["state"] == "running"


def test_status_says_why_the_model_failed_while_the_rest_runs(home):
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "config" / "config.yaml").write_text("model:\n  gguf_path: /nowhere/missing-model.gguf\n")
    seen, status = _watch_model(home, 40)
    assert seen and seen[-1] == "failed", seen
    model = _part(status, "model")
    assert "model file not found: /nowhere/missing-model.gguf" in model["reason"]
    assert _part(status, "engine")["state"] == "running"
    assert _part(status, "collector processes")["state"] == "running"


def test_before_the_model_loads_status_says_loading(home):
    engine = LiveLoop(default_config(), paths.db_path(), surface=lambda p: None)
    assert {p["name"]: p["state"] for p in engine.parts()}["model"] == "loading"


SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|DELETE\s+FROM|UPDATE\s+\w+\s+SET|CREATE\s+"
                 r"(TABLE|INDEX)|PRAGMA\s+\w+)\b", re.IGNORECASE)


def test_every_sql_statement_of_the_product_lives_in_the_log_package():
    offenders = []
    for folder in ("assistant", "collectors", "models", "ui"):
        for path in (REPO / folder).rglob("*.py"):
            if path.is_relative_to(REPO / "assistant" / "log"):
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if SQL.search(line):
                    offenders.append(f"{path.relative_to(REPO)}:{n}: {line.strip()}")
    assert offenders == []


LOG_HANDLE = re.compile(r"(\bdb|\bdatabase|\))\.conn\b")  # db.conn, self.db.conn, open_db(path).conn


def test_only_the_log_package_touches_the_log_connection():
    """`Database.conn` is the log package's own: everyone else (the app, the UI, the benches, the tests) calls a
    named function of `assistant.log`, so the log's schema can change without a hunt through the tree.
    (Collectors may not import the log at all: their `.conn` are X, D-Bus and Wayland connections.)"""
    offenders = []
    for folder in ("assistant", "models", "ui", "bench", "tests"):
        for path in (REPO / folder).rglob("*.py"):
            if path.is_relative_to(REPO / "assistant" / "log"):
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                code = line.split("#", 1)[0]
                if LOG_HANDLE.search(code) and "LOG_HANDLE" not in code:
                    offenders.append(f"{path.relative_to(REPO)}:{n}: {line.strip()}")
    assert offenders == []


LIVE_DECISION = """
import sys, time
import assistant.cli.main  # the way `proactive run` starts
from assistant.app import control
from assistant.app.live import LiveLoop
from assistant.core import paths
from assistant.core.config import default_config
from assistant.core.events import Event
from assistant.log import EventWriter, open_db
from collectors.registry import build_collectors
path = paths.db_path()
writer = EventWriter(path).start()
collectors = build_collectors(default_config(), writer.put)
for c in collectors:
    c.start()
loop = LiveLoop(default_config(), path, surface=lambda p: None, load_model=False)
loop.open()
writer.listeners.append(loop.on_event)
t0 = time.time() - 600
shown = []
for i, (app, title) in enumerate([("code", "ledger.py - books - Visual Studio Code"),
                                  ("xterm", "python ledger.py: KeyError: 'month'"),
                                  ("firefox", "python KeyError month dict - Google Search")]):
    writer.put(Event("window", "focus", start=t0 + 60 * i, duration=60, app=app, title=title))
    writer.flush()
    shown += [p for p in loop.step(t0 + 60 * i + 1) if p.task]
assert shown, "no card"
loop.on_label(control.answer(open_db(path), shown[0].id, "rejected", None))
loop.step(time.time())  # the judge learns from the answer
assert loop.chain.engine.judge.labels_learned == 1, "the answer was not learned"
for c in collectors:
    c.stop()
writer.stop()
print(sorted(m for m in HEAVY if m in sys.modules))
"""
# tens of MB resident that serve training, evaluation or a model server, never the running app with the model off
HEAVY = ("numpy", "scipy", "sklearn", "models.judge.train", "assistant.evaluation.judge_eval", "urllib.request",
         "ruamel.yaml", "PySide6", "llama_cpp")


def test_deciding_and_learning_live_never_load_the_scientific_stack(home):
    """The live loop's judge is a dot product and a few Newton steps in pure Python: numpy, SciPy and
    scikit-learn (about 20 MB resident and more) serve only `proactive judge train` and the research commands,
    never a running app, even with its collectors and writer running and after it learned from an answer."""
    code = f"HEAVY = {HEAVY!r}\n" + LIVE_DECISION
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False,
                         cwd=REPO, env={**os.environ, "PROACTIVE_HOME": str(home), "DISPLAY": ""})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_the_tiny_embedded_model_words_no_proposals_unless_asked(home):
    """Measured on the traces, the embedded model's own proposals did not help (README): by default it only
    carries out accepted tasks; a model the user chose, or `model.propose: on`, joins the proposal path."""
    from assistant.decide.build import attach_model, build_chain, load_backend

    cfg = config.load()
    backend = load_backend(cfg)
    assert build_chain(cfg, backend=backend).engine.proposer is None
    assert build_chain(cfg.with_overrides({"model.propose": "on"}), backend=backend).engine.proposer is not None
    chosen = cfg.with_overrides({"model.gguf_path": str(backend.path) if hasattr(backend, "path") else "x.gguf"})
    chain = build_chain(chosen, backend=backend)
    assert chain.engine.proposer is not None
    attach_model(chain, cfg, backend)  # back to the embedded model in Settings: the old proposer is let go
    assert chain.engine.proposer is None and chain.model_name == ""
