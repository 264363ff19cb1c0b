"""Policy: evidence of need, budget, cooldowns by place and kind, and silence, driven by a fake clock."""

from __future__ import annotations

from assistant.core.events import Event
from assistant.decide.policy import Policy, PolicySettings, place_of

T0 = 1_700_000_000.0


def focus(t: float, app: str, title: str, **data) -> Event:
    return Event("window", "focus", start=t, app=app, title=title, data=data)


def typing(t: float, app: str, keys: int = 40, seconds: float = 5) -> Event:
    return Event("input", "counts", start=t, duration=seconds, app=app, data={"keys": keys})


def policy(**kw) -> Policy:
    return Policy(PolicySettings(**{"min_gap_s": 0, **kw}))


def test_a_new_window_file_or_page_is_not_by_itself_a_need():
    p = policy()
    for i, (app, title) in enumerate([("code", "main.py - Visual Studio Code"), ("firefox", "Flask docs"),
                                      ("gedit", "chapter3.md - gedit"), ("xterm", "python train.py")]):
        p.observe(focus(T0 + 10 * i, app, title))
        assert not p.check(T0 + 10 * i + 1).consult
    p.observe(focus(T0 + 50, "xterm", "ModuleNotFoundError: No module named 'torch'"))
    assert not p.check(T0 + 51).consult, "the first sight of an error is not yet a need"


def test_the_same_error_again_after_a_rerun_is_strong_evidence_and_the_evidence_is_spent():
    p = policy()
    p.observe(focus(T0, "xterm", "python train.py: ModuleNotFoundError: No module named 'torch'"))
    p.observe(focus(T0 + 20, "code", "train.py - Visual Studio Code"))
    p.observe(focus(T0 + 40, "xterm", "python train.py: ModuleNotFoundError: No module named 'torch'"))
    verdict = p.check(T0 + 41)
    assert verdict.consult and verdict.trigger == "error_again" and verdict.reason.startswith("strong")
    p.consulted(T0 + 41, verdict)
    assert not p.check(T0 + 42).consult


def test_a_search_right_after_an_error_is_strong_evidence():
    p = policy()
    p.observe(focus(T0, "xterm", "ImportError: cannot import name 'x' from 'y'"))
    p.observe(focus(T0 + 15, "firefox", "ImportError cannot import name - Google Search"))
    assert p.check(T0 + 16).trigger == "search_after_error"
    q = policy()
    q.observe(focus(T0, "firefox", "cheap flights to Lisbon - Google Search"))  # a search without an error
    assert not q.check(T0 + 1).consult


def test_strong_evidence_jumps_the_queue_weak_waits_for_the_budget():
    p = policy(max_per_hour=1, min_gap_s=600)
    p.observe(focus(T0, "firefox", "printing press history - Google Search", browser=True))
    for i, page in enumerate(("Printing press - Wikipedia", "Gutenberg - Britannica", "The printing revolution")):
        p.observe(focus(T0 + 60 + 70 * i, "firefox", page, browser=True))
    verdict = p.check(T0 + 300)  # several pages read for one search: weak evidence
    assert verdict.consult and verdict.trigger == "research"
    p.consulted(T0 + 300, verdict)
    p.record_surfaced(T0 + 300)
    p.observe(focus(T0 + 310, "xterm", "make: *** [all] Error 1"))
    p.observe(focus(T0 + 320, "evince", "paper.pdf - Document Viewer"))
    p.observe(focus(T0 + 330, "xterm", "make: *** [all] Error 1"))
    assert p.check(T0 + 331).consult, "the rerun error must not wait for the budget"
    p.consulted(T0 + 331, p.check(T0 + 331))
    p.observe(focus(T0 + 700, "firefox", "rust traits - Google Search", browser=True))  # the error long gone
    for i, page in enumerate(("Traits - The Rust Book", "Trait objects - Rust by Example", "Rust traits explained")):
        p.observe(focus(T0 + 710 + 20 * i, "firefox", page, browser=True))
    assert "budget" in p.check(T0 + 780).reason  # weak evidence is rate-limited


def test_reading_one_page_however_long_is_not_a_need():
    p = policy()
    p.observe(focus(T0, "evince", "paper.pdf - Document Viewer"))
    assert not p.check(T0 + 1800).consult


def test_answers_cool_down_the_place_not_the_exact_title():
    p = policy(cooldown_reject_s=1800, cooldown_ignore_s=900)
    first = focus(T0, "xterm", "pytest: FAILED tests/test_a.py::test_total - 1 failed in 0.21s")
    place = place_of(first)
    p.record_label(place, "rejected", T0 + 5, reason="wrong time")
    p.observe(first)
    p.observe(focus(T0 + 10, "code", "a.py"))
    again = "pytest: FAILED tests/test_a.py::test_total - 1 failed in 0.34s"  # another title, same place
    p.observe(focus(T0 + 20, "xterm", again))
    assert place_of(focus(0, "xterm", "pytest: FAILED tests/test_b.py")) == place
    assert "cooling down" in p.check(T0 + 21).reason
    p.observe(focus(T0 + 1770, "code", "a.py"))
    p.observe(focus(T0 + 1780, "xterm", again))
    p.observe(focus(T0 + 1790, "code", "a.py"))
    p.observe(focus(T0 + 1800, "xterm", again))
    assert p.check(T0 + 1806).consult
    p.record_label(place, "ignored", T0 + 1810)
    assert not p.check(T0 + 1811).consult


def test_a_content_rejection_quiets_that_kind_of_task_in_that_place_only():
    p = policy()
    place = "firefox|stackoverflow.com"
    p.record_label(place, "rejected", T0, kind="summarise_pages", task="Summarise the key points of 'X'.",
                   reason="not useful")
    tasks, kinds = p.excluded(place, T0 + 60)
    assert kinds == {"summarise_pages"} and "summarise the key points of 'x'." in tasks
    assert p.excluded("code|.py", T0 + 60) == (frozenset(), frozenset())
    assert p.excluded(place, T0 + 8 * 86400) == (frozenset(), frozenset())  # not forever


def test_silent_while_afk_paused_fullscreen_in_a_meeting_or_asked_for_quiet():
    p = policy()
    p.observe(focus(T0, "code", "main.py"))
    p.observe(Event("afk", "afk", start=T0 + 1))
    assert p.check(T0 + 2).reason == "away from keyboard"
    p.observe(Event("afk", "not-afk", start=T0 + 3))
    p.observe(Event("app", "pause", start=T0 + 4))
    assert p.check(T0 + 5).reason == "paused"
    p.observe(Event("app", "resume", start=T0 + 6))
    p.observe(focus(T0 + 7, "mpv", "film.mkv", fullscreen=True))
    assert p.check(T0 + 8).reason == "fullscreen app"
    p.observe(focus(T0 + 9, "zoom", "Zoom Meeting"))
    assert p.check(T0 + 10).reason == "in a meeting"
    p.observe(focus(T0 + 11, "code", "main.py"))
    p.quiet(T0 + 3600)
    assert p.check(T0 + 12).reason.startswith("quiet")
    assert p.check(T0 + 3601).reason != "quiet: you asked for quiet"


def test_steady_typing_in_one_document_is_flow():
    p = policy(stall_s=90, flow_s=120)
    p.observe(focus(T0, "gedit", "chapter3.md - gedit"))
    for i in range(40):
        p.observe(typing(T0 + 5 + i * 5, "gedit"))
    p.observe(focus(T0 + 205, "firefox", "Thesaurus - Mozilla Firefox"))
    p.observe(focus(T0 + 206, "gedit", "chapter3.md - gedit"))
    p.observe(focus(T0 + 207, "firefox", "Thesaurus - Mozilla Firefox"))
    p.observe(focus(T0 + 208, "gedit", "chapter3.md - gedit"))
    p.observe(focus(T0 + 209, "firefox", "Thesaurus - Mozilla Firefox"))
    p.observe(focus(T0 + 210, "gedit", "chapter3.md - gedit"))
    for i in range(30):
        p.observe(typing(T0 + 211 + i * 5, "gedit"))
    verdict = p.check(T0 + 360)
    assert not verdict.consult and "flow" in verdict.reason


def test_repeated_switching_between_two_windows():
    p = policy(switch_repeat=3)
    for i in range(6):
        p.observe(focus(T0 + i, "code" if i % 2 == 0 else "firefox", "a.py" if i % 2 == 0 else "docs"))
    assert p.check(T0 + 7).trigger == "switching"


def test_stall_after_typing_fires_once():
    p = policy(stall_s=90)
    p.observe(focus(T0, "code", "main.py"))
    p.observe(typing(T0 + 10, "code", 30))
    assert not p.check(T0 + 60).consult
    verdict = p.check(T0 + 15 + 91)
    assert verdict.consult and verdict.trigger == "stall"
    p.consulted(T0 + 106, verdict)
    assert not p.check(T0 + 200).consult


def test_reading_a_message_then_opening_a_reply_is_evidence():
    p = policy()
    p.observe(focus(T0, "thunderbird", "Quarterly numbers - Inbox - Mozilla Thunderbird"))
    p.observe(focus(T0 + 40, "thunderbird", "Re: Quarterly numbers - Write"))
    assert p.check(T0 + 41).trigger == "reply"


def test_evidence_goes_stale():
    p = policy()
    p.observe(focus(T0, "xterm", "Error: build failed"))
    p.observe(focus(T0 + 10, "xterm2", "other"))
    p.observe(focus(T0 + 20, "xterm", "Error: build failed"))
    p.observe(Event("afk", "afk", start=T0 + 21))
    p.observe(Event("afk", "not-afk", start=T0 + 900))
    assert not p.check(T0 + 901).consult


def test_a_tab_from_the_browser_extension_is_a_place_by_site():
    tab = Event("browser", "tab", start=T0, app="firefox", title="TypeError: x is undefined - MDN",
                data={"url": "https://developer.mozilla.org/en-US/docs/Web"})
    assert place_of(tab) == "firefox|developer.mozilla.org"
    p = policy()
    p.observe(focus(T0 - 10, "xterm", "node app.js: TypeError: x is undefined"))
    p.observe(tab)
    assert p.check(T0 + 1).trigger in ("search_after_error", "error_again")
