"""What the user is told before anything is collected, and the record of their answer.

The text is versioned: a study bundle carries the version the participant agreed to. Change the wording only
together with CONSENT_VERSION.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CONSENT_VERSION = "2"  # 2: every listener and recorder beyond the defaults is an opt-in (ActivityWatch, evdev, assist)

COLLECTED = (
    "the title and app of the window in front, and the title of the browser page",
    "when you are away from the keyboard",
    "how many keys, clicks and scrolls (counts only) and the names of shortcuts such as ctrl+s",
    "which apps start and stop",
)
NEVER_BY_DEFAULT = (
    "what you type (opt-in: collectors.input.record_text)",
    "what you copy (opt-in: collectors.clipboard)",
    "web addresses from a browser extension (opt-in: collectors.browser_endpoint)",
    "events from ActivityWatch watchers: web addresses, editor files (opt-in: collectors.activitywatch_api)",
    "input devices read directly on Wayland (opt-in: collectors.input.evdev; counts only)",
    "the text of your files or clipboard for an accepted task (opt-in: assist.read_files, assist.use_clipboard)",
    "nothing listens on a network port unless you turn on one of the two endpoints (this computer only)",
    "anything from password managers and private or incognito windows (always excluded)",
)
CONTROLS = (
    "pause: `proactive pause` or the tray menu",
    "forget: `proactive forget --last 1h` or the tray menu (rows are really deleted)",
    "export: `proactive export --out FILE`",
)
# Every listener or recorder beyond the defaults, with the words the consent screen and the prompt show for it.
OPT_IN_ITEMS = (
    ("collectors.input.record_text", "Keep what I type (short bursts per window, secrets redacted)"),
    ("collectors.input.evdev", "On Wayland, count keys and clicks from the input devices (counts only)"),
    ("collectors.clipboard.enabled", "Note what I copy (its kind and length only)"),
    ("collectors.clipboard.record_text", "…and keep the copied text itself (secrets redacted)"),
    ("collectors.browser_endpoint.enabled", "Accept page titles and addresses from a browser extension "
     "(a port on this computer only)"),
    ("collectors.activitywatch_api.enabled", "Accept events from ActivityWatch watchers: pages, editor files "
     "(a port on this computer only)"),
    ("assist.read_files", "When I accept a task about a file, let the model read that file (secrets redacted)"),
    ("assist.use_clipboard", "When I accept a task, let the model read my clipboard text (secrets redacted)"),
)
OPT_INS = tuple(key for key, _ in OPT_IN_ITEMS)
LISTENERS = ("collectors.browser_endpoint.enabled", "collectors.activitywatch_api.enabled")  # open a socket


def consent_text(data_dir: str) -> str:
    """The consent text as plain text (the first-run screen and the terminal prompt show the same)."""
    lines = ["What the assistant collects, on this computer only:"]
    lines += [f"  - {item}" for item in COLLECTED]
    lines += ["What it never collects unless you turn it on:"]
    lines += [f"  - {item}" for item in NEVER_BY_DEFAULT]
    lines += [f"Where it is stored: {data_dir} (readable by you only). Nothing leaves this computer.",
              "What you can do at any time:"]
    lines += [f"  - {item}" for item in CONTROLS]
    return "\n".join(lines)


@dataclass(frozen=True)
class Consent:
    """One answer to the consent screen: which text, when, which opt-ins were ticked, which model was chosen,
    and how it was given (gui, terminal, flag)."""

    time: float
    text_version: str
    via: str
    opt_ins: dict[str, bool] = field(default_factory=dict)
    model: str = ""


def not_agreed(opt_ins_on: dict[str, bool], consent: Consent | None) -> list[str]:
    """The opt-ins switched on in the config (`opt_ins_on`: key -> value) that the consent in force does not
    cover: they stay off until the user agrees to them."""
    agreed = consent.opt_ins if consent is not None else {}
    return [key for key in OPT_INS if opt_ins_on.get(key) and not agreed.get(key)]


def privacy_record(cfg: Any, consent: Consent | None = None) -> dict[str, Any]:
    """What was collected under which rules, for a study's privacy record (and `proactive consent --json`):
    every opt-in as it is in force (on in the config *and* agreed to), which of them open a listening socket,
    the consent's text version, and how many exclusion / secret patterns there are (counted, not copied: they
    may name private things)."""
    agreed = consent.opt_ins if consent is not None else None
    out: dict[str, Any] = {}
    for key in OPT_INS:
        on = bool(cfg[key])
        out[key] = on and (agreed is None or bool(agreed.get(key)))
    out["listeners"] = [key.split(".")[1] for key in LISTENERS if out[key]]
    if consent is not None:
        out["consent_text_version"] = consent.text_version
    for key in ("privacy.exclude_apps", "privacy.exclude_titles", "privacy.secret_patterns"):
        out[key + " (count)"] = len(cfg[key] or [])
    return out
