"""A stream of generated text pieces, produced by a worker thread and read by whoever shows them.

`TokenStream` is what `Backend.stream()` returns: iterate it for the text pieces as they are generated;
`close()` (or leaving a `with` block, or dropping the last reference) asks the worker to stop after the
current token. The worker owns the model for the whole generation, so a backend is never freed under a
running generation; the reader may be any thread (a Qt timer, a CLI loop) and may stop reading at any time.
An error in the worker is raised by the iteration, as `BackendError` (or `ModelUnavailable`).

`stream.stats` (`StreamStats`) holds time to first token, tokens, tokens/s and prompt tokens; it is final once
the iteration has ended (`stream.wait()` waits for that without reading).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any, Self

_END = object()


@dataclass(slots=True)
class StreamStats:
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    first_token_s: float | None = None  # from the call to the first non-empty piece
    model_first_token_s: float | None = None  # the model's own first piece, when text (a checked Fix) came first
    facts_s: float | None = None  # time spent gathering facts before the model was asked
    total_s: float = 0.0
    finish_reason: str = ""  # "stop" | "length" | "cancelled" | "error"

    @property
    def tokens_per_s(self) -> float | None:
        """Generation speed after the first token (the prompt's evaluation is in first_token_s)."""
        start = self.model_first_token_s if self.model_first_token_s is not None else self.first_token_s
        if start is None or self.completion_tokens < 2:
            return None
        span = self.total_s - start
        return (self.completion_tokens - 1) / span if span > 0 else None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "tokens_per_s": self.tokens_per_s}


class Sink:
    """The worker's side of a stream: `emit(piece)`, `cancelled`, and `stats` to fill in."""

    def __init__(self, model: str) -> None:
        self.stats = StreamStats(model)
        self.pieces: list[str] = []
        self.queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.cancel = threading.Event()
        self.done = threading.Event()
        self.error: BaseException | None = None
        self.t0 = time.perf_counter()

    @property
    def cancelled(self) -> bool:
        return self.cancel.is_set()

    def emit(self, piece: str) -> None:
        if not piece:
            return
        if self.stats.first_token_s is None:
            self.stats.first_token_s = time.perf_counter() - self.t0
        self.pieces.append(piece)
        self.queue.put(piece)


def _work(sink: Sink, produce: Callable[[Sink], None], on_exit: Callable[[Sink], None] | None) -> None:
    try:
        produce(sink)
        if sink.cancelled:
            sink.stats.finish_reason = "cancelled"
    except Exception as exc:  # noqa: BLE001 - delivered to the reader, never lost in the thread
        sink.error = exc
        sink.stats.finish_reason = "error"
    finally:
        sink.stats.total_s = time.perf_counter() - sink.t0
        if not sink.stats.completion_tokens:
            sink.stats.completion_tokens = len(sink.pieces)
        if on_exit is not None:
            on_exit(sink)
        sink.done.set()
        sink.queue.put(_END)


class TokenStream:
    """Iterator over text pieces from `produce(sink)`, which runs in a daemon thread.

    `produce` calls `sink.emit(piece)` for each piece, checks `sink.cancelled` between tokens and may set
    `sink.stats` fields (prompt_tokens, completion_tokens, finish_reason); timing is filled in here. The
    worker holds only the sink, so dropping the last reference to the stream cancels the generation.
    """

    def __init__(self, produce: Callable[[Sink], None], model: str,
                 on_exit: Callable[[Sink], None] | None = None) -> None:
        self._sink = Sink(model)
        threading.Thread(target=_work, args=(self._sink, produce, on_exit), name=f"stream:{model}",
                         daemon=True).start()

    @property
    def stats(self) -> StreamStats:
        return self._sink.stats

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        item = self._sink.queue.get()
        if item is _END:
            self._sink.queue.put(_END)  # later calls end too
            if self._sink.error is not None:
                error, self._sink.error = self._sink.error, None
                raise error
            raise StopIteration
        return item

    @property
    def text(self) -> str:
        """Everything generated so far."""
        return "".join(self._sink.pieces)

    @property
    def done(self) -> bool:
        return self._sink.done.is_set()

    def close(self, wait: float | None = 0.0) -> None:
        """Ask the worker to stop after the current token; wait up to `wait` seconds (None: until it has)."""
        self._sink.cancel.set()
        if wait is None or wait > 0:
            self._sink.done.wait(wait)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the generation to end without reading it; True when it has."""
        return self._sink.done.wait(timeout)

    def read_all(self) -> str:
        """Consume the rest of the stream and return the whole text (raises the worker's error, if any)."""
        for _ in self:
            pass
        return self.text

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:  # an abandoned stream stops generating
        self._sink.cancel.set()
