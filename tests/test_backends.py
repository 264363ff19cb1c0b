"""Backends: the real embedded GGUF (loaded once) and an OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assistant.core.config import default_config
from models.backends import Completion, LlamaCppBackend, ModelUnavailable, OpenAICompatibleBackend
from models.default_model import backend_from_config, default_gguf_path

SCHEMA = {"type": "object", "properties": {"task": {"anyOf": [{"type": "string", "maxLength": 60},
                                                              {"type": "null"}]}},
          "required": ["task"], "additionalProperties": False}


@pytest.fixture(scope="module")
def llama() -> LlamaCppBackend:
    return LlamaCppBackend(default_gguf_path(), n_ctx=1024, n_threads=2)


@contextmanager
def canned_server(contents: list[str], reject_schema: bool = False) -> Iterator[tuple[str, list[dict]]]:
    """A real HTTP server answering /v1/chat/completions with the given contents in turn."""
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
            if reject_schema and "response_format" in body:
                self.send_response(400)
                self.end_headers()
                self.wfile.write(b'{"error": "response_format not supported"}')
                return
            text = contents[min(len(seen) - 1, len(contents) - 1)]
            out = {"choices": [{"message": {"role": "assistant", "content": text}}],
                   "usage": {"prompt_tokens": 12, "completion_tokens": 7}}
            data = json.dumps(out).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", seen
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.model
def test_embedded_model_completes_a_chat(llama: LlamaCppBackend) -> None:
    out = llama.complete([{"role": "user", "content": "Say hello."}], max_tokens=8)
    assert isinstance(out, Completion)
    assert out.text.strip() and 0 < out.tokens <= 8 and out.latency_s > 0


@pytest.mark.model
def test_embedded_model_json_schema_output_parses(llama: LlamaCppBackend) -> None:
    msgs = [{"role": "system", "content": 'Answer JSON {"task": ...}.'},
            {"role": "user", "content": "The user edits 'notes.md'. Suggest one task."}]
    out = llama.complete(msgs, max_tokens=40, json_schema=SCHEMA)
    obj = json.loads(out.text)
    assert set(obj) == {"task"} and (obj["task"] is None or isinstance(obj["task"], str))


def test_missing_model_file_is_a_clear_unavailable_reason(tmp_path) -> None:
    with pytest.raises(ModelUnavailable, match="model file not found"):
        LlamaCppBackend(tmp_path / "nope.gguf")
    cfg = default_config().with_overrides({"model.gguf_path": str(tmp_path / "nope.gguf")})
    with pytest.raises(ModelUnavailable, match="nope.gguf"):
        backend_from_config(cfg)


def test_corrupt_model_file_is_unavailable_not_a_crash(tmp_path) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"not a gguf at all" * 10)
    with pytest.raises(ModelUnavailable, match="could not load bad.gguf"):
        LlamaCppBackend(bad)


def test_default_config_points_at_the_embedded_model() -> None:
    path = default_gguf_path()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and path.stat().st_size > 50_000_000


def test_openai_backend_talks_to_a_real_server_with_schema_and_key() -> None:
    with canned_server(['{"task": null}']) as (url, seen):
        backend = OpenAICompatibleBackend(url, "tiny", api_key="k-123", timeout=5)
        out = backend.complete([{"role": "user", "content": "hi"}], max_tokens=16, json_schema=SCHEMA)
    assert json.loads(out.text) == {"task": None}
    assert out.tokens == 7 and out.prompt_tokens == 12
    req = seen[0]
    assert req["path"] == "/v1/chat/completions" and req["auth"] == "Bearer k-123"
    assert req["body"]["model"] == "tiny" and req["body"]["max_tokens"] == 16
    assert req["body"]["response_format"]["json_schema"]["schema"] == SCHEMA


def test_openai_backend_retries_without_schema_when_the_server_refuses_it() -> None:
    with canned_server(['{"task": "x"}'], reject_schema=True) as (url, seen):
        out = OpenAICompatibleBackend(url, "m").complete([{"role": "user", "content": "hi"}], 8, SCHEMA)
    assert out.text == '{"task": "x"}'
    # OpenAI's json_schema, then llama-cpp-python's json_object with a schema, then plain text
    assert [(r["body"].get("response_format") or {}).get("type") for r in seen] == ["json_schema", "json_object",
                                                                                    None]


def test_unreachable_server_is_a_clear_unavailable_reason() -> None:
    backend = OpenAICompatibleBackend(f"http://127.0.0.1:{free_port()}/v1", "m", timeout=2)
    with pytest.raises(ModelUnavailable, match="cannot reach model server http://127.0.0.1"):
        backend.complete([{"role": "user", "content": "hi"}], 8)


def test_openai_config_without_url_or_key_is_unavailable(monkeypatch) -> None:
    cfg = default_config().with_overrides({"model.backend": "openai"})
    with pytest.raises(ModelUnavailable, match="server_url is empty"):
        backend_from_config(cfg)
    monkeypatch.delenv("PROACTIVE_TEST_KEY", raising=False)
    cfg = cfg.with_overrides({"model.server_url": "http://127.0.0.1:1/v1", "model.api_key_env": "PROACTIVE_TEST_KEY"})
    with pytest.raises(ModelUnavailable, match="PROACTIVE_TEST_KEY"):
        backend_from_config(cfg)
