"""Every proposal the engine makes over the 12 public traces reads like a person wrote it, and the set of
proposals changes only on purpose (regenerate with `python -m bench.golden`, read bench/results/golden.txt)."""

from __future__ import annotations

import json

import pytest

from assistant.evaluation.wording import wording_problems
from bench.golden import DIGEST, digest, generate


@pytest.fixture(scope="module")
def rows():
    return generate()


def test_no_proposal_breaks_a_wording_rule(rows):
    assert len(rows) > 40, "the engine stopped proposing on the traces"
    broken = [(r["trace"], r["step"], r["task"], r["problems"]) for r in rows if r["problems"]]
    assert broken == []


def test_the_proposals_match_the_committed_golden_digest(rows):
    committed = json.loads(DIGEST.read_text())
    now = digest(rows)
    changed = sorted(k for k in set(committed) | set(now) if committed.get(k) != now.get(k))
    assert not changed, (f"{len(changed)} step(s) changed ({changed[:5]}...): run `python -m bench.golden`, "
                         "read bench/results/golden.txt, and commit tests/golden/trace_proposals.json if it reads well")


@pytest.mark.parametrize("task, history, problem", [
    ("Summarise the key points of 'Flask docs - Mozilla Firefox'.", ["The user reads 'Flask docs'."],
     "raw title furniture"),
    ("Explain the error 'Traceback (most recent call last)' and suggest a fix.", [], "a traceback header"),
    ("Summarise the key points of 'on a new search page titled'.", [], "a broken template slot"),
    ("Review 'report.md' for bugs.", ["The user opens 'notes.md'."], "names a file not in the recent context"),
    ("Summarise the key points of ''.", [], "an empty template slot"),
])
def test_the_rules_catch_what_reads_badly(task, history, problem):
    assert any(p.startswith(problem) for p in wording_problems(task, history))
    assert wording_problems("Review 'notes.md' for bugs and possible improvements.",
                            ["The user opens 'notes.md' in gedit."]) == []
