"""Redaction that generalises: maintained rules as data (gitleaks, MIT) run with RE2, quoted values whole,
separators of every kind in cards / IBANs / phones, passwords given to command-line tools, keys as well as values
in structured data, password managers and private windows by family, and export scanning with the same rules.
(These tests tune the rules; bench/attacks measures them on a list kept apart.)"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from assistant.core import vendored_rules
from assistant.core.config import default_config
from assistant.core.events import Event
from assistant.core.redact import redact, redact_value
from assistant.log import EventWriter
from collectors.aw_events import to_event
from collectors.privacy import PrivacyFilter
from tests.conftest import run_cli
from tests.secret_shapes import iban, luhn_complete, pick

CARD = luhn_complete("4" + pick("0123456789", 14))
IBAN = iban("DE", pick("0123456789", 18))


def _groups(text: str, sep: str) -> str:
    return sep.join(text[i:i + 4] for i in range(0, len(text), 4))


def test_the_vendored_rules_load_with_their_licence() -> None:
    rules, _, skipped = vendored_rules.load()
    assert len(rules) >= 200 and vendored_rules.compile_all() == [], skipped
    folder = Path(vendored_rules.__file__).parent / "secret_rules"
    assert "MIT License" in (folder / "LICENSE-gitleaks").read_text()
    assert all("file paths" in why for why in skipped)  # only the rules that look at file names are left out


@pytest.mark.parametrize("text, core", [
    ("algolia_api_key = 'ab12cd34ef56ab12cd34ef56ab12cd34'", "ab12cd34ef56ab12cd34ef56ab12cd34"),
    ("curl -u deploy:Hx7rP2kQ9z https://api.example.org", "Hx7rP2kQ9z"),
    ("PMAK-0123456789abcdef01234567-0123456789abcdef0123456789abcdef01", "0123456789abcdef01234567"),
])
def test_services_the_built_in_rules_never_named_are_redacted(text: str, core: str) -> None:
    assert core not in redact(text)


@pytest.mark.parametrize("text, kept_out", [
    ("Password='Blue Otter 77 Rises' - notes", ("Otter", "77", "Rises")),
    ('api_token: "four words of secret"', ("four words",)),
    ("psql --password 'long pass phrase' shop", ("pass phrase",)),
    ("export SSHPASS=Bl0eOtter && sshpass -e ssh x", ("Bl0eOtter",)),
    ("sshpass -P 'Password:' -p 'Bl0e Otter' ssh pi@host", ("Bl0e", "Otter")),
    ("http://nas.local/login?user=admin&pw=Xy7zz9kQ", ("Xy7zz9kQ",)),
    ("mariadb -uroot -pS3cr3tpw shop", ("S3cr3tpw",)),
    ("openssl enc -aes256 -pass pass:Hunter2x -in f", ("Hunter2x",)),
    ("<password>lantern9!Maple</password>", ("lantern9",)),
    ("mysql://app:pa#ss99@db:3306/x", ("pa#ss99",)),
    ("https://www.google.com/search?q=api_key%3DS3cr3tKey99", ("S3cr3tKey99",)),
    ("https://example.org/?q=openssl+-passout+pass%3AHunter2x", ("Hunter2x",)),
])
def test_passwords_are_redacted_whole(text: str, kept_out: tuple[str, ...]) -> None:
    out = redact(text)
    assert not any(part in out for part in kept_out), out


@pytest.mark.parametrize("sep", ["-", ".", "\u2013", "\u2009", "\u00a0", "\u202f", "\u2212"])
def test_cards_and_ibans_with_any_separator(sep: str) -> None:
    assert CARD[4:8] not in redact(f"Card {_groups(CARD, sep)} exp 04/29")
    assert IBAN[8:12] not in redact(f"IBAN {_groups(IBAN, sep)}")
    assert "555 0134" not in redact(f"Call +1{sep}415{sep}555 0134").replace(sep, " ")


def test_ordinary_titles_are_kept() -> None:
    for text in ("bypass=true", "Reset password - Gmail", "Password Manager settings", "the password is wrong",
                 "Release 2024-05-01", "Python 3.11.7 - docs", "pin point accuracy", "compass.py - code"):
        assert redact(text) == text


def test_keys_as_well_as_values_in_structured_data() -> None:
    token = "ghp_" + pick("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 36)
    clean = redact_value({token: "x", "password": "Blue Otter 77", "nested": {"api_key": "k1 k2"}})
    assert token not in json.dumps(clean) and "Otter" not in json.dumps(clean) and "k2" not in json.dumps(clean)
    privacy = PrivacyFilter.from_config(default_config())
    event = to_event("aw-x_h", f"app.custom.{token}", {"timestamp": time.time(), "duration": 1,
                                                      "data": {token: "v", "secret_note": "a b"}})
    stored = privacy.apply(event)
    assert token not in json.dumps([stored.kind, stored.data]), (stored.kind, stored.data)


VAULTS = [("keeweb", "KeeWeb"), ("chromium", "KeeWeb - Chromium"), ("firefox", "app.keeweb.info — Mozilla Firefox"),
          ("Enpass", "Enpass"), ("firefox", "Enpass Web — Mozilla Firefox"), ("chrome", "iCloud Passwords - Google Chrome"),
          ("iCloudPasswords", "iCloud Passwords"), ("xterm", "me@host:~$ pass -c work/email"),
          ("xterm", "$ pass github/token"), ("xterm", "gopass show -c db/prod"), ("xterm", "~ > rbw get bank"),
          ("xterm", "kpcli: show -f Mail"), ("xterm", "secret-tool lookup service smtp"),
          ("brave", "New Private Window - Brave"), ("epiphany", "Guest Window - Web"),
          ("firefox", "passwords.google.com — Mozilla Firefox"), ("buttercup", "Buttercup"),
          ("gnome-passwordsafe", "Password Safe"), ("secrets", "Secrets")]


@pytest.mark.parametrize("app, title", VAULTS)
def test_password_managers_and_private_windows_leave_no_trace(app: str, title: str) -> None:
    assert PrivacyFilter.from_config(default_config()).excluded(app, title)


def test_export_scans_again_with_the_current_rules(home: Path) -> None:
    """A row stored before the rules knew its shape (written here straight into the log) is redacted at export."""
    writer = EventWriter(home / "data" / "events.db", commit_interval=0.1).start()
    writer.put(Event("window", "focus", start=time.time() - 30, app="xterm",
                     title="export SSHPASS=Bl0eOtter77 && deploy"))
    assert writer.flush()
    writer.stop()
    out_file = home / "events.jsonl"
    out = run_cli("export", "--format", "events", "--out", str(out_file), home=home)
    assert out.returncode == 0, out.stderr
    assert "Bl0eOtter77" not in out_file.read_text() and "1 secret redacted" in out.stderr, out.stderr
