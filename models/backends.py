"""Where text is generated: a local GGUF through llama.cpp, or an OpenAI-compatible HTTP server.

Both implement `Backend.complete(messages, max_tokens, json_schema=None, stop=None) -> Completion` and
`Backend.stream(messages, max_tokens, stop=None) -> TokenStream` (text pieces as they are generated, with time
to first token, tokens/s and prompt tokens in `stream.stats`; see models/streaming.py). Failures raise
`BackendError`; a model that cannot be loaded or reached raises `ModelUnavailable`, whose message is meant to be
shown to the user as the reason the model part is off.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from models.streaming import Sink, TokenStream

if TYPE_CHECKING:
    import urllib.request

log = logging.getLogger("models.backends")


class BackendError(RuntimeError):
    """The backend answered badly or not in time."""


class ModelUnavailable(BackendError):
    """No model can be used (file missing, load failed, server unreachable); str(exc) is the reason."""


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    latency_s: float
    tokens: int  # generated tokens
    prompt_tokens: int = 0


class Backend(Protocol):
    name: str

    def complete(self, messages: list[dict[str, str]], max_tokens: int,
                 json_schema: dict | None = None, stop: list[str] | None = None) -> Completion: ...

    def stream(self, messages: list[dict[str, str]], max_tokens: int,
               stop: list[str] | None = None) -> TokenStream: ...


class LlamaCppBackend:
    """A GGUF model loaded once through llama-cpp-python and kept warm.

    Calls are serialised (a Llama object is not thread-safe). llama.cpp keeps the KV cache of the previous
    prompt, so a call whose prompt starts with the same tokens (same system message and instructions) only
    evaluates the new suffix: keep the fixed part of the prompt first.
    """

    def __init__(self, gguf_path: str | Path, n_ctx: int = 2048, n_threads: int = 2) -> None:
        path = Path(gguf_path).expanduser()
        if not path.is_file():
            raise ModelUnavailable(f"model file not found: {path}")
        # llama.cpp's OpenMP threads spin while they wait; on a busy desktop (2 cores, other programs running)
        # spinning made prompt evaluation 3-4x slower (bench.answers). Passive waiting must be set before the
        # OpenMP runtime loads with llama_cpp; a value the user set is kept.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            import llama_cpp
        except ImportError as exc:  # pragma: no cover - llama-cpp-python is a dependency
            raise ModelUnavailable(f"llama-cpp-python is not installed ({exc})") from exc
        self._llama_cpp = llama_cpp
        self.path = path
        self.name = f"llama:{path.name}"
        t0 = time.perf_counter()
        try:
            self._llm = llama_cpp.Llama(model_path=str(path), n_ctx=n_ctx, n_threads=n_threads,
                                        n_threads_batch=n_threads, n_batch=512, seed=0, verbose=False)
        except Exception as exc:  # llama.cpp raises ValueError/RuntimeError on a bad file
            raise ModelUnavailable(f"could not load {path.name}: {exc}") from exc
        self.load_s = time.perf_counter() - t0
        self._lock = threading.Lock()
        self._grammars: dict[str, Any] = {}
        self._streams: set[Sink] = set()  # running generations, stopped by close()
        self._streams_lock = threading.Lock()

    def _grammar(self, schema: dict) -> Any:
        key = json.dumps(schema, sort_keys=True)
        if key not in self._grammars:
            self._grammars[key] = self._llama_cpp.LlamaGrammar.from_json_schema(key, verbose=False)
        return self._grammars[key]

    def close(self) -> None:
        """Free the model after any running generation ends (freeing it mid-call would crash the process).

        Running streams are asked to stop first, so this waits at most one token for them."""
        with self._streams_lock:
            for sink in self._streams:
                sink.cancel.set()
        with self._lock:
            llm, self._llm = self._llm, None
            self._grammars.clear()
            if llm is not None:
                llm.close()

    def complete(self, messages: list[dict[str, str]], max_tokens: int,
                 json_schema: dict | None = None, stop: list[str] | None = None) -> Completion:
        grammar = self._grammar(json_schema) if json_schema else None
        with self._lock:
            if self._llm is None:
                raise BackendError(f"{self.name} is closed")
            t0 = time.perf_counter()
            try:
                out = self._llm.create_chat_completion(
                    messages=messages, max_tokens=max_tokens, temperature=0.0, top_k=1, seed=0,
                    stop=stop or [], grammar=grammar)
            except Exception as exc:
                raise BackendError(f"{self.name} failed: {exc}") from exc
            latency = time.perf_counter() - t0
        usage = out.get("usage") or {}
        text = out["choices"][0]["message"].get("content") or ""
        return Completion(text, latency, int(usage.get("completion_tokens", 0)),
                          int(usage.get("prompt_tokens", 0)))

    def stream(self, messages: list[dict[str, str]], max_tokens: int,
               stop: list[str] | None = None) -> TokenStream:
        """Generate in a worker thread that holds the model lock until the generation has ended."""
        def produce(sink: Sink) -> None:
            with self._streams_lock:
                self._streams.add(sink)
            with self._lock:
                if self._llm is None:
                    raise BackendError(f"{self.name} is closed")
                if sink.cancelled:
                    return
                self._generate(sink, messages, max_tokens, stop)

        def forget(sink: Sink) -> None:
            with self._streams_lock:
                self._streams.discard(sink)

        return TokenStream(produce, self.name, on_exit=forget)

    def _generate(self, sink: Sink, messages: list[dict[str, str]], max_tokens: int,
                  stop: list[str] | None) -> None:
        llm = self._llm
        assert llm is not None
        try:
            chunks = llm.create_chat_completion(messages=messages, max_tokens=max_tokens, temperature=0.0,
                                                top_k=1, seed=0, stop=stop or [], stream=True)
            for chunk in chunks:
                if sink.cancelled:
                    chunks.close()  # type: ignore[union-attr]
                    return
                choice = chunk["choices"][0]
                piece = choice.get("delta", {}).get("content") or ""
                if piece:
                    if not sink.stats.prompt_tokens:
                        sink.stats.prompt_tokens = llm.n_tokens  # only the prompt is evaluated at this point
                    sink.stats.completion_tokens += 1
                    sink.emit(piece)
                if choice.get("finish_reason"):
                    sink.stats.finish_reason = choice["finish_reason"]
        except Exception as exc:
            raise BackendError(f"{self.name} failed: {exc}") from exc


JSON_MODES: tuple[str | None, ...] = ("json_schema", "json_object", None)  # OpenAI/vLLM, llama-cpp-python, none


def _response_format(mode: str, schema: dict) -> dict:
    """`response_format` in the dialect `mode`: OpenAI's json_schema (vLLM, llama.cpp's server, LM Studio) or
    json_object with a schema (llama-cpp-python's server, which turns it into a grammar)."""
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": "answer", "schema": schema, "strict": True}}
    return {"type": "json_object", "schema": schema}


class OpenAICompatibleBackend:
    """POST /chat/completions on a server such as llama-server, Ollama, vLLM or LM Studio (stdlib urllib)."""

    def __init__(self, base_url: str, model: str = "", api_key: str | None = None, timeout: float = 20.0) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ModelUnavailable(f"server URL must start with http:// or https://, got {base_url!r}")
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.api_key = api_key
        self.timeout = timeout
        self.name = f"openai:{model or base_url}"
        self.base_url = base_url.rstrip("/")
        self._formats = list(JSON_MODES)  # JSON modes left to try; the first one the server takes is kept

    def probe(self, timeout: float = 5.0) -> None:
        """Raise ModelUnavailable (or BackendError) unless the server answers at all (GET /models; any HTTP
        answer counts): the app then shows the model as failed with this reason instead of 'ready'."""
        import urllib.error
        import urllib.request  # here, not at import: urllib's HTTP and TLS stack is megabytes a local model never needs

        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        req = urllib.request.Request(self.base_url + "/models", headers=headers)
        try:
            with self._urlopen(req, min(timeout, self.timeout), f"model server {self.base_url}"):
                return
        except urllib.error.HTTPError:
            return  # it answered: reachable (some servers have no /models)

    @staticmethod
    def _urlopen(req: urllib.request.Request, timeout: float, what: str) -> Any:
        """urlopen with the errors a user can read (an HTTP error answer passes through to the caller)."""
        import urllib.error
        import urllib.request

        try:
            return urllib.request.urlopen(req, timeout=timeout)
        except urllib.error.HTTPError:
            raise
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise BackendError(f"{what} did not answer within {timeout:g} s") from exc
            raise ModelUnavailable(f"cannot reach {what}: {exc.reason}") from exc
        except TimeoutError as exc:
            raise BackendError(f"{what} did not answer within {timeout:g} s") from exc
        except (ConnectionError, OSError) as exc:
            raise ModelUnavailable(f"cannot reach {what}: {exc}") from exc

    def _open(self, body: dict) -> Any:
        """POST `body`; the open HTTP response, or the error a user can read."""
        import urllib.error
        import urllib.request

        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        req = urllib.request.Request(self.url, data=json.dumps(body).encode(), headers=headers, method="POST")
        try:
            return self._urlopen(req, self.timeout, f"model server {self.url}")
        except urllib.error.HTTPError as exc:
            detail = exc.read(300).decode("utf-8", "replace")
            raise BackendError(f"{self.url} answered HTTP {exc.code}: {detail}") from exc

    def _post(self, body: dict) -> dict:
        with self._open(body) as resp:
            try:
                return json.loads(resp.read().decode("utf-8", "replace"))
            except TimeoutError as exc:
                raise BackendError(f"{self.url} did not answer within {self.timeout:g} s") from exc
            except json.JSONDecodeError as exc:
                raise BackendError(f"{self.url} did not return JSON: {exc}") from exc

    def complete(self, messages: list[dict[str, str]], max_tokens: int,
                 json_schema: dict | None = None, stop: list[str] | None = None) -> Completion:
        body: dict[str, Any] = {"messages": messages, "max_tokens": max_tokens, "temperature": 0}
        if self.model:
            body["model"] = self.model
        if stop:
            body["stop"] = stop
        t0 = time.perf_counter()
        while True:
            mode = self._formats[0] if json_schema else None
            if mode is not None:
                body["response_format"] = _response_format(mode, json_schema)
            try:
                out = self._post(body)
                break
            except BackendError as exc:
                refused = "HTTP 4" in str(exc) or "response_format" in str(exc)  # llama-cpp-python: HTTP 500
                if mode is None or isinstance(exc, ModelUnavailable) or not refused:
                    raise
                log.info("server refused response_format %s, trying the next JSON mode: %s", mode, exc)
                self._formats.pop(0)
                body.pop("response_format", None)
        latency = time.perf_counter() - t0
        try:
            text = out["choices"][0]["message"]["content"] or ""
        except (KeyError, IndexError, TypeError) as exc:
            raise BackendError(f"{self.url} returned no choices[0].message.content") from exc
        usage = out.get("usage") or {}
        return Completion(text, latency, int(usage.get("completion_tokens") or 0),
                          int(usage.get("prompt_tokens") or 0))

    def stream(self, messages: list[dict[str, str]], max_tokens: int,
               stop: list[str] | None = None) -> TokenStream:
        """`stream: true` (server-sent events); closing the stream closes the connection, which stops the server."""
        body: dict[str, Any] = {"messages": messages, "max_tokens": max_tokens, "temperature": 0, "stream": True,
                                "stream_options": {"include_usage": True}}
        if self.model:
            body["model"] = self.model
        if stop:
            body["stop"] = stop

        def produce(sink: Sink) -> None:
            try:
                resp = self._open(body)
            except BackendError as exc:
                if isinstance(exc, ModelUnavailable) or "HTTP 4" not in str(exc):
                    raise
                body.pop("stream_options")  # an older server that knows no stream_options
                resp = self._open(body)
            with resp:
                self._read_events(resp, sink)

        return TokenStream(produce, self.name)

    def _read_events(self, resp: Any, sink: Sink) -> None:
        pieces = 0
        try:
            for raw in resp:
                if sink.cancelled:
                    return
                line = raw.decode("utf-8", "replace").strip()
                if not line.startswith("data:"):
                    continue  # blank separators, comments (": ping"), event names
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                try:
                    event = json.loads(data)
                except json.JSONDecodeError as exc:
                    raise BackendError(f"{self.url} sent an event that is not JSON: {data[:80]!r}") from exc
                if isinstance(event, dict) and event.get("error"):
                    raise BackendError(f"{self.url} reported an error: {str(event['error'])[:200]}")
                usage = event.get("usage") if isinstance(event, dict) else None
                if usage:
                    sink.stats.prompt_tokens = int(usage.get("prompt_tokens") or 0)
                    sink.stats.completion_tokens = int(usage.get("completion_tokens") or 0)
                for choice in (event.get("choices") or []) if isinstance(event, dict) else []:
                    piece = (choice.get("delta") or {}).get("content") or ""
                    if piece:
                        pieces += 1
                        sink.emit(piece)
                    if choice.get("finish_reason"):
                        sink.stats.finish_reason = choice["finish_reason"]
        except TimeoutError as exc:
            raise BackendError(f"{self.url} stopped sending for {self.timeout:g} s") from exc
        except (ConnectionError, OSError) as exc:
            raise BackendError(f"{self.url} closed the stream: {exc}") from exc
        if not sink.stats.completion_tokens:
            sink.stats.completion_tokens = pieces  # one event per token on the usual servers
