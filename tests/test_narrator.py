"""Narrator on hand-recorded event sequences (as the collectors emit them)."""

from __future__ import annotations

from assistant.core.events import Event
from assistant.decide.candidates import generate_candidates
from assistant.decide.narrator import narrate, sentences

VSCODE = "main.py - project - Visual Studio Code"


def pairs(*events: Event) -> list[tuple[int, Event]]:
    return [(100 + i, e) for i, e in enumerate(events)]


def test_coding_session_reads_like_the_benchmark() -> None:
    events = pairs(
        Event("window", "focus", start=0, app="code", title=VSCODE),
        *[Event("input", "counts", start=5 * i, duration=5, app="code", title=VSCODE, data={"keys": 20})
          for i in range(24)],
        Event("input", "counts", start=120, duration=5, app="code", title=VSCODE,
              data={"keys": 3, "shortcuts": ["ctrl+s"]}),
        Event("window", "focus", start=130, app="firefox", title="pandas read csv - Google Search — Mozilla Firefox",
              data={"browser": True, "page_title": "pandas read csv - Google Search"}),
    )
    obs = narrate(events)
    assert [o.sentence for o in obs] == [
        "The user opens 'main.py' in Visual Studio Code.",
        "The user types in 'main.py' in Visual Studio Code for 2 minutes.",
        "The user saves 'main.py' in Visual Studio Code (ctrl+s).",
        "The user searches Google for 'pandas read csv'.",
    ]
    assert obs[1].event_ids == list(range(101, 126))  # 25 buckets merged into one sentence
    assert obs[0].time == 0 and obs[3].event_ids == [126]


def test_focus_flicker_and_repeats_collapse() -> None:
    page = {"browser": True, "page_title": "ImportError: cannot import name Flask - Stack Overflow"}
    out = sentences(pairs(
        Event("window", "focus", start=0, app="code", title=VSCODE),
        Event("window", "focus", start=10, app="nautilus", title="Downloads"),
        Event("window", "focus", start=10.4, app="firefox", title="x", data=page),
        Event("window", "focus", start=11.4, app="firefox", title="x", data=page),
        Event("input", "counts", start=12, duration=5, app="firefox", data={"scrolls": 8}),
    ))
    assert out == ["The user opens 'main.py' in Visual Studio Code.",
                   "The user switches to Firefox and reads 'ImportError: cannot import name Flask - Stack Overflow'.",
                   ("The user scrolls through 'ImportError: cannot import name Flask - Stack Overflow' in Firefox "
                   "for 5 seconds.")]


def test_idle_launch_and_redaction() -> None:
    out = sentences([
        Event("afk", "afk", start=0, duration=180, data={"_id": 7}),
        Event("afk", "afk", start=240, data={"_id": 8}),
        Event("afk", "not-afk", start=250, data={"_id": 9}),
        Event("process", "launch", start=260, app="thunderbird", data={"_id": 10}),
        Event("window", "focus", start=270, app="thunderbird",
              title="Re: invoice for [redacted:email] - Mozilla Thunderbird", data={"_id": 11}),
        Event("input", "text", start=280, app="thunderbird", data={"text": "my key is [redacted:secret]", "_id": 12}),
    ])
    assert out[:3] == ["The user is idle for 4 minutes.", "The user launches Thunderbird.",
                       "The user switches to Thunderbird ('Re: invoice for')."]
    assert out[3] == "The user types 'my key is' in Thunderbird."
    assert not any("redacted" in s for s in out)


def test_short_pause_and_own_events_are_not_narrated() -> None:
    out = sentences(pairs(Event("afk", "afk", start=0, duration=10), Event("app", "pause", start=5)))
    assert out == []


def test_urls_are_never_narrated_and_quotes_stay_parseable() -> None:
    out = sentences(pairs(
        Event("window", "focus", start=0, app="firefox", title="https://evil.example/a?token=1",
              data={"browser": True, "page_title": "https://evil.example/a?token=1",
                    "url": "https://evil.example/a?token=1"}),
        Event("window", "focus", start=5, app="firefox", title="Kimi's notes",
              data={"browser": True, "page_title": "Kimi's notes"}),
    ))
    assert out == ["The user switches to Firefox and reads 'evil.example'.",
                   "The user switches to Firefox and reads 'Kimi\u2019s notes'."]


def test_narrated_history_feeds_grounded_candidates() -> None:
    history = sentences(pairs(
        Event("window", "focus", start=0, app="code", title="app.py - web - Visual Studio Code"),
        Event("window", "focus", start=30, app="gnome-terminal-server",
              title="ImportError: cannot import name 'Flask' - Terminal"),
    ))
    first = generate_candidates(history)[0]
    assert first.kind == "explain_error" and "'app.py'" in first.task and "ImportError" in first.task


WRITER = "thesis.odt - LibreOffice Writer"


def _typing(start: float, buckets: int, keys: int = 25) -> list[Event]:
    return [Event("input", "counts", start=start + 5 * i, duration=5, app="soffice.bin", title=WRITER,
                  data={"keys": keys}) for i in range(buckets)]


def test_a_pause_in_typing_reads_as_a_pause_not_as_more_typing() -> None:
    steady = sentences(pairs(Event("window", "focus", start=0, app="soffice.bin", title=WRITER),
                             *_typing(0, 6), *_typing(35, 6)))  # 5 s without keys: still steady writing
    assert steady == ["The user opens 'thesis.odt' in LibreOffice.",
                      "The user types in 'thesis.odt' in LibreOffice for 1 minute."]
    stalled = sentences(pairs(Event("window", "focus", start=0, app="soffice.bin", title=WRITER),
                              *_typing(0, 6), *_typing(55, 2)))  # 25 s without a key, then a few words
    assert stalled == ["The user opens 'thesis.odt' in LibreOffice.",
                       "The user types in 'thesis.odt' in LibreOffice for 30 seconds.",
                       "The user stops typing in 'thesis.odt' in LibreOffice for 25 seconds.",
                       "The user types in 'thesis.odt' in LibreOffice for 10 seconds."]


def test_a_pause_still_going_on_is_narrated_when_the_time_is_known() -> None:
    events = pairs(Event("window", "focus", start=0, app="soffice.bin", title=WRITER), *_typing(0, 4),
                   Event("input", "counts", start=20, duration=5, app="soffice.bin", title=WRITER,
                         data={"keys": 2, "shortcuts": ["ctrl+s"]}))
    assert sentences(events)[-1] == "The user saves 'thesis.odt' in LibreOffice (ctrl+s)."  # no clock: no pause
    assert sentences(events, now=40)[-1] == "The user saves 'thesis.odt' in LibreOffice (ctrl+s)."  # 15 s: not yet
    assert sentences(events, now=85)[-2:] == ["The user saves 'thesis.odt' in LibreOffice (ctrl+s).",
                                             "The user stops typing in 'thesis.odt' in LibreOffice for 1 minute."]
    left = events + pairs(Event("window", "focus", start=70, app="evince", title="notes.pdf"))
    assert sentences(left, now=85)[-2:] == ["The user stops typing in 'thesis.odt' in LibreOffice for 45 seconds.",
                                           "The user opens 'notes.pdf' in Document Viewer."]


def test_a_terminal_running_a_command_reads_as_running_it_not_as_opening_a_file() -> None:
    out = sentences(pairs(
        Event("window", "focus", start=0, app="gnome-terminal-server", title="~/billing"),
        Event("window", "focus", start=5, app="gnome-terminal-server", title="pytest tests/test_invoice.py -x"),
        Event("window", "focus", start=12, app="konsole", title="web : npm — Konsole"),
        Event("window", "focus", start=20, app="konsole", title="web : zsh — Konsole"),
        Event("window", "focus", start=30, app="gnome-terminal-server", title="report.py (~/sales) - VIM"),
    ))
    assert out == ["The user switches to Terminal ('~/billing').",
                   "The user runs 'pytest tests/test_invoice.py -x' in Terminal.",
                   "The user runs 'npm' in Konsole.",
                   "The user switches to Konsole ('web : zsh').",
                   "The user opens 'report.py' in Terminal."]


def test_running_a_command_again_after_a_change_counts_the_rounds() -> None:
    term, code = "gnome-terminal-server", "code"
    run = "pytest tests/test_invoice.py"
    rounds = []
    for i, flags in enumerate(("", " -x", "")):
        t = 40.0 * i
        rounds += [Event("window", "focus", start=t, app=code, title="invoice.py - billing - Visual Studio Code"),
                   Event("input", "counts", start=t + 5, duration=5, app=code,
                         title="invoice.py - billing - Visual Studio Code", data={"keys": 9, "shortcuts": ["ctrl+s"]}),
                   Event("window", "focus", start=t + 15, app=term, title=run + flags),
                   Event("window", "focus", start=t + 25, app=term, title="~/billing")]
    runs = [s for s in sentences(pairs(*rounds)) if s.startswith("The user runs")]
    assert runs == ["The user runs 'pytest tests/test_invoice.py' in Terminal.",
                    "The user runs 'pytest tests/test_invoice.py -x' in Terminal "
                    "(2nd run in 40 seconds, after changing 'invoice.py').",
                    "The user runs 'pytest tests/test_invoice.py' in Terminal "
                    "(3rd run in 1 minute, after changing 'invoice.py')."]


def test_coming_back_to_a_command_still_running_is_not_a_rerun() -> None:
    out = sentences(pairs(
        Event("window", "focus", start=0, app="konsole", title="web : npm — Konsole"),
        Event("window", "focus", start=10, app="code", title="App.tsx - web - Visual Studio Code"),
        Event("input", "counts", start=12, duration=5, app="code", title="App.tsx - web - Visual Studio Code",
              data={"keys": 9, "shortcuts": ["ctrl+s"]}),
        Event("window", "focus", start=20, app="konsole", title="web : npm — Konsole"),  # the server still runs
    ))
    assert out[-1] == "The user runs 'npm' in Konsole."


def test_going_back_a_page_while_reading_is_not_typing() -> None:
    page = {"browser": True, "page_title": "Movable type - Encyclopedia"}
    title = "Movable type - Encyclopedia — Mozilla Firefox"
    read_then_back = sentences(pairs(
        Event("window", "focus", start=0, app="firefox", title=title, data=page),
        *[Event("input", "counts", start=5 * i, duration=5, app="firefox", title=title, data={"scrolls": 6})
          for i in range(6)],
        Event("input", "counts", start=30, duration=5, app="firefox", title=title,
              data={"keys": 2, "scrolls": 1, "shortcuts": ["alt+left"]}),
    ))
    assert read_then_back[-1] == ("The user scrolls through 'Movable type - Encyclopedia' in Firefox for 35 seconds "
                                  "(uses alt+left).")
    only_back = sentences(pairs(
        Event("window", "focus", start=0, app="firefox", title=title, data=page),
        Event("input", "counts", start=40, duration=5, app="firefox", title=title,
              data={"keys": 3, "shortcuts": ["alt+left", "alt+left"]}),
    ))
    assert only_back[-1] == "The user presses alt+left in 'Movable type - Encyclopedia' in Firefox."
    typed_too = sentences(pairs(
        Event("window", "focus", start=0, app="firefox", title=title, data=page),
        Event("input", "counts", start=40, duration=5, app="firefox", title=title,
              data={"keys": 9, "shortcuts": ["ctrl+f"]}),
    ))
    assert typed_too[-1].startswith("The user types in 'Movable type - Encyclopedia' in Firefox")


def test_going_back_to_a_document_reads_as_going_back_not_as_opening_it_again() -> None:
    notes, draft = "interview-notes.pdf", "thesis-final.odt - LibreOffice Writer"
    out = sentences(pairs(
        Event("window", "focus", start=0, app="soffice.bin", title=draft),
        Event("input", "counts", start=2, duration=5, app="soffice.bin", title=draft, data={"keys": 20}),
        Event("window", "focus", start=20, app="evince", title=notes),
        Event("input", "counts", start=22, duration=5, app="evince", title=notes, data={"scrolls": 6}),
        Event("window", "focus", start=40, app="soffice.bin", title=draft),
        Event("window", "focus", start=60, app="evince", title=notes),
    ))
    assert out == ["The user opens 'thesis-final.odt' in LibreOffice.",
                   "The user types in 'thesis-final.odt' in LibreOffice for 5 seconds.",
                   "The user opens 'interview-notes.pdf' in Document Viewer.",
                   "The user scrolls through 'interview-notes.pdf' in Document Viewer for 5 seconds.",
                   "The user switches back to 'thesis-final.odt' in LibreOffice.",
                   "The user switches back to 'interview-notes.pdf' in Document Viewer."]
