"""A field study as a lab runs it: three participants export bundles, the lab merges them. Nothing that names a
person or a machine survives into any output file; the merged study keeps traces, checksums and participants;
every malformed or hostile bundle is one clear line, never a traceback."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.research_log import Moment, ask, write_log

START = 1_717_400_000.0  # 2024-06-03, a Monday

# Real-looking titles as the narrator words them: shell prompts, home folders, logins, user names in file names
PARTICIPANTS = {
    "carol.s@uni-lab": [
        Moment("The user works in the terminal 'carol@lab-ws07: ~/dashboard'."),
        ask("The user runs 'npm test' in 'carol@lab-ws07: ~/dashboard' and 3 tests fail.",
            "Explain the failing tests in /home/carol/dashboard/src/app.test.ts",
            ("me", "accepted", None), ("carol", "accepted", "carol@lab-ws07 is my machine")),
        ask("The user opens '/home/carol/dashboard/src/app.ts' in Visual Studio Code.", None,
            ("me", "no-help-needed", None)),
        ask("The user edits 'carol's notes.md' in Visual Studio Code.", "Summarise carol's notes",
            ("me", "rejected", "not now carol")),
    ],
    "P-root-17": [
        Moment("The user types in the terminal 'root@vm: ~/shop-api'."),
        ask("The user runs 'make deploy' in 'root@vm: ~/shop-api' and the build fails.",
            "Explain the build failure in root@vm: ~/shop-api", ("me", "accepted", None)),
        ask("The user scrolls the log in 'root@vm: ~/shop-api'.", None, ("me", "help-needed", None)),
    ],
    "dk-03": [
        Moment("The user opens 'C:\\Users\\Dmitri\\Documents\\budget.xlsx' in Excel."),
        ask("The user connects with 'ssh dmitri@build-box' in a terminal.", "Check the disk space on build-box",
            ("dmitri.k", "accepted", None)),
        ask("The user reads '/Users/dmitri/Downloads/report.pdf' in Preview.", "Summarise report.pdf",
            ("dmitri.k", "not-now", None), ("me", "rejected", None)),
    ],
}
NAMES = ["carol", "lab-ws07", "root@vm", "dmitri", "build-box", "carol.s@uni-lab", "P-root-17", "dk-03", "uni-lab"]


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("study")
    out = []
    for n, (participant, moments) in enumerate(PARTICIPANTS.items()):
        home = root / f"home{n}"
        write_log(home, moments, START + 86400 * n + 3600 * n)
        bundle = root / f"bundle{n}.zip"
        done = run_cli("study", "export", "--participant", participant, str(bundle), home=home)
        assert done.returncode == 0, done.stderr
        assert "names replaced by pseudonyms" in done.stdout
        out.append(bundle)
    return out


@pytest.fixture(scope="module")
def merged(bundles: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("merged") / "dataset"
    done = run_cli("study", "merge", *map(str, bundles), "--out", str(out), home=out.parent)
    assert done.returncode == 0, done.stderr
    assert "Merged 3 participants, 7 rows" in done.stdout
    return out


def every_output_text(folder: Path) -> dict[str, str]:
    """Each output file as text; Parquet also as its decoded values (its pages may be compressed)."""
    import pyarrow.parquet as pq

    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        out[str(path.relative_to(folder))] = path.read_bytes().decode("utf-8", "replace")
        if path.suffix == ".parquet":
            out[f"{path.name} (values)"] = json.dumps(pq.read_table(path).to_pylist(), ensure_ascii=False)
    return out


def test_no_user_or_host_name_survives_in_any_merged_file(merged: Path) -> None:
    files = every_output_text(merged)
    assert {"labels.jsonl", "labels.parquet", "splits.json", "manifest.json", "traces/P001.json",
            "traces/P002.json", "traces/P003.json", "traces/splits.json"} <= set(files)
    for name, text in files.items():
        for real in NAMES:
            assert not re.search(rf"(?<![\w-]){re.escape(real)}(?![\w-])", text, re.IGNORECASE), (real, name)
        assert not re.search(r"(?<![\w-])vm(?![\w-])", text), name
    labels = files["labels.jsonl"]
    # stable pseudonyms: the same prompt, the same home folder, in the labels and in the trace
    user, host = re.search(r"(user\d+)@(host\d+): ~/dashboard", labels).groups()
    assert f"/home/{user}/dashboard/src/app.ts" in labels and f"{user}'s notes" in labels
    assert f"{user}@{host}: ~/dashboard" in files["traces/P001.json"]
    windows = re.search(r"C:\\\\Users\\\\(user\d+)\\\\Documents", files["traces/P003.json"]).group(1)
    assert f"/Users/{windows}/Downloads" in labels and f"ssh {windows}@host" in labels  # one person, one name
    rows = [json.loads(line) for line in labels.splitlines()]
    annotators = {x["annotator"] for r in rows for x in r["meta"]["labels"]}
    assert annotators == {"A1", "A2", "A3", "A4", "A5"}  # carol's me & carol, P-root's me, dk's dmitri.k & me


def test_the_merged_study_keeps_traces_participants_and_checksums(merged: Path, bundles: list[Path],
                                                                  tmp_path: Path) -> None:
    manifest = json.loads((merged / "manifest.json").read_text())
    for name, entry in manifest["outputs"].items():
        data = (merged / name).read_bytes()
        assert entry == {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}, name
    assert [b["sha256"] for b in manifest["bundles"]] == [hashlib.sha256(p.read_bytes()).hexdigest()
                                                          for p in bundles]
    assert [b["participant"] for b in manifest["bundles"]] == ["P001", "P002", "P003"]
    assert manifest["schema_version"] == "2" and manifest["time_format"] == "unix"
    trace = json.loads((merged / "traces" / "P002.json").read_text())
    assert [s["judgement"] for s in trace if s["judgement"]] == [[True], [False]]
    splits = json.loads((merged / "traces" / "splits.json").read_text())
    assert splits["all"]["files"] == ["P001.json", "P002.json", "P003.json"]
    scored = run_cli("eval", "trace", *[str(merged / "traces" / f"P00{i}.json") for i in (1, 2, 3)],
                     "--no-model", home=tmp_path)
    assert scored.returncode == 0, scored.stderr
    assert re.search(r"known at \d+ of 10 steps \(from the users' answers\)", scored.stdout)
    home = tmp_path / "lab"
    imported = run_cli("import", str(merged / "labels.jsonl"), home=home)
    assert imported.returncode == 0 and "Imported 7 decisions" in imported.stdout
    again = [json.loads(line) for line in run_cli("export", home=home).stdout.splitlines()]
    assert sorted({r["meta"]["participant"] for r in again}) == ["P001", "P002", "P003"]
    stats = json.loads(run_cli("label", "stats", "--json", home=home).stdout)
    assert len(stats["annotators"]) == 5


def test_judge_cv_groups_a_merged_study_by_participant(merged: Path, tmp_path: Path) -> None:
    data = os.environ.get("PROACTIVE_DATA", str(Path(__file__).resolve().parents[2] / "shared/data/proactivebench"))
    rows = [json.loads(line) for line in (Path(data) / "reward_train.jsonl").open()][:300]
    study = tmp_path / "study.jsonl"  # real rows given to three participants by session
    sessions = sorted({r["obs"][0]["event"] for r in rows})
    study.write_text("".join(json.dumps({**r, "meta": {"participant": f"P{sessions.index(r['obs'][0]['event']) % 3}"}})
                             + "\n" for r in rows))
    by_default = json.loads(run_cli("judge", "cv", str(study), "--json", home=tmp_path).stdout)
    assert by_default["grouped_by"] == "participant" and by_default["groups"] == 3 and by_default["folds"] == 3
    by_session = json.loads(run_cli("judge", "cv", str(study), "--groups", "session", "--json", home=tmp_path).stdout)
    assert by_session["grouped_by"] == "session" and by_session["groups"] == len(sessions)
    own = run_cli("judge", "cv", str(merged / "labels.jsonl"), "--groups", str(merged / "splits.json"),
                  home=tmp_path)
    assert own.returncode == 0 and "3 folds, 3 groups" in own.stdout, own.stderr  # leave one participant out
    bad = run_cli("judge", "cv", str(study), "--groups", str(merged / "splits.json"), home=tmp_path)
    assert bad.returncode == 2 and "the splits file names no fold for row" in bad.stderr


def test_time_can_be_shifted_per_participant_keeping_weekday_and_time_of_day(bundles: list[Path],
                                                                             tmp_path: Path) -> None:
    out = tmp_path / "shifted"
    done = run_cli("study", "merge", *map(str, bundles), "--out", str(out), "--shift-time", home=tmp_path)
    assert done.returncode == 0, done.stderr
    plain = tmp_path / "plain"
    assert run_cli("study", "merge", *map(str, bundles), "--out", str(plain), home=tmp_path).returncode == 0
    shifted = [json.loads(line) for line in (out / "labels.jsonl").open()]
    real = [json.loads(line) for line in (plain / "labels.jsonl").open()]
    for s, r in zip(shifted, real, strict=True):
        for a, b in zip(s["obs"], r["obs"], strict=True):
            ta, tb = float(a["time"]), float(b["time"])
            weeks = (tb - ta) / (7 * 86400)
            assert weeks > 1000 and abs(weeks - round(weeks)) < 1e-7  # whole weeks
            assert dt.datetime.fromtimestamp(ta, dt.UTC).date() < dt.date(2001, 1, 8)
    ranges = [b["date_range"] for b in json.loads((out / "manifest.json").read_text())["bundles"]]
    assert all(dt.datetime.fromtimestamp(float(t), dt.UTC).year == 2001 for r in ranges for t in r)


def rebundle(src: Path, dst: Path, edit: Callable[[dict[str, bytes]], None], fix_checksums: bool = True) -> Path:
    """A copy of a bundle with its files edited (and, like a careful attacker, its checksums made to match)."""
    with zipfile.ZipFile(src) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    edit(files)
    if fix_checksums and "manifest.json" in files:
        try:
            manifest = json.loads(files["manifest.json"])
            for name in list(manifest.get("files", {})):
                if name in files:
                    manifest["files"][name]["sha256"] = hashlib.sha256(files[name]).hexdigest()
            files["manifest.json"] = json.dumps(manifest).encode()
        except (ValueError, AttributeError, TypeError):
            pass
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    dst.write_bytes(buffer.getvalue())
    return dst


def _manifest(edit: Callable[[dict], None]) -> Callable[[dict[str, bytes]], None]:
    def apply(files: dict[str, bytes]) -> None:
        m = json.loads(files["manifest.json"])
        edit(m)
        files["manifest.json"] = json.dumps(m).encode()
    return apply


def _labels(text: bytes) -> Callable[[dict[str, bytes]], None]:
    def apply(files: dict[str, bytes]) -> None:
        files["labels.jsonl"] = text
    return apply


def hostile(good: Path, folder: Path) -> dict[str, Path]:
    """Twenty-one bundles that must each be refused with one line."""
    folder.mkdir()
    row = json.loads(zipfile.ZipFile(good).read("labels.jsonl").splitlines()[0])
    made: dict[str, Path] = {}

    def add(name: str, edit: Callable[[dict[str, bytes]], None], fix: bool = True) -> None:
        made[name] = rebundle(good, folder / f"{name}.zip", edit, fix)

    (folder / "text.zip").write_text("this is not a zip")
    made["not a zip"] = folder / "text.zip"
    (folder / "empty.zip").write_bytes(b"")
    made["empty"] = folder / "empty.zip"
    (folder / "half.zip").write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    made["truncated"] = folder / "half.zip"
    (folder / "a-folder.zip").mkdir()
    made["a folder"] = folder / "a-folder.zip"
    os.symlink("/dev/zero", folder / "zero.zip")
    made["a special file"] = folder / "zero.zip"
    add("no manifest", lambda f: f.pop("manifest.json"))
    add("manifest not json", lambda f: f.update({"manifest.json": b"{nope"}))
    add("manifest a list", lambda f: f.update({"manifest.json": b"[1, 2]"}))
    add("unknown schema", _manifest(lambda m: m.update(schema_version="99")))
    add("no participant", _manifest(lambda m: m.pop("participant")))
    add("no files table", _manifest(lambda m: m.pop("files")))
    add("path traversal", _manifest(lambda m: m["files"].update({"../../etc/passwd": {"sha256": "0" * 64}})))
    add("listed file missing", lambda f: f.pop("trace.json"), fix=False)
    add("changed after export", lambda f: f.update({"labels.jsonl": f["labels.jsonl"].replace(b"true", b"false")}),
        fix=False)
    add("row not json", _labels(b'{"obs": [\n'))
    add("row without obs", _labels(json.dumps({k: v for k, v in row.items() if k != "obs"}).encode() + b"\n"))
    add("NaN", _labels(json.dumps(row).replace('"valid": true', '"valid": NaN').replace(
        '"valid": false', '"valid": NaN').encode() + b"\n"))
    add("nested too deep", _labels(b"[" * 200_000 + b"]" * 200_000 + b"\n"))
    add("not utf-8", _labels(b'{"obs": "\xff\xfe"}\n'))
    add("zip bomb", _labels(b"a" * (24 << 20)))
    add("line too long", _labels(base64.b64encode(os.urandom(7 << 20)) + b"\n"))
    add("trace not a list", lambda f: f.update({"trace.json": b'{"observation": 1}'}))
    return made


def test_every_malformed_bundle_is_one_clear_line_and_the_good_ones_still_merge(bundles: list[Path],
                                                                                  tmp_path: Path) -> None:
    bad = hostile(bundles[0], tmp_path / "bad")
    twin = rebundle(bundles[1], tmp_path / "twin.zip", lambda f: None)  # the same participant twice
    args = [str(bundles[1]), *map(str, bad.values()), str(twin)]
    refused = run_cli("study", "merge", *args, "--out", str(tmp_path / "never"), home=tmp_path, timeout=300)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == len(bad) + 2, refused.stderr  # one per bad bundle, the twin, and the verdict
    for (name, path), line in zip(bad.items(), lines, strict=False):
        assert line.startswith(f"error: {path}: "), (name, line)
        assert len(line) < 400, (name, line)
    assert f"participant 'P-root-17' is also in {bundles[1]}" in lines[-2]
    assert "schema version '99' is not one this app reads" in refused.stderr
    assert "refused as a zip bomb" in refused.stderr and "not a regular file" in refused.stderr
    assert lines[-1] == f"error: {len(bad) + 1} of {len(args)} bundles cannot be merged; nothing was written " \
                        "(--skip-bad merges the others)"
    assert not (tmp_path / "never").exists()
    kept = run_cli("study", "merge", *args, "--out", str(tmp_path / "kept"), "--skip-bad", home=tmp_path,
                   timeout=300)
    assert kept.returncode == 0 and "Traceback" not in kept.stderr
    assert "Merged 1 participant, 2 rows" in kept.stdout and f"{len(bad) + 1} bad bundles left out" in kept.stdout


def test_secrets_planted_in_a_checksum_valid_bundle_are_redacted_at_merge(bundles: list[Path],
                                                                          tmp_path: Path) -> None:
    key = "AKIA" + "Q3EGRT7KXYZW2ABC"
    password = "Sup3r-Secret-Pw-77"

    def plant(files: dict[str, bytes]) -> None:
        rows = [json.loads(line) for line in files["labels.jsonl"].splitlines()]
        rows[0]["pred_task"] = f"Deploy with AWS key {key}"
        rows[0]["meta"]["labels"][0]["reason"] = f"password={password}"
        files["labels.jsonl"] = "".join(json.dumps(r) + "\n" for r in rows).encode()

    planted = rebundle(bundles[2], tmp_path / "planted.zip", plant)
    out = tmp_path / "merged"
    done = run_cli("study", "merge", str(planted), "--out", str(out), home=tmp_path)
    assert done.returncode == 0, done.stderr
    for name, text in every_output_text(out).items():
        assert key not in text and password not in text, name
    assert json.loads((out / "manifest.json").read_text())["redacted_at_merge"] >= 2
    again = run_cli("study", "merge", str(bundles[0]), "--out", str(out), home=tmp_path)  # an earlier merge: redone
    assert again.returncode == 0 and not (out / "traces" / "P001.json").read_text().count("dmitri")
    assert sorted(p.name for p in (out / "traces").iterdir()) == ["P001.json", "splits.json"]
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("x")
    refused = run_cli("study", "merge", str(bundles[0]), "--out", str(tmp_path / "mine"), home=tmp_path)
    assert refused.returncode == 1 and "holds other files; give a new folder" in refused.stderr
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "x"
