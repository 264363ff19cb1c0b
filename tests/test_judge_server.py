"""The reward model as the app's judge (`judge.backend: openai`): the ProactiveBench paper's reward question sent to
an OpenAI-compatible server, its JSON judgement gating the cards, and the built-in judge taking over within the
same decision when the server is down, too slow or answers no judgement, said in `proactive status`.

The real server is llama-cpp-python's own (`llama_server` fixture) serving the embedded model; the gating in both
directions and the failure modes use a loopback HTTP server with canned answers (an external service)."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from assistant.core import config
from assistant.decide.build import build_chain
from models.backends import OpenAICompatibleBackend
from models.judge.infer import load_judge
from models.judge.remote import RETRY_SECONDS, ServerJudge, judge_from_config
from models.judge.reward_prompt import INSTRUCTION_KEY, OBSERVATIONS_KEY, TASK_KEY
from tests.conftest import run_cli
from tests.llama_server import ALIAS, free_port

DATA = Path(os.environ.get("PROACTIVE_DATA", Path(__file__).resolve().parents[2] / "shared/data/proactivebench"))
HISTORY = ["The user opens 'budget.py' in Visual Studio Code.",
           "The user runs 'python budget.py' in a terminal and a ValueError: window must be an integer is shown.",
           "The user searches 'pandas rolling window must be an integer' in Firefox."]
TIMES = ["1717338232.283", "1717338262.283", "1717338292.283"]


def answer(judgement: str) -> str:
    return json.dumps({"thought": "I am stuck on this error.", "judgement": judgement})


@contextmanager
def fake_server(replies: list[str | None]) -> Iterator[tuple[str, list[dict]]]:
    """A loopback OpenAI-compatible server: each request gets the next reply (None: never answers)."""
    seen: list[dict] = []
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"data": []}')

        def do_POST(self) -> None:
            seen.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            reply = replies[min(len(seen) - 1, len(replies) - 1)]
            if reply is None:
                stop.wait(60)  # a server that takes the question and never answers
                return
            data = json.dumps({"choices": [{"message": {"role": "assistant", "content": reply}}],
                               "usage": {"prompt_tokens": 300, "completion_tokens": 20}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", seen
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


def cfg_for(url: str, timeout: float = 30.0) -> config.Config:
    return config.load().with_overrides({"judge.backend": "openai", "judge.server_url": url,
                                         "judge.timeout_seconds": timeout})


def test_the_served_model_answers_the_papers_question_as_json(llama_server) -> None:
    judge = ServerJudge(load_judge(), OpenAICompatibleBackend(llama_server.url, ALIAS, timeout=300))
    verdict = judge.ask(HISTORY, "Explain the ValueError in budget.py", TIMES)
    assert verdict.accepted is not None, verdict  # JSON mode (a grammar): even the 135M model answers parseable
    said = json.loads(verdict.text)
    assert said["judgement"] in ("accepted", "rejected") and isinstance(said["thought"], str)
    scores = judge.score(HISTORY, ["Explain the ValueError in budget.py", None])
    assert scores == ([1.0, 0.0] if judge.last.accepted else [0.0, 1.0])
    assert judge.part()["state"] == "ready" and "last judgement" in judge.part()["reason"]


def test_judge_eval_asks_the_served_model_row_by_row(llama_server, tmp_path: Path) -> None:
    rows = [json.loads(line) for line in (DATA / "reward_train.jsonl").open()]
    short = sorted(rows, key=lambda r: len(json.dumps(r["obs"])))[:3]
    held_back = tmp_path / "held_back.jsonl"
    held_back.write_text("".join(json.dumps(r) + "\n" for r in short))
    done = run_cli("judge", "eval", str(held_back), "--backend", "openai", "--server-url", llama_server.url,
                   "--server-model", ALIAS, "--timeout", "300", "--json", home=tmp_path, timeout=1200)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["rows"] == 3 and result["answered"] + result["no_judgement"] == 3
    assert result["answered"] == 3, result["failures"]
    assert sum(v["n"] for v in result["paper"]["per_category"].values()) == 3
    assert result["with_fallback"]["n"] == 3


@pytest.mark.parametrize("judgement", ["accepted", "rejected"])
def test_cards_are_gated_by_the_reward_models_judgement(judgement: str) -> None:
    builtin = build_chain(config.load()).engine.step(HISTORY)[0]
    assert builtin.task is not None, "the built-in judge would show a card here"
    with fake_server([answer(judgement)]) as (url, seen):
        decision = build_chain(cfg_for(url)).engine.step(HISTORY)[0]
    assert len(seen) == 1  # one question per decision
    system, user = seen[0]["messages"]
    question = json.loads(user["content"])
    assert system["role"] == "system" and list(question) == [OBSERVATIONS_KEY, TASK_KEY, INSTRUCTION_KEY]
    assert [o["event"] for o in question[OBSERVATIONS_KEY]] == HISTORY and question[TASK_KEY] == builtin.task
    assert seen[0]["response_format"]["json_schema"]["schema"]["properties"]["judgement"]["enum"] == [
        "accepted", "rejected"]
    if judgement == "accepted":
        assert decision.task == builtin.task and decision.score == 1.0
    else:
        assert decision.task is None and "below threshold" in decision.reason


@pytest.mark.parametrize("reply, why", [(None, "did not answer within 1 s"),
                                        ("Sure, the user would like that!", "no judgement in its answer"),
                                        ('{"thought": "hm", "judgement": "maybe"}', "no judgement in its answer")])
def test_a_slow_or_malformed_server_leaves_the_decision_to_the_built_in_judge(reply: str | None, why: str) -> None:
    builtin = build_chain(config.load()).engine.step(HISTORY)[0]
    with fake_server([reply, answer("rejected")]) as (url, seen):
        chain = build_chain(cfg_for(url, timeout=1))
        decision = chain.engine.step(HISTORY)[0]
        assert decision.task == builtin.task  # the same decision, made by the built-in judge
        part = chain.engine.judge.part()
        assert part["state"] == "fallback" and why in part["reason"] and "the built-in judge decides" in part["reason"]
        chain.engine.step(HISTORY)
        assert len(seen) == 1  # a failing server is left alone for a while, not asked at every decision
        judge = chain.engine.judge
        judge.clock = lambda: time.monotonic() + RETRY_SECONDS + 1
        assert chain.engine.step(HISTORY)[0].task is None  # asked again later: it answers, and rejects
        assert len(seen) == 2 and judge.part()["state"] == "ready"


def test_a_misconfigured_judge_says_why_and_the_built_in_judge_decides() -> None:
    judge, problem = judge_from_config(cfg_for(""))
    assert problem == "judge.backend is 'openai' but judge.server_url is empty; the built-in judge decides"
    assert not isinstance(judge, ServerJudge)


def test_with_the_server_down_the_app_shows_cards_and_status_says_the_built_in_judge_decides(
        consented: Path) -> None:
    from assistant.app.runtime import Runtime
    from assistant.core.events import Event

    dead = f"http://127.0.0.1:{free_port()}/v1"
    cfg = cfg_for(dead, timeout=2).with_overrides({"policy.min_gap_seconds": 0.0})
    runtime = Runtime(cfg, headless=True, say=lambda _: None, load_model=False)
    shown = []
    runtime.start()
    runtime.on_proposal = shown.append
    loop = threading.Thread(target=runtime.run, args=(120,), daemon=True)  # writes the status snapshot
    loop.start()
    try:
        now = time.time()
        error = "python budget_2025.py: ValueError: window must be an integer"
        editor = "budget_2025.py - finance - Visual Studio Code"
        for i, (app, title) in enumerate([("code", editor), ("xterm", error), ("code", editor), ("xterm", error)]):
            runtime.sink(Event("window", "focus", start=now - 80 + 10 * i, app=app, title=title))
        runtime.sink(Event("window", "focus", start=now, app="firefox", title="numpy rolling average - Google Search"
                           " — Mozilla Firefox", data={"browser": True,
                                                       "page_title": "numpy rolling average - Google Search"}))
        deadline = time.time() + 60
        while not shown and time.time() < deadline:
            time.sleep(0.2)
        assert shown, "with the reward model down, the built-in judge still shows the card"
        [judge] = [p for p in runtime.parts() if p["name"] == "judge"]
        assert judge["state"] == "fallback" and dead in judge["reason"] and "cannot reach" in judge["reason"], judge
        deadline = time.time() + 30
        while time.time() < deadline:
            status = json.loads(run_cli("status", "--json", home=consented).stdout)
            parts = {p["name"]: p for p in status["parts"]}
            if parts.get("judge", {}).get("state") == "fallback":
                break
            time.sleep(1)
        assert parts["judge"]["state"] == "fallback" and "the built-in judge decides" in parts["judge"]["reason"]
        text = run_cli("status", home=consented).stdout
        assert "judge" in text and "fallback" in text
    finally:
        runtime.request_stop()
        loop.join(10)
        runtime.stop()


def test_an_unreachable_port_is_refused_quickly() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    judge = ServerJudge(load_judge(), OpenAICompatibleBackend(f"http://127.0.0.1:{port}/v1", timeout=5))
    assert judge.ask(HISTORY, "Explain the error").accepted is None
    assert "cannot reach" in judge.ask(HISTORY, "Explain the error").error
