"""Policy: budget, cooldowns and silence, driven by a fake clock."""

from __future__ import annotations

from assistant.core.events import Event
from assistant.decide.policy import Policy, PolicySettings, context_of

T0 = 1_700_000_000.0


def focus(t: float, app: str, title: str) -> Event:
    return Event("window", "focus", start=t, app=app, title=title)


def policy(**kw) -> Policy:
    return Policy(PolicySettings(**{"min_gap_s": 0, **kw}))


def test_new_context_triggers_and_the_trigger_is_spent():
    p = policy()
    p.observe(focus(T0, "code", "main.py - Visual Studio Code"))
    verdict = p.check(T0 + 1)
    assert verdict.consult and verdict.trigger == "new_context"
    p.consulted(T0 + 1, verdict)
    assert not p.check(T0 + 2).consult
    p.observe(focus(T0 + 3, "code", "main.py - Visual Studio Code"))  # same window again: nothing new
    assert p.check(T0 + 4).reason == "nothing new"


def test_error_title_is_a_trigger():
    p = policy()
    p.observe(focus(T0, "firefox", "ImportError: cannot import name x - Stack Overflow"))
    assert p.check(T0).trigger == "error"


def test_hourly_budget_caps_surfaced_cards():
    p = policy(max_per_hour=4)
    for i in range(6):
        p.observe(focus(T0 + i * 60, "code", f"file{i}.py"))
        verdict = p.check(T0 + i * 60 + 1)
        if i < 4:
            assert verdict.consult, i
            p.consulted(T0 + i * 60 + 1, verdict)
            p.record_surfaced(T0 + i * 60 + 1)
        else:
            assert not verdict.consult and "budget" in verdict.reason
    p.observe(focus(T0 + 3700, "code", "later.py"))
    assert p.check(T0 + 3700).consult  # an hour later the budget is back


def test_cooldown_after_reject_and_ignore_in_the_same_context():
    p = policy(cooldown_reject_s=1800, cooldown_ignore_s=900)
    win = focus(T0, "code", "report.md")
    p.observe(win)
    p.consulted(T0, p.check(T0))
    p.record_label(context_of(win), "rejected", T0 + 5)
    p.observe(focus(T0 + 10, "firefox", "Search"))
    p.consulted(T0 + 10, p.check(T0 + 10))
    p.observe(focus(T0 + 20, "code", "report.md"))
    p.pending_trigger = ("error", context_of(win))  # even a strong signal waits
    assert "cooling down" in p.check(T0 + 20).reason
    assert p.check(T0 + 1806).consult
    p.record_label(context_of(win), "ignored", T0 + 1810)
    assert not p.check(T0 + 1811).consult
    assert p.check(T0 + 1810 + 901).consult


def test_silent_while_afk_paused_or_fullscreen():
    p = policy()
    p.observe(focus(T0, "code", "main.py"))
    p.observe(Event("afk", "afk", start=T0 + 1))
    assert p.check(T0 + 2).reason == "away from keyboard"
    p.observe(Event("afk", "not-afk", start=T0 + 3))
    p.observe(Event("app", "pause", start=T0 + 4))
    assert p.check(T0 + 5).reason == "paused"
    p.observe(Event("app", "resume", start=T0 + 6))
    p.observe(Event("window", "focus", start=T0 + 7, app="mpv", title="film.mkv", data={"fullscreen": True}))
    assert p.check(T0 + 8).reason == "fullscreen app"


def test_repeated_switching_between_two_windows():
    p = policy(switch_repeat=3)
    for i in range(6):
        p.observe(focus(T0 + i, "code" if i % 2 == 0 else "firefox", "a.py" if i % 2 == 0 else "docs"))
        if i < 5:
            p.pending_trigger = None
    assert p.check(T0 + 7).trigger == "switching"


def test_stall_after_typing_fires_once():
    p = policy(stall_s=90)
    p.observe(focus(T0, "code", "main.py"))
    p.consulted(T0, p.check(T0))
    p.observe(Event("input", "counts", start=T0 + 10, duration=5, app="code", data={"keys": 30}))
    assert not p.check(T0 + 60).consult
    verdict = p.check(T0 + 15 + 91)
    assert verdict.consult and verdict.trigger == "stall"
    p.consulted(T0 + 106, verdict)
    assert not p.check(T0 + 400).consult


def test_a_tab_from_the_browser_extension_counts_as_a_new_place():
    p = policy()
    p.observe(Event("browser", "tab", start=T0, app="firefox", title="TypeError: x is undefined - MDN",
                    data={"url": "https://developer.mozilla.org/"}))
    assert p.check(T0 + 1).trigger == "error"
