"""The one place the decision chain is assembled from the config.

The live app, `proactive replay`, `proactive eval trace|timing` and `bench/decide` all call `build_chain`, so they
measure the engine users run: the same policy settings, judge, threshold, help gate and model budget. The only
choice left to the caller is how the model's own candidate joins a decision:

* live (default): the model works in the background; a decision waits at most `model.wait_seconds` for it, and
  the live loop revisits a silent decision when the model's answer for that same moment lands;
* `wait_for_model=True` (evaluation): every decision waits for the model, which is what the live loop converges
  to on a fast enough machine, and makes evaluation runs reproducible.
"""

from __future__ import annotations

from assistant.core.config import Config
from assistant.decide.engine import DecisionEngine
from assistant.decide.pipeline import Pipeline
from assistant.decide.policy import Policy, PolicySettings
from assistant.decide.proposer import Proposer
from models.backends import Backend
from models.default_model import backend_from_config
from models.judge.infer import Judge
from models.judge.remote import judge_from_config

MODEL_BUDGET_SECONDS = 2.0  # the model is skipped while its last call took longer than this


def load_backend(cfg: Config) -> Backend:
    """The configured model backend; raises models.backends.ModelUnavailable with a reason to show."""
    return backend_from_config(cfg)


def build_chain(cfg: Config, *, judge: Judge | None = None, backend: Backend | None = None,
                wait_for_model: bool = False) -> Pipeline:
    """Policy -> episodes -> narrator -> candidates -> (model) -> judge -> decision, set up from `cfg`.

    `judge`: the judge object this chain owns (when None: `judge.backend`'s, see models.judge.remote).
    `backend`: a loaded model, or None for templates and the judge only (attach one later with
    `attach_model`). Every setting comes from `Pipeline.configure`, which a running app calls again when the
    settings change.
    """
    judge = judge if judge is not None else judge_from_config(cfg)[0]
    engine = DecisionEngine(judge, cfg["judge.threshold"], model_budget_s=MODEL_BUDGET_SECONDS)
    chain = Pipeline(Policy(PolicySettings.from_config(cfg)), engine, wait_for_model=wait_for_model).configure(cfg)
    if backend is not None:
        attach_model(chain, cfg, backend)
    return chain


def model_proposes(cfg: Config) -> bool:
    """Does the model word its own candidate? `model.propose: auto` keeps the embedded SmolLM2-135M out: on the
    12 ProactiveBench traces it worded 8 of 93 proposals, several garbled, and raised false alarms (README)."""
    choice = cfg["model.propose"]
    if choice != "auto":
        return choice == "on"
    return cfg["model.backend"] == "openai" or bool(cfg["model.gguf_path"])


def attach_model(chain: Pipeline, cfg: Config, backend: Backend) -> None:
    """Let `backend` word its own candidate in `chain` from now on where `model_proposes`; otherwise no model
    words candidates (a model attached before, now replaced, is let go)."""
    if model_proposes(cfg):
        chain.use_model(Proposer(backend, max_tokens=cfg["model.max_tokens"]), backend.name)
    else:
        chain.use_model(None, "")
