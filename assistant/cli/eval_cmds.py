"""`proactive eval timing|trace`: when does the engine propose, and how early does it help on real traces."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from assistant.cli.common import FOLDS, JSON_FLAG, emit_json, load_config_or_exit, require_training_libraries
from assistant.core.config import Config
from assistant.decide.build import build_chain, load_backend
from assistant.decide.engine import DecisionEngine
from assistant.evaluation.judge_eval import judge_without_session
from assistant.evaluation.timing import evaluate_timing
from assistant.evaluation.trace import TraceError, TraceStep, load_trace
from assistant.evaluation.trace_report import evaluate_traces
from models.backends import Backend, ModelUnavailable
from models.judge.data import DataError, Group, group_rows, load_rows
from models.judge.infer import Judge, JudgeLoadError, load_judge

THRESHOLD = click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=None,
    help="Judge threshold (default: judge.threshold from the config).",
)
MODEL_DIR = click.option(
    "--model",
    "model_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Judge folder from `proactive judge train` (default: judge.model_dir, else shipped).",
)


def _judge_or_exit(model_dir: Path | str | None) -> Judge:
    try:
        return load_judge(model_dir)
    except JudgeLoadError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)


def _groups_or_exit(paths: list[Path]) -> list[Group]:
    try:
        return group_rows(load_rows(paths))
    except DataError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


def _pct(m: dict) -> str:
    return (
        f"P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}  "
        f"false-alarm {m['false_alarm_rate']:.3f}"
        f"  ({m['proposals']} proposals / {m['n']} histories, {m['needs_help']} need help)"
    )


@click.group("eval")
def eval_group() -> None:
    """Evaluate the decision engine: timing on labelled histories, replays of real traces."""
    require_training_libraries()


@eval_group.command("timing")
@click.argument("data", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@THRESHOLD
@MODEL_DIR
@FOLDS
@JSON_FLAG
def eval_timing(
    data: tuple[Path, ...], threshold: float | None, model_dir: Path | None, folds: int, as_json: bool
) -> None:
    """Propose-or-not per distinct history vs. whether people wanted help there.

    A history needs help if annotators accepted a task (CD) or rejected silence (MN) there; it needs none if
    they accepted silence (CR); histories with both, or with only rejected tasks, are left out. Reported for
    the judge in use (on its own training data this is optimistic) and for judges trained on the other
    sessions (grouped CV), each with the generator's candidates and with the annotated candidates.
    """
    cfg = _config(threshold)
    judge = _judge_or_exit(model_dir or cfg["judge.model_dir"] or None)
    result = evaluate_timing(cfg, _groups_or_exit(list(data)), judge, folds)
    if as_json:
        emit_json(result)
        return
    base = result["grouped_cv"]["engine_candidates"]
    click.echo(f"Timing on {base['engine']['n']} histories ({base['left_out']} left out), "
               f"threshold {result['threshold']}:")
    for part, label in (
        ("judge_in_use", f"judge in use ({judge.source}; optimistic if trained on this file)"),
        ("grouped_cv", f"grouped CV ({folds} session folds; gate on = each judge's own help-gate threshold)"),
    ):
        click.echo(f"  {label}")
        for cands, report in result[part].items():
            click.echo(f"    {cands:<30} {_pct(report['engine'])}")
    click.echo("  baselines (same histories):")
    click.echo(f"    {'always propose':<30} {_pct(base['always_propose'])}")
    click.echo(f"    {'random at the engine rate':<30} {_pct(base['random_at_engine_rate'])}  (mean of 200 draws)")
    click.echo(f"    {'keyword rule':<30} {_pct(base['keyword_rule'])}")


def _config(threshold: float | None) -> Config:
    cfg = load_config_or_exit()
    return cfg if threshold is None else cfg.with_overrides({"judge.threshold": threshold})


def _backend_or_reason(cfg: Config, use_model: bool) -> tuple[Backend | None, str]:
    """(backend or None, what to say about the model part)."""
    if not use_model:
        return None, "model off (--no-model)"
    try:
        backend = load_backend(cfg)
    except ModelUnavailable as exc:
        return None, f"model off: {exc}"
    return backend, f"model: {backend.name}"


@eval_group.command("trace")
@click.argument("traces", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@THRESHOLD
@MODEL_DIR
@click.option("--no-model", "no_model", is_flag=True, help="Templates and judge only, no model wording.")
@click.option(
    "--heldout",
    "heldout",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Reward rows (JSONL): judge each trace with a judge trained on these rows minus the trace's "
    "own session (honest when the traces' sessions are in the judge's training data).",
)
@JSON_FLAG
def eval_trace(
    traces: tuple[Path, ...],
    threshold: float | None,
    model_dir: Path | None,
    no_model: bool,
    heldout: Path | None,
    as_json: bool,
) -> None:
    """Replay real traces step by step through the engine and score how early it helps.

    Score = mean stretch credit x (1 - false-alarm rate): a stretch is a run of steps where help was needed
    (official traces: annotators were shown candidate tasks; this app's exports and the paper's judged traces:
    the users' answers say so); a first proposal k steps into a stretch earns 1/(1+k) (1 at its first step), no
    proposal earns 0; a proposal at a step where no help was needed is a false alarm (rate = false alarms / such
    steps). Steps nobody answered are left out.
    """
    cfg = _config(threshold)
    try:
        loaded = [(str(p), load_trace(p)) for p in traces]
    except TraceError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    judge = _judge_or_exit(model_dir or cfg["judge.model_dir"] or None)
    backend, model_note = _backend_or_reason(cfg, not no_model)
    heldout_groups = _groups_or_exit([heldout]) if heldout else None

    def engine_for(steps: list[TraceStep]) -> DecisionEngine:
        chosen = judge if heldout_groups is None else judge_without_session(heldout_groups, steps[0].sentence)
        return build_chain(cfg, judge=chosen, backend=backend, wait_for_model=True).engine

    result = evaluate_traces(loaded, engine_for)
    summary = {"model": model_note, "threshold": cfg["judge.threshold"],
               "judge": f"trained on {heldout} minus each trace's session" if heldout else str(judge.source)}
    if as_json:
        emit_json({**summary, **result})
        return
    for trace in result["traces"]:
        click.echo(f"== {trace['trace']} ({len(trace['steps'])} steps; {model_note})")
        for r in trace["steps"]:
            mark = "PROPOSE" if r["proposed"] else "   -   "
            click.echo(f"[{r['index']:2d}] {r['latency_s'] * 1000:7.1f} ms {mark} {r['sentence'][:90]}")
            if r["proposed"]:
                click.echo(f"       engine ({r['source']}, {r['score']:.2f}): {r['proposed']}")
            for t in r["shown"][:3]:
                click.echo(f"       shown: {t[:110]}")
            if len(r["shown"]) > 3:
                click.echo(f"       shown: ... {len(r['shown']) - 3} more")
        s = trace["score"]
        click.echo(f"   score {s['score']:.3f} (credit {s['mean_credit']:.3f} over {s['stretches']} stretches, "
                   f"false alarms {s['false_alarms']}/{s['non_help_steps']})")
    p = result["pooled"]
    click.echo(f"\njudge: {summary['judge']}")
    if result["steps_with_known_need"] < result["steps"]:
        click.echo(f"help needed or not is known at {result['steps_with_known_need']} of {result['steps']} steps "
                   "(from the users' answers); the others count for nothing")
    click.echo(
        f"Pooled over {len(loaded)} traces: score {p['score']:.3f} (credit {p['mean_credit']:.3f}, "
        f"{p['stretches_helped']}/{p['stretches']} stretches helped, false-alarm rate "
        f"{p['false_alarm_rate']:.3f}); always propose: {result['always_propose']['score']:.3f}; "
        f"step latency p50 {result['latency_ms']['p50']:.1f} ms, max {result['latency_ms']['max']:.1f} ms"
    )
    click.echo("baselines (time-aware score, same traces):")
    names = {
        "always_propose": "always propose",
        "random_at_engine_rate": "random at the engine's rate (mean of 200 draws)",
        "every_kth_step": "every k-th step, best k",
        "keyword_rule": "keyword rule",
    }
    click.echo(f"  {'engine':<48} {p['score']:.3f}  (false-alarm rate {p['false_alarm_rate']:.3f})")
    for key, name in names.items():
        b = result["baselines"][key]
        extra = f", k={b['k']}" if "k" in b else f", rate {b['rate']:.2f}" if "rate" in b else ""
        click.echo(f"  {name:<48} {b['score']:.3f}  (false-alarm rate {b['false_alarm_rate']:.3f}{extra})")
