"""`proactive model use` and `proactive model remove`: which config keys point at a model, and deleting one.

    changes, note = use_changes("qwen2.5-1.5b", cfg)     # -> {"model.backend": "llama", "model.gguf_path": ...}
    removed = remove_model("Qwen2.5-1.5B-Instruct-Q4_K_M.gguf", cfg)

Failures raise `ModelChoiceError` with one line for the user.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from models.backends import ModelUnavailable
from models.catalog import find_entry, installed, list_server_models
from models.gguf_info import NotGGUF, inspect

DEFAULT_NAMES = ("default", "embedded", "smollm2-135m")


class ModelChoiceError(ValueError):
    """The named model cannot be used or removed; str(exc) says why."""


def _find_installed(name: str, cfg: Any) -> Path | None:
    entry = find_entry(name)
    for row in installed(cfg):
        if row.where == "embedded" or not row.path:
            continue
        if row.name == name or (entry is not None and row.catalog_name == entry.name):
            return Path(row.path)
    return None


def use_changes(target: str, cfg: Any, server_model: str = "",
                timeout: float = 3.0) -> tuple[dict[str, Any], str]:
    """Config changes that make `target` the model, and a sentence saying what it is now."""
    target = target.strip()
    if target.lower() in DEFAULT_NAMES:
        return {"model.backend": "llama", "model.gguf_path": ""}, "the embedded SmolLM2-135M"
    if target.startswith(("http://", "https://")):
        try:
            offered = list_server_models(target, timeout)
        except ModelUnavailable as exc:
            raise ModelChoiceError(f"{exc}; is the server running? (the URL ends in /v1)") from exc
        if server_model and offered and server_model not in offered:
            raise ModelChoiceError(f"{target} does not offer {server_model!r} (it offers: {', '.join(offered)})")
        model = server_model or (offered[0] if offered else "")
        return ({"model.backend": "openai", "model.server_url": target.rstrip("/"), "model.server_model": model},
                f"{model or 'the default model'} on {target}")
    path = Path(target).expanduser()
    if not path.is_file():
        found = _find_installed(target, cfg)
        if found is None:
            hint = (f"pull it first: `proactive model pull {target}`" if find_entry(target)
                    else "see `proactive model list`")
            raise ModelChoiceError(f"{target!r} is not an installed model or a GGUF file; {hint}")
        path = found
    try:
        info = inspect(path)
    except NotGGUF as exc:
        raise ModelChoiceError(str(exc)) from exc
    if not info.has_chat_template:
        raise ModelChoiceError(f"{path.name} has no chat template; the assistant needs an instruct/chat model")
    return {"model.backend": "llama", "model.gguf_path": str(path.resolve())}, f"{path.name} ({info.quantization})"


def remove_model(name: str, cfg: Any) -> Path:
    """Delete an installed GGUF (models dir or HF cache, by file or catalogue name); never the embedded one
    or the one in use."""
    if name.lower() in DEFAULT_NAMES:
        raise ModelChoiceError("the embedded model ships with the app and cannot be removed")
    rows = [r for r in installed(cfg) if r.where in ("models dir", "hf cache") and r.path]
    entry = find_entry(name)
    matches = [r for r in rows if r.name == name or r.path == name
               or (entry is not None and r.catalog_name == entry.name)]
    if not matches:
        raise ModelChoiceError(f"no installed model called {name!r}; see `proactive model list`")
    row = matches[0]
    if row.in_use:
        raise ModelChoiceError(f"{row.name} is the model in use; choose another first "
                               "(`proactive model use default`)")
    path = Path(row.path)
    if row.where == "hf cache":
        blob = path.resolve()
        path.unlink(missing_ok=True)
        if blob != path:
            blob.unlink(missing_ok=True)
    else:
        path.unlink()
    return path
