"""The redactor on its own: the table of secret shapes, hostile inputs, and what is deliberately kept."""

from __future__ import annotations

import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.core.redact import MAX_TITLE, UNSCANNABLE, cap, redact
from tests.secret_shapes import SHAPES, Shape


@pytest.mark.parametrize("shape", SHAPES, ids=[s.name for s in SHAPES])
def test_secret_shape_is_redacted(shape: Shape) -> None:
    out = redact(shape.text)
    assert "[redacted:" in out
    assert not [core for core in shape.cores if core in out], out


def test_the_table_covers_at_least_fifty_shapes() -> None:
    assert len(SHAPES) >= 50 and len({s.name for s in SHAPES}) == len(SHAPES)


def _within(seconds: float, fn, *args):
    """Run fn(*args) in a thread; fail (instead of hanging the suite) if it has not returned in `seconds`."""
    result: list = []
    thread = threading.Thread(target=lambda: result.append(fn(*args)), daemon=True)
    thread.start()
    thread.join(seconds)
    assert result, f"{fn.__name__} did not return within {seconds} s"
    return result[0]


def test_long_luhn_valid_digit_groups_never_raise() -> None:
    text = " ".join(["4111 1111 1111 1111"] * 880)  # 16.8 KB: RecursionError before
    out = _within(20, redact, text)
    assert "4111" not in out and out.count("[redacted:card]") == 880


def test_a_180_kb_title_is_cut_and_scanned_in_linear_time() -> None:
    title = "Release notes " + "a" * 180_000  # 180 KB in one word: quadratic, over a minute before
    out = _within(20, redact, title, (), MAX_TITLE)
    assert len(out) <= MAX_TITLE and out.startswith("Release notes")
    # and without a cap, adversarial runs for every rule stay linear (milliseconds per 64 KB, never minutes)
    for unit in ("a", "aB3", "4111 ", "1.", "a.", "a@b.", "://a:", "eyJ-", "-----BEGIN ", "a=", "password: ",
                 "ab:", "+1 2", "DE89 ", "sk-", "bearer ", " ", "-", "Ab3/", "x=1&y@z.c:/ ", "SHA256:"):
        _within(20, redact, (unit * (65536 // len(unit) + 1))[:65536])


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789 .-\u00a0+=:/@aZ_[]()\"'\n"), max_size=400))
def test_redact_never_raises_and_never_grows_without_bound(text: str) -> None:
    out = redact(text)
    assert isinstance(out, str) and len(out) <= 20 * len(text) + 32


def test_a_user_pattern_that_times_out_fails_closed() -> None:
    out = _within(10, redact, "a" * 40 + "!", (r"(a|aa)+$",))
    assert out == UNSCANNABLE


def test_cap_cuts_before_a_word_rather_than_through_a_secret() -> None:
    secret = "ghp_" + "Ab3" * 12
    text = "x " * 500 + secret
    out = cap(text, 1010)
    assert "ghp_" not in out and out.endswith("\u2026") and len(out) <= 1010
    assert cap("short", 1010) == "short"


def test_what_is_redacted_and_what_is_kept_on_purpose() -> None:
    """README 'Privacy': IBANs, international phone numbers and key fingerprints are redacted; national phone
    numbers, dates, versions, order numbers and public identifiers like commit hashes under 32 digits are kept."""
    assert redact("IBAN GB82 WEST 1234 5698 7654 32") == "IBAN [redacted:iban]"
    assert redact("GB82 WEST 1234 5698 7654 33") == "GB82 WEST 1234 5698 7654 33"  # fails mod-97
    assert redact("call +44 20 7946 0958") == "call [redacted:phone]"
    assert redact("call 020 7946 0958") == "call 020 7946 0958"
    assert redact("fingerprint SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8") == \
        "fingerprint [redacted:fingerprint]"
    for kept in ("Release 2024-05-01 12:30:45", "Python 3.11.7", "Order 1234 5678 9012 3456 shipped",
                 "commit a1b2c3d4 fixed", "bypass=true", "Token expired - Jira", "Basic Education - Wikipedia",
                 "sk-learn tutorial", "Meeting with +1 guests", "user=alice&page=2", "IP 192.168.100.200"):
        assert redact(kept) == kept
    started = time.monotonic()
    assert redact("") == "" and time.monotonic() - started < 1
