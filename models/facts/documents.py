"""Facts for tasks that are not an install: a failing test, a file to review, an e-mail to answer, a page to
sum up, a search. Each is read from the text the user opted in to share (or the error line), never invented:
the test to rerun and its assertion, the compiler's and pyflakes' findings, the questions and dates an e-mail
contains, the sentences of a page that carry its numbers and names, the help lines of a program a search names.
"""

from __future__ import annotations

import ast
import io
import json
import re
import tomllib
from collections import Counter

from models.facts.evidence import Evidence
from models.facts.reply import outline, parse_message
from models.facts.sheet import FactSheet
from models.facts.tools import Tools
from models.situation import read_situation

_PYTEST = re.compile(r"(?:FAILED\s+)?(?P<file>[\w./-]+\.py)::(?P<name>[\w\[\]:.-]+)(?:\s+FAILED)?(?:\s*-\s*(?P<msg>.+))?")
_GO_TEST = re.compile(r"--- FAIL: (?P<name>Test\w+)")
_JEST = re.compile(r"FAIL\s+(?P<file>[\w./-]+\.(?:test|spec)\.[jt]sx?)")
_CARGO = re.compile(r"test (?P<name>[\w:]+) \.\.\. FAILED")
_ASSERT = re.compile(r"assert\s+(?P<left>.+?)\s*(?P<op>==|!=|<=|>=|<|>| in | is )\s*(?P<right>.+)$")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_DATE = re.compile(r"(?i)\b(?:mon|tue|wednes|thurs|fri|satur|sun)day\b|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|"
                   r"may|jun|jul|aug|sep|oct|nov|dec)\w*|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\s+"
                   r"\d{1,2}\b|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[:.]\d{2}\s*(?:am|pm)?\b|\b\d{1,2}\s*(?:am|pm)\b|"
                   r"\b(?:tomorrow|today|tonight|next week|end of (?:the )?(?:day|week|month))\b")
_FROM = re.compile(r"(?im)^from:\s*(.+)$")


def failing_test_facts(sheet: FactSheet, error: str, ev: Evidence, tools: Tools) -> None:
    m = _PYTEST.search(error)
    if m:
        test_id = f"{m.group('file')}::{m.group('name')}"
        sheet.subject = test_id
        sheet.add(f"The failing test is `{test_id}`.", "the error text")
        runner = "pytest" if tools.which("pytest") else "python3 -m pytest"
        sheet.step("Rerun only this test, stopping at the first failure, with the full assertion:",
                   f"{runner} {test_id} -x -vv", "pytest takes a file::test id.")
        _assertion(sheet, m.group("msg") or error)
        _test_source(sheet, m.group("file"), m.group("name").split("[")[0].split("::")[-1], ev)
        return
    for rx, build in ((_GO_TEST, lambda g: f"go test -run '^{g['name']}$' ./..."),
                      (_JEST, lambda g: f"npx jest {g['file']}"),
                      (_CARGO, lambda g: f"cargo test {g['name']}")):
        m = rx.search(error)
        if m:
            sheet.subject = m.group(1)
            sheet.add(f"The failing test is `{m.group(1)}`.", "the error text")
            sheet.step("Rerun only this test:", build(m.groupdict()), "")
            _assertion(sheet, error)
            return


def _assertion(sheet: FactSheet, text: str) -> None:
    m = _ASSERT.search(text)
    if m:
        sheet.add(f"The assertion compares `{m.group('left')}` with `{m.group('right').strip()}` "
                  f"(`{m.group('op').strip()}`); the left side is usually what the code returned.", "the error text")
        return
    raised = re.search(r"\b[A-Z]\w*(?:Error|Exception)\b.*", text)
    if raised and not raised.group(0).startswith("AssertionError"):
        sheet.add(f"The test did not fail an assertion: the code under test raised `{raised.group(0)[:120]}`.",
                  "the error text")


def _test_source(sheet: FactSheet, file: str, name: str, ev: Evidence) -> None:
    text = ev.file_text if ev.file_name and file.endswith(ev.file_name) else None
    if text is None and ev.project_dir is not None:
        path = ev.project_dir / file
        text = path.read_text("utf-8", "replace") if path.is_file() else None
    if not text:
        return
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            lines = text.splitlines()[node.lineno - 1:(node.end_lineno or node.lineno)]
            sheet.add(f"The test (lines {node.lineno}-{node.end_lineno}):\n```python\n" + "\n".join(lines[:25])
                      + "\n```", file)
            return


def review_facts(sheet: FactSheet, ev: Evidence, tools: Tools) -> None:
    """Findings of the language's own checker on the shared file text (Python: compiler + pyflakes)."""
    text, name = ev.file_text, ev.file_name or "the file"
    if not text:
        if ev.file_name:
            sheet.cannot_verify(f"The text of {name} (file access is off): turn on assist.read_files to have it "
                                "checked.")
        return
    sheet.subject = name
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    findings: list[str] = []
    if ext in ("py", "pyw") or (not ext and text.startswith("#!") and "python" in text.splitlines()[0]):
        findings = _python_findings(text, name)
        source = "Python's compiler and pyflakes"
    elif ext == "json":
        source = "json"
        try:
            json.loads(text)
        except ValueError as exc:
            findings = [f"{name}: {exc}"]
    elif ext == "toml":
        source = "tomllib"
        try:
            tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            findings = [f"{name}: {exc}"]
    else:
        return
    if findings:
        for f in findings[:8]:
            sheet.add(f, source)
        sheet.step(f"Fix what {source} reports first (line numbers above).", "", "")
    else:
        sheet.add(f"{source} report no error in {name}.", source)


def _python_findings(text: str, name: str) -> list[str]:
    try:
        compile(text, name, "exec", dont_inherit=True)
    except SyntaxError as exc:
        return [f"Line {exc.lineno}: SyntaxError: {exc.msg}."]
    try:
        from pyflakes.api import check
        from pyflakes.reporter import Reporter
    except ImportError:
        return []
    out, err = io.StringIO(), io.StringIO()
    check(text, name, Reporter(out, err))
    found = []
    for line in out.getvalue().splitlines():
        m = re.match(r".*?:(\d+):(?:\d+:)?\s*(.+)", line)
        if m:
            found.append(f"Line {m.group(1)}: {m.group(2)}.")
    return found


def email_facts(sheet: FactSheet, ev: Evidence) -> None:
    """Sender, subject, each question, request and date of the shared message (e-mail or chat), who the reply
    greets (the sender, never the person the message greeted: that is the user) and an outline of the reply."""
    text = ev.clipboard or ev.file_text
    if not text:
        writing = read_situation(list(ev.texts)).messaging
        if writing is not None and writing[3]:  # a message of the user's own: there is nothing to answer
            sheet.cannot_verify("What you have written so far: this assistant sees only the window's title (copy "
                                "your text, with assist.use_clipboard on, to have it finished).")
        else:
            sheet.cannot_verify("The text of the message (share it through the clipboard or file access to have "
                                "it read).")
        return
    msg = parse_message(text)
    sender = _FROM.search(text)
    if sender:
        sheet.add(f"From: {sender.group(1).strip()}", "the message")
    if msg.subject:
        sheet.add(f"Subject: {msg.subject}", "the message")
    if msg.sender:
        greeted = f"; it greets {msg.user}, that is you" if msg.user else ""
        sheet.add(f"The reply goes to {msg.sender} (the sender){greeted}.", "the message")
    questions = msg.questions
    for q in questions[:4]:
        sheet.add(f"It asks: \"{q}\"", "the message")
    dates = list(dict.fromkeys(m.group(0).strip() for m in _DATE.finditer(" ".join(msg.sentences))))
    if dates:
        sheet.add("Dates and times it names: " + ", ".join(dates[:6]) + ".", "the message")
    requests = msg.requests
    for r in requests[:2]:
        sheet.add(f"It requests: \"{r}\"", "the message")
    sheet.subject = msg.subject or "the message"
    sheet.reply_to = msg
    sheet.outline = outline(msg)
    if questions or requests:
        n_q, n_r = len(questions[:4]), len(requests[:2])
        both = " and " if n_q and n_r else ""
        sheet.step(f"Answer {_count(n_q, 'question')}{both}{_count(n_r, 'request')} listed below; the reply outline "
                   f"has a place for {'each' if n_q + n_r > 1 else 'it'}.", "", "")


def _count(n: int, noun: str) -> str:
    """'the 2 questions', 'the question', '' for none."""
    return "" if n == 0 else f"the {noun}" if n == 1 else f"the {n} {noun}s"


def page_facts(sheet: FactSheet, ev: Evidence) -> None:
    text = ev.file_text or ev.clipboard
    if not text:
        return
    sentences = [s.strip() for s in _SENTENCE.split(" ".join(text.split())) if 20 <= len(s.strip()) <= 400]
    if not sentences:
        return
    words = Counter(w for s in sentences for w in re.findall(r"[a-z]{4,}", s.lower()))
    scored = []
    for i, s in enumerate(sentences):
        terms = re.findall(r"[a-z]{4,}", s.lower())
        score = sum(words[w] for w in set(terms)) / (len(set(terms)) + 5)
        score += 2.0 * bool(re.search(r"\d", s)) + 1.5 * (i == 0)
        scored.append((score, i, s))
    best = sorted(sorted(scored, reverse=True)[:4], key=lambda t: t[1])
    for _, _, s in best:
        sheet.add(f"\"{s}\"", "the page")
    sheet.subject = "the page"


def search_facts(sheet: FactSheet, query: str, ev: Evidence, tools: Tools) -> None:
    """The help lines of a program the query names (`tar`, `git rebase`, `ffmpeg`) that mention its words."""
    words = re.findall(r"[\w+-]+", query.lower())  # "tar.gz" names tar
    programs = [w for w in words if len(w) >= 2 and tools.which(w) and w not in _COMMON_WORDS]
    if not programs:
        return
    program = programs[0]
    following = words[words.index(program) + 1:] if program in words else []
    sub = following[0] if following and re.fullmatch(r"[a-z][\w-]+", following[0]) else None
    from models.facts.tools import SUBCOMMAND_PROGRAMS

    help_text = tools.help_text(program, sub if program in SUBCOMMAND_PROGRAMS else None)
    terms = {w for w in words if len(w) >= 4 and w not in (program, sub) and w not in _COMMON_WORDS}
    hits = [line.strip() for line in help_text.splitlines()
            if line.strip().startswith("-") and any(t in line.lower() for t in terms)]
    if hits:
        sheet.subject = program
        sheet.add(f"From `{program}{' ' + sub if sub and program in SUBCOMMAND_PROGRAMS else ''} --help`:\n```\n"
                  + "\n".join(h[:150] for h in hits[:6]) + "\n```", f"{program} --help")


_COMMON_WORDS = frozenset({"how", "to", "the", "and", "for", "with", "from", "into", "what", "which", "when", "make",
                           "file", "files", "list", "find", "test", "time", "sort", "join", "split", "install",
                           "link", "more", "less", "top", "watch", "read", "write", "line", "true",
                           "false", "yes", "python", "python3"})


def code_lines_facts(sheet: FactSheet, error: str, ev: Evidence) -> None:
    """The lines of the shared file that hold what a runtime error names (KeyError: 'total' -> the lines with
    'total'; NameError: name 'totl' is not defined -> the lines with totl)."""
    if not ev.file_text:
        return
    names = [n for n in re.findall(r"""['"]([\w.-]{2,60})['"]""", error) if not n.endswith(".py")]
    lines = ev.file_text.splitlines()
    for name in names[:2]:
        found = [(i, line.strip()) for i, line in enumerate(lines, 1)
                 if re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", line)][:3]
        for number, line in found:
            sheet.add(f"{ev.file_name or 'The file'} line {number}: `{line[:160]}`", "the file")
        if found:
            sheet.subject = sheet.subject or name
