"""Turn raw events into short observation sentences ("The user saves 'report.md' in Visual Studio Code").

Pure, deterministic and instant. Input is what `store.recent(...)` returns: (id, Event) pairs, oldest first
(bare Events are accepted too; their id is taken from event.data["_id"] or -1). Bursts are merged: several
input buckets in the same window become one sentence, a focus flicker shorter than FLICKER_S is dropped, a
repeated focus on the same window is one sentence, going back to a file already shown is not opening it ("switches
back to"), a command run again after a change says which run it is ("(3rd run in 2 minutes, after changing
'x.py')"). Parts of a title that were redacted ("[redacted:...]")
are dropped; URLs are never narrated (only their host). Single quotes inside titles become ’ so that quoted
entities stay parseable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlparse

from assistant.core.events import Event
from models.titles import shorten

FLICKER_S = 1.5  # a focus shorter than this, followed by another focus, is not narrated
MERGE_GAP_S = 30.0  # input buckets this close in the same window merge into one sentence
PAUSE_S = 20.0  # typing, then no input in that window this long while it stays in focus: a pause is narrated
RERUN_S = 600.0  # runs of the same command this close, with a change saved between them, are counted

_REDACTED = re.compile(r"\[redacted[^\]]*\]")
_APP_NAMES = {
    "code": "Visual Studio Code", "code-oss": "Visual Studio Code", "codium": "VSCodium",
    "firefox": "Firefox", "firefox-esr": "Firefox", "chromium": "Chromium", "chromium-browser": "Chromium",
    "chrome": "Chrome", "google-chrome": "Chrome", "google-chrome-stable": "Chrome", "brave": "Brave",
    "brave-browser": "Brave", "msedge": "Edge", "microsoft-edge": "Edge", "vivaldi-bin": "Vivaldi",
    "gnome-terminal-server": "Terminal", "gnome-terminal": "Terminal", "konsole": "Konsole",
    "xterm": "Terminal", "alacritty": "Alacritty", "kitty": "kitty", "thunderbird": "Thunderbird",
    "slack": "Slack", "discord": "Discord", "teams": "Teams", "telegram-desktop": "Telegram",
    "soffice.bin": "LibreOffice", "libreoffice": "LibreOffice", "pycharm": "PyCharm", "idea": "IntelliJ IDEA",
    "evince": "Document Viewer", "okular": "Okular", "nautilus": "Files", "gedit": "gedit", "kate": "Kate",
    "obsidian": "Obsidian", "notion": "Notion", "zoom": "Zoom", "spotify": "Spotify",
}
_EDITOR_TAIL = re.compile(r"\s+[-\u2014\u2013]\s+(Visual Studio Code|VSCodium|Code - OSS|PyCharm.*|IntelliJ.*|"
                          r"Sublime Text.*|gedit|Kate|LibreOffice \w+|Obsidian.*|Mousepad)\s*$")
_BROWSER_TAIL = re.compile(r"\s+[-\u2014\u2013]\s+(?:Mozilla Firefox|Firefox|Chromium|Google Chrome|Brave|"
                           r"Microsoft\u200b? Edge|Vivaldi|Opera)\s*$")
_FILE = re.compile(r"^[●•*\s]*([\w.\-~/ ]{0,80}[\w\-]\.[A-Za-z][A-Za-z0-9]{0,5})(?:\s|$)")
_SEARCH = re.compile(r"^(?P<q>.+?)\s+(?:[-\u2014\u2013]|at)\s+(?P<e>Google(?: Search| 搜索)?|Bing|DuckDuckGo|"
                     r"Startpage|Ecosia|Brave Search|Kagi|Qwant|YouTube)\s*$")
_SEARCH_HOSTS = {"google": "Google", "bing": "Bing", "duckduckgo": "DuckDuckGo", "startpage": "Startpage",
                 "ecosia": "Ecosia", "search.brave": "Brave Search", "kagi": "Kagi"}
_TERMINALS = {"Terminal", "Konsole", "Alacritty", "kitty"}
_TERMINAL_TAIL = re.compile(r"\s+[-\u2014\u2013]\s+(?:Konsole|Terminal|Alacritty|kitty)\s*$")
_SHELLS = {"bash", "zsh", "fish", "sh", "dash", "tmux", "screen"}
_KONSOLE_COMMAND = re.compile(r"^[^:@]{1,60} : (?P<c>[a-z][\w.+-]{0,30})$")  # Konsole: "dir : program"
_COMMAND = re.compile(r"^(?P<c>[a-z][\w.+-]{0,30}(?: (?!-(?:\s|$))[^\s@()]+){1,12})$")  # a command line: "pytest -q tests"
_SAVE = {"ctrl+s", "cmd+s", "super+s"}
_COPY = {"ctrl+c", "cmd+c", "ctrl+shift+c"}
_PASTE = {"ctrl+v", "cmd+v", "ctrl+shift+v"}
_SKIP_SOURCES = {"app"}  # the assistant's own events (pause, resume, ...) are not user activity


@dataclass(frozen=True, slots=True)
class Observation:
    time: float
    sentence: str
    event_ids: list[int]


@dataclass
class _Segment:
    kind: str  # focus | input | save | idle | launch | exit | copy | text | pause
    start: float
    end: float
    ctx: tuple[str, str]  # (display app, subject) of the window
    ids: list[int] = field(default_factory=list)
    keys: int = 0
    clicks: int = 0
    scrolls: int = 0
    shortcuts: list[str] = field(default_factory=list)
    extra: str = ""
    again: bool = False  # a focus on a file window already narrated: the user goes back to it


def typed_keys(keys: int, shortcuts: list[str]) -> int:
    """Keys pressed beyond the bucket's shortcuts (the collector counts a chord's modifiers and key as keys: alt+left
    is two): going back a page with alt+left while reading is not typing."""
    return max(0, keys - sum(len(s.split("+")) for s in shortcuts))


def _clean(text: str | None, limit: int = 100) -> str:
    """Text without redacted parts, URLs' paths or stray quotes; '' when nothing meaningful is left."""
    if not text:
        return ""
    text = _REDACTED.sub(" ", text).replace("'", "\u2019").replace("\n", " ")
    text = " ".join(text.split()).strip(" -|\u2014\u2013:")
    return shorten(text, limit) if len(re.sub(r"\W", "", text)) >= 2 else ""


def app_display_name(app: str | None) -> str:
    if not app:
        return "an application"
    name = app.lower().removesuffix(".exe")
    return _APP_NAMES.get(name) or _clean(app, 40) or "an application"


def _host(url: str | None) -> str:
    try:
        return (urlparse(url or "").hostname or "").removeprefix("www.")
    except ValueError:
        return ""


def _search_from_url(url: str | None) -> tuple[str, str] | None:
    host = _host(url)
    engine = next((name for key, name in _SEARCH_HOSTS.items() if key in host), None)
    if not engine:
        return None
    query = parse_qs(urlparse(url or "").query).get("q", [""])[0]
    return (engine, query) if query else None


def _command(title: str) -> str:
    """The command a terminal's title says is running ('pytest -q', Konsole's 'web : npm'), else ''."""
    m = _KONSOLE_COMMAND.match(title)
    if m:
        return "" if m.group("c") in _SHELLS else m.group("c")
    m = _COMMAND.match(title)
    return _clean(m.group("c"), 80) if m and not title.startswith(("~", "/")) else ""


def describe_window(e: Event) -> tuple[str, str, str]:
    """(display app, kind, subject) for a focus: kind is 'search', 'page', 'file', 'command' (a terminal
    running one) or 'window'."""
    app = app_display_name(e.app)
    title = e.title or ""
    if e.data.get("browser") or e.source == "browser":
        page = e.data.get("page_title") or title
        m = _SEARCH.match(page) or _SEARCH.match(_BROWSER_TAIL.sub("", title))  # a page title without its site
        if m:
            return app, "search", f"{m.group('e').split()[0]}\u0000{_clean(m.group('q'))}"
        found = _search_from_url(e.data.get("url"))
        if found:
            return app, "search", f"{found[0]}\u0000{_clean(found[1])}"
        subject = _clean(page) if not re.match(r"(?i)^\w+://", page) else ""
        return app, "page", subject or _host(e.data.get("url"))
    if app in _TERMINALS:
        command = _command(_TERMINAL_TAIL.sub("", title).strip())
        if command:
            return app, "command", command
    bare = _EDITOR_TAIL.sub("", title)
    m = _FILE.match(bare)
    if m:
        return app, "file", _clean(m.group(1).strip().rsplit("/", 1)[-1], 80)
    tail = r"\s+[-\u2014\u2013]\s+[^-\u2014\u2013]*" + re.escape(app) + r"[^-\u2014\u2013]*$"
    subject = _clean(re.sub(tail, "", bare, flags=re.IGNORECASE))
    return app, "window", "" if subject.lower() == app.lower() else subject


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{max(5, round(seconds / 5.0) * 5)} seconds"
    minutes = round(seconds / 60.0)
    if minutes < 90:
        return "1 minute" if minutes == 1 else f"{minutes} minutes"
    hours = round(seconds / 3600.0, 1)
    return f"{hours:g} hours"


def _where(app: str, subject: str, kind: str) -> str:
    if subject and kind in ("file", "window", "page"):
        return f"'{subject}' in {app}"
    return app


def _sentence(seg: _Segment) -> str:
    app, kind, subject = seg.ctx[0], seg.extra or "", seg.ctx[1]
    if seg.kind == "focus":
        if kind == "search":
            engine, query = subject.split("\u0000", 1)
            return f"The user searches {engine} for '{query}'." if query else f"The user opens {engine} in {app}."
        if kind == "page":
            return f"The user switches to {app} and reads '{subject}'." if subject else \
                f"The user switches to {app}."
        if kind == "file":
            if seg.again:
                return f"The user switches back to '{subject}' in {app}."
            return f"The user opens '{subject}' in {app}."
        if kind == "command":
            return f"The user runs '{subject}' in {app}."
        return f"The user switches to {app} ('{subject}')." if subject else f"The user switches to {app}."
    if seg.kind == "input":
        where = _where(app, subject, kind)
        span = _duration(seg.end - seg.start)
        extras = [s for s in dict.fromkeys(seg.shortcuts) if s not in _SAVE][:3]
        if seg.keys:
            text = f"The user types in {where} for {span}"
        elif seg.scrolls:
            text = f"The user scrolls through {where} for {span}"
        elif seg.clicks:
            text = f"The user clicks around in {where}"
        elif extras:  # only shortcuts (going back a page, switching tabs): no typing
            return f"The user presses {', '.join(extras)} in {where}."
        else:
            return ""  # only a save or a copy: their own sentences say it
        return text + (f" (uses {', '.join(extras)})." if extras else ".")
    if seg.kind == "pause":
        return f"The user stops typing in {_where(app, subject, kind)} for {_duration(seg.end - seg.start)}."
    if seg.kind == "save":
        return f"The user saves {_where(app, subject, kind)} ({seg.shortcuts[0]})."
    if seg.kind == "copy":
        return f"The user copies text in {_where(app, subject, kind)}."
    if seg.kind == "text":
        return f"The user types '{subject}' in {app}."
    if seg.kind == "idle":
        return f"The user is idle for {_duration(seg.end - seg.start)}."
    if seg.kind == "launch":
        return f"The user launches {app}."
    if seg.kind == "exit":
        return f"The user closes {app}."
    return ""


def _context_of(e: Event, current: tuple[str, str, str],
                focused: tuple[str | None, str | None]) -> tuple[str, str, str]:
    """The window an input event happened in: the focused one when it names no other (input events carry the
    window's title but not the page a browser shows, so they are read as the focus event was)."""
    if not e.title and (e.app is None or app_display_name(e.app) == current[0]):
        return current
    if (e.app, e.title) == focused:
        return current
    return describe_window(e)


def _segments(pairs: list[tuple[int, Event]]) -> list[_Segment]:
    segs: list[_Segment] = []
    current = ("an application", "window", "")  # (app, kind, subject) of the focused window
    focused: tuple[str | None, str | None] = (None, None)  # its app and raw title
    # what the user does: apps they work in, not background processes (other users', helpers, timeouts)
    windowed = {e.app for _, e in pairs if e.kind == "focus" and e.app}
    for eid, e in sorted(pairs, key=lambda p: (p[1].start, p[0])):
        if e.source in _SKIP_SOURCES:
            continue
        if e.source == "process" and e.app not in windowed:
            continue
        prev = segs[-1] if segs else None
        if e.kind == "focus" or (e.source == "browser" and e.kind == "tab"):
            app, kind, subject = current = describe_window(e)
            focused = (e.app, e.title)
            if prev and prev.kind == "focus" and prev.ctx == (app, subject):
                prev.ids.append(eid)
                prev.end = max(prev.end, e.end)
                continue
            if prev and prev.kind == "focus" and e.start - prev.end < FLICKER_S and e.start - prev.start < FLICKER_S:
                segs.pop()  # flicker: the previous window was only passed through
                ids = prev.ids + [eid]
            else:
                ids = [eid]
            segs.append(_Segment("focus", e.start, e.end, (app, subject), ids, extra=kind))
        elif e.source == "input" and e.kind == "counts":
            app, kind, subject = current = _context_of(e, current, focused)
            shortcuts = [str(s) for s in e.data.get("shortcuts", [])]
            keys, clicks, scrolls = (int(e.data.get(k, 0) or 0) for k in ("keys", "clicks", "scrolls"))
            keys = typed_keys(keys, shortcuts)
            if keys or clicks or scrolls or shortcuts:
                gap = e.start - prev.end if prev else 0.0
                if (prev and prev.kind == "input" and prev.ctx == (app, subject) and gap <= MERGE_GAP_S
                        and not (prev.keys and gap >= PAUSE_S)):
                    prev.ids.append(eid)
                    prev.end = max(prev.end, e.end)
                    prev.keys, prev.clicks, prev.scrolls = prev.keys + keys, prev.clicks + clicks, prev.scrolls + scrolls
                    prev.shortcuts += shortcuts
                else:
                    segs.append(_Segment("input", e.start, e.end, (app, subject), [eid], keys, clicks, scrolls,
                                         shortcuts, extra=kind))
            for group, name in ((_SAVE, "save"), (_COPY, "copy")):
                hit = [s for s in shortcuts if s in group]
                if hit:
                    segs.append(_Segment(name, e.end, e.end, (app, subject), [eid], shortcuts=hit, extra=kind))
        elif e.source == "input" and e.kind == "text":
            app = app_display_name(e.app) if e.app else current[0]
            text = _clean(e.data.get("text"), 60)
            if text:
                segs.append(_Segment("text", e.start, e.end, (app, text), [eid]))
        elif e.source == "afk" and e.kind == "afk":
            if prev and prev.kind == "idle":
                prev.ids.append(eid)
                prev.end = max(prev.end, e.end)
            else:
                segs.append(_Segment("idle", e.start, e.end, ("", ""), [eid]))
        elif e.source == "process" and e.kind in ("launch", "exit"):
            segs.append(_Segment(e.kind, e.start, e.end, (app_display_name(e.app), ""), [eid]))
    return segs


_AFTER_INPUT = {"save", "copy", "launch", "exit"}  # these neither end a pause nor start one


def _pauses(segs: list[_Segment], now: float | None) -> list[_Segment]:
    """`segs` with a pause after each stretch of typing that the user left alone for PAUSE_S or more before
    doing anything else (input, a window change, going idle); with `now`, also the pause still going on."""
    out: list[_Segment] = []
    pending: _Segment | None = None  # a pause to place once the saves of the stretch's last bucket are out
    for i, seg in enumerate(segs):
        if pending is not None and not (seg.kind in _AFTER_INPUT and seg.start <= pending.start):
            out.append(pending)
            pending = None
        out.append(seg)
        if seg.kind != "input" or not seg.keys:
            continue
        later = [s for s in segs[i + 1 :] if s.kind not in _AFTER_INPUT]
        until = later[0].start if later else now
        if until is not None and until - seg.end >= PAUSE_S:
            pending = _Segment("pause", seg.end, until, seg.ctx, [], extra=seg.extra)
    if pending is not None:
        out.append(pending)
    return out


def _returns(segs: list[_Segment]) -> list[_Segment]:
    """`segs` with `again` set on each focus of a file window that an earlier focus already showed (going back
    to a document is not opening it)."""
    seen: set[tuple[str, str]] = set()
    for seg in segs:
        if seg.kind == "focus" and seg.extra == "file":
            seg.again = seg.ctx in seen
            seen.add(seg.ctx)
    return segs


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _command_key(command: str) -> str:
    """The same command whatever its options ('pytest tests/x.py -x -vv' is 'pytest tests/x.py')."""
    return " ".join(w for w in command.split() if not w.startswith("-"))


def _reruns(segs: list[_Segment]) -> dict[int, str]:
    """For each run of a command (a terminal's title turned into it) that repeats an earlier run of the same
    command within RERUN_S, after that one ended (the terminal showed its shell again) and a change was saved
    since: what to add to its sentence, ' (3rd run in 2 minutes, after changing 'x.py')'. An edit-and-rerun
    loop then reads in one sentence, however many sentences each round takes."""
    runs: dict[tuple[str, str], list[float]] = {}
    ended: set[tuple[str, str]] = set()
    saved: dict[tuple[str, str], str] = {}
    out: dict[int, str] = {}
    for i, seg in enumerate(segs):
        if seg.kind == "save":
            for key in runs:
                saved[key] = seg.ctx[1]
        elif seg.kind == "focus" and seg.extra == "command":
            key = (seg.ctx[0], _command_key(seg.ctx[1]))
            if key in ended and key in saved:
                times = [t for t in runs[key] if seg.start - t <= RERUN_S] + [seg.start]
                changed = f", after changing '{saved[key]}'" if saved[key] else ""
                out[i] = f" ({_ordinal(len(times))} run in {_duration(seg.start - times[0])}{changed})"
                runs[key] = times
            elif key not in runs or seg.start - runs[key][-1] > RERUN_S:
                runs[key] = [seg.start]
            ended.discard(key)
            saved.pop(key, None)
        elif seg.kind in ("focus", "input") and seg.extra != "command":
            ended.update(key for key in runs if key[0] == seg.ctx[0])
    return out


def narrate(events: list[tuple[int, Event]] | list[Event], now: float | None = None) -> list[Observation]:
    """Observation sentences (oldest first) for events, with the ids of the events behind each sentence.
    `now` (when the caller knows it) narrates a pause in typing that is still going on."""
    pairs = [p if isinstance(p, tuple) else (int(p.data.get("_id", -1)), p) for p in events]
    out: list[Observation] = []
    segs = _returns(_pauses(_segments(pairs), now))
    reruns = _reruns(segs)
    for i, seg in enumerate(segs):
        if seg.kind == "idle" and seg.end - seg.start < 30:
            continue  # a few seconds without input is not worth a sentence
        sentence = _sentence(seg)
        if i in reruns:
            sentence = sentence.removesuffix(".") + reruns[i] + "."
        if not sentence:
            continue
        if out and out[-1].sentence == sentence:
            out[-1].event_ids.extend(seg.ids)
            continue
        out.append(Observation(seg.start, sentence, list(seg.ids)))
    return out


def sentences(events: list[tuple[int, Event]] | list[Event], now: float | None = None) -> list[str]:
    """Just the sentences (the history format the candidates and the judge take)."""
    return [o.sentence for o in narrate(events, now)]
