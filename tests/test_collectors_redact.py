"""Redaction and the privacy gate: secrets never survive, excluded apps leave no trace."""

from __future__ import annotations

import base64
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.core.config import default_config
from assistant.core.events import Event
from collectors.privacy import Emitter, PrivacyFilter
from assistant.core.redact import redact, redact_value

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _luhn_complete(prefix: str) -> str:
    for last in "0123456789":
        digits = prefix + last
        total = sum((d * 2 - 9 if d * 2 > 9 else d * 2) if i % 2 else d
                    for i, d in enumerate(int(c) for c in reversed(digits)))
        if total % 10 == 0:
            return digits
    raise AssertionError


def _secret(kind: str, rnd: random.Random) -> str:
    pick = lambda alphabet, n: "".join(rnd.choice(alphabet) for _ in range(n))
    upper_digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return {
        "openai": lambda: "sk-" + rnd.choice(["", "proj-"]) + pick(ALNUM + "_-", 40),
        "github": lambda: rnd.choice(["ghp_", "gho_", "ghs_"]) + pick(ALNUM, 36),
        "aws": lambda: "AKIA" + pick(upper_digits, 16),
        "slack": lambda: "xoxb-" + pick("0123456789", 12) + "-" + pick(ALNUM, 24),
        "jwt": lambda: "eyJ" + pick(ALNUM, 20) + "." + pick(ALNUM + "_-", 30) + "." + pick(ALNUM + "_-", 30),
        "bearer": lambda: "Bearer " + pick(ALNUM + "._-", 30),
        "card": lambda: _luhn_complete(rnd.choice(["4", "51", "37"]) + pick("0123456789", 13)),
        "email": lambda: pick("abcdefghij.", 6).strip(".") + "x@" + pick("abcdefgh", 7) + ".com",
        "url-password": lambda: "https://bob:" + pick(ALNUM, 12) + "@host.example.org/path",
        "hex": lambda: pick("0123456789abcdef", rnd.choice([32, 40, 64])),
        "base64": lambda: base64.b64encode(rnd.randbytes(rnd.choice([30, 36, 48]))).decode(),
    }[kind]()


def _core(kind: str, secret: str) -> str:
    """The part that must not survive (the password of a URL, the token after Bearer)."""
    if kind == "url-password":
        return secret.split(":")[2].split("@")[0]
    if kind == "bearer":
        return secret.split(" ", 1)[1]
    return secret


KINDS = ["openai", "github", "aws", "slack", "jwt", "bearer", "card", "email", "url-password", "hex", "base64"]
# random surrounding text, split from the secret by a space, as in a window title
filler = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=400, deadline=None)
@given(kind=st.sampled_from(KINDS), seed=st.integers(0, 2**32), before=filler, after=filler)
def test_no_generated_secret_survives_redaction(kind: str, seed: int, before: str, after: str) -> None:
    secret = _secret(kind, random.Random(seed))
    text = f"{before} {secret} {after}"
    out = redact(text)
    assert _core(kind, secret) not in out, (kind, out)
    assert "[redacted:" in out


@settings(max_examples=200, deadline=None)
@given(kind=st.sampled_from(KINDS), seed=st.integers(0, 2**32), before=filler)
def test_secrets_in_event_data_are_redacted_by_the_privacy_gate(kind: str, seed: int, before: str) -> None:
    secret = _secret(kind, random.Random(seed))
    got: list[Event] = []
    emit = Emitter(PrivacyFilter([], [], []), got.append)
    emit(Event("window", "focus", app="editor", title=f"{before} {secret}",
               data={"url": f"https://x.org/?q={secret}", "list": [secret]}))
    core = _core(kind, secret)
    assert got and core not in (got[0].title or "") and core not in str(got[0].data)


def test_markers_name_the_kind_of_secret() -> None:
    assert redact("mail bob@example.com") == "mail [redacted:email]"
    assert redact("pay 4111 1111 1111 1111 now") == "pay [redacted:card] now"
    assert redact("git clone https://me:hunter2@git.example.org/r") == \
        "git clone https://[redacted:url-credentials]@git.example.org/r"
    assert redact("Authorization: Bearer abc.def") == "Authorization: Bearer [redacted:token]"
    assert redact("login?password=hunter2&next=/") == "login?password=[redacted:password]&next=/"


def test_ordinary_titles_are_left_alone() -> None:
    for title in ["Report draft - LibreOffice Writer", "main.py - /home/me/src/project - Visual Studio Code",
                  "Inbox (3) - Thunderbird", "Order 1234 5678 9012 3456 shipped",  # not Luhn-valid
                  "/usr/lib/python3.11/site-packages/something_long_here", "AbstractSingletonProxyFactoryBean",
                  "https://www.youtube.com/watch?v=dQw4w9WgXcQ"]:
        assert redact(title) == title


def test_custom_patterns_from_config_are_redacted() -> None:
    assert redact("ticket ACME-00042 opened", extra=[r"ACME-\d+"]) == "ticket [redacted:custom] opened"
    assert redact_value({"a": ["ACME-1"], "n": 3}, extra=[r"ACME-\d+"]) == {"a": ["[redacted:custom]"], "n": 3}


def test_excluded_apps_and_private_windows_leave_no_trace() -> None:
    got: list[Event] = []
    emit = Emitter(PrivacyFilter.from_config(default_config()), got.append)
    assert not emit(Event("window", "focus", app="keepassxc", title="Database.kdbx"))
    assert not emit(Event("window", "focus", app="firefox", title="Mozilla Firefox Private Browsing"))
    assert not emit(Event("window", "focus", app="chrome", title="New Tab",
                          data={"page_title": "New Incognito tab"}))
    assert emit(Event("window", "focus", app="xterm", title="Report draft"))
    assert [e.title for e in got] == ["Report draft"]
    assert emit.excluded == 3


def test_pause_switch_stops_everything() -> None:
    got: list[Event] = []
    emit = Emitter(PrivacyFilter([], [], []), got.append)
    emit.paused.set()
    assert not emit(Event("window", "focus", title="x"))
    emit.paused.clear()
    assert emit(Event("window", "focus", title="x")) and len(got) == 1
