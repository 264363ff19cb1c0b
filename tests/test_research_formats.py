"""Every export in the shape of the files and tools it names: LLaMA-Factory's loader (the `datasets` JSON loader as
it calls it, its dataset_info.json and alpaca / sharegpt columns), the ProactiveBench paper's reward-model
conversation and its judged traces, the official rows' time format; agreement as the paper computes it; the
trace score taken from the users' answers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from models.judge.reward_prompt import INSTRUCTION_KEY, OBSERVATIONS_KEY, TASK_KEY, parse_judgement
from tests.conftest import run_cli
from tests.research_log import Moment, ask, write_log

DATA = Path(os.environ.get("PROACTIVE_DATA", Path(__file__).resolve().parents[2] / "shared/data/proactivebench"))
CATEGORIES = {"Correct-Detection (CD)", "False-Alarm (FA)", "Correct-Rejection (CR)", "Missed-Need (MN)"}
START = 1_717_338_232.283


def moments() -> list[Moment]:
    """A day with every kind of answer: accepted (with the model's answer and a follow-up), rejected, not now,
    help-but-not-this, silent moments reviewed both ways, an ignored card, a card not answered yet, two
    annotators, a relabel. The first decisions have no candidates' scores and empty answer lists, so a loader
    that infers a schema from the first rows meets every type later."""
    error = "The user runs 'python budget.py' and a ValueError: window must be an integer is shown."
    return [
        Moment("The user opens 'budget.py' in Visual Studio Code."),
        ask("The user scrolls through 'budget.py'.", None, ("me", "no-help-needed", None)),
        Moment("The user types in 'budget.py'."),
        ask(error, "Explain the ValueError in budget.py", ("me", "accepted", None), ("alice", "accepted", None)),
        ask("The user searches 'pandas rolling window integer' in Firefox.", "Summarise the search results",
            ("me", "rejected", "already know"), ("alice", "accepted", None), ("bob", "rejected", None)),
        ask("The user reads a Stack Overflow answer about rolling windows.", "Open the pandas documentation",
            ("me", "not-now", None)),
        ask("The user returns to 'budget.py'.", "Fix the window argument", ("me", "other-help", "wrong fix")),
        ask("The user runs the script again and the same error is shown.", None, ("me", "help-needed", None)),
        ask("The user opens the terminal again.", "Explain the traceback", ("me", "ignored", "closed")),
        ask("The user edits line 12 of 'budget.py'.", "Rename the variable window"),
        Moment("The user saves 'budget.py'.", "Run the tests", True, [("me", "rejected", None),
                                                                    ("me", "accepted", None)],
               [("Run the tests", 0.8), (None, None)], ("Ran them: 3 passed.", [
                   {"role": "user", "content": "Which ones?"}, {"role": "assistant", "content": "All three."}])),
    ]


@pytest.fixture(scope="module")
def logged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("day")
    write_log(home, moments(), START)
    return home


def export(home: Path, out: Path, *args: str) -> str:
    done = run_cli("export", *args, "--out", str(out), home=home)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stderr


def load_like_llama_factory(folder: Path, cache: Path, chunksize: int | None = None) -> tuple[dict, list[dict]]:
    """What LLaMA-Factory's data loader does with `dataset_dir=folder, dataset=NAME` (data/loader.py
    `_load_single_dataset` for a local file, data/parser.py `get_dataset_list`): read dataset_info.json, take
    `file_name`, map its extension to a loader (jsonl -> json), `datasets.load_dataset("json", data_files=...,
    split="train")`. Returns the entry and the rows as the loader gives them."""
    import datasets

    info = json.loads((folder / "dataset_info.json").read_text())
    [(name, entry)] = info.items()
    assert set(entry) <= {"file_name", "formatting", "ranking", "columns", "tags", "split", "num_samples"}
    path = folder / entry["file_name"]
    assert path.is_file() and path.suffix in (".json", ".jsonl")
    kwargs = {"chunksize": chunksize} if chunksize else {}
    ds = datasets.load_dataset("json", data_files=[str(path)], split=entry.get("split", "train"),
                               cache_dir=str(cache), **kwargs)
    return entry, ds.to_list()


@pytest.mark.parametrize("fmt", ["sft", "reward-model", "reward-model-alpaca"])
def test_llama_factory_loads_every_dataset_export_unchanged(logged: Path, tmp_path: Path, fmt: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    out = tmp_path / fmt
    export(logged, out, "--format", fmt)
    info = json.loads((out / "dataset_info.json").read_text())
    [entry] = info.values()
    written = [json.loads(line) for line in (out / entry["file_name"]).open()]
    side = [json.loads(line)["meta"] for line in (out / entry["file_name"].replace(".jsonl", ".meta.jsonl")).open()]
    assert written and len(side) == len(written), "the export holds rows, and one meta row each beside them"
    for chunksize in (None, 600):  # 600 bytes: every row its own block, as in a file of many megabytes
        entry, rows = load_like_llama_factory(out, tmp_path / f"cache-{chunksize}", chunksize)
        assert len(rows) == len(written)
        for row in rows:
            if entry.get("formatting") == "sharegpt":  # SharegptDatasetConverter with these tags
                tags = entry["tags"]
                messages = row[entry["columns"]["messages"]]
                assert messages[0][tags["role_tag"]] == tags["system_tag"]
                turns = [m[tags["role_tag"]] for m in messages[1:]]
                assert turns == [tags["user_tag"], tags["assistant_tag"]]
                assert all(isinstance(m[tags["content_tag"]], str) and m[tags["content_tag"]] for m in messages)
            else:  # AlpacaDatasetConverter: prompt, query, response columns are strings
                cols = entry["columns"]
                assert {cols["prompt"], cols["query"], cols["response"]} <= set(row)
                assert all(isinstance(row[cols[c]], str) and row[cols[c]] for c in ("prompt", "query", "response"))
        assert rows == written  # the loader gives back exactly what was written
    assert all(isinstance(m["proposal_id"], int) and isinstance(m["time"], str) for m in side)


def test_the_reward_set_is_the_papers_conversation_and_its_scoring_reads_every_answer(logged: Path,
                                                                                       tmp_path: Path) -> None:
    export(logged, tmp_path / "rm", "--format", "reward-model")
    rows = [json.loads(line) for line in (tmp_path / "rm" / "proactive_reward.jsonl").open()]
    pb = [json.loads(line) for line in run_cli("export", home=logged).stdout.splitlines()]
    assert len(rows) == len(pb) == 7  # judged decisions; the ignored card and the unanswered one are no label
    official = json.loads((DATA / "reward_train.jsonl").open().readline())
    for row, label in zip(rows, pb, strict=True):
        system, user, answer = row["conversations"]
        assert [m["role"] for m in row["conversations"]] == ["system", "user", "assistant"]
        assert "<Format>" in system["content"] and '"judgement"' in system["content"]
        question = json.loads(user["content"])
        assert list(question) == [OBSERVATIONS_KEY, TASK_KEY, INSTRUCTION_KEY]  # the paper's keys, in order
        assert question[TASK_KEY] == label["pred_task"]
        assert question[OBSERVATIONS_KEY] == label["obs"]  # the reward rows' obs, as the official rows hold them
        assert [set(o) for o in question[OBSERVATIONS_KEY]] == [set(official["obs"][0])] * len(label["obs"])
        said = json.loads(answer["content"])
        assert list(said) == ["thought", "judgement"] and said["thought"]
        assert parse_judgement(answer["content"]) is label["valid"]  # no row without a prediction


def test_times_are_unix_seconds_strings_as_the_official_rows_and_iso_on_request(logged: Path,
                                                                                tmp_path: Path) -> None:
    official = [o["time"] for line in (DATA / "reward_train.jsonl").open() for o in json.loads(line)["obs"]]
    official_trace = json.loads(next((DATA / "traces").glob("code_*.json")).read_text())
    assert all(isinstance(t, str) for t in official)  # real sessions: unix seconds; generated ones "Day 1, ..."
    assert sum(t.replace(".", "").isdigit() for t in official) > 0.7 * len(official)
    assert float(official_trace[0]["observation"]["time"]) > 1.7e9
    rows = [json.loads(line) for line in run_cli("export", home=logged).stdout.splitlines()]
    export(logged, tmp_path / "trace.json", "--format", "trace")
    steps = json.loads((tmp_path / "trace.json").read_text())
    times = [o["time"] for r in rows for o in r["obs"]] + [r["meta"]["time"] for r in rows] + \
        [x["time"] for r in rows for x in r["meta"]["labels"]] + [s["observation"]["time"] for s in steps]
    assert all(isinstance(t, str) and float(t) > 1.7e9 for t in times)
    assert rows[0]["obs"][0]["time"] == "1717338232.283"  # to the millisecond, as the official rows
    iso = [json.loads(line) for line in run_cli("export", "--time", "iso", home=logged).stdout.splitlines()]
    assert iso[0]["obs"][0]["time"] == "2024-06-02T14:23:52.283Z" and iso[0]["meta"]["time"].endswith("Z")
    fresh = tmp_path / "fresh"
    (tmp_path / "iso.jsonl").write_text("".join(json.dumps(r) + "\n" for r in iso))
    assert run_cli("import", str(tmp_path / "iso.jsonl"), home=fresh).returncode == 0
    assert run_cli("export", home=fresh).stdout.splitlines() == [json.dumps(r, ensure_ascii=False) for r in rows]


def official_agent_scores(steps: list[dict]) -> dict:
    """The counting of the paper's calculate_agent_performance.py (turn based), written out for the test."""
    tp = fp = tn = fn = 0
    for step in steps:
        if len(step.get("agent_response", [])) > 0:
            for pred, judge in zip(step["agent_response"], step["judgement"]):
                if pred is not None:
                    tp, fp = tp + bool(judge), fp + (not judge)
                else:
                    tn, fn = tn + bool(judge), fn + (not judge)
    return {"TP": tp, "FP": fp, "TN": tn, "FN": fn}


def test_the_judged_trace_is_the_papers_shape_with_the_real_answers(logged: Path, tmp_path: Path) -> None:
    export(logged, tmp_path / "judged.json", "--format", "trace", "--judged")
    steps = json.loads((tmp_path / "judged.json").read_text())
    official = json.loads(next((DATA / "traces").glob("writing_*.json")).read_text())
    assert len(steps) == len(moments())
    for step in steps:
        assert set(official[0]) - {"agent_response"} <= set(step)  # observation, task_status
        assert set(step["observation"]) == set(official[0]["observation"]) == {"time", "event"}
        assert isinstance(step["agent_response"], list) and isinstance(step["judgement"], list)
        assert len(step["agent_response"]) == len(step["judgement"])
        assert all(t is None or isinstance(t, str) for t in step["agent_response"])
        assert all(isinstance(j, bool) for j in step["judgement"])
    by_event = {s["observation"]["event"]: (s["agent_response"], s["judgement"]) for s in steps}
    assert by_event["The user scrolls through 'budget.py'."] == ([None], [True])  # silence, rightly
    assert by_event["The user runs the script again and the same error is shown."] == ([None], [False])
    assert by_event["The user opens the terminal again."] == ([], [])  # an ignored card is no judgement
    assert by_event["The user edits line 12 of 'budget.py'."] == ([], [])  # not answered yet
    assert by_event["The user saves 'budget.py'."] == (["Run the tests"], [True])  # the relabel stands
    assert official_agent_scores(steps) == {"TP": 2, "FP": 3, "TN": 1, "FN": 1}


def test_eval_trace_scores_an_export_against_the_users_answers_not_what_the_engine_considered(
        logged: Path, tmp_path: Path) -> None:
    from assistant.evaluation.trace import load_trace

    for args in (("--judged",), ()):
        export(logged, tmp_path / "t.json", "--format", "trace", *args)
        steps = load_trace(tmp_path / "t.json")
        helped = {s.sentence: s.help for s in steps}
        assert helped["The user opens 'budget.py' in Visual Studio Code."] is None  # nobody answered there
        assert helped["The user edits line 12 of 'budget.py'."] is None  # considered, shown, never answered
        assert helped["The user scrolls through 'budget.py'."] is False
        assert helped["The user searches 'pandas rolling window integer' in Firefox."] is False  # 2 of 3 say no
        assert helped["The user returns to 'budget.py'."] is True  # "help, not this": help was needed
        assert helped["The user runs the script again and the same error is shown."] is True
    official = load_trace(next((DATA / "traces").glob("code_*.json")))
    assert all(s.help is bool(s.shown) for s in official)  # official traces: candidates shown = help step


def test_label_stats_gives_the_papers_figure_on_the_official_rows(tmp_path: Path) -> None:
    rows = [json.loads(line) for line in (DATA / "reward_train.jsonl").open()]
    votes = [a == r["valid"] for r in rows for a in r["annotation"]]
    paper = sum(votes) / len(votes)  # calculate_human_agreement.py
    stats = run_cli("label", "stats", "--json", str(DATA / "reward_train.jsonl"), home=tmp_path)
    assert stats.returncode == 0, stats.stderr
    result = json.loads(stats.stdout)
    assert result["majority_agreement"] == pytest.approx(paper) and result["majority_agreement_votes"] == len(votes)
    assert result["pairwise_agreement"] < result["majority_agreement"]
    assert result["fleiss_raters"] == 3 and -1 < result["fleiss_kappa"] < 1
    text = run_cli("label", "stats", str(DATA / "reward_train.jsonl"), home=tmp_path).stdout
    assert "Majority agreement (the paper's figure" in text and f"{paper * 100:.2f} %" in text
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"obs": []}\n')
    refused = run_cli("label", "stats", str(bad), home=tmp_path)
    assert refused.returncode == 2 and f"{bad}:1: expected a ProactiveBench row" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_the_proactivebench_rows_have_the_official_fields_and_types(logged: Path) -> None:
    official = [json.loads(line) for line in (DATA / "reward_train.jsonl").open()][:50]
    rows = [json.loads(line) for line in run_cli("export", home=logged).stdout.splitlines()]
    keys = set(official[0])
    for row in rows:
        assert set(row) - {"meta"} == keys  # obs, pred_task, valid, help_needed, annotation, category
        assert row["category"] in CATEGORIES and isinstance(row["annotation"], list)
        assert row["valid"] == (sum(row["annotation"]) * 2 > len(row["annotation"]) or
                                (sum(row["annotation"]) * 2 == len(row["annotation"]) and row["annotation"][0]))
        for field in ("valid", "help_needed"):
            assert type(row[field]) is type(official[0][field])
    assert {r["category"] for r in rows} == CATEGORIES
    left = run_cli("export", home=logged).stderr
    assert "7 rows" in left and "1 unanswered cards" in left and "1 shown, not answered yet" in left


def test_a_merged_study_reexported_keeps_its_participants_apart(logged: Path, tmp_path: Path) -> None:
    rows = [json.loads(line) for line in run_cli("export", home=logged).stdout.splitlines()]
    merged = []
    for who in ("P001", "P002", "P003"):
        for r in rows:
            merged.append({**r, "meta": {**r["meta"], "participant": who, "time": str(float(r["meta"]["time"]) +
                                                                                     int(who[1:]))}})
    (tmp_path / "merged.jsonl").write_text("".join(json.dumps(r) + "\n" for r in merged))
    home = tmp_path / "lab"
    assert run_cli("import", str(tmp_path / "merged.jsonl"), home=home).returncode == 0
    again = [json.loads(line) for line in run_cli("export", home=home).stdout.splitlines()]
    assert sorted({r["meta"]["participant"] for r in again}) == ["P001", "P002", "P003"]
    stats = json.loads(run_cli("label", "stats", "--json", home=home).stdout)
    assert {name.split("/")[0] for name in stats["annotators"]} == {"P001", "P002", "P003"}
    assert stats["annotators"]["P002/me"] == 7  # three participants' `me` stay three raters
