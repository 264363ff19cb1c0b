"""answer, export, replay: the user's labels and what the assistant would have done."""

from __future__ import annotations

import datetime as dt
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
from assistant.research.export import export as export_data
from assistant.research.formats import FORMATS, TIME_STYLES
from models.backends import ModelUnavailable


class AnswerWord(click.ParamType):
    """accept, reject, not-now, other (help, but not this), needed / fine (a silent moment), ignore; the stored
    label names (accepted, other-help, ...) are taken too, without being listed."""

    name = "answer"
    SHOWN = ("accept", "reject", "not-now", "other", "needed", "fine")
    TAKEN = frozenset({*SHOWN, "ignore", *LABELS})

    def convert(self, value, param, ctx):
        word = str(value).strip().lower()
        if word in self.TAKEN:
            return word
        self.fail(f"{value!r} is not an answer; use one of: {', '.join(self.SHOWN)}", param, ctx)
        return None


@click.command()
@click.argument("proposal_id", type=int)
@click.argument("answer", type=AnswerWord(), metavar="ANSWER")
@click.option("--reason", help="Why (kept with the label, useful for research).")
@click.option("--no-run", is_flag=True, help="Only record the answer; do not carry an accepted task out.")
@click.option("--annotator", default="me", show_default=True, help="Who answers (several annotators may label "
              "the same moments; each has one standing answer).")
@click.option("--relabel", is_flag=True, help="Change an answer given before (the old one is kept as history).")
def answer(proposal_id: int, answer: str, reason: str | None, no_run: bool, annotator: str,
           relabel: bool) -> None:
    """Answer suggestion PROPOSAL_ID from the terminal (the card's buttons do the same).

    \b
    ANSWER is one of:
      accept    yes: the task is carried out, the model's answer streams here
      reject    no, not useful
      not-now   maybe, but not at this moment
      other     help was needed, but not this task
    For a moment it stayed silent (`proactive label` shows them):
      needed    help was needed
      fine      no help was needed"""
    db = open_log_or_exit(write=True)
    try:
        row = control.answer(db, proposal_id, answer, reason, annotator=annotator, relabel=relabel)
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
        if done.fix and done.model_first_token_s is not None:
            first = f", Fix after {done.first_token_s:.1f} s, model's first token after {done.model_first_token_s:.1f} s"
        click.echo(f"({done.model}: {done.completion_tokens} tokens{first}{speed}; kept with your answer)",
                   err=True)


@click.command()
@click.option("--out", type=click.Path(path_type=Path),
              help="Write to this file (a folder for sft / reward-model; default stdout).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="proactivebench", show_default=True,
              help="proactivebench: the reward data's rows; trace: the test traces' steps; events: raw events; "
                   "sft: a LLaMA-Factory alpaca dataset; reward-model: the paper's reward-model conversations "
                   "(LLaMA-Factory sharegpt); reward-model-alpaca: yes/no alpaca rows. Datasets are folders "
                   "with dataset_info.json. Field by field: docs/research-data.md.")
@click.option("--since", default=None, help="Only this long ago onwards (e.g. 7d).")
@click.option("--time", "time_style", type=click.Choice(TIME_STYLES), default="unix", show_default=True,
              help="How times are written: unix seconds as a string (as the official ProactiveBench rows) or "
                   "ISO 8601 UTC.")
@click.option("--judged", is_flag=True, help="trace: the judged shape (agent_response [task or null] and "
              "judgement [bool] from your answers), what the paper's agent-performance script reads.")
@click.option("--real-names", is_flag=True, help="Keep user and host names, home folders and logins as they are "
              "(by default they become pseudonyms such as user1@host1).")
def export(out: Path | None, fmt: str, since: str | None, time_style: str, judged: bool, real_names: bool) -> None:
    """Export your labelled decisions (or raw events) for research. Answers that are no judgement (ignored
    cards) are left out of the labelled formats; every string is scanned for secrets once more on the way out,
    and names of people and machines become pseudonyms."""
    if judged and fmt != "trace":
        raise click.UsageError("--judged applies to --format trace")
    cfg = load_config_or_exit()
    start = time.time() - duration_option(since, "--since") if since else None
    result = export_data(open_log_or_exit(), fmt, since=start, judge_dir=cfg["judge.model_dir"] or None,
                         extra_patterns=cfg["privacy.secret_patterns"], time_style=time_style, judged=judged,
                         pseudonymize=not real_names)
    if len(result.files) > 1 and out is None:
        raise click.UsageError(f"--format {fmt} writes a dataset folder: give it with --out DIR")
    if out is None:
        sys.stdout.write(result.files[""])
        click.echo(f"Exported {result.summary()}.", err=True)
        return
    target, parent = out, out.parent
    if not parent.is_dir():
        click.echo(f"error: cannot write {target}: the folder {parent} does not exist", err=True)
        sys.exit(1)
    try:
        if "" in result.files:
            write_private_text(target, result.files[""])
        else:
            target.mkdir(mode=0o700, exist_ok=True)
            for name, text in result.files.items():
                write_private_text(target / name, text)
    except OSError as exc:
        click.echo(f"error: cannot write {target}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    click.echo(f"Exported {result.summary()} to {target}.", err=True)


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
