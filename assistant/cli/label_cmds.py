"""answer, export, replay: the user's labels and what the assistant would have done."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time

import click

from assistant.cli.common import JSON_FLAG, duration_option, emit_json, load_config_or_exit
from assistant.log import labels, open_db

_ALIASES = {"accept": "accepted", "yes": "accepted", "reject": "rejected", "no": "rejected",
            "later": "not-now", "not-now": "not-now", "ignore": "ignored"}


@click.command()
@click.argument("proposal_id", type=int)
@click.argument("answer", type=click.Choice(["accept", "reject", "not-now", "ignore", *labels.LABELS]))
@click.option("--reason", help="Why (kept with the label, useful for research).")
def answer(proposal_id: int, answer: str, reason: str | None) -> None:
    """Answer a suggestion from the terminal (the tray's buttons do the same)."""
    label = _ALIASES.get(answer, answer)
    try:
        labels.record_label(open_db(), proposal_id, label, reason)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"Recorded: #{proposal_id} {label}.")


@click.command()
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Write to this file (default stdout).")
@click.option("--all", "include_unlabelled", is_flag=True, help="Include surfaced proposals with no answer yet.")
def export(out: str | None, include_unlabelled: bool) -> None:
    """Export your labelled proposals as JSONL in the ProactiveBench reward-data shape."""
    rows = list(labels.export_rows(open_db(), include_unlabelled))
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if out:
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(text)
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
    from assistant.evaluation.replay import build_pipeline
    from assistant.evaluation.replay import replay as run_replay

    cfg = load_config_or_exit()
    now = time.time()
    start = now - (duration_option(since, "--since") or 0)
    end = now - (duration_option(until, "--until") or 0)
    try:
        pipeline = build_pipeline(cfg, with_model=model)
    except Exception as exc:  # a missing model: say so, replay without it
        click.echo(f"Model unavailable ({exc}); replaying with templates and the judge only.", err=True)
        pipeline = build_pipeline(cfg, with_model=False)
    results = []
    for p in run_replay(open_db(), start, end, pipeline):
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
