"""`proactive model list|pull|use|remove`: a capable model is one command away."""

from __future__ import annotations

import sys

import click

from assistant.cli.common import JSON_FLAG, emit_json, load_config_or_exit
from assistant.core import paths, settings
from models import catalog
from models.manage import ModelChoiceError, remove_model, use_changes
from models.pull import PullError, pull


@click.group("model")
def model_group() -> None:
    """See, fetch and choose the model that words proposals and answers tasks."""


def _size(n: int) -> str:
    return f"{n / 1e9:.2f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB"


@model_group.command("list")
@JSON_FLAG
@click.option("--servers", is_flag=True, help="Also ask OpenAI-compatible servers on this machine "
              "(Ollama 11434, llama.cpp 8080, LM Studio 1234, vLLM 8000).")
@click.option("--port", "ports", type=click.IntRange(1, 65535), multiple=True,
              help="With --servers: also ask a server on this loopback port (repeatable).")
def model_list(as_json: bool, servers: bool, ports: tuple[int, ...]) -> None:
    """Installed GGUF files, the catalogue, and (with --servers) models offered on loopback."""
    cfg = load_config_or_exit()
    rows = catalog.installed(cfg)
    asked = catalog.KNOWN_SERVERS + tuple((f"port {p}", p) for p in ports)
    found = catalog.discover_servers(cfg, asked) if servers else []
    have = {r.catalog_name for r in rows if r.catalog_name}
    if as_json:
        emit_json({"installed": [r.to_dict() for r in rows],
                   "catalog": [{**e.to_dict(), "installed": e.name in have} for e in catalog.CATALOG],
                   "servers": [s.to_dict() for s in found] if servers else None})
        return
    click.echo("Installed:")
    for r in rows:
        mark = "*" if r.in_use else " "
        if r.info is None:
            click.echo(f" {mark} {r.name:<40} {r.problem}")
            continue
        i = r.info
        click.echo(f" {mark} {r.name:<40} {_size(i.size_bytes):>9}  {i.quantization:<7} ctx {i.context_length:<6} "
                   f"{'chat' if i.has_chat_template else 'NO chat template'}  ({r.where})")
    if cfg["model.backend"] == "openai":
        click.echo(f" * server {cfg['model.server_url']} model {cfg['model.server_model'] or '(default)'}")
    click.echo("\nCatalogue (`proactive model pull NAME`):")
    for e in catalog.CATALOG:
        tag = "installed" if e.name in have else ""
        ram = f"RAM ~{e.ram_gb:g} GB"
        click.echo(f"   {e.name:<14} {e.title:<24} {_size(e.size_mb * 10**6):>8}  {ram:<13}"
                   f"{e.licence:<40} {tag}".rstrip())
    if servers:
        click.echo("\nServers on this machine:")
        if not found:
            click.echo("   none answered on " + ", ".join(str(port) for _, port in asked))
        for s in found:
            mark = "*" if s.in_use else " "
            click.echo(f" {mark} {s.name} {s.url}: {', '.join(s.models) or '(no models)'}")
    click.echo("\n* = in use. `proactive model use NAME|PATH|URL` switches.")


def _progress_bar(source: str):
    from tqdm import tqdm  # installed with huggingface_hub

    bar: list = []

    def update(done: int, total: int | None) -> None:
        if not bar:
            bar.append(tqdm(total=total, initial=done, unit="B", unit_scale=True, unit_divisor=1024,
                            desc=source.rsplit("/", 1)[-1][:40], file=sys.stderr, leave=True,
                            disable=not sys.stderr.isatty()))  # a log file gets the one-line summary only
        bar[0].n = done
        bar[0].refresh()

    return update, bar


def _bytes(text: str) -> int:
    units = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    value = text.strip().upper().removesuffix("B").removesuffix("I")
    number, unit = (value[:-1], value[-1]) if value[-1:] in units and value[-1:] else (value, "")
    try:
        size = int(float(number) * units[unit])
    except ValueError:
        raise click.BadParameter(f"expected a size such as 900M or 4G, got {text!r}", param_hint="--max-size") \
            from None
    if size <= 0:
        raise click.BadParameter("expected a size above zero", param_hint="--max-size")
    return size


@model_group.command("pull")
@click.argument("source")
@click.option("--sha256", "sha256", default=None, help="Expected SHA-256 of the file (64 hex digits).")
@click.option("--max-size", "max_size", default=None, metavar="SIZE",
              help="Stop a download larger than this (e.g. 4G, 900M). Default: the catalogue's size, else 64G.")
def model_pull(source: str, sha256: str | None, max_size: str | None) -> None:
    """Fetch a model: a catalogue name, hf:OWNER/REPO/FILE, an http(s) URL or a local path."""
    update, bar = _progress_bar(source)
    try:
        result = pull(source, sha256, progress=update, max_bytes=_bytes(max_size) if max_size else None)
    except PullError as exc:
        raise click.ClickException(str(exc)) from exc
    except KeyboardInterrupt:
        raise click.ClickException("stopped; run the same pull again to resume") from None
    finally:
        if bar:
            bar[0].close()
    how = f"fetched {_size(result.downloaded_bytes)}" if result.downloaded_bytes else "already here"
    click.echo(f"{result.path} ({_size(result.size_bytes)}, {how}, sha256 {result.sha256 or 'not computed'})")
    click.echo(f"Use it: proactive model use {result.path}")


@model_group.command("use")
@click.argument("target")
@click.option("--model", "server_model", default="", help="For a server URL: which of its models.")
def model_use(target: str, server_model: str) -> None:
    """Point the config at a model: an installed NAME, a GGUF PATH, a server URL (…/v1), or 'default'."""
    cfg = load_config_or_exit()
    try:
        changes, what = use_changes(target, cfg, server_model)
    except ModelChoiceError as exc:
        raise click.ClickException(str(exc)) from exc
    _, problems = settings.apply_changes(changes)
    if problems:
        raise click.ClickException(f"{paths.config_path()} was not changed: {problems[0]}")
    click.echo(f"Now using {what} (written to {paths.config_path()}; a running assistant picks it up when "
               "it restarts).")


@model_group.command("remove")
@click.argument("name")
def model_remove(name: str) -> None:
    """Delete an installed model (by file or catalogue name)."""
    cfg = load_config_or_exit()
    try:
        path = remove_model(name, cfg)
    except (ModelChoiceError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Removed {path}.")
