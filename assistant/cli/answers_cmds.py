"""answers: the kept answers to accepted tasks (list, show one, rate it later)."""

from __future__ import annotations

import datetime as dt
import re
import time

import click

from assistant.cli.common import JSON_FLAG, duration_option, emit_json, open_log_or_exit
from assistant.log.answers import RATINGS, kept_answer, kept_answers, rate_answer

RATING_TEXT = {"helpful": "helpful", "not-helpful": "not helpful", None: "not rated"}


def gist(text: str) -> str:
    """One line that says what the answer is: its Fix command, else its first sentence."""
    fix = re.search(r"\*\*Fix\*\*.*?```\w*\n(.+?)\n", text, re.S)
    if fix:
        return f"Fix: {fix.group(1).strip()}"
    return next((line.strip() for line in text.splitlines()
                 if line.strip() and not line.strip().startswith(("```", "**"))), "")


def _when(t: float) -> str:
    return dt.datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M")


@click.command()
@click.option("--since", default=None, help="Only answers this long ago onwards (e.g. 7d, 12h).")
@click.option("--show", "show_id", type=int, default=None, metavar="ID", help="Print one answer in full.")
@click.option("--rate", "rate", nargs=2, type=(int, click.Choice(RATINGS)), default=None, metavar="ID RATING",
              help="Rate an answer later: helpful or not-helpful.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000))
@JSON_FLAG
def answers(since: str | None, show_id: int | None, rate: tuple[int, str] | None, limit: int,
            as_json: bool) -> None:
    """The answers the assistant gave to tasks you accepted, newest first. `--show ID` prints one in full
    (with its follow-ups); `--rate ID helpful|not-helpful` rates it later."""
    db = open_log_or_exit()
    if rate is not None:
        try:
            rate_answer(db, rate[0], rate[1])
        except ValueError as exc:
            raise click.UsageError(str(exc)) from exc
        click.echo(f"Answer #{rate[0]} rated {RATING_TEXT[rate[1]]}.")
        return
    if show_id is not None:
        kept = kept_answer(db, show_id)
        if kept is None:
            raise click.UsageError(f"no answer #{show_id} (see `proactive answers`)")
        if as_json:
            emit_json(kept.to_dict())
            return
        a = kept.answer
        click.echo(f"#{a.id} · {_when(a.time)} · {a.model} · {RATING_TEXT[a.rating]}")
        click.echo(f"Task: {kept.task}\n")
        click.echo(a.text.strip())
        for turn in a.followups:
            who = "You" if turn.get("role") == "user" else "Assistant"
            click.echo(f"\n{who}: {turn.get('content', '').strip()}")
        return
    start = time.time() - duration_option(since, "--since") if since else None
    rows = kept_answers(db, since=start, limit=limit)
    if as_json:
        emit_json([k.to_dict() for k in rows])
        return
    if not rows:
        click.echo("No answers yet: accept a suggestion (or `proactive answer ID accept`) and the answer is kept "
                   "here.")
        return
    for k in rows:
        a = k.answer
        first = gist(a.text)
        click.echo(f"#{a.id:<5} {_when(a.time)}  {RATING_TEXT[a.rating]:<12} {k.task[:70]}")
        if first:
            click.echo(f"       {first[:100]}")
    click.echo(f"\n{len(rows)} answer(s). `proactive answers --show ID` prints one in full.")


COMMANDS = [answers]
