"""`proactive eval timing|trace`: when does the engine propose, and how early does it help on real traces."""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

import click

from assistant.cli.common import FOLDS, JSON_FLAG, emit_json, load_config_or_exit

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


def _judge_or_exit(model_dir: Path | str | None):
    from models.judge.infer import JudgeLoadError, load_judge

    try:
        return load_judge(model_dir)
    except JudgeLoadError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)


def _groups_or_exit(paths: list[Path]):
    from models.judge.data import DataError, group_rows, load_rows

    try:
        return group_rows(load_rows(paths))
    except DataError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


def _pct(m: dict) -> str:
    return (
        f"P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}  "
        f"false-alarm {m['false_alarm_rate']:.3f}"
        f"  ({m['proposals']:g} proposals / {m['n']:g} histories, {m['needs_help']:g} need help)"
    )


@click.group("eval")
def eval_group() -> None:
    """Evaluate the decision engine: timing on labelled histories, replays of real traces."""


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
    from assistant.evaluation.judge_eval import out_of_fold_judges
    from assistant.evaluation.timing import dataset_candidates, engine_candidates, timing_report

    cfg = load_config_or_exit()
    threshold = cfg["judge.threshold"] if threshold is None else threshold
    judge = _judge_or_exit(model_dir or cfg["judge.model_dir"] or None)
    groups = _groups_or_exit(list(data))
    oof = [(j, g) for j, held_out in out_of_fold_judges(groups, folds) for g in held_out]
    in_use = [(judge, g) for g in groups]
    result = {
        "judge": str(judge.source),
        "threshold": threshold,
        "folds": folds,
        "judge_in_use": {
            "engine_candidates": timing_report(in_use, threshold, engine_candidates),
            "annotated_candidates": timing_report(in_use, threshold, dataset_candidates),
        },
        "grouped_cv": {
            "engine_candidates": timing_report(oof, threshold, engine_candidates),
            "annotated_candidates": timing_report(oof, threshold, dataset_candidates),
            "engine_candidates_gate_on": timing_report(oof, threshold, engine_candidates, use_gate=True),
            "annotated_candidates_gate_on": timing_report(oof, threshold, dataset_candidates, use_gate=True),
        },
    }
    if as_json:
        emit_json(result)
        return
    base = result["grouped_cv"]["engine_candidates"]
    click.echo(
        f"Timing on {base['engine']['n']} histories ({base['left_out']} left out), threshold {threshold}:"
    )
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


def _proposer_or_reason(cfg, use_model: bool):
    """(Proposer or None, reason shown when the model part is off)."""
    if not use_model:
        return None, "model off (--no-model)"
    from models.backends import ModelUnavailable
    from models.default_model import backend_from_config
    from models.proposer import Proposer

    try:
        backend = backend_from_config(cfg)
    except ModelUnavailable as exc:
        return None, f"model off: {exc}"
    return Proposer(backend, max_tokens=cfg["model.max_tokens"]), f"model: {backend.name}"


def _judge_without_session(groups, first_sentence: str):
    """A judge trained on `groups` minus the session that starts with `first_sentence`."""
    from models.judge.data import session_id
    from models.judge.infer import Judge
    from models.judge.train import fit_params

    session = session_id([first_sentence])
    return Judge(fit_params([g for g in groups if g.session != session]), source=None)


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

    Score = mean stretch credit x (1 - false-alarm rate): a stretch is a run of steps where annotators were
    shown candidate tasks; a first proposal k steps into a stretch earns 1/(1+k) (1 at its first step), no
    proposal earns 0; a proposal at any other step is a false alarm (rate = false alarms / such steps).
    """
    from assistant.decide.engine import DecisionEngine
    from assistant.evaluation.baselines import trace_baselines
    from assistant.evaluation.trace import (
        TimeAwareScore,
        TraceError,
        load_trace,
        replay,
        score_replay,
        time_aware_score,
    )

    cfg = load_config_or_exit()
    threshold = cfg["judge.threshold"] if threshold is None else threshold
    try:
        loaded = [(p, load_trace(p)) for p in traces]
    except TraceError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    judge = _judge_or_exit(model_dir or cfg["judge.model_dir"] or None)
    proposer, model_note = _proposer_or_reason(cfg, not no_model)
    engine = DecisionEngine(judge, threshold, proposer)
    heldout_groups = _groups_or_exit([heldout]) if heldout else None
    out, total, always = [], TimeAwareScore(), TimeAwareScore()
    latencies: list[float] = []
    n_proposed = 0
    for path, steps in loaded:
        if heldout_groups is not None:
            engine.judge = _judge_without_session(heldout_groups, steps[0].sentence)
        results = replay(steps, engine)
        score = score_replay(results)
        total += score
        always += time_aware_score([bool(s.shown) for s in steps], [True] * len(steps))
        latencies += [r.latency_s for r in results]
        n_proposed += sum(r.proposed is not None for r in results)
        out.append({"trace": str(path), "score": score.as_dict(), "steps": [r.__dict__ for r in results]})
        if not as_json:
            click.echo(f"== {path} ({len(steps)} steps; {model_note})")
            for r in results:
                mark = "PROPOSE" if r.proposed else "   -   "
                click.echo(f"[{r.index:2d}] {r.latency_s * 1000:7.1f} ms {mark} {r.sentence[:90]}")
                if r.proposed:
                    click.echo(f"       engine ({r.source}, {r.score:.2f}): {r.proposed}")
                for t in r.shown[:3]:
                    click.echo(f"       shown: {t[:110]}")
                if len(r.shown) > 3:
                    click.echo(f"       shown: ... {len(r.shown) - 3} more")
            s = score.as_dict()
            click.echo(
                f"   score {s['score']:.3f} (credit {s['mean_credit']:.3f} over {s['stretches']} stretches, "
                f"false alarms {s['false_alarms']}/{s['non_help_steps']})"
            )
    summary = {
        "model": model_note,
        "threshold": threshold,
        "judge": f"trained on {heldout} minus each trace's session" if heldout else str(judge.source),
        "pooled": total.as_dict(),
        "always_propose": always.as_dict(),
        "baselines": trace_baselines(
            [[s.sentence for s in steps] for _, steps in loaded],
            [[bool(s.shown) for s in steps] for _, steps in loaded],
            n_proposed / max(len(latencies), 1),
        ),
        "latency_ms": {"p50": statistics.median(latencies) * 1000, "max": max(latencies) * 1000},
    }
    if as_json:
        emit_json({**summary, "traces": out})
        return
    p = summary["pooled"]
    click.echo(f"\njudge: {summary['judge']}")
    click.echo(
        f"Pooled over {len(loaded)} traces: score {p['score']:.3f} (credit {p['mean_credit']:.3f}, "
        f"{p['stretches_helped']}/{p['stretches']} stretches helped, false-alarm rate "
        f"{p['false_alarm_rate']:.3f}); always propose: {summary['always_propose']['score']:.3f}; "
        f"step latency p50 {summary['latency_ms']['p50']:.1f} ms, max {summary['latency_ms']['max']:.1f} ms"
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
        b = summary["baselines"][key]
        extra = f", k={b['k']}" if "k" in b else f", rate {b['rate']:.2f}" if "rate" in b else ""
        click.echo(f"  {name:<48} {b['score']:.3f}  (false-alarm rate {b['false_alarm_rate']:.3f}{extra})")
