"""The model loaded when it is needed, kept warm for a while, then released (like Ollama's `keep_alive`).

    holder = ModelHolder(lambda: backend_from_config(cfg), backend_name(cfg), keep_alive_s=300)
    holder.warm()                                  # start loading now, in the background (an Accept did)
    for piece in holder.stream(messages, 256): ... # loads first if it must; the same as a Backend
    holder.state                                   # "idle" | "loading" | "ready" | "failed"
    holder.close()                                 # at exit: free the model (a running generation stops)

A `ModelHolder` is a `Backend`: the proposer and the task panel use it as they would a loaded model. Nothing is
loaded when it is made. The first use loads the backend (one load at a time; every caller waits for the same
load); `keep_alive_s` after the last use ended, a reaper thread closes the backend, which frees its memory; the
next use loads it again. A load that fails leaves the holder `failed` with the reason in words (`reason`):
every later use raises `ModelUnavailable` with that reason at once and nothing retries until a new holder is
made (the settings changed).
"""

from __future__ import annotations

import ctypes
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from models.backends import Backend, BackendError, Completion, ModelUnavailable
from models.streaming import Sink, TokenStream

INNER_WAIT_SECONDS = 30.0  # a stopped generation ends within one token; never wait forever for a stuck one


class ModelHolder:
    """A backend loaded on first use and closed `keep_alive_s` after its last use (0: after every use)."""

    def __init__(self, load: Callable[[], Backend], name: str, keep_alive_s: float,
                 gate: threading.Lock | None = None) -> None:
        self._load = load
        # Loads and closes run under `gate`, shared by the holders of one app: llama.cpp points the process's
        # stdout and stderr at /dev/null while it loads or frees a model, and two of these at once in two
        # threads can leave them pointing there for good (the old holder closing as a new one loads).
        self._gate = gate if gate is not None else threading.Lock()
        self.name = name
        self._keep_alive_s = float(keep_alive_s)
        self._cond = threading.Condition()
        self._backend: Backend | None = None
        self._state = "idle"
        self.reason = ""
        self._users = 0  # uses in flight: never released under them
        self._last_used = time.monotonic()
        self._closed = False
        self._retire = False  # close as soon as the last use ends (settings changed)
        self.loads = 0  # how many times the backend was loaded
        self.load_s: float | None = None  # how long the last load took
        self.loading_since: float | None = None  # monotonic time the running load began

    # ------------------------------------------------------------ state

    @property
    def state(self) -> str:
        return self._state

    @property
    def loaded(self) -> bool:
        return self._backend is not None

    @property
    def keep_alive_s(self) -> float:
        return self._keep_alive_s

    @keep_alive_s.setter
    def keep_alive_s(self, seconds: float) -> None:
        with self._cond:
            self._keep_alive_s = float(seconds)
            self._cond.notify_all()  # the reaper measures again

    def wait_for(self, predicate: Callable[[ModelHolder], bool], timeout: float) -> bool:
        """Wait until `predicate(self)` holds (checked at every change of state); False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self), timeout)

    # ------------------------------------------------------------ loading and releasing

    def warm(self) -> None:
        """Start loading in the background unless loaded, loading or failed (an Accept: the load overlaps the
        facts being gathered)."""
        with self._cond:
            if self._state != "idle" or self._closed:
                return
        threading.Thread(target=self._warm, name="model-warm", daemon=True).start()

    def _warm(self) -> None:
        try:
            self._acquire()
        except BackendError:
            return  # the state says why
        self._done()

    def _acquire(self) -> Backend:
        """The loaded backend, counted as in use until `_done()`; loads it first when it must."""
        with self._cond:
            while True:
                if self._closed:
                    raise BackendError(f"{self.name} is closed")
                if self._state == "failed":
                    raise ModelUnavailable(self.reason)
                if self._state == "ready" and self._backend is not None:
                    self._users += 1
                    return self._backend
                if self._state == "idle":
                    self._state, self.loading_since = "loading", time.monotonic()
                    self._cond.notify_all()
                    break
                self._cond.wait()  # another caller is loading it
        t0 = time.perf_counter()
        try:
            with self._gate:
                backend = self._load()
        except Exception as exc:  # noqa: BLE001 - any failure to load is shown as the reason, never raised raw
            reason = str(exc) if isinstance(exc, BackendError) else f"could not load the model: {exc}"
            with self._cond:
                self._state, self.reason, self.loading_since = "failed", reason, None
                self._cond.notify_all()
            raise ModelUnavailable(reason) from exc
        with self._cond:
            self.load_s, self.loads, self.loading_since = time.perf_counter() - t0, self.loads + 1, None
            if self._closed:
                self._state = "idle"
                self._cond.notify_all()
                self._close(backend)
                raise BackendError(f"{self.name} is closed")
            self._backend, self._state, self._users = backend, "ready", self._users + 1
            self._cond.notify_all()
        threading.Thread(target=self._reap, name="model-keep-alive", daemon=True).start()
        return backend

    def _done(self) -> None:
        with self._cond:
            self._users -= 1
            self._last_used = time.monotonic()
            retire = self._retire and self._users == 0
            self._cond.notify_all()
        if retire:
            self.close()

    def _reap(self) -> None:
        """Close the backend once it has been unused for keep_alive_s (runs while it is loaded)."""
        with self._cond:
            while self._backend is not None and not self._closed:
                if self._users:
                    self._cond.wait()
                    continue
                left = self._last_used + self._keep_alive_s - time.monotonic()
                if left > 0:
                    self._cond.wait(left)
                    continue
                backend, self._backend, self._state = self._backend, None, "idle"
                self.reason = "released after being unused; loads again when needed"
                self._close(backend)  # no use in flight, so this is quick
                self._cond.notify_all()

    def fail(self, reason: str) -> None:
        """Mark the model as unusable without trying to load it (e.g. its file is missing)."""
        with self._cond:
            self._state, self.reason = "failed", reason
            self._cond.notify_all()

    def close(self) -> None:
        """Free the model now (a running generation is asked to stop first) and refuse later uses."""
        with self._cond:
            self._closed = True
            backend, self._backend = self._backend, None
            if self._state != "failed":
                self._state = "idle"
            self._cond.notify_all()
        if backend is not None:
            self._close(backend)

    def retire(self) -> None:
        """Close once no use is in flight (the settings changed: an answer being written is finished first)."""
        with self._cond:
            busy = self._users > 0
            self._retire = True
        if not busy:
            self.close()

    # ------------------------------------------------------------ the Backend protocol

    def complete(self, messages: list[dict[str, str]], max_tokens: int,
                 json_schema: dict | None = None, stop: list[str] | None = None) -> Completion:
        backend = self._acquire()
        try:
            return backend.complete(messages, max_tokens, json_schema, stop)
        finally:
            self._done()

    def stream(self, messages: list[dict[str, str]], max_tokens: int,
               stop: list[str] | None = None) -> TokenStream:
        """Stream from the loaded backend; the load, when one is needed, happens in the stream's worker, so the
        caller never waits for it (the time to the first piece includes it)."""
        def produce(sink: Sink) -> None:
            backend = self._acquire()
            try:
                if sink.cancelled:
                    return
                inner = backend.stream(messages, max_tokens, stop)
                try:
                    for piece in inner:
                        if sink.cancelled:
                            inner.close()
                            break
                        sink.emit(piece)
                finally:
                    inner.wait(INNER_WAIT_SECONDS)  # never released under a generation
                    sink.stats.model = inner.stats.model
                    sink.stats.prompt_tokens = inner.stats.prompt_tokens
                    sink.stats.completion_tokens = inner.stats.completion_tokens
                    sink.stats.finish_reason = inner.stats.finish_reason
            finally:
                self._done()

        return TokenStream(produce, self.name)

    def _close(self, backend: Backend) -> None:
        with self._gate:
            _close(backend)
            _trim()

    def describe(self) -> dict[str, Any]:
        """The state as `proactive status` and the tray show it."""
        return {"state": self._state, "reason": self.reason, "loads": self.loads, "load_s": self.load_s}


def _close(backend: Any) -> None:
    close = getattr(backend, "close", None)
    if close is not None:
        close()


def _trim() -> None:
    """Give the freed model memory back to the system now (glibc keeps freed heap for reuse otherwise: about
    18 MB more of the embedded model's, measured)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (musl): nothing to trim
        pass
