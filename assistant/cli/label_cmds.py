"""answer, export, replay: the user's labels and what the assistant would have done."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

import click

from assistant.app import control
from assistant.app.assist import carry_out
from assistant.cli.common import JSON_FLAG, duration_option, emit_json, load_config_or_exit, open_log_or_exit
from assistant.core.paths import write_private_text
from assistant.core.proposal import LABELS
from assistant.decide.build import build_chain, load_backend
from assistant.evaluation.replay import replay as run_replay
from assistant.log.proposals import export_rows
from models.backends import ModelUnavailable


@click.command()
@click.argument("proposal_id", type=int)
@click.argument("answer", type=click.Choice(["accept", "reject", "not-now", "ignore", *LABELS]))
@click.option("--reason", help="Why (kept with the label, useful for research).")
@click.option("--no-run", is_flag=True, help="Only record the answer; do not carry an accepted task out.")
def answer(proposal_id: int, answer: str, reason: str | None, no_run: bool) -> None:
    """Answer a suggestion from the terminal (the tray's buttons do the same). Accepting carries the task
    out: the model's answer streams here as it is written, and is kept with your label."""
    db = open_log_or_exit()
    try:
        row = control.answer(db, proposal_id, answer, reason)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"Recorded: #{proposal_id} {row.label}.", err=True)
    if row.label != "accepted" or no_run or not row.task:
        return
    cfg = load_config_or_exit()

    def write(piece: str) -> None:
        sys.stdout.write(piece)
        sys.stdout.flush()

    try:
        done = carry_out(db, cfg, proposal_id, write, lambda text: click.echo(text, err=True))
    except ModelUnavailable as exc:
        click.echo(f"No model to carry the task out ({exc}); your answer is recorded.", err=True)
        sys.exit(1)
    sys.stdout.write("\n")
    if done is not None:
        speed = f", {done.tokens_per_s:.1f} tokens/s" if done.tokens_per_s else ""
        first = f", first token after {done.first_token_s:.1f} s" if done.first_token_s is not None else ""
        click.echo(f"({done.model}: {done.completion_tokens} tokens{first}{speed}; kept with your answer)",
                   err=True)


@click.command()
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Write to this file (default stdout).")
@click.option("--all", "include_unlabelled", is_flag=True, help="Include surfaced proposals with no answer yet.")
def export(out: str | None, include_unlabelled: bool) -> None:
    """Export your labelled proposals as JSONL in the ProactiveBench reward-data shape."""
    rows = list(export_rows(open_log_or_exit(), include_unlabelled))
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if out:
        try:
            write_private_text(Path(out), text)
        except OSError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        click.echo(f"Exported {len(rows)} labelled proposals to {out}.", err=True)
    else:
        sys.stdout.write(text)


@click.command()
@click.option("--since", default="1h", show_default=True, help="Replay from this long ago (e.g. 1h, 30m).")
@click.option("--until", "until", default=None, help="Stop this long ago (default: now).")
@click.option("--model/--no-model", default=True, show_default=True, help="Use the configured model too.")
@JSON_FLAG
def replay(since: str, until: str | None, model: bool, as_json: bool) -> None:
    """Run a past stretch of your own event log through the pipeline: what would it have proposed, when?"""
    cfg = load_config_or_exit()
    now = time.time()
    start = now - (duration_option(since, "--since") or 0)
    end = now - (duration_option(until, "--until") or 0)
    backend = None
    if model:
        try:
            backend = load_backend(cfg)
        except ModelUnavailable as exc:  # a missing model: say so, replay without it
            click.echo(f"Model unavailable ({exc}); replaying with templates and the judge only.", err=True)
    chain = build_chain(cfg, backend=backend, wait_for_model=True)
    results = []
    for p in run_replay(open_log_or_exit(), start, end, chain):
        results.append(p)
        if not as_json:
            when = dt.datetime.fromtimestamp(p.time).strftime("%H:%M:%S")
            what = f"propose: {p.task}" if p.task else "stay silent"
            click.echo(f"{when} [{p.trigger}] {what} (score {p.score:.2f}, {p.latency_ms:.0f} ms)")
            if p.history:
                click.echo(f"         last seen: {p.history[-1]}")
    if as_json:
        emit_json([{"time": p.time, "trigger": p.trigger, "task": p.task, "score": p.score, "kind": p.kind,
                    "source": p.source, "latency_ms": p.latency_ms, "history": p.history} for p in results])
    elif not results:
        click.echo("Nothing happened in that stretch that would have made the assistant look.")


COMMANDS = [answer, export, replay]
