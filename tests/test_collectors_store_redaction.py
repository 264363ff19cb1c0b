"""Property: secrets in titles, apps and data never reach the SQLite file through the real writer."""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.core.events import Event
from assistant.log import EventWriter
from collectors.privacy import Emitter, PrivacyFilter
from tests.test_collectors_redact import KINDS, _core, _secret, filler


@settings(max_examples=15, deadline=None)
@given(cases=st.lists(st.tuples(st.sampled_from(KINDS), st.integers(0, 2**32), filler), min_size=5, max_size=12))
def test_no_secret_reaches_the_database(tmp_path_factory, cases) -> None:
    db: Path = tmp_path_factory.mktemp("db") / "events.db"
    writer = EventWriter(db, commit_interval=0.05).start()
    emit = Emitter(PrivacyFilter([], [], []), writer.put)
    cores = []
    for i, (kind, seed, text) in enumerate(cases):
        secret = _secret(kind, random.Random(seed))
        cores.append(_core(kind, secret).encode())
        emit(Event("window", "focus", start=1000.0 + i, app="editor", title=f"{text} {secret}",
                   data={"page_title": secret, "nested": {"text": [f"x {secret}"]}}))
    assert writer.flush(10)
    writer.stop()
    stored = b"".join(p.read_bytes() for p in db.parent.glob("events.db*"))
    assert stored.count(b"[redacted:") >= len(cases)
    for core in cores:
        assert core not in stored
