"""Clipboard collector (opt-in) against a real X clipboard owned by a Qt process."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

from assistant.core.config import default_config
from assistant.core.events import Event
from collectors.clipboard import ClipboardCollector, content_kind
from collectors.privacy import Emitter, PrivacyFilter
from collectors.window import FocusState
from tests.display import x_env, xserver  # noqa: F401

pytestmark = pytest.mark.display

OWNER = textwrap.dedent("""
    import sys
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtCore import QTimer
    app = QGuiApplication(["owner", "-platform", "xcb"])
    app.clipboard().setText(sys.argv[1])
    QTimer.singleShot(4000, app.quit)
    app.exec()
""")


def _copy(x_env, text: str) -> subprocess.Popen:  # noqa: F811
    return subprocess.Popen([sys.executable, "-c", OWNER, text], env=x_env.env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.parametrize("record_text", [False, True])
def test_copying_text_records_kind_and_length_and_text_only_when_asked(x_env, record_text) -> None:  # noqa: F811
    got: list[Event] = []
    focus = FocusState()
    focus.set("xterm", "Notes", False)
    c = ClipboardCollector(Emitter(PrivacyFilter.from_config(default_config()), got.append), focus, record_text)
    c.start()
    owner = None
    try:
        time.sleep(0.5)
        owner = _copy(x_env, "call me: bob@example.com")
        deadline = time.monotonic() + 10
        while not got and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        c.stop()
        if owner:
            owner.kill()
            owner.wait()
    assert got, c.status()
    event = got[0]
    assert (event.source, event.kind, event.app, event.title) == ("clipboard", "text", "xterm", "Notes")
    assert event.data["length"] == len("call me: bob@example.com")
    if record_text:
        assert event.data["text"] == "call me: [redacted:email]"
    else:
        assert "text" not in event.data and "bob" not in repr(got)


def test_content_kinds() -> None:
    assert content_kind(["TARGETS", "image/png"]) == "image"
    assert content_kind(["TARGETS", "text/uri-list", "UTF8_STRING"]) == "files"
    assert content_kind(["TARGETS", "UTF8_STRING", "text/plain"]) == "text"
    assert content_kind(["TARGETS", "application/x-foo"]) == "other"
