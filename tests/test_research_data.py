"""Research-grade data from a recorded run: exact export in every format, the round trip, one answer per
annotator with relabel history, the judge on its own exports, agreement, and study bundles."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sqlite3
import time
import zipfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt

from assistant.app import control
from assistant.app.runtime import Runtime
from assistant.core import config
from assistant.core.events import Event
from assistant.core.proposal import Proposal
from assistant.log import open_db
from assistant.log import proposals as plog
from assistant.log.decisions import decisions
from assistant.log.housekeeping import checkpoint
from assistant.log.migrations import migrate
from tests.conftest import run_cli
from tests.logsql import one, sql

DATA = Path(os.environ.get("PROACTIVE_DATA", Path(__file__).resolve().parents[2] / "shared/data/proactivebench"))
ERROR = "python budget_2025.py: ValueError: window must be an integer"
SEARCH = "numpy rolling average - Google Search — Mozilla Firefox"
EDITOR = "budget_2025.py - finance - Visual Studio Code"
FORMATS = ("proactivebench", "trace", "events", "sft", "reward-model", "reward-model-alpaca")


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real run of the app (headless, no model): a user stuck on an error, who looks it up; the engine
    decides, shows a card, stays silent at other moments. Returns the home it ran in."""
    home = tmp_path_factory.mktemp("recorded")
    old = os.environ.get("PROACTIVE_HOME")
    os.environ["PROACTIVE_HOME"] = str(home)
    try:
        db = open_db()
        control.give_consent(db, {}, via="flag")  # as `proactive consent --accept-defaults` does
        db.close()
        cfg = config.load().with_overrides({"policy.min_gap_seconds": 0.0})
        runtime = Runtime(cfg, headless=True, say=lambda _: None, load_model=False)
        shown: list[Proposal] = []
        runtime.start()
        runtime.on_proposal = shown.append
        try:
            now = time.time()
            for i in range(7):  # back and forth between two windows with nothing to combine: a silent moment
                app, title = [("spotify", "Spotify Premium"), ("nautilus", "Downloads")][i % 2]
                runtime.sink(Event("window", "focus", start=now - 250 + 10 * i, app=app, title=title))
            deadline = time.time() + 10
            while not one(runtime.live.db, "SELECT 1 FROM proposals") and \
                    time.time() < deadline:
                time.sleep(0.2)
            for i, (app, title) in enumerate([("code", EDITOR), ("xterm", ERROR), ("code", EDITOR),
                                              ("xterm", ERROR)]):
                runtime.sink(Event("window", "focus", start=now - 80 + 10 * i, app=app, title=title))
            runtime.sink(Event("window", "focus", start=now, app="firefox", title=SEARCH,
                               data={"browser": True, "page_title": "numpy rolling average - Google Search"}))
            deadline = time.time() + 20
            while not shown and time.time() < deadline:
                time.sleep(0.2)
            assert shown, "the recorded run surfaced nothing"
        finally:
            runtime.stop()
    finally:
        if old is None:
            os.environ.pop("PROACTIVE_HOME", None)
        else:
            os.environ["PROACTIVE_HOME"] = old
    db = open_db(home / "data" / "events.db")
    checkpoint(db)
    db.close()
    return home


def copy_of(recorded: Path, home: Path) -> None:
    """The recorded run's log copied into `home`, opened once (migrated) as the app would."""
    (home / "data").mkdir(parents=True, exist_ok=True)
    shutil.copy(recorded / "data" / "events.db", home / "data" / "events.db")
    open_db(home / "data" / "events.db").close()


def shown_and_silent(home: Path) -> tuple[int, int]:
    found = list(decisions(open_db(home / "data" / "events.db")))
    shown = next(d.id for d in found if d.task and d.surfaced)
    silent = next(d.id for d in found if not d.task)
    return shown, silent


def test_one_answer_per_annotator_a_relabel_keeps_history_and_silent_moments_take_their_own_answers(
        recorded: Path, home: Path) -> None:
    copy_of(recorded, home)
    shown, silent = shown_and_silent(home)
    assert run_cli("answer", str(shown), "reject", "--reason", "already know", home=home).returncode == 0
    twice = run_cli("answer", str(shown), "accept", "--no-run", home=home)
    assert twice.returncode == 2 and f"#{shown} is already answered by me (rejected)" in twice.stderr
    assert "--relabel" in twice.stderr and "Traceback" not in twice.stderr
    assert run_cli("answer", str(shown), "accept", "--relabel", "--no-run", home=home).returncode == 0
    assert run_cli("answer", str(shown), "other", "--annotator", "alice", home=home).returncode == 0
    wrong = run_cli("answer", str(silent), "accept", home=home)
    assert wrong.returncode == 2 and "stayed silent" in wrong.stderr and "help-needed" in wrong.stderr
    assert run_cli("answer", str(silent), "needed", home=home).returncode == 0
    rows = {r["meta"]["proposal_id"]: r for r in map(json.loads, run_cli("export", home=home).stdout.splitlines())}
    row = rows[shown]
    assert [(x["annotator"], x["label"]) for x in row["meta"]["labels"]] == [
        ("me", "rejected"), ("me", "accepted"), ("alice", "other-help")]
    assert row["annotation"] == [True, False] and row["valid"] is True  # a tie goes to the first annotator
    assert row["category"] == "Correct-Detection (CD)" and row["help_needed"] is True
    assert rows[silent]["pred_task"] is None and rows[silent]["category"] == "Missed-Need (MN)"
    assert rows[silent]["help_needed"] is True and rows[silent]["valid"] is False
    obs_times = [o["time"] for o in row["obs"]]
    assert len(set(obs_times)) > 1, "every observation keeps its own time, not the proposal's"
    assert all(float(t) < float(row["meta"]["time"]) for t in obs_times)  # unix seconds, as the official rows
    db = open_db(home / "data" / "events.db")
    never = plog.record_proposal(db, Proposal(time=time.time(), task="Never shown", score=0.1, context="x",
                                              trigger="t", history=[], observation_event_ids=[]), surfaced=False)
    refused = run_cli("answer", str(never), "accept", home=home)
    assert refused.returncode == 2 and "never shown" in refused.stderr


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_import_export_is_byte_identical(recorded: Path, home: Path, tmp_path: Path, fmt: str) -> None:
    copy_of(recorded, home)
    shown, silent = shown_and_silent(home)
    run_cli("answer", str(shown), "accept", "--no-run", home=home)
    run_cli("answer", str(silent), "fine", home=home)
    first, second = tmp_path / f"first.{fmt}", tmp_path / f"second.{fmt}"
    out = run_cli("export", "--format", fmt, "--out", str(first), home=home)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr and "redacted at export" in out.stderr
    fresh = tmp_path / "fresh-home"
    imported = run_cli("import", str(first), home=fresh)
    assert imported.returncode == 0, imported.stderr
    again = run_cli("import", str(first), home=fresh)
    assert again.returncode == 0 and ("0 decisions" in again.stdout or "Imported 0 of" in again.stdout)
    assert run_cli("export", "--format", fmt, "--out", str(second), home=fresh).returncode == 0
    files = sorted(p.name for p in first.iterdir()) if first.is_dir() else [""]
    assert files == (sorted(p.name for p in second.iterdir()) if second.is_dir() else [""])
    for name in files:
        a, b = (first / name, second / name) if name else (first, second)
        assert a.read_bytes() == b.read_bytes(), name
        assert a.stat().st_size > 0
    if fmt in ("sft", "reward-model", "reward-model-alpaca"):
        info = json.loads((first / "dataset_info.json").read_text())
        [entry] = info.values()
        assert entry["columns"] == ({"messages": "conversations"} if fmt == "reward-model" else
                                    {"prompt": "instruction", "query": "input", "response": "output"})
        assert (first / entry["file_name"]).is_file()


def test_the_judge_commands_read_the_apps_own_exports(recorded: Path, home: Path, tmp_path: Path) -> None:
    copy_of(recorded, home)
    shown, silent = shown_and_silent(home)
    run_cli("answer", str(shown), "reject", home=home)
    run_cli("answer", str(silent), "needed", home=home)
    export = tmp_path / "mine.jsonl"
    assert run_cli("export", "--out", str(export), home=home).returncode == 0
    evaluated = run_cli("judge", "eval", str(export), home=home)
    assert evaluated.returncode == 0, evaluated.stderr
    trained = run_cli("judge", "train", str(DATA / "reward_train.jsonl"), str(export), "--out",
                      str(tmp_path / "judge"), home=home, timeout=300)
    assert trained.returncode == 0, trained.stderr
    assert "Trained on 1631 rows" in trained.stdout


def test_export_redacts_again_counts_it_and_a_missing_folder_is_one_clear_error(recorded: Path, home: Path,
                                                                                tmp_path: Path) -> None:
    copy_of(recorded, home)
    shown, _ = shown_and_silent(home)
    key = "sk-" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6"
    run_cli("answer", str(shown), "reject", "--reason", f"I pasted my key {key} here", home=home)
    out = run_cli("export", home=home)
    assert key not in out.stdout and "[redacted" in out.stdout
    assert "1 secret redacted at export" in out.stderr
    missing = run_cli("export", "--out", str(tmp_path / "nope" / "x.jsonl"), home=home)
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert missing.stderr.strip() == f"error: cannot write {tmp_path / 'nope' / 'x.jsonl'}: the folder " \
                                     f"{tmp_path / 'nope'} does not exist"


def test_ids_are_never_reused_after_forget_and_old_logs_migrate_with_their_labels(home: Path) -> None:
    path = home / "data" / "events.db"
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, upto=4)  # a log written by the previous version
    conn.execute("INSERT INTO proposals (id, time, context, task, surfaced) VALUES (7, 1.0, '{}', 'Old task', 1)")
    conn.execute("INSERT INTO labels (proposal_id, label, time) VALUES (7, 'rejected', 2.0)")
    conn.execute("INSERT INTO answers (proposal_id, time) VALUES (7, 3.0)")
    conn.close()
    db = open_db(path)
    assert sql(db, "SELECT label, annotator FROM labels WHERE proposal_id = 7") == [
        ("rejected", "me")]
    assert one(db, "SELECT count(*) FROM answers WHERE proposal_id = 7") == (1,)
    assert run_cli("forget", "--all", "--yes", home=home).returncode == 0
    db = open_db(path)
    new = plog.record_proposal(db, Proposal(time=5.0, task="New", score=0.5, context="x", trigger="t",
                                            history=[], observation_event_ids=[]), surfaced=True)
    assert new > 7


def test_label_stats_report_agreement_between_annotators(recorded: Path, home: Path) -> None:
    copy_of(recorded, home)
    shown, silent = shown_and_silent(home)
    for who, a, b in (("me", "accept", "needed"), ("alice", "accept", "fine"), ("bob", "reject", "needed")):
        assert run_cli("answer", str(shown), a, "--annotator", who, "--no-run", home=home).returncode == 0
        assert run_cli("answer", str(silent), b, "--annotator", who, home=home).returncode == 0
    stats = json.loads(run_cli("label", "stats", "--json", home=home).stdout)
    assert stats["annotators"] == {"alice": 2, "bob": 2, "me": 2}
    assert stats["pairwise_agreement"] == pytest.approx(2 / 6)  # one agreeing pair of three per decision
    assert stats["majority_agreement"] == pytest.approx(4 / 6)  # the paper's: two of three side with the majority
    assert stats["fleiss_raters"] == 3 and stats["fleiss_items"] == 2
    assert stats["categories"] == {"Correct-Detection (CD)": 1, "Missed-Need (MN)": 1}
    text = run_cli("label", "stats", home=home).stdout
    assert "Pairwise agreement (annotator pairs that agree): 0.333" in text and "Cohen's kappa alice / bob" in text
    assert "Majority agreement (the paper's figure: each annotation against its decision's majority): 66.67 %" in text


def test_study_bundles_merge_and_a_changed_file_is_refused(recorded: Path, tmp_path: Path) -> None:
    bundles = []
    for who, answer in (("alice", "accept"), ("bob", "reject")):
        home = tmp_path / who
        copy_of(recorded, home)
        shown, _ = shown_and_silent(home)
        run_cli("answer", str(shown), answer, "--no-run", home=home)
        out = run_cli("study", "export", "--participant", f"{who}@lab", str(tmp_path / f"{who}.zip"), home=home)
        assert out.returncode == 0, out.stderr
        bundles.append(tmp_path / f"{who}.zip")
    with zipfile.ZipFile(bundles[0]) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert sorted(zf.namelist()) == ["DATA_CARD.md", "consent.json", "labels.jsonl", "manifest.json",
                                         "trace.json"]
    assert manifest["schema_version"] == "2" and manifest["rows"] == 1 and manifest["time_format"] == "unix"
    assert manifest["counts"] == {"Correct-Detection (CD)": 1} and len(manifest["files"]["labels.jsonl"]["sha256"]) == 64
    assert "collectors.input.record_text" in manifest["privacy"]
    merged = run_cli("study", "merge", *map(str, bundles), "--out", str(tmp_path / "dataset"), home=tmp_path)
    assert merged.returncode == 0, merged.stderr
    rows = [json.loads(line) for line in (tmp_path / "dataset" / "labels.jsonl").read_text().splitlines()]
    assert [r["meta"]["participant"] for r in rows] == ["P001", "P002"]
    assert "alice@lab" not in (tmp_path / "dataset" / "labels.jsonl").read_text()
    assert (tmp_path / "dataset" / "labels.parquet").stat().st_size > 0
    splits = json.loads((tmp_path / "dataset" / "splits.json").read_text())
    assert [f["test"] for f in splits["folds"]] == ["P001", "P002"]
    judged = run_cli("judge", "eval", str(tmp_path / "dataset" / "labels.jsonl"), home=tmp_path)
    assert judged.returncode == 0, judged.stderr
    changed = tmp_path / "changed.zip"
    with zipfile.ZipFile(bundles[1]) as src, zipfile.ZipFile(changed, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(name, data.replace(b'"valid": false', b'"valid": true') if name == "labels.jsonl" else data)
    refused = run_cli("study", "merge", str(bundles[0]), str(changed), "--out", str(tmp_path / "d2"), home=tmp_path)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert f"{changed}: labels.jsonl does not match its checksum" in refused.stderr
    assert not (tmp_path / "d2").exists()


def test_the_terminal_labeller_walks_a_day_and_labels_shown_and_silent_moments(recorded: Path, home: Path) -> None:
    from assistant.cli.label_tui import LabelApp
    from assistant.research.review import day_bounds, moments

    copy_of(recorded, home)
    db = open_db(home / "data" / "events.db")
    start, end = day_bounds("today", time.time())
    found = moments(db, start, end, "carol")
    assert any(m.silent for m in found) and any(not m.silent for m in found)
    first_shown = next(i for i, m in enumerate(found) if not m.silent)
    first_silent = next(i for i, m in enumerate(found) if m.silent)

    async def drive() -> LabelApp:
        app = LabelApp(db, found, "carol", "today")
        async with app.run_test() as pilot:
            for target, keys in sorted([(first_shown, "a"), (first_silent, "y")]):
                app.query_one("ListView").index = target
                await pilot.pause()
                await pilot.press("z")  # not an answer: nothing recorded
                await pilot.press(keys)
            app.query_one("ListView").index = first_shown
            await pilot.pause()
            await pilot.press("r")  # answering again is a relabel
            await pilot.pause()
            await pilot.press("q")
        return app

    app = asyncio.run(drive())
    assert app.return_value == 3
    got = {d.id: [(x.label, x.replaces is not None) for x in d.labels if x.annotator == "carol"]
           for d in decisions(db)}
    assert got[found[first_shown].decision.id] == [("accepted", False), ("rejected", True)]
    assert got[found[first_silent].decision.id] == [("help-needed", False)]


def test_the_review_tab_labels_shown_and_silent_moments(recorded: Path, home: Path, qtbot) -> None:
    from ui.review import ReviewTab

    copy_of(recorded, home)
    db = open_db(home / "data" / "events.db")
    tab = ReviewTab(db, annotator="dana")
    qtbot.addWidget(tab)
    tab.resize(900, 560)
    tab.show()
    kinds = [m.silent for m in tab.found]
    assert True in kinds and False in kinds
    silent_row = kinds.index(True)
    tab.list.setCurrentRow(silent_row)
    assert tab.buttons["sy"].isVisible() and not tab.buttons["a"].isVisible()
    assert "Was help needed here?" in tab.detail.toPlainText()
    qtbot.mouseClick(tab.buttons["sy"], Qt.MouseButton.LeftButton)
    shown_row = kinds.index(False)
    tab.list.setCurrentRow(shown_row)
    assert tab.buttons["o"].isVisible() and not tab.buttons["sy"].isVisible()
    qtbot.mouseClick(tab.buttons["o"], Qt.MouseButton.LeftButton)
    tab.list.setCurrentRow(shown_row)
    qtbot.mouseClick(tab.buttons["a"], Qt.MouseButton.LeftButton)
    assert "Relabelled" in tab.message.text() and "earlier answer is kept" in tab.message.text()
    Path(os.environ.get("UI_SHOTS") or home).mkdir(parents=True, exist_ok=True)
    tab.grab().save(str(Path(os.environ.get("UI_SHOTS") or home) / "review_tab.png"))
    got = {d.id: [x.label for x in d.labels if x.annotator == "dana"] for d in decisions(db)}
    assert got[tab.found[silent_row].decision.id] == ["help-needed"]
    assert got[tab.found[shown_row].decision.id] == ["other-help", "accepted"]
    tab.silent.setChecked(False)
    assert all(not m.silent for m in tab.found)
