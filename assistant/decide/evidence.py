"""Evidence of need, read event by event from what the user does (pure logic over events and a clock).

A new window, file or page is not by itself a need. Evidence is built from the last few minutes
(ProAgentBench found about five minutes of history to be the useful window):

strong  the same error seen again (two looks separated in time: a rerun, or back from looking elsewhere), a
        search or an answer page right after an error
medium  back-and-forth between the same two windows (not a terminal), a stall after typing (the policy times
        it), reading a message then switching to a reply window, the same build or test command run three times
        with other windows in between
weak    several pages read for one search

Each piece of evidence names what the need is about (`assistant.decide.episodes.Evidence`), so the chain can
speak once per need. A window re-rendering its own title, scrolling, a first sighting of an error (also of an
old error window at start-up), a file opened, a video or one page read, however long, are never evidence by
themselves.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urlparse

from assistant.core.events import Event
from assistant.decide.episodes import Evidence, error_signature, message_key, normalise, similar
from assistant.decide.narrator import typed_keys
from models.titles import clean_title, error_line, strip_furniture

ERROR_TITLE = re.compile(
    r"(?i)\b(error|exception|traceback|failed|fails|failing|failure|fatal|cannot|can't|could not|couldn't|undefined|"
    r"not found|segmentation fault|panic|stack ?trace|unable to|permission denied|command not found|"
    r"merge conflict|connection refused|refused|rejected|not permitted|timed out)\b|"
    r"(?-i:\b[A-Z]\w+(Error|Exception)\b|\bCONFLICT\b|\bERR!|^E: |\berror\[E\d+\]|\bFAIL\b|^Merging: )")
# a search that describes a problem in the user's own words is a sighting of it too
PROBLEM_SEARCH = re.compile(r"(?i)\b(fix|fails?|failing|error|not working|doesn'?t work|won'?t|can'?t|cannot|unable|"
                            r"refused|denied|unknown|detached|broken|crash\w*|issue|problem|stuck|wrong|missing)\b")
# a build, test or run command shown in a terminal's title (the terminal retitles itself while it runs)
COMMAND_TITLE = re.compile(r"(?i)^(?:[^:]{0,60} : )?((?:pytest|py\.test|tox|cargo|go|npm|yarn|pnpm|make|cmake|ctest|"
                           r"mvn|gradle|gradlew|jest|vitest|tsc|dotnet|rspec|phpunit|bundle|rake|"
                           r"python[\d.]*|node|deno|ruby|javac|java|gcc|g\+\+|clang|docker|terraform)(?:\s[^\u2014]*)?)"
                           r"(?:\s+[\u2014\u2013-]\s+[^\u2014\u2013-]+)?$")
RERUNS = 3  # the same build or test command run this often, with other windows in between: stuck on it
SEARCH_TITLE = re.compile(
    r"(?i)(\s[-\u2013\u2014|]\s*(google( search)?|bing|duckduckgo|startpage|ecosia|brave search|kagi|qwant)\s*$|"
    r"\bat duckduckgo\s*$|stack ?overflow|stack ?exchange|github issues?|\bdocs?\b|documentation|reddit|\bmdn\b|"
    r"\bforums?\b|\bhelp\b|\bcommunity\b|discussions?|discourse|ask ubuntu|super ?user|server ?fault|"
    r"\bissues?\b|troubleshoot\w*|\bfaq\b)")
SEARCH_PAGE = re.compile(r"(?i)\s[-\u2013\u2014|]\s*(google( search| \u641c\u7d22)?|bing|duckduckgo|startpage|ecosia|"
                         r"brave search|kagi|qwant|suche|recherche|buscar)\s*$|\bat duckduckgo\s*$")
SEARCH_URL = re.compile(r"(?i)^https?://(www\.)?(google\.[a-z.]+/search|bing\.com/search|duckduckgo\.com/\?|"
                        r"startpage\.com|ecosia\.org/search|search\.brave\.com|kagi\.com/search)")
BROWSER_TAIL = re.compile(r"\s+[-\u2014\u2013]\s+(?:Mozilla Firefox|Firefox|Chromium|Google Chrome|Brave|"
                          r"Microsoft\u200b? Edge|Vivaldi|Opera)\s*$")
TERMINALS = re.compile(r"(?i)term|konsole|alacritty|kitty|tilix|wezterm|\bfoot\b|terminator|guake|yakuake|"
                       r"tmux|\bst\b|urxvt|iterm|powershell|cmd\.exe")
BROWSERS = re.compile(r"(?i)firefox|chrom|brave|vivaldi|opera|edge|safari|epiphany|browser")
REPLY_TITLE = re.compile(r"(?i)^((write|compose|draft)\s*:\s*)?(re|aw|sv|antw|rif|odp)\s*:|\breply\b")
NEW_MESSAGE = re.compile(r"(?i)^(write|compose|new message|draft)\b")  # writing a new message is not answering one
MESSAGE_APPS = re.compile(r"(?i)thunderbird|evolution|outlook|geary|kmail|mailspring|slack|teams|discord|"
                          r"element|signal|telegram|mattermost|zulip|gmail|mail")
# a conversation in a web app or a chat client's window title
MESSAGE_PAGE = re.compile(r"(?i)\b(gmail|outlook|proton ?mail|fastmail|roundcube|microsoft teams|slack|discord|"
                          r"element|mattermost|rocket\.chat|whatsapp|telegram|signal|messenger|zulip)\b|\((dm|channel)\)")
_MESSAGE_FURNITURE = re.compile(r"(?i)\s*[-|\u2013\u2014]\s*(\[redacted:[^\]]*\]|inbox|acme|gmail|outlook|slack|"
                                r"microsoft teams|discord|element|mail)\b.*$|^chat\s*\|\s*|\s*\((dm|channel)\)")
MEETING = re.compile(r"(?i)\b(zoom meeting|google meet|meet\.google|microsoft teams meeting|jitsi|webex|"
                     r"whereby|bigbluebutton)\b|^zoom$|^zoom\.us$")
VIDEO = re.compile(r"(?i)youtube|vimeo|netflix|twitch|\bvlc\b|\bmpv\b|totem|celluloid|media player")
EVIDENCE_S = 5 * 60
AGAIN_MIN_S = 5.0  # two looks at one error closer than this are one look (a flicker, a re-render)
RESEARCH_PAGES = 3  # distinct pages read after one search


def title_of(event: Event) -> str:
    return ((event.data.get("page_title") if event.data else None) or event.title or "").strip()


def place_of(event: Event) -> str:
    """Where the user is, coarsely: the app and the site (browsers) or the file type; not the exact title, so
    an answer given about one file or page also covers the next one of the same kind."""
    app = (event.app or "?").lower()
    url = (event.data or {}).get("url") if event.data else None
    if url:
        host = urlparse(str(url)).hostname or ""
        return f"{app}|{host.removeprefix('www.')}"
    title = title_of(event)
    match = re.search(r"\.([A-Za-z][A-Za-z0-9]{0,5})\b", title.split(" - ")[0]) if title else None
    if match:
        return f"{app}|.{match.group(1).lower()}"
    if ERROR_TITLE.search(title):
        return f"{app}|error"
    return f"{app}|"


def is_message(event: Event) -> bool:
    """A mail or chat window: by its app, or a webmail or chat page in a browser."""
    return bool(MESSAGE_APPS.search(event.app or "") or MESSAGE_PAGE.search(f"{title_of(event)} {event.title or ''}"))


def context_of(event: Event) -> str:
    """A stable name for one window: the app and its title (used to tell windows apart)."""
    return f"{event.app or '?'}|{title_of(event)[:120]}"


@dataclass(frozen=True)
class ErrorSighting:
    at: float
    window: str
    text: str  # the error in the user's words, without title furniture
    signature: str  # what makes two sightings the same error


def _matching_error(title: str, errors: list[ErrorSighting]) -> ErrorSighting:
    """The recent error a search or an answer page is about: the one sharing most words with its title, else
    the latest."""
    words = set(error_signature(title).split())
    best = max(errors, key=lambda e: (len(words & set(e.signature.split())), e.at))
    return best if words & set(best.signature.split()) else errors[-1]


def _shares_words(title: str, errors: list[ErrorSighting]) -> bool:
    """A page about one of these errors: two of its words (three letters or more) are in the error."""
    words = {w for w in normalise(title).split() if len(w) >= 3}
    return any(len(words & {w for w in e.signature.split() if len(w) >= 3}) >= 2 for e in errors)


def minutes(seconds: float) -> str:
    """'a minute', '3 minutes': a duration in the words a card uses."""
    n = round(seconds / 60)
    return "a minute" if n <= 1 else f"{n} minutes"


def window_name(window: str) -> str:
    """'firefox|Some page - Mozilla Firefox' -> 'Some page' (or the app when the title says nothing)."""
    app, _, title = window.partition("|")
    return clean_title(strip_furniture(title))[:40] or app


@dataclass
class DesktopState:
    """What the policy knows about the desktop right now, updated event by event."""

    focus: Event | None = None
    focus_since: float = 0.0
    present_since: float = 0.0
    afk: bool = False
    paused: bool = False
    switch_repeat: int = 3
    last_typing_end: float = 0.0
    typing_since: float = 0.0  # start of the current stretch of steady typing in the focused window
    last_input_end: float = 0.0
    recent_focus: deque = field(default_factory=lambda: deque(maxlen=16))  # (time, window id, window)
    errors: deque = field(default_factory=lambda: deque(maxlen=16))  # ErrorSighting
    runs: deque = field(default_factory=lambda: deque(maxlen=16))  # (time, command, window id)
    last_message_read: float = float("-inf")
    answer_fired_for: float = float("-inf")  # the focus (its start) a reply was last seen being typed in
    message_window: str = ""
    last_search: float = float("-inf")
    search_title: str = ""
    search_window: str = ""
    pages_since_search: set = field(default_factory=set)

    def update(self, event: Event) -> Evidence | None:
        """Apply one event; return the evidence it gives (a first sighting of an error has no strength: it
        is not yet a need, but it opens the episode the next sighting belongs to)."""
        if event.source == "afk":
            self.afk = event.kind == "afk"
            if not self.afk:
                self.present_since = event.start  # back at the keyboard: reading starts again from here
            return None
        if event.source == "app" and event.kind in ("pause", "resume"):
            self.paused = event.kind == "pause"
            return None
        if event.source == "input":
            self.last_input_end = max(self.last_input_end, event.end)
            data = event.data or {}
            if typed_keys(int(data.get("keys", 0) or 0), [str(s) for s in data.get("shortcuts", [])]) > 0:
                if event.start - self.last_typing_end > 30 or self.typing_since < self.focus_since:
                    self.typing_since = event.start
                self.last_typing_end = max(self.last_typing_end, event.end)
                return self._answering(event.start)
            return None
        is_focus = (event.source == "window" and event.kind == "focus") or (
            event.source == "browser" and event.kind == "tab")
        if not is_focus:
            return None
        previous = self.focus
        window = context_of(event)
        if previous is not None and context_of(previous) == window:
            self.focus = event  # a heartbeat or the same window again
            return None
        self.focus, self.focus_since = event, event.start
        pid = (event.data or {}).get("pid")
        self.recent_focus.append((event.start, f"{event.app}#{pid}" if pid else window, window))
        title = title_of(event)
        if previous is not None and is_message(previous) and not REPLY_TITLE.search(title_of(previous)):
            self.last_message_read, self.message_window = event.start, context_of(previous)
        return self._evidence(event, window, title, previous)

    def _evidence(self, event: Event, window: str, title: str, previous: Event | None) -> Evidence | None:
        now = event.start
        recent_errors = [e for e in self.errors if now - e.at <= EVIDENCE_S]
        url = str((event.data or {}).get("url") or "")
        browsing = bool(url) or bool(BROWSERS.search(event.app or "")) or event.source == "browser"
        full = f"{event.title or ''} {url}"  # the whole title: a page title may come without its site's name
        searching = browsing and bool(SEARCH_PAGE.search(title) or SEARCH_URL.search(url)
                                      or SEARCH_PAGE.search(BROWSER_TAIL.sub("", event.title or "")))
        followed = (previous is not None and previous.app == event.app and recent_errors
                    and recent_errors[-1].window == context_of(previous))  # a result of the error's search
        answers = searching or SEARCH_TITLE.search(title) or SEARCH_TITLE.search(full)  # a search, Q&A, docs
        if recent_errors and browsing and (answers or ERROR_TITLE.search(title) or followed
                                           or _shares_words(title, recent_errors)):
            err = _matching_error(title, recent_errors)  # looking the error up: the user is stuck on it
            return Evidence("search_after_error", "strong", now, "error", err.signature, err.text,
                            frozenset({window, err.window}), f"You looked up '{err.text}' right after it appeared.")
        if ERROR_TITLE.search(title) or (searching and PROBLEM_SEARCH.search(title)):
            return self._error_sighting(now, window, title, previous, recent_errors)
        rerun = self._rerun(now, event, window, title)
        if rerun is not None:
            return rerun
        if REPLY_TITLE.search(title) and now - self.last_message_read <= EVIDENCE_S:
            subject = clean_title(strip_furniture(title))
            return Evidence("reply", "medium", now, "message", message_key(title), subject,
                            frozenset({window, self.message_window}), f"You opened a reply after reading '"
                            f"{window_name(self.message_window)}'.")
        if searching:
            if title != self.search_title:  # a new search starts a new stretch of reading
                self.search_title, self.search_window, self.pages_since_search = title, window, set()
            self.last_search = now
        elif browsing and now - self.last_search <= EVIDENCE_S and not VIDEO.search(f"{event.app} {title} {url}"):
            self.pages_since_search.add(window)
            if len(self.pages_since_search) == RESEARCH_PAGES:  # several pages read for one search
                query = clean_title(strip_furniture(self.search_title))
                return Evidence("research", "weak", now, "research", normalise(query), query,
                                frozenset(self.pages_since_search | {self.search_window}),
                                f"You read {RESEARCH_PAGES} pages after searching for '{query}'.")
        pair = self._switching(now)  # (a terminal is part of the coding loop: not a pair to combine)
        if pair:
            a, b = sorted(pair)
            count = 2 * self.switch_repeat
            return Evidence("switching", "medium", now, "switching", f"{a} <> {b}",
                            f"{window_name(a)} and {window_name(b)}", frozenset(pair),
                            f"You switched between {window_name(a)} and {window_name(b)} {count} times.")
        return None

    def _answering(self, now: float) -> Evidence | None:
        """Typing starts in a message the user had open (a chat, a mail thread, a webmail page): answering it.
        Once per stay in that window."""
        focus = self.focus
        if focus is None or self.answer_fired_for == self.focus_since:
            return None
        title = title_of(focus)
        if not is_message(focus):
            return None
        if REPLY_TITLE.search(title) or NEW_MESSAGE.search(title) or now - self.focus_since < 3.0:
            return None  # a reply window is evidence on its own (its focus); a glance is not reading
        self.answer_fired_for = self.focus_since
        subject = clean_title(strip_furniture(_MESSAGE_FURNITURE.sub("", title))) or focus.app or "this message"
        return Evidence("reply", "medium", now, "message", message_key(title), subject,
                        frozenset({context_of(focus)}), f"You started answering '{subject}'.")

    def _error_sighting(self, now: float, window: str, title: str, previous: Event | None,
                        recent: list[ErrorSighting]) -> Evidence | None:
        """An error in view. The same error seen again, at least AGAIN_MIN_S after the last look and after
        the view showed something else, is strong evidence; its window re-rendering or scrolling is not a
        new look, and a first sighting (also of an old window at start-up) is not yet a need."""
        sighting = ErrorSighting(now, window, error_line(title), error_signature(title))
        before = title_of(previous) if previous is not None else ""
        if before and ERROR_TITLE.search(before) and previous.app == self.focus.app and similar(
                error_signature(before), sighting.signature):
            return None  # the same window re-rendering its title: not another look
        earlier = [e for e in recent if similar(e.signature, sighting.signature)]
        self.errors.append(sighting)
        if earlier and now - earlier[-1].at >= AGAIN_MIN_S:
            looks = len(earlier) + 1
            return Evidence("error_again", "strong", now, "error", sighting.signature, sighting.text,
                            frozenset({window}), f"The same error came back: '{sighting.text}' ({looks} times in "
                            f"{minutes(now - earlier[0].at)}).")
        return Evidence("error_seen", "", now, "error", sighting.signature, sighting.text, frozenset({window}))

    def _rerun(self, now: float, event: Event, window: str, title: str) -> Evidence | None:
        """The same build, test or run command started again and again with other windows in between (a test
        that keeps failing, a build that keeps breaking): the terminal's title shows the command while it
        runs, never the error."""
        match = COMMAND_TITLE.match(strip_furniture(title)) if TERMINALS.search(event.app or "") else None
        if match is None:
            return None
        command = match.group(1).strip()
        key = " ".join(w for w in command.split() if not w.startswith("-"))  # '-x -vv' is the same test again
        pid = (event.data or {}).get("pid")
        self.runs.append((now, key, f"{event.app}#{pid}" if pid else window))
        same = [t for t, c, _ in self.runs if c == key and now - t <= EVIDENCE_S]
        elsewhere = {w for t, w, _ in self.recent_focus if t >= same[0]} - {self.recent_focus[-1][1]}
        if len(same) < RERUNS or not elsewhere:
            return None
        return Evidence("rerun", "medium", now, "command", normalise(key), command, frozenset({window}),
                        f"You ran '{command}' {len(same)} times in {minutes(now - same[0])}, changing things in "
                        f"between.")

    def _switching(self, now: float) -> frozenset[str] | None:
        """Back and forth between the same two windows (a terminal retitling itself as commands run is one
        window, not two)."""
        recent = [(w, name) for t, w, name in self.recent_focus if now - t <= EVIDENCE_S]
        need = 2 * self.switch_repeat
        tail = recent[-need:]
        if len(tail) == need and len({w for w, _ in tail}) == 2 and tail[-1][0] != tail[-2][0]:
            pair = frozenset({tail[-1][1], tail[-2][1]})
            return None if any(TERMINALS.search(w.partition("|")[0]) for w in pair) else pair
        return None

    def in_flow(self, now: float, flow_s: float) -> bool:
        """Steady typing in one window for a while, still going: the user knows what they are doing."""
        return (self.typing_since >= self.focus_since and now - self.last_typing_end < 30
                and self.last_typing_end - self.typing_since >= flow_s)
