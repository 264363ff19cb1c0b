"""A capable model is one command away: `proactive model pull|list|use|remove` against a loopback hub (plain
URLs with resume and checksums, the Hugging Face path through HF_ENDPOINT) and a real OpenAI-compatible server
(llama-cpp-python's own) on loopback."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest

from models.default_model import default_gguf_path
from tests.conftest import run_cli
from tests.llama_server import ALIAS
from tests.model_hub import Hub

NAME = "tiny-chat-Q4_1.gguf"


@pytest.fixture
def hub(tmp_path):
    served = tmp_path / "served" / NAME
    served.parent.mkdir()
    shutil.copyfile(default_gguf_path(), served)
    server = Hub({f"/files/{NAME}": served, f"/acme/tiny-chat-GGUF/resolve/main/{NAME}": served})
    yield server, served
    server.close()


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def models_dir(home):
    return home / "data" / "models"


def test_pull_by_url_checks_the_checksum_and_lists_the_model(home, hub):
    server, served = hub
    out = run_cli("model", "pull", f"{server.url}/files/{NAME}", "--sha256", sha(served), home=home)
    assert out.returncode == 0, out.stderr
    pulled = models_dir(home) / NAME
    assert pulled.read_bytes() == served.read_bytes()
    assert oct(pulled.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in models_dir(home).iterdir()] == [NAME]  # no partial or temporary file left
    listed = json.loads(run_cli("model", "list", "--json", home=home).stdout)
    [row] = [r for r in listed["installed"] if r["name"] == NAME]
    assert row["has_chat_template"] and row["context_length"] > 0 and row["quantization"]
    assert not row["in_use"]
    assert any(r["in_use"] for r in listed["installed"])  # the embedded default is the one in use
    assert {e["name"] for e in listed["catalog"]} >= {"qwen2.5-1.5b", "llama3.2-1b"}


def test_a_dropped_connection_is_resumed_to_the_same_bytes(home, hub):
    server, served = hub
    server.drop_after = served.stat().st_size // 3
    out = run_cli("model", "pull", f"{server.url}/files/{NAME}", home=home)
    assert out.returncode == 0, out.stderr
    assert (models_dir(home) / NAME).read_bytes() == served.read_bytes()
    ranges = [r for m, p, r in server.requests if m == "GET" and r]
    assert ranges and ranges[0].startswith("bytes=") and int(ranges[0][6:-1]) > 0, server.requests


def test_a_wrong_checksum_leaves_nothing_behind(home, hub):
    server, _ = hub
    out = run_cli("model", "pull", f"{server.url}/files/{NAME}", "--sha256", "0" * 64, home=home)
    assert out.returncode != 0 and "wrong checksum" in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert not models_dir(home).exists() or list(models_dir(home).iterdir()) == []


@pytest.mark.parametrize("where, says", [("missing", "HTTP 404"), ("down", "cannot reach")])
def test_a_missing_file_or_a_dead_server_is_one_clear_line(home, hub, where, says):
    server, _ = hub
    url = f"{server.url}/files/nothing-here.gguf"
    if where == "down":
        server.close()
        url = f"{server.url}/files/{NAME}"
    out = run_cli("model", "pull", url, home=home, timeout=60)
    assert out.returncode != 0 and says in out.stderr and "Traceback" not in out.stderr, out.stderr


def test_pull_from_the_hugging_face_path_uses_the_hub_client(home, hub, tmp_path):
    server, served = hub
    env = {"HF_ENDPOINT": server.url, "HF_HOME": str(tmp_path / "hf"), "HF_HUB_DISABLE_TELEMETRY": "1",
           "HF_HUB_DISABLE_XET": "1"}
    out = run_cli("model", "pull", f"hf:acme/tiny-chat-GGUF/{NAME}", home=home, env=env)
    assert out.returncode == 0, out.stderr
    cached = list((tmp_path / "hf" / "hub").rglob(NAME))
    assert cached and cached[0].read_bytes() == served.read_bytes()
    listed = json.loads(run_cli("model", "list", "--json", home=home, env=env).stdout)
    assert any(r["name"] == NAME and r["where"] == "hf cache" for r in listed["installed"])


def test_use_keeps_my_comments_and_remove_refuses_what_is_in_use(home, hub):
    server, served = hub
    assert run_cli("model", "pull", f"{server.url}/files/{NAME}", home=home).returncode == 0
    config = home / "config" / "config.yaml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("# my own note: keep this\npolicy:\n  max_proposals_per_hour: 3  # fewer, please\n")
    used = run_cli("model", "use", NAME, home=home)
    assert used.returncode == 0, used.stderr
    text = config.read_text()
    assert "# my own note: keep this" in text and "# fewer, please" in text and NAME in text
    listed = json.loads(run_cli("model", "list", "--json", home=home).stdout)
    assert [r["name"] for r in listed["installed"] if r["in_use"]] == [NAME]
    refused = run_cli("model", "remove", NAME, home=home)
    assert refused.returncode != 0 and "in use" in refused.stderr and "Traceback" not in refused.stderr
    embedded = run_cli("model", "remove", "default", home=home)
    assert embedded.returncode != 0 and "cannot be removed" in embedded.stderr
    assert run_cli("model", "use", "default", home=home).returncode == 0
    assert run_cli("model", "remove", NAME, home=home).returncode == 0
    assert not (models_dir(home) / NAME).exists()


def test_servers_on_this_machine_are_found(home, llama_server):
    out = run_cli("model", "list", "--servers", "--port", str(llama_server.port), "--json", home=home)
    assert out.returncode == 0, out.stderr
    servers = json.loads(out.stdout)["servers"]
    [ours] = [s for s in servers if s["url"] == llama_server.url]
    assert ALIAS in ours["models"]
    used = run_cli("model", "use", llama_server.url, home=home)
    assert used.returncode == 0 and ALIAS in used.stdout + used.stderr
    status = json.loads(run_cli("model", "list", "--servers", "--port", str(llama_server.port), "--json",
                                home=home).stdout)
    assert [s["in_use"] for s in status["servers"] if s["url"] == llama_server.url] == [True]

