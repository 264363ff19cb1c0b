"""label (review and relabel past moments), label stats (annotator agreement), study export / merge."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from assistant.cli.common import JSON_FLAG, emit_json, load_config_or_exit, open_log_or_exit
from assistant.log.decisions import decisions
from assistant.research.agreement import agreement, agreement_of, items_from_rows
from assistant.research.formats import FormatError
from assistant.research.review import day_bounds, moments
from assistant.research.study import BundleError, export_bundle, merge_bundles


@click.group("label", invoke_without_command=True)
@click.option("--day", default="today", show_default=True, help="today, yesterday or YYYY-MM-DD.")
@click.option("--annotator", default="me", show_default=True, help="Whose answers these are.")
@click.option("--shown-only", is_flag=True, help="Only suggestions that were shown, not silent moments.")
@click.pass_context
def label_group(ctx: click.Context, day: str, annotator: str, shown_only: bool) -> None:
    """Walk the decisions of a day in the terminal and label them: shown suggestions (a accept, r reject,
    o help but not this, n not now) and moments the assistant stayed silent (y help was needed, n no help
    needed). Labelling again is a relabel; the earlier answer is kept as history."""
    if ctx.invoked_subcommand is not None:
        return
    try:
        start, end = day_bounds(day, time.time())
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--day") from None
    db = open_log_or_exit()
    found = moments(db, start, end, annotator, include_silent=not shown_only)
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        click.echo("proactive label needs a terminal (it is a keyboard UI); to answer one moment from a script "
                   "use `proactive answer ID ANSWER --annotator NAME`.", err=True)
        sys.exit(2)
    from assistant.cli.label_tui import LabelApp  # Textual is only loaded when the UI opens

    answered = LabelApp(db, found, annotator, day).run() or 0
    click.echo(f"{answered} answers recorded for {annotator}.")


@label_group.command("stats")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@JSON_FLAG
def label_stats(files: tuple[Path, ...], as_json: bool) -> None:
    """How far annotators agree, and counts per category: the paper's majority agreement (each annotation
    against its decision's majority), pairwise agreement, Cohen's and Fleiss' kappa. Without FILES, your log;
    with FILES, ProactiveBench rows (the official reward data, or exports and merged studies)."""
    if files:
        try:
            result = agreement_of(items_from_rows(files))
        except FormatError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
    else:
        result = agreement(decisions(open_log_or_exit()))
    if as_json:
        emit_json({"judged": result.judged, "with_several_annotators": result.multi,
                   "annotators": result.annotators, "majority_agreement": result.majority,
                   "majority_agreement_votes": result.majority_votes, "pairwise_agreement": result.pairwise,
                   "cohen_kappa": {f"{a}|{b}": {"kappa": k, "n": n} for (a, b), (k, n) in result.cohen.items()},
                   "fleiss_kappa": result.fleiss, "fleiss_items": result.fleiss_items,
                   "fleiss_raters": result.fleiss_raters, "categories": dict(result.categories)})
        return
    if not result.judged:
        click.echo("No labelled decisions yet: answer suggestions, or review a day with `proactive label`.")
        return
    click.echo(f"Judged decisions: {result.judged} ({result.multi} by two annotators or more)")
    if result.annotators:
        click.echo("Annotators: " + ", ".join(f"{name} ({n})" for name, n in result.annotators.items()))
    for name, n in sorted(result.categories.items()):
        click.echo(f"  {name:<26} {n}")

    def num(x: float | None) -> str:
        return "-" if x is None else f"{x:.3f}"

    if result.multi:
        pct = "-" if result.majority is None else f"{result.majority * 100:.2f} %"
        click.echo(f"Majority agreement (the paper's figure: each annotation against its decision's majority): "
                   f"{pct} of {result.majority_votes} annotations")
        click.echo(f"Pairwise agreement (annotator pairs that agree): {num(result.pairwise)}")
        for (a, b), (k, n) in result.cohen.items():
            click.echo(f"Cohen's kappa {a} / {b}: {num(k)} over {n} decisions")
        click.echo(f"Fleiss' kappa: {num(result.fleiss)} over {result.fleiss_items} decisions with "
                   f"{result.fleiss_raters} annotators each")
    else:
        click.echo("Agreement needs a second annotator: `proactive label --annotator NAME`.")


@click.group("study")
def study_group() -> None:
    """Studies with many participants: a bundle per participant, one dataset from many."""


SHIFT_TIME = click.option("--shift-time", is_flag=True, help="Move every time by whole weeks so the study starts "
                          "in the week of 2001-01-01 (weekday and time of day kept; real dates hidden).")


@study_group.command("export")
@click.option("--participant", required=True, help="The participant's id (pseudonymised when merged).")
@SHIFT_TIME
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def study_export(participant: str, shift_time: bool, out: Path) -> None:
    """Write this participant's bundle: labels, the judged trace, consent, a manifest with checksums, a data
    card. Names of people and machines become pseudonyms, annotators A1, A2, ..."""
    cfg = load_config_or_exit()
    try:
        report = export_bundle(open_log_or_exit(), cfg, participant, out, shift_time=shift_time)
    except (ValueError, OSError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Wrote {out}: {report.rows} judged decisions, {report.redacted} secrets redacted at export, "
               f"names replaced by pseudonyms in {report.renamed} strings.")


@study_group.command("merge")
@click.argument("bundles", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Dataset folder.")
@SHIFT_TIME
@click.option("--skip-bad", is_flag=True, help="Merge the bundles that check out and leave the others out "
              "(each is named); by default one bad bundle stops the merge.")
def study_merge(bundles: tuple[Path, ...], out: Path, shift_time: bool, skip_bad: bool) -> None:
    """Check every bundle (checksums, sizes, rows) and merge them into one pseudonymous dataset with
    per-participant splits, traces and a manifest of checksums."""
    try:
        report = merge_bundles(list(bundles), out, shift_time=shift_time, skip_bad=skip_bad,
                               say=lambda line: click.echo(f"error: {line}", err=True))
    except BundleError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:
        click.echo(f"error: cannot write {out}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    parquet = "labels.parquet, " if report.parquet else ""
    skipped = f"; {len(report.skipped)} bad bundles left out" if report.skipped else ""
    people = f"{report.participants} participant{'s' if report.participants != 1 else ''}"
    click.echo(f"Merged {people}, {report.rows} rows into {out} (labels.jsonl, "
               f"{parquet}traces/, splits.json, manifest.json); {report.redacted} secrets redacted at merge"
               f"{skipped}.")
    if not report.parquet:
        click.echo("Parquet needs pyarrow: pip install 'proactive-assistant[research]'.", err=True)


COMMANDS = [label_group, study_group]
