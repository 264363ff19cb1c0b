"""Five "Not useful" answers to one kind of task in one place rest that kind there for a week: from the
stored answers (so a restart rests it too), said by `proactive status`, and nowhere else."""

from __future__ import annotations

import time

from assistant.core import config
from assistant.core.events import Event
from assistant.core.proposal import Proposal
from assistant.decide.build import build_chain
from assistant.log import open_db
from assistant.log import proposals as labels
from tests.conftest import run_cli

DAY = 86400.0
ERROR = "python budget_2025.py: ValueError: window must be an integer"
SUBJECTS = ["pandas merge keys", "regex lookbehind", "asyncio timeout", "numpy broadcasting", "sqlite upsert"]


def answer_not_useful(db, subjects: list[str], where: str, kind: str, start: float) -> None:
    """Cards of `kind` in `where` (one a day, each about another subject), each answered 'Not useful'."""
    for day, subject in enumerate(subjects):
        at = start + day * DAY
        pid = labels.record_proposal(db, Proposal(
            time=at, task=f"Explain the error in '{subject}' and suggest a fix.",
            score=0.7, context=where, trigger="search_after_error", kind=kind,
            history=[f"The user searches '{subject}' in Firefox."], observation_event_ids=[[1]]), surfaced=True)
        labels.record_label(db, pid, "rejected", reason="Not useful", now=at + 5)


def card_after_a_search(chain, now: float, host: str) -> Proposal | None:
    """An error, then a search about it in Firefox on `host`: the card the engine shows, if any."""
    search = f"numpy rolling average - {host} — Mozilla Firefox"
    chain.feed(1, Event("window", "focus", start=now - 30, duration=30, app="xterm", title=ERROR))
    chain.feed(2, Event("window", "focus", start=now, duration=30, app="firefox", title=search,
                        data={"browser": True, "page_title": search, "url": f"https://www.{host}/search?q=numpy"}))
    return chain.tick(now + 30)[1]


def restarted_chain(db):
    """An engine as it starts: it reads every stored answer again (the judge does not learn from them here, so
    what is seen is the rest alone: learning would also lower the kind the user keeps rejecting)."""
    chain = build_chain(config.load().with_overrides({"policy.min_gap_seconds": 0.0,
                                                      "judge.learn_from_labels": False}))
    chain.learn(labels.labels_since(db, 0))
    return chain


def test_five_not_useful_rest_that_kind_in_that_place_for_a_week(home):
    db = open_db(home / "data" / "events.db")
    now = time.time()
    answer_not_useful(db, SUBJECTS[:4], "firefox|google.com", "explain_error", now - 6 * DAY)
    answer_not_useful(db, SUBJECTS[:2], "firefox|bing.com", "explain_error", now - 6 * DAY)  # elsewhere
    assert "Resting:" not in run_cli("status", home=home).stdout  # four is not five
    assert card_after_a_search(restarted_chain(db), now, "google.com").kind == "explain_error"

    answer_not_useful(db, SUBJECTS[4:], "firefox|google.com", "explain_error", now - 2 * DAY)  # the fifth
    out = run_cli("status", home=home).stdout
    resting = [line for line in out.splitlines() if "suggestions in" in line]
    assert len(resting) == 1 and resting[0].lstrip().startswith("Resting:")
    assert "no fix-the-error suggestions in firefox on google.com until" in resting[0]
    assert "'Not useful' 5 times" in resting[0]

    chain = restarted_chain(db)  # a restart rests it too: it comes from the answers
    card = card_after_a_search(chain, now, "google.com")
    assert card is None or card.kind != "explain_error"
    assert any("google.com" in line for line in chain.resting(now))
    other_place = card_after_a_search(restarted_chain(db), now, "bing.com")
    assert other_place is not None and other_place.kind == "explain_error"  # two 'Not useful' there: unaffected
    a_week_later = card_after_a_search(restarted_chain(db), now + 6 * DAY, "google.com")
    assert a_week_later is not None and a_week_later.kind == "explain_error"


def test_an_acceptance_starts_the_count_again(home):
    db = open_db(home / "data" / "events.db")
    now = time.time()
    answer_not_useful(db, SUBJECTS[:3], "firefox|google.com", "explain_error", now - 6 * DAY)
    pid = labels.record_proposal(db, Proposal(time=now - 3 * DAY, task="Find the fix for 'x'.", score=0.7,
                                              context="firefox|google.com", trigger="search_after_error",
                                              kind="explain_error", history=["h"], observation_event_ids=[[1]]),
                                 surfaced=True)
    labels.record_label(db, pid, "accepted", now=now - 3 * DAY)
    answer_not_useful(db, SUBJECTS[3:], "firefox|google.com", "explain_error", now - 2 * DAY)
    assert "Resting:" not in run_cli("status", home=home).stdout
    assert restarted_chain(db).resting(now) == []


def test_a_quiet_stretch_goes_on_counting_after_a_restart(home):
    """A check-in (assistant.decide.decision.check_in_due) is due after a quiet stretch: a restart in the middle
    of one does not start the count again, and a card shown ends it."""
    from assistant.app.live import LiveLoop
    from assistant.decide.decision import CHECK_IN_AFTER

    db = open_db(home / "data" / "events.db")
    now = time.time()

    def decision(at: float, task: str | None) -> None:
        labels.record_proposal(db, Proposal(time=at, task=task, score=0.3, context="firefox|google.com",
                                            trigger="search_after_error", kind="explain_error" if task else "none",
                                            history=["The user searches 'x' in Firefox."],
                                            observation_event_ids=[[1]]), surfaced=task is not None)

    def restarted() -> int:
        loop = LiveLoop(config.load(), home / "data" / "events.db", surface=lambda p: None, load_model=False)
        loop.open()
        return loop.chain.silent_consults

    decision(now - 3000, "Explain the error 'x' and suggest a fix.")
    for i in range(CHECK_IN_AFTER - 1):
        decision(now - 2000 + i, None)
    assert restarted() == CHECK_IN_AFTER - 1
    decision(now - 100, None)
    assert restarted() == CHECK_IN_AFTER  # due: the next quiet decision is a check-in
    decision(now - 50, "Explain the error 'y' and suggest a fix.")
    assert restarted() == 0
