"""Everyday desktop scenarios through the decision chain the live app builds, on a virtual clock.

    .venv/bin/python -m bench.scenarios [--model]

Each scenario is a script of what a person does (windows, typing, saving, going away), turned into the events
the collectors emit and replayed through `build_chain` exactly as `proactive replay` does (a tick every 5 s,
and one on every event). The expected outcome of each is written down: speak within 60 s of the evidence (and
about the right thing) when the person is stuck, stay silent in flow, idle, a lecture video or fast
alt-tabbing. Prints, per scenario, what was surfaced and when, and writes bench/results/scenarios.json.
The invented titles below are not from any data set.
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.core.config import default_config
from assistant.core.events import Event
from assistant.decide.build import build_chain, load_backend
from assistant.evaluation.replay import TICK
from bench.harness import report

T0 = 1_780_000_000.0
SPEAK_WITHIN_S = 60.0


@dataclass
class Script:
    """A person's actions, as collector events on a timeline (seconds from the start)."""

    events: list[Event] = field(default_factory=list)
    now: float = 0.0
    app: str = ""
    title: str = ""
    url: str = ""

    def focus(self, app: str, title: str, url: str = "") -> Script:
        self.app, self.title, self.url = app, title, url
        data = {"url": url, "browser": True} if url else {}
        self.events.append(Event("window", "focus", start=T0 + self.now, app=app, title=title, data=data))
        return self

    def wait(self, seconds: float) -> Script:
        self.now += seconds
        return self

    def type(self, seconds: float, keys_per_5s: int = 25, save_every: float = 0.0) -> Script:
        end, last_save = self.now + seconds, self.now
        while self.now < end:
            data: dict = {"keys": keys_per_5s}
            if save_every and self.now - last_save >= save_every:
                data["shortcuts"] = ["ctrl+s"]
                last_save = self.now
            self.events.append(Event("input", "counts", start=T0 + self.now, duration=5.0, app=self.app,
                                     title=self.title, data=data))
            self.now += 5.0
        return self

    def away(self, seconds: float) -> Script:
        self.events.append(Event("afk", "afk", start=T0 + self.now, duration=seconds))
        self.now += seconds
        self.events.append(Event("afk", "not-afk", start=T0 + self.now))
        return self


@dataclass(frozen=True)
class Scenario:
    name: str
    script: Callable[[], Script]
    speak: bool  # the expected outcome: speak (within 60 s of the evidence) or stay silent
    evidence_at: float = 0.0  # seconds from the start when the need becomes visible
    about: str = ""  # a regex the first card's task must match when it speaks
    not_about: str = ""  # ... and must not match


def stuck_on_an_import_error() -> Script:
    s = Script().focus("code", "train.py - vision - Visual Studio Code").type(60)
    s.focus("xterm", "python train.py: ModuleNotFoundError: No module named 'torch'").wait(20)
    s.focus("code", "train.py - vision - Visual Studio Code").type(20)
    s.focus("xterm", "python train.py: ModuleNotFoundError: No module named 'torch'").wait(20)  # the rerun
    s.focus("firefox", "Install PyTorch locally - Start Locally | PyTorch", "https://pytorch.org/get-started/")
    return s.wait(120)


def steady_writing() -> Script:
    s = Script().focus("gedit", "chapter3.md (~/thesis) - gedit").type(1200, save_every=120)
    return s


def research_across_pages() -> Script:
    s = Script().focus("firefox", "history of the printing press - Google Search", "https://www.google.com/search")
    s.wait(20)
    for title, url in [("Printing press - Wikipedia", "https://en.wikipedia.org/wiki/Printing_press"),
                       ("How Gutenberg changed the world - History Today", "https://www.historytoday.com/a"),
                       ("The printing revolution in Europe - Britannica", "https://www.britannica.com/b")]:
        s.focus("firefox", title, url).wait(150)
        s.focus("firefox", "history of the printing press - Google Search", "https://www.google.com/search")
        s.wait(10)
    return s.wait(60)


def idle() -> Script:
    return Script().focus("evince", "budget-2026.pdf - Document Viewer").wait(30).away(1200)


def failing_test_rerun() -> Script:
    s = Script().focus("code", "test_invoice.py - billing - Visual Studio Code").type(40)
    s.focus("xterm", "pytest: FAILED tests/test_invoice.py::test_total - AssertionError").wait(15)
    s.focus("code", "invoice.py - billing - Visual Studio Code").type(30)
    s.focus("xterm", "pytest: FAILED tests/test_invoice.py::test_total - AssertionError").wait(90)
    return s


def reading_then_replying() -> Script:
    s = Script().focus("thunderbird", "Quarterly numbers for the board - Inbox - Mozilla Thunderbird").wait(120)
    s.focus("thunderbird", "Re: Quarterly numbers for the board - Write").type(10, keys_per_5s=8)
    return s.wait(90)


def lecture_video() -> Script:
    s = Script().focus("firefox", "Lecture 5: Eigenvalues and eigenvectors - YouTube — Mozilla Firefox",
                       "https://www.youtube.com/watch?v=abc")
    return s.wait(2400)


def fast_alt_tabbing() -> Script:
    s = Script()
    windows = [("code", "app.py - Visual Studio Code"), ("firefox", "Inbox - Mail"), ("slack", "general - Slack"),
               ("xterm", "htop"), ("nautilus", "Downloads")]
    for i in range(30):
        s.focus(*windows[i % len(windows)]).wait(2)
    return s.wait(60)


SCENARIOS = [
    Scenario("stuck on an import error", stuck_on_an_import_error, True, evidence_at=100,
             about=r"(?i)torch|ModuleNotFound|No module|install", not_about=r"(?i)^Summari[sz]e"),
    Scenario("steady writing", steady_writing, False),
    Scenario("research across pages", research_across_pages, True, evidence_at=20 + 160 * 2,
             about=r"(?i)printing|Gutenberg|pages|sources"),
    Scenario("idle", idle, False),
    Scenario("a failing test rerun", failing_test_rerun, True, evidence_at=85,
             about=r"(?i)test|invoice|AssertionError|fail"),
    Scenario("reading an e-mail then replying", reading_then_replying, True, evidence_at=120,
             about=r"(?i)reply|Quarterly|draft"),
    Scenario("a lecture video", lecture_video, False),
    Scenario("fast alt-tabbing", fast_alt_tabbing, False),
]


@dataclass
class Outcome:
    name: str
    expected: str
    surfaced: list[tuple[float, str, str]]  # (seconds from the start, trigger, task)
    ok: bool
    why: str


def run(scenario: Scenario, with_model: bool = False) -> Outcome:
    cfg = default_config()
    chain = build_chain(cfg, backend=load_backend(cfg) if with_model else None, wait_for_model=True)
    events = scenario.script().events
    clock, surfaced = T0, []
    end = max(e.end for e in events) + 60

    def tick(at: float) -> None:
        _, proposal = chain.tick(at)
        if proposal is not None and proposal.task:
            surfaced.append((round(at - T0, 1), proposal.trigger, proposal.task))

    for i, event in enumerate(sorted(events, key=lambda e: e.start)):
        while clock + TICK < event.start:
            clock += TICK
            tick(clock)
        clock = max(clock, event.start)
        chain.feed(i + 1, event)
        tick(clock)
    while clock + TICK <= end:
        clock += TICK
        tick(clock)
    return judge_outcome(scenario, surfaced)


def judge_outcome(scenario: Scenario, surfaced: list[tuple[float, str, str]]) -> Outcome:
    if not scenario.speak:
        ok = not surfaced
        return Outcome(scenario.name, "silent", surfaced, ok, "silent" if ok else f"spoke: {surfaced[0][2]!r}")
    expected = f"a card within {SPEAK_WITHIN_S:g} s of t={scenario.evidence_at:g} s"
    in_time = [s for s in surfaced if s[0] <= scenario.evidence_at + SPEAK_WITHIN_S]
    if not in_time:
        return Outcome(scenario.name, expected, surfaced, False, "no card in time")
    early = [s for s in in_time if s[0] < scenario.evidence_at - 1]
    task = in_time[0][2]
    if early:
        return Outcome(scenario.name, expected, surfaced, False, f"spoke before the evidence: {early[0][2]!r}")
    if scenario.about and not re.search(scenario.about, task):
        return Outcome(scenario.name, expected, surfaced, False, f"off topic: {task!r}")
    if scenario.not_about and re.search(scenario.not_about, task):
        return Outcome(scenario.name, expected, surfaced, False, f"about the wrong thing: {task!r}")
    return Outcome(scenario.name, expected, surfaced, True, f"spoke at {in_time[0][0]:g} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", action="store_true", help="let the configured model word its own candidate too")
    args = ap.parse_args()
    started = time.perf_counter()
    rows, outcomes = [], []
    for scenario in SCENARIOS:
        out = run(scenario, args.model)
        outcomes.append(out)
        print(f"\n== {out.name}: expected {out.expected}; {'OK' if out.ok else 'MISSED'} ({out.why})")
        for at, trigger, task in out.surfaced:
            print(f"   t={at:>6.1f} s  [{trigger}] {task}")
        if not out.surfaced:
            print("   (no card)")
        rows.append((out.name, 1.0 if out.ok else 0.0, "ok", out.why[:60]))
    report("scenarios", rows, {"outcomes": [o.__dict__ for o in outcomes], "model": args.model,
                               "wall_s": time.perf_counter() - started})


if __name__ == "__main__":
    main()
