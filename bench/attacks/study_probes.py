"""`proactive study merge` under attack: a small bundle that expands to hundreds of MB, checksum-valid bundles
carrying planted secrets, an unknown schema version, and 20 malformed bundles. (The merge itself is the research
helper's work on assistant/research/study.py: these cases measure it once both branches are merged.)"""

from __future__ import annotations

import hashlib
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROW = {"obs": [{"time": "2026-01-01T10:00:00Z", "event": "The user opens 'a.py' in Visual Studio Code."}],
       "pred_task": "Review 'a.py'.", "valid": True, "help_needed": True, "annotation": [True], "category": "CD",
       "meta": {"proposal_id": 1}}


def _bundle(path: Path, labels: bytes, schema: str = "1", participant: str = "p1", **manifest_extra) -> Path:
    files = {"labels.jsonl": labels, "trace.json": b"[]\n", "consent.json": b"[]\n"}
    manifest = {"schema_version": schema, "participant": participant, "rows": labels.count(b"\n"),
                "files": {n: {"sha256": hashlib.sha256(d).hexdigest(), "bytes": len(d)} for n, d in files.items()},
                **manifest_extra}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        zf.writestr("manifest.json", json.dumps(manifest))
    return path


def _merge(*bundles: Path, limit_gb: int = 4) -> tuple[subprocess.CompletedProcess | None, float, Path]:
    out = Path(tempfile.mkdtemp()) / "merged"

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit_gb << 30, limit_gb << 30))

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    try:
        proc = subprocess.run([sys.executable, "-m", "assistant", "study", "merge", *map(str, bundles), "--out",
                               str(out)], capture_output=True, text=True, timeout=240, preexec_fn=limit,
                              env={**os.environ, "PROACTIVE_HOME": tempfile.mkdtemp()})
    except subprocess.TimeoutExpired:
        proc = None
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return proc, peak, out


def _said(proc: subprocess.CompletedProcess | None) -> str:
    if proc is None:
        return "froze"
    text = proc.stdout + proc.stderr
    if "Traceback" in text or "MemoryError" in text:
        return "traceback (" + (text.strip().splitlines() or ["?"])[-1][:50] + ")"
    return (text.strip().splitlines() or ["(nothing)"])[-1][:80]


def probe_study_expansion():
    """labels.jsonl of 300 MB (one huge row) deflated into a bundle of a few hundred KB."""
    tmp = Path(tempfile.mkdtemp())
    digest, size = hashlib.sha256(), 0
    path = tmp / "bomb.zip"
    head = json.dumps({**ROW, "pred_task": ""})[:-1].encode() + b', "pad": "'
    chunk = b"A" * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("labels.jsonl", "w", force_zip64=True) as fh:
            for part in [head] + [chunk] * 300 + [b'"}\n']:
                fh.write(part)
                digest.update(part)
                size += len(part)
        for name in ("trace.json", "consent.json"):
            zf.writestr(name, b"[]\n")
        empty = hashlib.sha256(b"[]\n").hexdigest()
        zf.writestr("manifest.json", json.dumps({"schema_version": "1", "participant": "p", "rows": 1, "files": {
            "labels.jsonl": {"sha256": digest.hexdigest(), "bytes": size},
            "trace.json": {"sha256": empty, "bytes": 3}, "consent.json": {"sha256": empty, "bytes": 3}}}))
    proc, peak, _ = _merge(path)
    return f"{path.stat().st_size // 1024} KB bundle (300 MB inside): peak {peak:,.0f} MB; {_said(proc)}"


def probe_study_secrets():
    token = "ghp_" + "Q7w" * 12
    row = {**ROW, "pred_task": f"Rotate {token}", "obs": [{"time": "2026-01-01T10:00:00Z",
                                                          "event": "export DB_PASSWORD=Tundra93#Falcon"}]}
    tmp = Path(tempfile.mkdtemp())
    proc, _, out = _merge(_bundle(tmp / "b.zip", (json.dumps(row) + "\n").encode()))
    merged = "".join(p.read_text(errors="replace") for p in out.glob("*.json*")) if out.exists() else ""
    planted = [s for s in (token, "Tundra93#Falcon") if s in merged]
    return f"{len(planted)} of 2 planted secrets in the merged data; {_said(proc)}"


def probe_study_schema():
    tmp = Path(tempfile.mkdtemp())
    proc, _, out = _merge(_bundle(tmp / "b.zip", (json.dumps(ROW) + "\n").encode(), schema="99"))
    manifest = json.loads((out / "manifest.json").read_text()) if (out / "manifest.json").exists() else {}
    kept = f"merged as schema {manifest.get('schema_version')}" if manifest else "not merged"
    return f"schema 99: {kept}; {_said(proc)}"


def probe_study_malformed():
    tmp = Path(tempfile.mkdtemp())
    good = (json.dumps(ROW) + "\n").encode()
    cases: dict[str, Path] = {}

    def raw(name: str, data: bytes) -> None:
        (tmp / name).write_bytes(data)
        cases[name] = tmp / name

    def zipped(name: str, members: dict[str, bytes]) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            for member, data in members.items():
                zf.writestr(member, data)
        raw(name, buffer.getvalue())

    raw("empty.zip", b"")
    raw("text.zip", b"not a zip at all")
    raw("truncated.zip", _bundle(tmp / "t.zip", good).read_bytes()[:200])
    zipped("no-manifest.zip", {"labels.jsonl": good})
    zipped("manifest-not-json.zip", {"manifest.json": b"{", "labels.jsonl": good})
    zipped("manifest-list.zip", {"manifest.json": b"[]"})
    zipped("files-not-dict.zip", {"manifest.json": json.dumps({"schema_version": "1", "files": 5}).encode()})
    zipped("file-missing.zip", {"manifest.json": json.dumps({"schema_version": "1", "files": {
        "labels.jsonl": {"sha256": "0" * 64}}}).encode()})
    zipped("meta-not-dict.zip", {"manifest.json": json.dumps({"schema_version": "1", "files": {
        "labels.jsonl": 7}}).encode(), "labels.jsonl": good})
    cases["labels-not-json.zip"] = _bundle(tmp / "labels-not-json.zip", b"{nope\n")
    cases["row-not-object.zip"] = _bundle(tmp / "row-not-object.zip", b"[1, 2]\n")
    cases["row-no-meta.zip"] = _bundle(tmp / "row-no-meta.zip", b'{"obs": []}\n')
    cases["meta-not-object.zip"] = _bundle(tmp / "meta-not-object.zip", json.dumps({**ROW, "meta": 3}).encode()
                                           + b"\n")
    cases["labels-binary.zip"] = _bundle(tmp / "labels-binary.zip", b"\xff\xfe\x00garbage\n")
    cases["no-schema.zip"] = _bundle(tmp / "no-schema.zip", good, schema=None)  # type: ignore[arg-type]
    cases["participant-object.zip"] = _bundle(tmp / "participant-object.zip", good, participant={"a": 1})  # type: ignore[arg-type]
    cases["category-missing.zip"] = _bundle(tmp / "category-missing.zip",
                                            json.dumps({k: v for k, v in ROW.items() if k != "category"}).encode()
                                            + b"\n")
    zipped("traversal.zip", {"manifest.json": json.dumps({"schema_version": "1", "files": {
        "../../etc/passwd": {"sha256": "0" * 64}}}).encode()})
    zipped("deep-json.zip", {"manifest.json": b"[" * 100000 + b"]" * 100000})
    cases["directory.zip"] = tmp / "adir"
    (tmp / "adir").mkdir()
    one_line = tracebacks = 0
    for path in cases.values():
        proc, _, _ = _merge(path)
        if proc is None or "Traceback" in proc.stdout + proc.stderr:
            tracebacks += 1
        elif proc.returncode != 0 and len([x for x in proc.stderr.splitlines() if x.strip()]) == 1:
            one_line += 1
    return f"{one_line} of {len(cases)} malformed bundles refused in one clear line, {tracebacks} tracebacks"
