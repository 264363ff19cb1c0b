"""Need episodes: one need in one place gets at most one card, whatever the number of events that show it.

Driven through the chain's one door (`build_chain`, `feed`, `tick`, `learn`) on a fake clock, as the live loop,
replay and the benches drive it.
"""

from __future__ import annotations

from assistant.core.config import default_config
from assistant.core.events import Event
from assistant.decide.build import build_chain
from assistant.decide.episodes import error_signature, message_key, same_task
from assistant.decide.evidence import DesktopState
from assistant.log.proposals import LabelRow
from models.titles import error_line

T0 = 1_780_000_000.0
ERROR = "ModuleNotFoundError: No module named 'torch'"


def focus(t: float, app: str, title: str, **data) -> Event:
    return Event("window", "focus", start=T0 + t, app=app, title=title, data=data)


def browser(t: float, title: str) -> Event:
    return focus(t, "firefox", f"{title} \u2014 Mozilla Firefox", browser=True, page_title=title)


class Driver:
    """Feeds events in time order and ticks every 5 s and on each event, as the live loop does."""

    def __init__(self, **overrides) -> None:
        self.chain = build_chain(default_config().with_overrides(overrides))
        self.clock = T0
        self.n = 0
        self.cards = []

    def feed(self, event: Event) -> None:
        self.run_until(event.start)
        self.n += 1
        self.chain.feed(self.n, event)
        self._tick(event.start)

    def run_until(self, t: float) -> None:
        while self.clock + 5 < t:
            self.clock += 5
            self._tick(self.clock)
        self.clock = max(self.clock, t)

    def _tick(self, at: float) -> None:
        _, proposal = self.chain.tick(at)
        if proposal is not None and proposal.task:
            self.cards.append(proposal)

    def answer(self, proposal, label: str, at: float, label_id: int) -> None:
        self.chain.learn([LabelRow(label_id, label_id, label, None, at, proposal.task, proposal.kind,
                                   proposal.history, proposal.context, proposal.time, [])])


def test_an_error_is_the_same_need_with_or_without_its_title_furniture():
    plain = error_signature(ERROR)
    for seen in (f"python - {ERROR}", f"python3 train.py: {ERROR}", f"{ERROR} - Google Search - Mozilla Firefox",
                 "ModuleNotFoundError: No module named \u201ctorch\u201d at DuckDuckGo"):
        assert error_signature(seen) == plain, seen
    assert error_signature("KeyError: 'total' (line 12 of /home/a/billing.py)") == error_signature(
        "KeyError: 'total' (line 14 of /srv/app/billing.py)")  # numbers and paths tolerated
    assert error_signature(ERROR) != error_signature("ModuleNotFoundError: No module named 'numpy'")
    assert error_line(f"python - {ERROR} - Mozilla Firefox") == 'ModuleNotFoundError: No module named "torch"'
    assert message_key("Re: Quarterly numbers - Write") == message_key("Quarterly numbers - Inbox - Mozilla Thunderbird")


def test_near_duplicate_task_texts_are_one_task():
    a = "Explain the error 'python - ModuleNotFoundError: No module named \u2019torch\u2019' and suggest a fix."
    b = "Explain the error 'ModuleNotFoundError: No module named \"torch\"' and suggest a fix in 'train.py'."
    assert same_task(a, b)
    assert not same_task(b, "Explain the error 'ModuleNotFoundError: No module named \"numpy\"' and suggest a fix.")
    assert not same_task("Summarise the key points of 'Rust traits'.", "Draft a reply to 'Rust traits' in Slack.")


def test_error_again_needs_two_looks_apart_in_time_not_a_re_render_or_one_old_window():
    st = DesktopState()
    assert st.update(focus(0, "xterm", f"python - {ERROR}")).strength == ""  # an old error window at start
    assert st.update(focus(1, "xterm", f"python train.py: {ERROR}")) is None  # the same window retitled
    assert st.update(focus(2, "code", "train.py - Visual Studio Code")) is None
    assert st.update(focus(3, "xterm", f"python - {ERROR}")).strength == ""  # back within a flicker: one look
    st.update(focus(30, "code", "train.py - Visual Studio Code"))
    again = st.update(focus(60, "xterm", f"python - {ERROR}"))
    assert again.trigger == "error_again" and again.strength == "strong"
    assert again.subject == 'ModuleNotFoundError: No module named "torch"'


def test_stuck_on_one_error_for_two_minutes_gets_one_card():
    d = Driver()
    d.feed(focus(0, "code", "train.py - vision - Visual Studio Code"))
    d.feed(focus(20, "xterm", f"python - {ERROR}"))
    d.feed(browser(35, f"{ERROR} - Google Search"))  # looked up: the card
    for t in range(50, 170, 15):  # back and forth, reruns, answer pages: the same need
        d.feed(focus(t, "xterm", f"python train.py: {ERROR}"))
        d.feed(browser(t + 7, "python - ModuleNotFoundError torch even though installed - Stack Overflow"))
    d.run_until(T0 + 200)
    assert len(d.cards) == 1, [c.task for c in d.cards]
    card = d.cards[0]
    assert card.time == T0 + 35 and card.trigger == "search_after_error"
    assert "ModuleNotFoundError" in card.task and "python - " not in card.task and "Firefox" not in card.task
    assert card.why.startswith("You looked up 'ModuleNotFoundError")


def test_an_answer_closes_the_need_not_now_snoozes_it():
    d = Driver(**{"ui.card_timeout_seconds": 600.0})
    d.feed(focus(0, "xterm", f"python - {ERROR}"))
    d.feed(browser(20, f"{ERROR} - Google Search"))
    [card] = d.cards
    d.answer(card, "not-now", T0 + 25, 1)
    d.feed(focus(40, "xterm", f"python - {ERROR}"))  # the same need while snoozed: no card
    assert len(d.cards) == 1
    d.feed(focus(40 + 15 * 60 + 10, "code", "train.py - Visual Studio Code"))
    d.feed(focus(40 + 15 * 60 + 30, "xterm", f"python - {ERROR}"))  # still stuck after the snooze
    d.feed(browser(40 + 15 * 60 + 50, f"{ERROR} - Google Search"))
    assert len(d.cards) == 2 and d.cards[1].episode == card.episode  # one more card after "not now"
    d.answer(d.cards[1], "rejected", T0 + 40 + 15 * 60 + 55, 2)
    d.feed(focus(40 + 15 * 60 + 80, "xterm", f"python - {ERROR}"))
    d.feed(browser(40 + 15 * 60 + 100, f"{ERROR} - Stack Overflow"))
    assert len(d.cards) == 2  # rejected: closed


def test_weak_signals_stay_weak_a_file_opened_a_video_one_page():
    d = Driver(**{"policy.min_gap_seconds": 0.0})
    d.feed(focus(0, "xterm", "htop"))
    d.feed(focus(5, "gedit", "meeting-notes.md (~/work) - gedit"))
    d.feed(browser(30, "Lofi hip hop radio - beats to relax/study to - YouTube"))
    d.feed(browser(200, "The Rust Programming Language - The Rust Book"))
    d.run_until(T0 + 230)
    assert d.cards == []


def test_a_superseded_card_teaches_nothing():
    d = Driver(**{"ui.card_timeout_seconds": 600.0})
    d.feed(focus(0, "xterm", f"python - {ERROR}"))
    d.feed(browser(20, f"{ERROR} - Google Search"))
    first = d.cards[0]
    d.feed(focus(100, "xterm", "cargo build: error[E0382]: borrow of moved value: `v`"))
    d.feed(focus(110, "code", "main.rs - Visual Studio Code"))
    d.feed(focus(120, "xterm", "cargo build: error[E0382]: borrow of moved value: `v`"))
    second = d.cards[1]
    assert second.supersedes is first and second.episode != first.episode
    judge = d.chain.engine.judge
    d.answer(first, "superseded", T0 + 120, 1)
    assert judge.labels_learned == 0 and d.chain.policy.cooldown_until == {}
    assert d.chain.card is not None and d.chain.card.proposal is second  # the card on screen stays


def _quieted_driver(silent_consults: int) -> Driver:
    """A user whose earlier answers turned down error help (in other words, about other errors) everywhere."""
    from models.judge.learning import LabelRecord

    d = Driver()
    history = ("The user runs 'cargo build' in Terminal and it fails with error[E0382]: borrow of moved value.",
               "The user searches for 'error[E0382]: borrow of moved value' in Firefox.")
    d.chain.engine.judge.learn(
        [LabelRecord(history, "Find the usual causes of 'error[E0382]: borrow of moved value' and the fix that "
                     "matches your setup.", "rejected", "find_fix", reason="Not useful", time=i)
         for i in range(12)])
    d.chain.silent_consults = silent_consults
    return d


def test_after_a_quiet_stretch_the_live_chain_checks_in_once_and_says_so():
    from assistant.decide.decision import CHECK_IN_AFTER

    quiet = _quieted_driver(0)
    quiet.feed(focus(0, "xterm", f"python - {ERROR}"))
    quiet.feed(browser(20, f"{ERROR} - Google Search"))
    assert quiet.cards == [] and quiet.chain.silent_consults >= 1  # what was learned keeps it quiet
    due = _quieted_driver(CHECK_IN_AFTER)
    due.feed(focus(0, "xterm", f"python - {ERROR}"))
    due.feed(browser(20, f"{ERROR} - Google Search"))
    [card] = due.cards
    assert "ModuleNotFoundError" in card.task and card.reason.startswith("checking in")
    assert card.why.startswith("You looked up 'ModuleNotFoundError") and "Checking in" in card.why
    assert due.chain.silent_consults == 0  # the next check-in waits for another quiet stretch


def test_a_message_is_one_need_in_any_mail_clients_language():
    assert message_key("Verfassen: AW: Termin am Freitag") == message_key("Termin am Freitag - Posteingang - Thunderbird")
    assert message_key("Rédaction : TR: Devis") == message_key("Devis")
