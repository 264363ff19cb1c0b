"""The run-time judge: P(user accepts candidate | history), scored jointly over sibling candidates, and the
help gate P(help is needed now | history) with its own threshold.

Loading reads one JSON file and scoring is pure Python (no numpy, no scikit-learn), well under 20 ms per call.
`load_judge` returns a fresh Judge every call: one judge per engine, loaded explicitly, and taught explicitly
with `learn(records)`, a deterministic function of the user's labels (see models.judge.learning).
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from models.judge.features import (
    FEATURE_NAMES,
    gate_word_buckets,
    history_row,
    task_rows,
    task_word_buckets,
)
from models.judge.guard import FitCache
from models.judge.kinds import Context, context_from_history, task_kind
from models.judge.learned_words import describe
from models.judge.learning import LabelRecord, Preferences, fit_preferences
from models.judge.linear import LinearModel, sigmoid
from models.judge.stored import ARTIFACT_NAME, FORMAT_VERSION
from models.judge.text import HashedTfidf, narrated_share

SHIPPED_DIR = Path(__file__).resolve().parent / "artifact"

Example = tuple[Sequence[str], "str | None", bool]


class JudgeLoadError(RuntimeError):
    """No usable judge artefact at the given place; the message says what is wrong."""


class Judge:
    def __init__(self, params: dict, source: Path | None = None) -> None:
        if params.get("format") != FORMAT_VERSION or params.get("feature_names") != list(FEATURE_NAMES):
            raise JudgeLoadError(
                f"{source}: judge artefact of another format/feature set; retrain it with "
                "`proactive judge train`"
            )
        # what it was trained on and with; the numbers live in the models below (the parsed JSON is let go)
        self.params = {k: v for k, v in params.items() if k not in ("idf", "task_model", "gate")}
        self.source = source
        self.tfidf = HashedTfidf({int(k): v for k, v in params["idf"].items()}, params["default_idf"])
        self.task_model = LinearModel.from_json(params["task_model"])
        gate = params["gate"]
        self.gate_model = LinearModel.from_json(gate["model"]) if gate["model"] else None
        self.gate_threshold: float = float(gate["threshold"])
        self.preferences = Preferences()
        self._offsets: dict[LabelRecord, tuple[float, float]] = {}
        self._fits = FitCache()
        self.guarded = True  # a correction is used only while it predicts later answers better (models.judge.guard)
        self.task_threshold = 0.5  # the engine's judge.threshold: the guard values decisions at it

    @classmethod
    def load(cls, model_dir: str | Path | None = None) -> Judge:
        """The judge in `model_dir` (a `proactive judge train --out` folder); None or "" = the shipped one."""
        directory = Path(model_dir) if model_dir else SHIPPED_DIR
        path = directory / ARTIFACT_NAME
        try:
            params = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise JudgeLoadError(
                f"{path}: no judge artefact (train one with `proactive judge train`)"
            ) from exc
        except (OSError, json.JSONDecodeError) as exc:
            raise JudgeLoadError(f"{path}: unreadable judge artefact ({exc})") from exc
        try:
            return cls(params, directory)
        except (KeyError, TypeError, ValueError) as exc:
            raise JudgeLoadError(
                f"{path}: malformed judge artefact ({exc.__class__.__name__}: {exc})"
            ) from exc

    # ---- the shipped models (no user corrections) ----
    def base_task_logits(self, history: Sequence[str], tasks: Sequence[str]) -> list[float]:
        rows = task_rows(history, tasks, self.tfidf)
        return [self.task_model.logit(row, task_word_buckets(history, t)) for row, t in zip(rows, tasks)]

    def base_gate_logit(self, history: Sequence[str]) -> float:
        if self.gate_model is None:
            return 0.0
        return self.gate_model.logit(history_row(history, self.tfidf), gate_word_buckets(history))

    # ---- scoring ----
    def score(
        self,
        history: Sequence[str],
        tasks: Sequence[str | None],
        kinds: Sequence[str] | None = None,
        context: Context | None = None,
    ) -> list[float]:
        """P(accepted) per candidate; `tasks` are all sibling candidates for this history (None = no task).

        `kinds` are the candidates' kinds from the generator (optional), `context` where the user is
        (optional; read from the history when needed): both only matter once the judge learned from labels.
        """
        if not tasks:
            return []
        history = list(history)
        idx = [i for i, t in enumerate(tasks) if t is not None]
        z = self.base_task_logits(history, [tasks[i] for i in idx])
        learned = bool(self.preferences.records)
        if learned and context is None:
            context = context_from_history(history)
        for pos, i in enumerate(idx):
            if learned:
                z[pos] += self.preferences.task_shift(task_kind(tasks[i], kinds[i] if kinds else ""), context)
        need = self._gate_logit(history, context)
        z, need = coherent(history, z, need)
        out = [0.0] * len(tasks)
        for pos, i in enumerate(idx):
            out[i] = sigmoid(z[pos])
        for i, t in enumerate(tasks):
            if t is None:
                out[i] = 1.0 - sigmoid(need)
        return out

    def shipped(self) -> Judge:
        """This judge as shipped: the same model, nothing learned from the user's answers (a check-in)."""
        view = copy.copy(self)
        view.preferences = Preferences()
        return view

    def help_needed(self, history: Sequence[str], context: Context | None = None) -> float:
        """P(the user needs help now | history); compare with `gate_threshold` to decide whether to speak."""
        return sigmoid(self._gate_logit(list(history), context))

    def _gate_logit(self, history: list[str], context: Context | None) -> float:
        z = self.base_gate_logit(history)
        if self.preferences.records:
            z += self.preferences.gate_shift(context or context_from_history(history))
        return z

    # ---- learning from the user's labels ----
    def _offset(self, record: LabelRecord) -> tuple[float, float]:
        if record not in self._offsets:
            history = list(record.history)
            task_z = 0.0
            if record.task is not None:
                siblings = [record.task] + [
                    t for t in record.candidates if t is not None and t != record.task
                ]
                task_z = self.base_task_logits(history, siblings)[0]
            self._offsets[record] = (task_z, self.base_gate_logit(history))
        return self._offsets[record]

    def learn(self, records: Iterable[LabelRecord]) -> Preferences:
        """Replace what was learned by what `records` (all of the user's labels, oldest first) teach.

        Deterministic: the same records give the same judge, so the engine rebuilds it from its labels table.
        """
        records = tuple(records)
        offsets = [self._offset(r) for r in records]
        self.preferences = fit_preferences(
            records, [o[0] for o in offsets], [o[1] for o in offsets], self.guarded, self._fits,
            (self.task_threshold, self.gate_threshold),
        )
        return self.preferences

    def update(self, examples: Iterable[Example]) -> int:
        """Older entry point: add (history, task, accepted) answers to what was learned; returns the count."""
        added = [LabelRecord(tuple(h), t, "accepted" if a else "rejected") for h, t, a in examples]
        self.learn(self.preferences.records + tuple(added))
        return len(self.preferences.records)

    @property
    def labels_learned(self) -> int:
        return len(self.preferences.records)

    def describe(self) -> list[str]:
        """What the user's answers changed, in words (first line: how many answers were learned from)."""
        return describe(self.preferences)


MEET = 0.5  # where an over-confident task and the help gate meet: halfway between their logits


def coherent(history: Sequence[str], task_logits: list[float], gate_logit: float) -> tuple[list[float], float]:
    """Task and gate logits that agree, for a history this app narrated: in the app's labels a task is welcome
    only when help is needed, so no task may be likelier than the need. Where the best task's logit is above the
    gate's, the two meet halfway: every task comes down by the same amount (their order kept) and the need goes
    up to the meeting point, which "no task" is scored against. At MEET = 0.5 no decision changes (a task clears
    "no task" exactly when it did, and its fit to the need stays 1); the scores stop contradicting each other.
    ProactiveBench's histories are left as they are: its annotators accepted tasks where they marked no help
    needed (docs/situations.md)."""
    if not task_logits or narrated_share(history) < 0.5:
        return task_logits, gate_logit
    best = max(task_logits)
    if best <= gate_logit:
        return task_logits, gate_logit
    meet = gate_logit + MEET * (best - gate_logit)
    return [z - (best - meet) for z in task_logits], meet


def load_judge(model_dir: str | Path | None = None) -> Judge:
    """A fresh judge from `model_dir` (empty: the shipped one); never shared between callers."""
    return Judge.load(model_dir or None)


def judge_version(model_dir: str | Path | None = None) -> str:
    """'format:sha256-prefix' of the judge artefact in use (shipped or trained), for provenance in exports."""
    path = (Path(model_dir) if model_dir else SHIPPED_DIR) / ARTIFACT_NAME
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    except OSError:
        digest = "missing"
    return f"{FORMAT_VERSION}:{digest}"
