"""Streaming from the real embedded model and from a real OpenAI-compatible server (llama_cpp.server)."""

from __future__ import annotations

import gc
import threading
import time

import pytest

from models.backends import BackendError, LlamaCppBackend, ModelUnavailable, OpenAICompatibleBackend
from models.catalog import discover_servers, list_server_models
from models.default_model import default_gguf_path
from tests.llama_server import ALIAS, free_port

ASK = [{"role": "user", "content": "Write three short sentences about the sea."}]


@pytest.fixture(scope="module")
def llama() -> LlamaCppBackend:
    return LlamaCppBackend(default_gguf_path(), n_ctx=1024, n_threads=2)


@pytest.mark.model
def test_pieces_arrive_one_by_one_with_timing_and_token_counts(llama: LlamaCppBackend) -> None:
    stream = llama.stream(ASK, max_tokens=24)
    arrivals: list[tuple[float, str]] = []
    for piece in stream:
        arrivals.append((time.perf_counter(), piece))
    text = "".join(p for _, p in arrivals)
    assert len(arrivals) >= 5 and text == stream.text and text.strip()
    assert arrivals[-1][0] > arrivals[0][0]  # spread over time, not one block at the end
    stats = stream.stats
    assert stats.completion_tokens == len(arrivals) <= 24
    assert stats.prompt_tokens > 10 and stats.finish_reason in ("length", "stop")
    assert 0 < stats.first_token_s <= stats.total_s and stats.tokens_per_s and stats.tokens_per_s > 0
    # the same answer as the blocking call (greedy decoding)
    assert llama.complete(ASK, max_tokens=24).text == text


@pytest.mark.model
def test_close_stops_generation_and_the_model_stays_usable(llama: LlamaCppBackend) -> None:
    stream = llama.stream(ASK, max_tokens=400)
    first = next(iter(stream))
    stream.close(wait=10)
    assert stream.done and stream.stats.finish_reason == "cancelled"
    assert stream.stats.completion_tokens < 50
    assert first + "".join(stream) == stream.text  # what was queued is still read, then the iteration ends
    assert llama.complete([{"role": "user", "content": "Say hi."}], max_tokens=4).text


@pytest.mark.model
def test_an_abandoned_stream_stops_and_closing_the_backend_waits_for_it() -> None:
    backend = LlamaCppBackend(default_gguf_path(), n_ctx=512, n_threads=2)
    stream = backend.stream(ASK, max_tokens=400)
    next(iter(stream))
    sink_done = stream._sink.done
    del stream
    gc.collect()
    assert sink_done.wait(10)  # dropped by the reader: the worker stopped and let go of the model
    running = backend.stream(ASK, max_tokens=400)
    next(iter(running))
    closer = threading.Thread(target=backend.close)
    closer.start()
    closer.join(15)
    assert not closer.is_alive() and running.done  # close() stopped the generation first, then freed
    with pytest.raises(BackendError, match="closed"):
        backend.stream(ASK, max_tokens=4).read_all()


def test_real_server_streams_over_sse_with_usage(llama_server) -> None:
    backend = OpenAICompatibleBackend(llama_server.url, ALIAS, timeout=30)
    stream = backend.stream(ASK, max_tokens=16)
    pieces = list(stream)
    assert len(pieces) >= 3 and "".join(pieces).strip()
    assert stream.stats.completion_tokens >= 3 and stream.stats.finish_reason in ("length", "stop")
    assert stream.stats.first_token_s is not None and stream.stats.first_token_s > 0


def test_closing_a_server_stream_drops_the_connection_and_the_server_goes_on(llama_server) -> None:
    backend = OpenAICompatibleBackend(llama_server.url, ALIAS, timeout=30)
    stream = backend.stream(ASK, max_tokens=300)
    next(iter(stream))
    stream.close(wait=15)
    assert stream.done and stream.stats.finish_reason == "cancelled" and stream.stats.completion_tokens < 300
    assert backend.complete([{"role": "user", "content": "Say hi."}], max_tokens=4).text  # still serving


def test_servers_on_loopback_are_discovered_with_their_models(llama_server) -> None:
    assert list_server_models(llama_server.url) == [ALIAS]
    nobody = free_port()
    found = discover_servers(ports=(("llama.cpp server", llama_server.port), ("Ollama", nobody)), timeout=1)
    assert [(s.name, s.url, s.models) for s in found] == [("llama.cpp server", llama_server.url, [ALIAS])]


def test_unreachable_server_stream_fails_with_a_reason() -> None:
    backend = OpenAICompatibleBackend(f"http://127.0.0.1:{free_port()}/v1", "m", timeout=2)
    with pytest.raises(ModelUnavailable, match="cannot reach model server"):
        backend.stream(ASK, max_tokens=4).read_all()
