"""bench/personas: simulated users with consistent preferences answer the engine's own cards; the curve is
written in the shape the issue asks for, and a persona's rule is what its answers say."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.persona_rules import PERSONAS, Moment, Slot
from bench.personas import situation_moments
from models.judge.kinds import Context

REPO = Path(__file__).resolve().parents[1]
EDITOR = Context(app="Visual Studio Code", file_type="md", kind="editor")


def _moment(context: Context, wanted: bool = True, reads: int = 0) -> Moment:
    task = "Explain the KeyError in 'a.py' and suggest a fix."
    history = ("The user runs 'a.py' and a KeyError is printed.",) + ("The user reads the page 'X' in Firefox.",) * reads
    return Moment(history, ((task, "explain_error"),), frozenset({task} if wanted else ()), True, context,
                  "situations", "s")


def test_each_persona_answers_by_its_rule() -> None:
    assert len(PERSONAS) >= 6
    error = _moment(Context(app="Terminal", kind="terminal"))
    task, kind = error.candidates[0]
    assert PERSONAS["error_help_not_while_writing"](error, task, kind, Slot(15)) == ("accepted", None)
    assert PERSONAS["error_help_not_while_writing"](_moment(EDITOR), task, kind, Slot(15)) == ("rejected", "Wrong time")
    assert PERSONAS["no_mornings"](error, task, kind, Slot(9)) == ("rejected", "Wrong time")
    assert PERSONAS["no_mornings"](error, task, kind, Slot(15)) == ("accepted", None)
    assert PERSONAS["not_now_in_meetings"](error, task, kind, Slot(14, meeting=True)) == ("not-now", None)
    assert PERSONAS["summaries_of_long_reads"](error, task, kind, Slot(15)) == ("rejected", "Not useful")
    assert PERSONAS["ignores_instead_of_rejecting"](_moment(EDITOR, wanted=False), task, kind, Slot(15)) is None
    review = ("Review 'a.py' for bugs.", "review_file")
    py, js = _moment(Context(file_type="py")), _moment(Context(file_type="js"))
    assert PERSONAS["reviews_in_one_project"](py, *review, Slot(15)) == ("accepted", None)
    assert PERSONAS["reviews_in_one_project"](js, *review, Slot(15)) == ("rejected", "Not useful")


def test_the_situation_library_gives_moments_with_the_engines_candidates() -> None:
    moments = situation_moments()
    assert len(moments) > 100 and all(m.candidates for m in moments)
    assert any(m.wanted for m in moments) and any(not m.wanted for m in moments)


def test_the_bench_writes_a_curve_per_persona_and_their_mean(tmp_path: Path) -> None:
    out = tmp_path / "personas.json"
    done = subprocess.run([sys.executable, "-m", "bench.personas", "no_mornings", "--pb", "0", "--max-labels", "20",
                           "--seed", "0", "1", "--out", str(out)], cwd=REPO, capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    curve = result["personas"]["no_mornings"]["curve"]
    assert [p["labels"] for p in curve] == [0, 10, 20]
    assert set(result["curve"][0]) == {"labels", "false_alarm", "recall"}
    assert out.with_suffix(".png").stat().st_size > 0
    # two seeds (two orders of the same moments): the curve is their mean, and the output says so
    assert result["settings"]["seeds"] == [0, 1] and "mean over personas and seeds 0, 1" in done.stdout
    per_seed = result["personas"]["no_mornings"]["per_seed"]
    assert curve[1]["false_alarm"] == sum(c[1]["false_alarm"] for c in per_seed.values()) / 2


def test_a_persona_that_runs_out_of_cards_keeps_its_last_point_so_the_mean_covers_every_step() -> None:
    """A stream where the engine shows nothing: no answers come, so what it does at 10 and 20 labels is what it
    did at 0 (marked carried), and the mean over personas is not cut short at the first persona that ran out."""
    from bench.personas import run_persona

    quiet = Moment(("The user types in 'notes.md' in gedit for 30 seconds.",), (), frozenset(), False, EDITOR,
                   "situations", "s")
    test = [_moment(Context(app="Terminal", kind="terminal"))]
    result = run_persona("no_mornings", [quiet], test, max_labels=20, step=10, threshold=0.5)
    curve = result["curve"]
    assert result["answers"] == {} and [p["labels"] for p in curve] == [0, 10, 20]
    assert [p.get("carried", False) for p in curve] == [False, True, True]
    assert curve[2]["false_alarm"] == curve[0]["false_alarm"] and curve[2]["recall"] == curve[0]["recall"]


def test_five_not_useful_in_one_place_rest_that_kind_there_as_in_the_app() -> None:
    """The bench rests a kind in a place after five "Not useful" there (assistant.decide.rest), as the app does;
    --without-rests leaves learning alone."""
    from bench.personas import decide_at, place, run_persona
    from models.judge.infer import load_judge

    terminal = Context(app="Terminal", kind="terminal")

    def error_moment(error: str, group: str) -> Moment:
        task = f"Explain the error '{error}' and suggest a fix."
        history = ("The user runs 'python app.py' in Terminal.", f"The user switches to Terminal ('python - {error}').",
                   f"The user searches Google for '{error}'.", f"The user switches to Terminal ('python - {error}').")
        return Moment(history, ((task, "explain_error"),), frozenset(), True, terminal, "situations", group)

    stream = [error_moment(f"KeyError: 'column_{i}'", f"s{i}") for i in range(7)]
    test = [error_moment("ValueError: operands could not be broadcast", "t")]
    rested = run_persona("summaries_of_long_reads", stream, test, max_labels=5, step=5, threshold=0.5)
    alone = run_persona("summaries_of_long_reads", stream, test, max_labels=5, step=5, threshold=0.5,
                        with_rests=False)
    assert rested["answers"] == {"rejected": 5} and rested["rests_started"] == 1 and alone["rests_started"] == 0
    assert place(test[0]) == "terminal|"
    judge = load_judge()
    assert decide_at(judge, test[0], Slot(15), 0.5) is not None  # shown where nothing rests
    assert decide_at(judge, test[0], Slot(15), 0.5, resting=frozenset({"explain_error"})) is None
