"""A reward model served over an OpenAI-compatible API as the app's judge (`judge.backend: openai`).

The server is asked the ProactiveBench paper's reward-model question (`models.judge.reward_prompt`: the system
prompt, the observations and the proposed task as JSON) and answers JSON `{"thought", "judgement"}`. Per
decision one question is asked, about the task the built-in judge ranks first among the candidates; an
"accepted" judgement shows that task (score 1.0, past the threshold and the help gate), "rejected" keeps the
assistant silent (score 0.0). Learning from the user's answers, the help gate's threshold and everything else
stay with the built-in judge, which this object wraps.

When the server cannot answer (unreachable, slower than `judge.timeout_seconds`, an HTTP error) or answers no
judgement (malformed JSON, no "judgement"), that same decision is made by the built-in judge, and the server is
left alone for RETRY_SECONDS; `part()` says which judge decides and why, for `proactive status`.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.backends import BackendError, OpenAICompatibleBackend
from models.judge.infer import Judge
from models.judge.reward_prompt import ANSWER_SCHEMA, SYSTEM, bounded, parse_judgement, reward_messages

RETRY_SECONDS = 60.0
MAX_TOKENS = 200
MAX_OBSERVATION_CHARS = 6000  # about 1,500 tokens of observations: fits a 2,048-token context with the prompt


class JudgeConfigError(ValueError):
    """The judge section asks for a server it cannot use; the message names the key."""


@dataclass(frozen=True)
class Verdict:
    """One question to the server: its judgement (None: no judgement in the answer), the text, the time."""

    accepted: bool | None
    text: str
    seconds: float
    error: str = ""


class ServerJudge:
    """The built-in `Judge`'s interface (score, help_needed, learn, describe, ...) with a served reward model
    deciding which task may be shown."""

    def __init__(self, local: Judge, backend: OpenAICompatibleBackend, max_observations: int = 20,
                 system: str = SYSTEM, clock: Callable[[], float] = time.monotonic) -> None:
        self.local = local
        self.backend = backend
        self.max_observations = max_observations
        self.system = system
        self.clock = clock
        self.last: Verdict | None = None
        self._lock = threading.Lock()
        self._failed_at: float | None = None
        self._failure = ""
        self._asked: tuple[tuple[str, ...], str] | None = None  # the history and task the last answer was about

    def __getattr__(self, name: str) -> Any:  # learn, describe, labels_learned, gate_threshold, source, ...
        if name == "local":
            raise AttributeError(name)
        return getattr(self.local, name)

    def ask(self, history: Sequence[str], task: str | None, times: Sequence[str] | None = None) -> Verdict:
        """The server's judgement of `task` (None: proposing nothing) after `history`; never raises."""
        obs = [{"time": t, "event": e} for t, e in zip(times, history, strict=True)] if times is not None else \
            [{"event": e} for e in history]  # the live engine's history carries no times
        messages = reward_messages(bounded(obs, self.max_observations, MAX_OBSERVATION_CHARS), task, self.system)
        t0 = time.perf_counter()
        try:
            out = self.backend.complete(messages, MAX_TOKENS, json_schema=ANSWER_SCHEMA)
        except BackendError as exc:
            return Verdict(None, "", time.perf_counter() - t0, str(exc))
        accepted = parse_judgement(out.text)
        return Verdict(accepted, out.text, out.latency_s,
                       "" if accepted is not None else f"no judgement in its answer: {out.text[:80]!r}")

    def _available(self) -> bool:
        return self._failed_at is None or self.clock() - self._failed_at >= RETRY_SECONDS

    def score(self, history: Sequence[str], tasks: Sequence[str | None], kinds: Sequence[str] | None = None,
              context: Any = None) -> list[float]:
        local = self.local.score(history, tasks, kinds, context)
        idx = [i for i, t in enumerate(tasks) if t is not None]
        if not idx or not self._available():
            return local
        best = max(idx, key=lambda i: local[i])
        verdict = self.ask(history, tasks[best])
        with self._lock:
            self.last = verdict
            if verdict.accepted is None:
                self._failed_at, self._failure = self.clock(), verdict.error
                return local  # this very decision falls back to the built-in judge
            self._failed_at, self._failure = None, ""
            self._asked = (tuple(history), str(tasks[best]))
        out = [0.0] * len(tasks)
        out[best] = 1.0 if verdict.accepted else 0.0
        for i, t in enumerate(tasks):
            if t is None:
                out[i] = 0.0 if verdict.accepted else 1.0
        return out

    def help_needed(self, history: Sequence[str], context: Any = None) -> float:
        """The server's acceptance of a task is its answer to "is help needed now" for that same history."""
        with self._lock:
            asked = self._asked
            last = self.last
        if asked is not None and asked[0] == tuple(history) and last is not None and last.accepted:
            return 1.0
        return self.local.help_needed(history, context)

    def part(self) -> dict[str, str]:
        """Which judge decides, in words, for `proactive status`."""
        where = f"reward model {self.backend.name} at {self.backend.base_url}"
        with self._lock:
            failed, failure, last = self._failed_at, self._failure, self.last
        if failed is not None:
            wait = max(0.0, RETRY_SECONDS - (self.clock() - failed))
            return {"state": "fallback", "reason": f"{where} failed ({failure}); the built-in judge decides, "
                                                   f"asking the server again in {wait:.0f} s"}
        if last is None:
            return {"state": "ready", "reason": f"{where} (no question asked yet)"}
        said = "accepted" if last.accepted else "rejected"
        return {"state": "ready", "reason": f"{where}: last judgement {said} in {last.seconds:.1f} s"}


def judge_from_config(cfg: Any) -> tuple[Judge | ServerJudge, str]:
    """(the judge the config asks for, a problem to show or ""): the built-in judge (`judge.model_dir`, or the
    shipped one), wrapped by a served reward model when `judge.backend` is `openai`. A server setting that
    cannot work leaves the built-in judge deciding, and says why. JudgeLoadError: no built-in judge loads."""
    from models.judge.infer import load_judge

    local = load_judge(cfg["judge.model_dir"])
    if cfg["judge.backend"] != "openai":
        return local, ""
    try:
        return server_judge(cfg, local), ""
    except JudgeConfigError as exc:
        return local, f"{exc}; the built-in judge decides"


def server_judge(cfg: Any, local: Judge) -> ServerJudge:
    """The `openai` judge from the judge section; JudgeConfigError names the key that cannot work."""
    url = cfg["judge.server_url"]
    if not url:
        raise JudgeConfigError("judge.backend is 'openai' but judge.server_url is empty")
    key_env = cfg["judge.api_key_env"]
    api_key = os.environ.get(key_env) if key_env else None
    if key_env and not api_key:
        raise JudgeConfigError(f"environment variable {key_env} (judge.api_key_env) is not set")
    system = SYSTEM
    if cfg["judge.system_prompt_file"]:
        path = Path(cfg["judge.system_prompt_file"]).expanduser()
        try:
            system = path.read_text(encoding="utf-8")[:20000]
        except (OSError, UnicodeDecodeError) as exc:
            raise JudgeConfigError(f"judge.system_prompt_file: cannot read {path} ({exc})") from None
    try:
        backend = OpenAICompatibleBackend(url, cfg["judge.server_model"], api_key, cfg["judge.timeout_seconds"])
    except BackendError as exc:
        raise JudgeConfigError(f"judge.server_url: {exc}") from None
    return ServerJudge(local, backend, cfg["judge.max_observations"], system)
