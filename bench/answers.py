"""Are the answers right? A graded set of accepted tasks, answered with facts on and off.

    nice -n 10 .venv/bin/python -m bench.answers [--out bench/results/answers.json] [--model PATH_OR_URL]
                                                 [--only ID_PART] [--modes facts,no-facts] [--threads 2]

The set (bench/answer_set/*.yaml, written for this project) holds tasks of every kind the app proposes, each
with checks a user's need dictates: `must` (every string appears), `any` (one of each group appears),
`must_not` (none appears); case-insensitive, on the whole answer as the user sees it (Fix, the model's words,
the list of unverified commands). `correct_as_flagged` also counts an answer whose only forbidden text is a
command the answer itself flags as not verified.

Each task is answered by the real app path (models.answer.AnswerSession; facts from models.facts.gather on this
machine) with the default embedded SmolLM2-135M unless --model gives a GGUF file or an OpenAI-compatible URL.
Python tasks run against a real virtual environment the bench makes ({venv}); `files` are written into a
project folder the fact finders may read (as with assist.read_files on). Timing: `ttft` is the first visible
text of the answer (with facts: the checked Fix, shown before the model starts); `model_ttft` is the model's
own first token. Writes the JSON to --out and every answer to <out>.answers.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from bench.harness import RESULTS, percentile

SET_DIR = Path(__file__).resolve().parent / "answer_set"
MODES = ("facts", "no-facts")


def load_set(only: str = "") -> list[dict[str, Any]]:
    tasks: list[dict[str, Any]] = []
    for path in sorted(SET_DIR.glob("*.yaml")):
        for task in yaml.safe_load(path.read_text("utf-8")) or []:
            task["source"] = path.name
            tasks.append(task)
    ids = [t["id"] for t in tasks]
    if len(ids) != len(set(ids)):
        raise SystemExit("bench/answer_set: task ids must be unique")
    return [t for t in tasks if only in t["id"]]


def _fill(value: Any, subs: dict[str, str]) -> Any:
    if isinstance(value, str):
        for key, sub in subs.items():
            value = value.replace("{" + key + "}", sub)
        return value
    if isinstance(value, list):
        return [_fill(v, subs) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, subs) for k, v in value.items()}
    return value


def grade(task: dict[str, Any], text: str, flagged: list[str]) -> dict[str, Any]:
    """Which checks pass on `text`; `as_flagged` ignores forbidden text that sits inside a flagged command."""
    low = text.lower()
    missing = [m for m in task.get("must", []) if m.lower() not in low]
    groups = [g for g in task.get("any", []) if not any(s.lower() in low for s in g)]
    forbidden = [m for m in task.get("must_not", []) if m.lower() in low]
    cleaned = low
    for command in flagged:
        cleaned = cleaned.replace(command.lower(), " ")
    forbidden_shown = [m for m in task.get("must_not", []) if m.lower() in cleaned]
    ok = not missing and not groups and not forbidden
    return {"correct": ok, "correct_as_flagged": not missing and not groups and not forbidden_shown,
            "missing": missing, "missing_any": groups, "forbidden": forbidden}


def make_venv(root: Path) -> Path:
    """A real virtual environment with pip and none of the set's packages (the interpreter that 'failed')."""
    venv = root / ".venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300)
    return venv


def answer_one(backend: Any, task: dict[str, Any], mode: str, cfg: Any, workdir: Path) -> dict[str, Any]:
    from models.answer import AnswerContext, AnswerSession
    from models.facts import Evidence, Tools, gather

    project: Path | None = None
    if task.get("files"):
        project = workdir / task["id"]
        project.mkdir(parents=True, exist_ok=True)
        for name, text in task["files"].items():
            (project / name).write_text(text, "utf-8")
    from models.titles import error_line

    error = error_line(task["error"], None) if task.get("error") else ""  # as the live app reads it from a title
    ctx = AnswerContext(task["task"], tuple(task.get("history", [])), error_line=error,
                        file_name=task.get("file_name", ""), file_text=task.get("file_text"),
                        clipboard_text=task.get("clipboard"), kind=task["kind"])
    ev = Evidence(task=ctx.task, kind=ctx.kind, error=ctx.error_line, query=task.get("query", ""),
                  texts=ctx.observations, file_name=ctx.file_name, file_text=ctx.file_text,
                  clipboard=ctx.clipboard_text, project_dir=project)
    tools = Tools() if mode == "facts" else None
    session = AnswerSession(backend, ctx, max_tokens=cfg["assist.max_tokens"],
                            context_tokens=cfg["model.context_tokens"],
                            facts=(lambda: gather(ev, tools)) if tools is not None else None, tools=tools)
    stream = session.start()
    for _ in stream:
        pass
    answer = stream.answer(timeout=None)
    flagged = [u["command"] for u in answer.unverified]
    graded = grade(task, answer.text, flagged)
    return {"id": task["id"], "kind": task["kind"], "group": task.get("group", ""), "mode": mode,
            "text": answer.text, "fix": answer.fix, "unverified": answer.unverified,
            "ttft_s": answer.first_token_s, "model_ttft_s": answer.model_first_token_s, "facts_s": answer.facts_s,
            # the first words that help: the checked Fix when there is one, else the model's first token
            "useful_s": answer.first_token_s if answer.fix else answer.model_first_token_s,
            "total_s": answer.total_s, "tokens": answer.completion_tokens, "finish": answer.finish_reason,
            **graded}


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    by_kind: dict[str, list[bool]] = defaultdict(list)
    by_group: dict[str, list[bool]] = defaultdict(list)
    for r in rows:
        by_kind[r["kind"]].append(r["correct"])
        by_group[r["group"]].append(r["correct"])

    def ratio(values: list[bool]) -> dict[str, Any]:
        return {"correct": sum(values), "total": len(values), "rate": round(sum(values) / len(values), 3)}

    def ms(key: str) -> float | None:
        values = [r[key] for r in rows if r[key] is not None]
        return round(percentile(values, 50) * 1000, 1) if values else None

    return {"correct": sum(r["correct"] for r in rows), "total": len(rows),
            "rate": round(sum(r["correct"] for r in rows) / max(1, len(rows)), 3),
            "correct_as_flagged": sum(r["correct_as_flagged"] for r in rows),
            "by_kind": {k: ratio(v) for k, v in sorted(by_kind.items())},
            "by_group": {k: ratio(v) for k, v in sorted(by_group.items())},
            "ttft_ms_p50": ms("ttft_s"), "model_ttft_ms_p50": ms("model_ttft_s"), "facts_ms_p50": ms("facts_s"),
            "useful_ms_p50": ms("useful_s"),
            "total_ms_p50": ms("total_s"),
            "answers_with_unverified_commands": sum(bool(r["unverified"]) for r in rows)}


def backend_for(model: str | None, cfg: Any) -> tuple[Any, str]:
    from models.backends import LlamaCppBackend, OpenAICompatibleBackend
    from models.default_model import backend_from_config

    if not model:
        return backend_from_config(cfg), "SmolLM2-135M-Instruct Q4_1 (embedded)"
    if model.startswith(("http://", "https://")):
        return OpenAICompatibleBackend(model, "", None, 120.0), model
    return LlamaCppBackend(Path(model).expanduser(), n_ctx=cfg["model.context_tokens"],
                           n_threads=cfg["model.threads"]), model


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=RESULTS / "answers.json")
    ap.add_argument("--model", help="a GGUF file or an OpenAI-compatible server URL (default: the embedded model)")
    ap.add_argument("--only", default="", help="only tasks whose id contains this")
    ap.add_argument("--modes", default=",".join(MODES), help="facts, no-facts or both (comma-separated)")
    ap.add_argument("--threads", type=int, default=2, help="CPU cores the process may use")
    args = ap.parse_args()
    try:
        os.nice(10)  # CPU-heavy: yield to the user's own work
    except OSError:
        pass
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[: args.threads])
    from assistant.core.config import default_config

    cfg = default_config().with_overrides({"model.threads": args.threads})
    tasks = load_set(args.only)
    modes = [m for m in args.modes.split(",") if m in MODES]
    backend, name = backend_for(args.model, cfg)
    rows: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="answers-bench-") as tmp:
        workdir = Path(tmp)
        venv = make_venv(workdir / "proj")
        subs = {"venv": str(venv), "project": str(venv.parent)}
        try:
            for mode in modes:
                for task in tasks:
                    row = answer_one(backend, _fill(task, subs), mode, cfg, workdir)
                    row["text"] = row["text"].replace(str(venv.parent), "{project}")
                    row["fix"] = row["fix"].replace(str(venv.parent), "{project}")
                    rows.append(row)
                    print(f"{mode:8} {'ok ' if row['correct'] else 'BAD'} {task['id']:30} "
                          f"ttft {row['ttft_s'] or 0:5.2f}s model {row['model_ttft_s'] or 0:5.2f}s "
                          f"done {row['total_s']:5.1f}s {row['tokens']:3d} tok "
                          f"{row['missing'] or ''}{row['missing_any'] or ''}{row['forbidden'] or ''}", flush=True)
        finally:
            close = getattr(backend, "close", None)
            if close is not None:
                close()
    result: dict[str, Any] = {"model": name, "cores": args.threads, "tasks": len(tasks),
                              "wall_s": round(time.perf_counter() - t0, 1),
                              "modes": {m: summarise([r for r in rows if r["mode"] == m]) for m in modes}}
    head = result["modes"].get("facts") or result["modes"][modes[0]]
    result.update({k: head[k] for k in ("correct", "total", "by_kind", "ttft_ms_p50", "model_ttft_ms_p50")})
    if "facts" in result["modes"] and "no-facts" in result["modes"]:
        result["facts_margin_points"] = round(100 * (result["modes"]["facts"]["rate"]
                                                     - result["modes"]["no-facts"]["rate"]), 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    with open(args.out.with_suffix(".answers.jsonl"), "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print_table(result)


def print_table(result: dict[str, Any]) -> None:
    print(f"\nmodel: {result['model']}, {result['cores']} cores, {result['tasks']} tasks, {result['wall_s']} s")
    modes = list(result["modes"])
    print(f"{'':24}" + "".join(f"{m:>16}" for m in modes))
    first = result["modes"][modes[0]]
    rows = [("overall", lambda s: f"{s['correct']}/{s['total']} ({100 * s['rate']:.0f}%)")]
    rows += [(f"  {g}", lambda s, g=g: _cell(s["by_group"].get(g))) for g in first["by_group"]]
    rows += [(f"  kind {k}", lambda s, k=k: _cell(s["by_kind"].get(k))) for k in first["by_kind"]]
    rows += [("first visible p50 ms", lambda s: str(s["ttft_ms_p50"])),
             ("model 1st token p50 ms", lambda s: str(s["model_ttft_ms_p50"])),
             ("first useful p50 ms", lambda s: str(s.get("useful_ms_p50"))),
             ("answer done p50 ms", lambda s: str(s["total_ms_p50"])),
             ("with unverified cmds", lambda s: str(s["answers_with_unverified_commands"]))]
    for label, cell in rows:
        print(f"{label:24}" + "".join(f"{cell(result['modes'][m]):>16}" for m in modes))


def _cell(s: dict[str, Any] | None) -> str:
    return f"{s['correct']}/{s['total']}" if s else "-"


if __name__ == "__main__":
    main()
