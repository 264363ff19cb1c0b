"""A situation: what a person does at the desktop (a timeline of steps) and when they needed which help.

A `Script` is written the way the day happens: `s.open("term", "gnome-terminal", "alice@laptop: ~/vision")`,
`s.type(20)`, `s.focus("web", "… - Google Search — Mozilla Firefox")`, `s.wait(30)`; each call advances the
script's clock `s.now` by what the action takes. `s.desk(...)` lists windows that are already open when the
situation starts (opened before recording). A `Need` is ground truth in seconds from the start:

* `start`: the person comes to need help (the error appears, the message to answer is opened);
* `evidence`: the first moment the recorded events name the need (the error in a title or a search for it,
  the reply window, the third page read on one search): the bench measures "helped within 60 s" from here;
* `end`: the need is over (fixed, sent, moved on);
* `welcome`: the kinds of help (the candidate generator's kinds, `assistant.decide.candidates`) the person would accept.

`Situation.version` is a hash of everything that changes what happens (steps, needs, duration): a recording
made from another version of the script is stale.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace

from bench.situations.apps import app as app_profile

# the candidate generator's kinds of task (assistant.decide.candidates)
KINDS = frozenset({"explain_error", "find_fix", "find_example", "research", "summarise_pages",
                   "continue_document", "review_file", "combine", "resume", "draft_reply"})
SWITCH_S = 1.0  # a focus change (alt-tab, a click on another window) takes about a second
OPEN_S = 2.0  # launching an app until its window is there


@dataclass(frozen=True)
class Step:
    """One action at `at` seconds from the start (negative: before the start, the desktop as it is found).

    action: open | focus | title | type | keys | scroll | close. `window` names the window (a script-local
    name), `app` an apps.APPS profile (open), `title` the title (open; focus/title: the new title, "" keeps
    it), `seconds` how long typing or scrolling lasts, `rate` characters or wheel clicks per second, `keys`
    xdotool key names separated by spaces (keys), `text` what the window shows (open).
    """

    at: float
    action: str
    window: str = ""
    app: str = ""
    title: str = ""
    seconds: float = 0.0
    rate: float = 0.0
    keys: str = ""
    text: str = ""


@dataclass(frozen=True)
class Need:
    """One need of help, in seconds from the start (see the module docstring)."""

    start: float
    evidence: float
    end: float
    welcome: tuple[str, ...]
    what: str

    def __post_init__(self) -> None:
        if not self.start <= self.evidence <= self.end:
            raise ValueError(f"need {self.what!r}: expected start <= evidence <= end")
        unknown = set(self.welcome) - KINDS
        if unknown or not self.welcome:
            raise ValueError(f"need {self.what!r}: welcome kinds must be some of {sorted(KINDS)}")


def open_need(needs: tuple[Need, ...], t: float) -> Need | None:
    """The need open at `t` seconds from the start (the latest started one), or None."""
    open_ = [n for n in needs if n.start <= t <= n.end]
    return max(open_, key=lambda n: n.start) if open_ else None


@dataclass(frozen=True)
class Situation:
    """A scripted everyday situation with its ground truth."""

    name: str
    family: str
    summary: str
    steps: tuple[Step, ...]
    needs: tuple[Need, ...]
    duration: float

    @property
    def version(self) -> str:
        """A hash of what happens (steps, needs, duration): changes whenever the script does."""
        body = {"steps": [asdict(s) for s in self.steps], "needs": [asdict(n) for n in self.needs],
                "duration": self.duration, "family": self.family}
        text = json.dumps(body, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    @property
    def no_need(self) -> bool:
        return not self.needs

    def need_at(self, t: float) -> Need | None:
        return open_need(self.needs, t)

    def ground_truth(self) -> dict:
        """The situation without its steps, as stored next to a recording."""
        return {"name": self.name, "family": self.family, "summary": self.summary, "version": self.version,
                "duration": self.duration, "needs": [asdict(n) for n in self.needs]}


@dataclass
class Script:
    """Builds a situation's steps on a clock (`now`, seconds from the start)."""

    now: float = 0.0
    steps: list[Step] = field(default_factory=list)
    windows: dict[str, str] = field(default_factory=dict)  # window -> app
    focused: str = ""

    def desk(self, window: str, app: str, title: str, text: str = "") -> Script:
        """A window already open when the situation starts; the last one opened has the focus."""
        self._new_window(window, app)
        self.steps.append(Step(-1.0, "open", window, app, title, text=text))
        self.focused = window
        return self

    def open(self, window: str, app: str, title: str, text: str = "") -> Script:
        """Launch an app: its window opens and takes the focus."""
        self._new_window(window, app)
        self.steps.append(Step(self.now, "open", window, app, title, text=text))
        self.focused = window
        self.now += OPEN_S
        return self

    def focus(self, window: str, title: str = "") -> Script:
        """Switch to a window (alt-tab or a click); `title`: what it shows now, if that changed meanwhile."""
        self._known(window)
        self.steps.append(Step(self.now, "focus", window, title=title))
        self.focused = window
        self.now += SWITCH_S
        return self

    def title(self, title: str, then: float = 0.0) -> Script:
        """The focused app changes its title (another page, tab, file, a command starts); `then` seconds pass."""
        self.steps.append(Step(self.now, "title", self.focused, title=title))
        self.now += then
        return self

    def type(self, seconds: float, cps: float = 4.0) -> Script:
        """Type into the focused window for `seconds` at `cps` characters a second (content is never kept)."""
        self.steps.append(Step(self.now, "type", self.focused, seconds=seconds, rate=cps))
        self.now += seconds
        return self

    def keys(self, *names: str, then: float = 1.0) -> Script:
        """Press keys or shortcuts (xdotool names: ctrl+s, Return, ctrl+Return) in the focused window."""
        self.steps.append(Step(self.now, "keys", self.focused, keys=" ".join(names)))
        self.now += then
        return self

    def scroll(self, seconds: float, per_s: float = 0.5) -> Script:
        """Read with the mouse wheel: `per_s` wheel clicks a second (down) for `seconds`."""
        self.steps.append(Step(self.now, "scroll", self.focused, seconds=seconds, rate=per_s))
        self.now += seconds
        return self

    def close(self, window: str) -> Script:
        """Close a window (the window manager focuses another one)."""
        self._known(window)
        self.steps.append(Step(self.now, "close", window))
        self.windows.pop(window)
        self.now += SWITCH_S
        return self

    def wait(self, seconds: float) -> Script:
        """Nothing happens at the keyboard or mouse (reading, thinking, away)."""
        self.now += seconds
        return self

    def _new_window(self, window: str, app: str) -> None:
        app_profile(app)  # a typo fails when the library is imported, not mid-recording
        if window in self.windows:
            raise ValueError(f"window {window!r} is already open")
        self.windows[window] = app

    def _known(self, window: str) -> None:
        if window not in self.windows:
            raise ValueError(f"no open window {window!r}")


def situation(name: str, family: str, summary: str, script: Script, needs: list[Need] | tuple[Need, ...] = (),
              tail: float = 10.0) -> Situation:
    """A situation from a finished script: it lasts until `tail` seconds after the last action."""
    duration = round(script.now + tail, 1)
    steps = tuple(replace(s, at=round(s.at, 2)) for s in script.steps)
    needs = tuple(replace(n, start=round(n.start, 1), evidence=round(n.evidence, 1), end=round(n.end, 1))
                  for n in needs)
    for need in needs:
        if need.end > duration:
            raise ValueError(f"{name}: need {need.what!r} ends after the situation ({duration:g} s)")
    return Situation(name, family, summary, steps, needs, duration)
