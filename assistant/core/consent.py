"""What the user is told before anything is collected, and the record of their answer.

The text is versioned: a study bundle carries the version the participant agreed to. Change the wording only
together with CONSENT_VERSION.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CONSENT_VERSION = "1"

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
    "anything from password managers and private or incognito windows (always excluded)",
)
CONTROLS = (
    "pause: `proactive pause` or the tray menu",
    "forget: `proactive forget --last 1h` or the tray menu (rows are really deleted)",
    "export: `proactive export --out FILE`",
)
OPT_INS = ("collectors.input.record_text", "collectors.clipboard.enabled", "collectors.clipboard.record_text",
           "collectors.browser_endpoint.enabled")


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
