"""`proactive judge train|eval|cv`: the reward model that scores candidate tasks."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from assistant.cli.common import FOLDS, JSON_FLAG, emit_json, require_training_libraries

DATA_FILES = click.argument("data", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))


def _groups_or_exit(paths: tuple[Path, ...]):
    from models.judge.data import DataError, group_rows, load_rows

    try:
        return group_rows(load_rows(list(paths)))
    except DataError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


def _fmt(v) -> str:
    return "-" if v is None else f"{v:.3f}"


def print_metrics_table(columns: dict[str, dict]) -> None:
    """One column per model/baseline, rows = metrics then accuracy per category."""
    names = list(columns)
    click.echo(f"{'metric':<20}" + "".join(f"{n:>26}" for n in names))
    for m in ("accuracy", "balanced_accuracy", "precision", "recall", "f1", "roc_auc", "roc_auc_tasks",
              "roc_auc_no_task"):
        click.echo(f"{m:<20}" + "".join(f"{_fmt(columns[n].get(m)):>26}" for n in names))
    for m in ("brier", "ece"):
        click.echo(f"{m:<20}" + "".join(f"{_fmt(columns[n]['calibration'][m]):>26}" for n in names))
    first = columns[names[0]]
    for cat, info in first.get("per_category", {}).items():
        cells = "".join(f"{_fmt(columns[n]['per_category'][cat]['accuracy']):>26}" for n in names)
        click.echo(f"{'acc ' + cat + ' (n=' + str(info['n']) + ')':<20}" + cells)


def print_reliability(name: str, metrics: dict) -> None:
    """The reliability table: per score bin, the mean score next to the share actually accepted."""
    click.echo(f"reliability of {name} (a calibrated judge has mean score ~= accepted share):")
    click.echo(f"  {'score bin':<12}{'rows':>6}{'mean score':>12}{'accepted':>10}")
    for row in metrics["calibration"]["reliability"]:
        click.echo(
            f"  {row['low']:.1f} - {row['high']:.1f}  {row['n']:>6}{row['mean_score']:>12.3f}{row['accepted']:>10.3f}"
        )


@click.group("judge")
def judge_group() -> None:
    """Train, evaluate and cross-validate the judge (P(you accept a proposed task))."""
    require_training_libraries()


@judge_group.command("train")
@DATA_FILES
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the artefact (judge.json). The shipped one is models/judge/artifact.",
)
@JSON_FLAG
def judge_train(data: tuple[Path, ...], out_dir: Path, as_json: bool) -> None:
    """Train the judge on ProactiveBench-style reward rows (JSONL) and write DIR/judge.json."""
    from models.judge.data import DataError
    from models.judge.train import train

    try:
        summary = train(list(data), out_dir)
    except DataError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    if as_json:
        emit_json(summary)
    else:
        click.echo(
            f"Trained on {summary['rows']} rows, {summary['histories']} histories, "
            f"{summary['sessions']} sessions -> {summary['artifact']}"
        )


@judge_group.command("eval")
@DATA_FILES
@click.option(
    "--model",
    "model_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="A folder written by `proactive judge train` (default: the shipped judge).",
)
@click.option(
    "--threshold",
    default=0.5,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="A row counts as predicted-accepted at or above this score.",
)
@click.option("--backend", type=click.Choice(["builtin", "openai"]), default="builtin", show_default=True,
              help="openai: ask the reward model at judge.server_url (or --server-url) each row's question, as "
                   "the app's `judge.backend: openai` does.")
@click.option("--server-url", default=None, help="The reward model's OpenAI-compatible server (default: "
              "judge.server_url).")
@click.option("--server-model", default=None, help="Model name to ask the server for (default: judge.server_model).")
@click.option("--timeout", type=click.FloatRange(1), default=None,
              help="Seconds to wait for each answer (default: judge.timeout_seconds).")
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the first N rows (a server can be slow).")
@JSON_FLAG
def judge_eval(data: tuple[Path, ...], model_dir: Path | None, threshold: float, backend: str,
               server_url: str | None, server_model: str | None, timeout: float | None, limit: int | None,
               as_json: bool) -> None:
    """Accuracy, balanced accuracy, precision, recall, F1, ROC AUC and accuracy per category (CD/FA/CR/MN)."""
    from assistant.evaluation.judge_eval import baselines, evaluate
    from models.judge.infer import Judge, JudgeLoadError

    try:
        judge = Judge.load(model_dir)
    except JudgeLoadError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    if backend == "openai":
        _eval_server(data, judge, threshold, server_url, server_model, timeout, limit, as_json)
        return
    groups = _groups_or_exit(data)
    if limit:
        groups = groups[:limit]
    result = {"model": str(judge.source), "judge": evaluate(judge, groups, threshold), **baselines(groups)}
    if as_json:
        emit_json(result)
        return
    click.echo(f"Judge {judge.source} on {result['judge']['n']} rows:")
    print_metrics_table(
        {
            "judge": result["judge"],
            "reject_all": result["reject_all"],
            "accept_null_reject_tasks": result["accept_null_reject_tasks"],
            "base_rates": result["base_rates"],
        }
    )


def _eval_server(data: tuple[Path, ...], judge, threshold: float, server_url: str | None,
                 server_model: str | None, timeout: float | None, limit: int | None, as_json: bool) -> None:
    """`judge eval --backend openai`: the served reward model, row by row, beside the paper's scoring."""
    from assistant.cli.common import load_config_or_exit
    from assistant.evaluation.judge_eval import evaluate_server
    from models.judge.data import DataError, load_rows
    from models.judge.remote import JudgeConfigError, server_judge

    overrides = {"judge.backend": "openai"}
    if server_url is not None:
        overrides["judge.server_url"] = server_url
    if server_model is not None:
        overrides["judge.server_model"] = server_model
    if timeout is not None:
        overrides["judge.timeout_seconds"] = timeout
    cfg = load_config_or_exit().with_overrides(overrides)
    try:
        server = server_judge(cfg, judge)
        rows = load_rows(list(data))[:limit]
    except (JudgeConfigError, DataError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)

    def progress(n: int, total: int) -> None:
        if not as_json and (n == total or n % 10 == 0):
            click.echo(f"  {n}/{total} rows asked", err=True)

    result = {"server": f"{server.backend.name} at {server.backend.base_url}",
              **evaluate_server(server, rows, threshold, progress)}
    if as_json:
        emit_json(result)
        return
    paper = result["paper"]
    click.echo(f"Reward model {result['server']} on {result['rows']} rows: {result['answered']} judgements, "
               f"{result['no_judgement']} without one (the built-in judge decides those in the app); "
               f"{result['seconds']['mean']:.1f} s per question (max {result['seconds']['max']:.1f} s)")
    for why, n in result["failures"].items():
        click.echo(f"  no judgement: {n} x {why}")
    cats = " | ".join(f"{code}: {_fmt(v['accuracy'])} (n={v['n']})" for code, v in paper["per_category"].items())
    click.echo(f"As the paper's reward_model_scoring.py scores it (no judgement = wrong): {cats}; "
               f"average {paper['average']:.3f}")
    click.echo(f"  confusion {paper['confusion']}; accuracy {paper['accuracy']:.3f}, precision "
               f"{paper['precision']:.3f}, recall {paper['recall']:.3f}, F1 {paper['f1']:.3f}")
    click.echo("As the app decides (built-in judge where the server gave no judgement):")
    print_metrics_table({"reward model + fallback": result["with_fallback"]})


@judge_group.command("cv")
@DATA_FILES
@FOLDS
@click.option("--groups", "grouping", default=None, metavar="participant|session|FILE",
              help="What a fold keeps together: participant (default where every row carries one, as a merged "
                   "study's), session (the first observation of a history), or a study's splits.json (one fold "
                   "per participant).")
@JSON_FLAG
def judge_cv(data: tuple[Path, ...], folds: int, grouping: str | None, as_json: bool) -> None:
    """Grouped cross-validation of the judge next to the trivial baselines: no participant (or session) is in
    both the training and the validation part of a fold."""
    from assistant.evaluation.judge_eval import (
        GROUPINGS,
        GroupingError,
        cross_validate,
        default_grouping,
        read_splits,
    )

    groups = _groups_or_exit(data)
    try:
        if grouping is None:
            by: str | dict[int, str] = default_grouping(groups)
        elif grouping in GROUPINGS:
            by = grouping
        elif Path(grouping).is_file():
            by = read_splits(Path(grouping))
        else:
            raise GroupingError(f"--groups: expected participant, session or a splits.json file, got {grouping!r}")
        result = cross_validate(groups, folds, by=by)
    except GroupingError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    if as_json:
        emit_json(result)
        return
    fa = result["fold_accuracy"]
    named = grouping if grouping and grouping not in GROUPINGS else result["grouped_by"]
    click.echo(
        f"GroupKFold by {named}: {result['folds']} folds, {result['groups']} groups, {result['sessions']} sessions, "
        f"{result['histories']} histories, {result['judge']['n']} rows (out-of-fold scores pooled)"
    )
    print_metrics_table(
        {
            "judge (grouped CV)": result["judge"],
            "reject_all": result["reject_all"],
            "accept_null_reject_tasks": result["accept_null_reject_tasks"],
            "base_rates": result["base_rates"],
        }
    )
    click.echo(f"fold accuracy: mean {fa['mean']:.3f}, min {fa['min']:.3f}, max {fa['max']:.3f}; "
               f"fold ROC AUC mean {_fmt(result['fold_roc_auc_mean'])}")
    print_reliability("the judge (grouped CV)", result["judge"])
