"""Which models the user can have: a small curated catalogue, the GGUF files already here, and the models that
OpenAI-compatible servers already running on this machine offer.

Catalogue sizes are those the hub lists for each file (rounded); `ram_gb` is a rough figure for running it with
a 2-4k context on a laptop CPU. Every entry is an instruct model with a chat template, in Q4_K_M.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.core import paths
from models.backends import ModelUnavailable
from models.default_model import default_gguf_path
from models.gguf_info import GGUFInfo, NotGGUF, inspect


@dataclass(frozen=True)
class CatalogEntry:
    name: str  # what the user types: `proactive model pull qwen2.5-1.5b`
    title: str
    repo: str  # Hugging Face repository
    file: str
    size_mb: int
    ram_gb: float
    licence: str

    @property
    def source(self) -> str:
        return f"hf:{self.repo}/{self.file}"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "source": self.source}


CATALOG: tuple[CatalogEntry, ...] = (
    CatalogEntry("qwen2.5-0.5b", "Qwen2.5 0.5B Instruct", "bartowski/Qwen2.5-0.5B-Instruct-GGUF",
                 "Qwen2.5-0.5B-Instruct-Q4_K_M.gguf", 398, 1.0, "Apache-2.0"),
    CatalogEntry("qwen2.5-1.5b", "Qwen2.5 1.5B Instruct", "bartowski/Qwen2.5-1.5B-Instruct-GGUF",
                 "Qwen2.5-1.5B-Instruct-Q4_K_M.gguf", 986, 2.0, "Apache-2.0"),
    CatalogEntry("qwen2.5-3b", "Qwen2.5 3B Instruct", "bartowski/Qwen2.5-3B-Instruct-GGUF",
                 "Qwen2.5-3B-Instruct-Q4_K_M.gguf", 1930, 3.0, "Qwen Research License (non-commercial)"),
    CatalogEntry("llama3.2-1b", "Llama 3.2 1B Instruct", "bartowski/Llama-3.2-1B-Instruct-GGUF",
                 "Llama-3.2-1B-Instruct-Q4_K_M.gguf", 808, 1.5, "Llama 3.2 Community License"),
    CatalogEntry("llama3.2-3b", "Llama 3.2 3B Instruct", "bartowski/Llama-3.2-3B-Instruct-GGUF",
                 "Llama-3.2-3B-Instruct-Q4_K_M.gguf", 2020, 3.0, "Llama 3.2 Community License"),
    CatalogEntry("smollm2-1.7b", "SmolLM2 1.7B Instruct", "bartowski/SmolLM2-1.7B-Instruct-GGUF",
                 "SmolLM2-1.7B-Instruct-Q4_K_M.gguf", 1060, 2.0, "Apache-2.0"),
    CatalogEntry("gemma2-2b", "Gemma 2 2B it", "bartowski/gemma-2-2b-it-GGUF",
                 "gemma-2-2b-it-Q4_K_M.gguf", 1710, 2.5, "Gemma Terms of Use"),
    CatalogEntry("phi3.5-mini", "Phi-3.5 mini instruct", "bartowski/Phi-3.5-mini-instruct-GGUF",
                 "Phi-3.5-mini-instruct-Q4_K_M.gguf", 2390, 3.5, "MIT"),
)

# Loopback ports of the usual OpenAI-compatible servers.
KNOWN_SERVERS: tuple[tuple[str, int], ...] = (("Ollama", 11434), ("llama.cpp server", 8080),
                                              ("LM Studio", 1234), ("vLLM", 8000))


def find_entry(name: str) -> CatalogEntry | None:
    wanted = name.strip().lower()
    return next((e for e in CATALOG if e.name == wanted), None)


def models_dir() -> Path:
    """Where pulled GGUF files live (inside the app's private data dir)."""
    return paths.data_dir() / "models"


def hf_cache_dir() -> Path:
    """The Hugging Face hub cache other tools share (HF_HUB_CACHE / HF_HOME respected)."""
    explicit = os.environ.get("HF_HUB_CACHE") or os.environ.get("HUGGINGFACE_HUB_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    home = os.environ.get("HF_HOME") or os.path.join(os.environ.get("XDG_CACHE_HOME", "~/.cache"), "huggingface")
    return Path(home).expanduser() / "hub"


# ------------------------------------------------------------------ installed files

@dataclass
class InstalledModel:
    name: str  # file name, or "default" for the embedded model
    path: str
    where: str  # "embedded" | "models dir" | "hf cache" | "config"
    info: GGUFInfo | None = None
    problem: str = ""
    in_use: bool = False
    catalog_name: str = ""

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if k != "info"}
        if self.info is not None:
            out.update({("model_name" if k == "name" else k): v for k, v in self.info.to_dict().items()})
        out["path"] = self.path
        return out


def _hf_cache_ggufs(cache: Path) -> list[tuple[Path, str]]:
    """(snapshot path, "owner/name") of every GGUF in the HF cache's snapshots."""
    found: list[tuple[Path, str]] = []
    if not cache.is_dir():
        return found
    for repo_dir in sorted(cache.glob("models--*")):
        repo = repo_dir.name.removeprefix("models--").replace("--", "/", 1)
        for file in sorted((repo_dir / "snapshots").glob("*/**/*.gguf")):
            if file.exists():  # a dangling link is a half-removed entry
                found.append((file, repo))
    return found


def configured_gguf(cfg: Any) -> Path | None:
    """The GGUF file the config points at (the embedded one when gguf_path is empty); None for a server."""
    if cfg["model.backend"] != "llama":
        return None
    if cfg["model.gguf_path"]:
        return Path(cfg["model.gguf_path"]).expanduser()
    try:
        return default_gguf_path()
    except ModelUnavailable:
        return None


def installed(cfg: Any) -> list[InstalledModel]:
    """Every GGUF the assistant can use now, with its metadata (read without loading it)."""
    rows: list[InstalledModel] = []
    try:
        rows.append(InstalledModel("default", str(default_gguf_path()), "embedded"))
    except ModelUnavailable as exc:
        rows.append(InstalledModel("default", "", "embedded", problem=str(exc)))
    mdir = models_dir()
    if mdir.is_dir():
        rows += [InstalledModel(p.name, str(p), "models dir") for p in sorted(mdir.glob("*.gguf"))]
    by_file = {(e.repo, e.file): e.name for e in CATALOG}
    for path, repo in _hf_cache_ggufs(hf_cache_dir()):
        rows.append(InstalledModel(path.name, str(path), "hf cache", catalog_name=by_file.get((repo, path.name), "")))
    for row in rows:
        if row.where == "models dir":
            row.catalog_name = next((e.name for e in CATALOG if e.file == row.name), "")
    in_use = configured_gguf(cfg)
    if in_use is not None and not any(_same(row.path, in_use) for row in rows):
        rows.append(InstalledModel(in_use.name, str(in_use), "config"))
    for row in rows:
        if in_use is not None and _same(row.path, in_use):
            row.in_use = True
        if row.path and not row.problem:
            try:
                row.info = inspect(Path(row.path))
            except NotGGUF as exc:
                row.problem = str(exc)
    return rows


def _same(a: str, b: Path) -> bool:
    try:
        return bool(a) and Path(a).resolve() == b.resolve()
    except OSError:
        return False


# ------------------------------------------------------------------ servers on loopback

@dataclass
class ServerModels:
    name: str
    url: str  # base URL, ending in /v1
    models: list[str] = field(default_factory=list)
    in_use: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def list_server_models(base_url: str, timeout: float = 0.5) -> list[str]:
    """Model ids from GET {base_url}/models; raises ModelUnavailable with a readable reason."""
    url = base_url.rstrip("/") + "/models"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="GET"), timeout=timeout) as resp:
            body = json.loads(resp.read(1 << 20).decode("utf-8", "replace"))
    except urllib.error.HTTPError as exc:
        raise ModelUnavailable(f"{url} answered HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ModelUnavailable(f"cannot reach {url}: {reason}") from exc
    except json.JSONDecodeError as exc:
        raise ModelUnavailable(f"{url} did not return JSON") from exc
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        raise ModelUnavailable(f"{url} did not return an OpenAI model list")
    return [str(item["id"]) for item in data if isinstance(item, dict) and item.get("id")]


def discover_servers(cfg: Any = None, ports: tuple[tuple[str, int], ...] = KNOWN_SERVERS,
                     timeout: float = 0.5, host: str = "127.0.0.1") -> list[ServerModels]:
    """The servers that answer on loopback (all asked at once, so this takes about `timeout` at most)."""
    def ask(item: tuple[str, int]) -> ServerModels | None:
        name, port = item
        url = f"http://{host}:{port}/v1"
        try:
            return ServerModels(name, url, list_server_models(url, timeout))
        except ModelUnavailable:
            return None

    with ThreadPoolExecutor(max_workers=max(1, len(ports))) as pool:
        found = [s for s in pool.map(ask, ports) if s is not None]
    if cfg is not None and cfg["model.backend"] == "openai":
        for server in found:
            server.in_use = server.url.rstrip("/") == cfg["model.server_url"].rstrip("/")
    return found
