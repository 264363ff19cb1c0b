"""Need episodes: one need in one place, and at most one card for it.

The policy sees evidence (an error seen again, a reply being written, a stall in a document, a long read);
this module says which *need* that evidence is about, so the chain speaks once per need instead of once per
event. An episode is keyed by what the need is about, normalised so that its many sightings meet:

* error     the error's signature: no command or prompt before it ('python - ', 'python3 train.py: '), no
            browser, search-engine or site after it (' - Mozilla Firefox', ' - Stack Overflow'), quotes
            unified, numbers, paths and line numbers tolerated (a rerun after a fix attempt that moved the
            error two lines down is the same error);
* message   the subject being answered ('Re: X - Write' and 'X - Inbox' are one message);
* document  the file being written;
* page      the page being read; research: the search being followed; switching: the two windows.

Evidence that turns up while an error episode is hot (seen in the last few minutes) and is not a reply joins
that episode: switching between the terminal and the search for the error, a stall in the editor while
fixing it, pages read about it are the same need. Only evidence of another kind opens another episode.

Life of an episode: open -> carded (one card) -> closed by the answer (accepted, rejected, ignored), or
snoozed ("not now", or its card was superseded by another episode's card) and then open again after the
snooze. A closed episode stays closed while its need keeps being seen; it is forgotten REMEMBER_S after its
last sighting, so the same error on another day is a new need.

Pure logic over a clock, shared by the live loop, replay, evaluation and the benchmarks through `Pipeline`.
"""

from __future__ import annotations

import re
from collections import OrderedDict, deque
from dataclasses import dataclass, field

from models.titles import INBOX_WORDS, SUBJECT_MARKS, clean_title, error_line, strip_furniture, unify_quotes

HOT_S = 5 * 60  # an episode seen this recently gathers the evidence that is not of a different kind
REMEMBER_S = 2 * 3600  # an episode not seen for this long is forgotten (the same need later is a new one)
SNOOZE_S = 15 * 60  # "not now" (or a superseded card): the episode may have one more card after this
MAX_EPISODES = 200
# the kinds of task that can be the card for each kind of need
NEED_KINDS = {
    "error": frozenset({"explain_error", "find_fix"}),
    "command": frozenset({"explain_error", "find_fix", "review_file"}),
    "message": frozenset({"draft_reply"}),
    "document": frozenset({"continue_document", "review_file", "resume"}),
    "page": frozenset({"summarise_pages"}),
    "research": frozenset({"summarise_pages", "research", "find_example"}),
    "switching": frozenset({"combine", "continue_document"}),
}
CLOSING = frozenset({"accepted", "rejected", "ignored", "other-help"})
SNOOZING = frozenset({"not-now", "superseded"})

_PATH = re.compile(r"(?:[A-Za-z]:)?(?:[~.\w-]*[/\\])+([\w.-]+)")
_NUMBER = re.compile(r"0x[0-9a-fA-F]+|\d+(?:\.\d+)*")
_WORD = re.compile(r"[^\W_]+(?:[._:-][^\W_]+)*", re.UNICODE)
_MAIL_TAIL = re.compile(rf"(?i)\s+[-\u2013\u2014|]\s+({INBOX_WORDS}|write|compose|reply|draft|new message|mozilla thunderbird|"
                        r"thunderbird|evolution|outlook|geary|kmail|mail|gmail|slack|teams|discord|element).*$")
_FILE = re.compile(r"[\w.\-~ ]*?[\w\-]\.[A-Za-z][A-Za-z0-9]{0,5}\b")
_TASK_STOP = frozenset({"the", "a", "an", "and", "or", "to", "of", "in", "on", "for", "with", "so", "you", "your",
                        "it", "its", "that", "this", "from", "into", "about", "what", "based"})


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def normalise(text: str) -> str:
    """Lower-case words with paths reduced to their last part and every number as '#'."""
    text = _PATH.sub(r"\1", unify_quotes(text).replace("\u2019", " ").replace('"', " "))
    return " ".join(_words(_NUMBER.sub("#", text)))


def error_signature(title: str) -> str:
    """What makes two sightings the same error: the error without furniture, quotes, numbers or paths."""
    return normalise(error_line(title))


def similar(a: str, b: str, share: float = 0.7) -> bool:
    """Two normalised keys name the same thing: equal, or most of their words shared."""
    if a == b:
        return True
    wa, wb = set(a.split()), set(b.split())
    if not wa or not wb:
        return False
    return len(wa & wb) / len(wa | wb) >= share


def message_key(title: str) -> str:
    """The message a window is about: 'Re: Quarterly numbers - Write' and 'Quarterly numbers - Inbox -
    Mozilla Thunderbird' are one message."""
    text = _MAIL_TAIL.sub("", SUBJECT_MARKS.sub("", strip_furniture(unify_quotes(title))))
    return normalise(text)


def document_of(title: str) -> str:
    """The file a window edits ('chapter3.md (~/thesis) - gedit' -> 'chapter3.md'), else the cleaned title."""
    text = strip_furniture(title).lstrip("\u25cf\u2022* ")
    match = _FILE.match(text)
    return match.group(0).strip() if match else clean_title(text)


def task_words(task: str) -> frozenset[str]:
    """A task's content words: quoted errors and titles without furniture, quotes unified, numbers as '#'."""
    def clean_quoted(m: re.Match) -> str:
        return " " + error_line(m.group(1)) + " "

    text = re.sub(r"(?<![\w\u2019])['\u2019](.+?)['\u2019](?![\w])", clean_quoted, unify_quotes(task))
    return frozenset(w for w in normalise(text).split() if w not in _TASK_STOP)


def same_task(a: str, b: str) -> bool:
    """Near-duplicate task texts are one task: the same words once title furniture, quoting, numbers and a
    trailing place ("... in 'train.py'") are set aside."""
    wa, wb = task_words(a), task_words(b)
    if not wa or not wb:
        return a.strip().casefold() == b.strip().casefold()
    small, large = sorted((wa, wb), key=len)
    if small <= large and len(large - small) <= 3:
        return True
    return len(wa & wb) / len(wa | wb) >= 0.8


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence about a need, as the policy saw it.

    `trigger` names the evidence (error_again, search_after_error, rerun, reply, stall, research,
    switching; `error_seen` is a first sighting, not yet a need), `need` the kind of need it is about, `key`
    its normalised subject, `subject` the subject in the user's words, `windows` where it was seen, `why` the
    evidence in plain words for the card."""

    trigger: str
    strength: str  # strong | medium | weak | "" (a sighting, not yet evidence of need)
    at: float
    need: str  # error | message | document | page | research | switching
    key: str
    subject: str
    windows: frozenset[str] = frozenset()
    why: str = ""


@dataclass
class Episode:
    id: int
    need: str
    key: str
    subject: str
    opened: float
    last_seen: float
    windows: set[str] = field(default_factory=set)
    sightings: int = 1
    triggers: list[str] = field(default_factory=list)
    needs: set[str] = field(default_factory=set)  # the kinds of need its evidence named
    card_at: float | None = None  # when its card was shown (the proposal's time)
    card_task: str | None = None
    outcome: str | None = None  # the answer to its card: accepted, rejected, ignored, not-now, superseded
    snoozed_until: float = 0.0

    @property
    def closed(self) -> bool:
        return self.outcome in CLOSING

    @property
    def kinds(self) -> frozenset[str]:
        """The kinds of task that can be this need's card: an error's or a message's own, else those of every
        kind of evidence it gathered (pages read and notes switched to: summarising or combining)."""
        if self.need in ("error", "command", "message"):
            return NEED_KINDS[self.need]
        return frozenset().union(*(NEED_KINDS.get(n, frozenset()) for n in self.needs | {self.need}))

    def describe(self) -> str:
        return f"#{self.id} {self.need} '{self.subject[:60]}'"


class Episodes:
    """The episodes of one session: `attach(evidence)` finds or opens the episode it belongs to."""

    def __init__(self, snooze_s: float = SNOOZE_S) -> None:
        self.snooze_s = snooze_s
        self.items: deque[Episode] = deque(maxlen=MAX_EPISODES)
        self._next_id = 1
        self._attached: OrderedDict[Evidence, Episode] = OrderedDict()  # evidence seen before counts once

    def _find(self, need: str, key: str, now: float) -> Episode | None:
        for ep in reversed(self.items):
            if ep.need == need and now - ep.last_seen <= REMEMBER_S and similar(ep.key, key):
                return ep
        return None

    def hot_error(self, now: float) -> Episode | None:
        """The error episode seen in the last HOT_S, if any (the most recent one)."""
        for ep in reversed(self.items):
            if ep.need in ("error", "command") and now - ep.last_seen <= HOT_S:
                return ep
        return None

    def attach(self, ev: Evidence) -> Episode:
        """The episode `ev` belongs to (opened when it is a new need); its sighting is counted once."""
        if ev in self._attached:
            return self._attached[ev]
        ep = self._find(ev.need, ev.key, ev.at)
        if ep is None and ev.need != "message":
            hot = self.hot_error(ev.at)  # switching, stalls, reading while an error is hot: the same need; an
            if hot is not None and (ev.need not in ("error", "command") or hot.need != ev.need):
                ep = hot  # error named while its command keeps failing (or the other way round) too
        if ep is None and ev.need in ("switching", "document", "research"):
            ep = next((e for e in reversed(self.items)  # switching between the pages of a search and the
                       if ev.at - e.last_seen <= HOT_S and e.windows & ev.windows), None)  # notes: one need
        if ep is None:
            ep = Episode(self._next_id, ev.need, ev.key, ev.subject, ev.at, ev.at)
            self._next_id += 1
            self.items.append(ep)
        else:
            ep.sightings += 1
            ep.last_seen = max(ep.last_seen, ev.at)
        ep.windows |= ev.windows
        ep.needs.add(ev.need)
        if ev.strength:
            ep.triggers.append(ev.trigger)
        self._attached[ev] = ep
        while len(self._attached) > 64:
            self._attached.popitem(last=False)
        return ep

    def why_not(self, ep: Episode, now: float) -> str | None:
        """Why `ep` may not have a card now (None: it may)."""
        if ep.card_at is None:
            return None
        if ep.closed:
            return f"this need had its card ({ep.outcome})"
        if ep.outcome in SNOOZING:
            return None if now >= ep.snoozed_until else f"this need is snoozed ({ep.outcome})"
        return "this need's card is still on screen"

    def carded(self, ep: Episode, at: float, task: str) -> None:
        ep.card_at, ep.card_task, ep.outcome = at, task, None

    def by_card(self, at: float) -> Episode | None:
        return next((ep for ep in reversed(self.items) if ep.card_at is not None and abs(ep.card_at - at) < 1e-3),
                    None)

    def answered(self, card_at: float, label: str, now: float) -> Episode | None:
        """The answer to the card shown at `card_at` closes or snoozes its episode."""
        ep = self.by_card(card_at)
        if ep is None:
            return None
        if label in CLOSING:
            if ep.outcome not in CLOSING or label != "ignored":  # a real answer outranks an earlier 'ignored'
                ep.outcome = label
        elif label in SNOOZING:
            ep.outcome = label
            ep.snoozed_until = now + self.snooze_s
        return ep

    def forget(self, since: float, at: float) -> None:
        """Episodes first seen inside a forgotten stretch are dropped with it."""
        self.items = deque((ep for ep in self.items if not since <= ep.opened <= at), maxlen=MAX_EPISODES)
        self._attached.clear()
