"""Event log benchmark: batched ingest rate, "last 10 minutes" query latency at 10 M events, bytes per event.

    .venv/bin/python -m bench.store [--events 10000000] [--ingest 300000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from assistant.core.events import Event
from assistant.log import EventWriter, open_db
from assistant.log.events import bulk_load, events_between, newest_start, next_event_id, recent
from assistant.log.housekeeping import checkpoint
from bench.harness import peak_rss_mb, percentile, report

APPS = ["code", "firefox", "xterm", "slack", "evince", "libreoffice", "chromium", "nautilus"]
WORDS = "report draft main test utils budget meeting notes flask pandas error import review design plan".split()


def synthetic(rng: random.Random, t: float) -> Event:
    """A mix shaped like real use: mostly window heartbeats/focus, input counts, a few process events."""
    app = rng.choice(APPS)
    title = " ".join(rng.choices(WORDS, k=rng.randint(2, 6))) + f" - {app}"
    roll = rng.random()
    if roll < 0.55:
        return Event("window", "focus", start=t, duration=rng.uniform(0, 30), app=app, title=title)
    if roll < 0.9:
        return Event("input", "counts", start=t, duration=5, app=app, title=title,
                     data={"keys": rng.randint(0, 60), "clicks": rng.randint(0, 5), "scroll": 0,
                           "distance": rng.randint(0, 3000)})
    if roll < 0.97:
        return Event("afk", "not-afk", start=t, duration=rng.uniform(0, 600))
    return Event("process", "launch", start=t, app=app, data={"pid": rng.randint(100, 60000)})


def ingest_rate(path: Path, n: int, sync_interval: float) -> float:
    rng = random.Random(1)
    t0 = time.time() - n
    events = [synthetic(rng, t0 + i) for i in range(n)]
    writer = EventWriter(path, queue_size=n + 10, sync_interval=sync_interval).start()
    start = time.perf_counter()
    for event in events:
        writer.put(event)
    writer.flush(timeout=600)
    elapsed = time.perf_counter() - start
    writer.stop()
    assert writer.stats.dropped == 0
    return n / elapsed


def fill(path: Path, n: int, spacing: float) -> None:
    """Load n events past the writer (`assistant.log.events.bulk_load`), in big transactions."""
    db = open_db(path)
    rng = random.Random(2)
    t0 = time.time() - n * spacing
    next_id = next_event_id(db)
    batch = 200_000
    for chunk in range(0, n, batch):
        rows = []
        for i in range(chunk, min(n, chunk + batch)):
            e = synthetic(rng, t0 + i * spacing)
            r = e.to_row()
            rows.append((next_id + i, r["start"], r["duration"], r["source"], r["kind"], r["app"], r["title"],
                         r["data"]))
        bulk_load(db, rows)
        print(f"  filled {min(n, chunk + batch):,}/{n:,}", end="\r", flush=True)
    checkpoint(db)
    db.close()
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000_000, help="rows in the big DB")
    parser.add_argument("--ingest", type=int, default=300_000, help="events pushed through the writer")
    parser.add_argument("--queries", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        from assistant.core.config import default_config

        sync = default_config()["storage.sync_interval"]
        rate = ingest_rate(Path(tmp) / "ingest.db", args.ingest, sync)
        rate_direct = ingest_rate(Path(tmp) / "ingest-direct.db", args.ingest, 0.0)
        path = Path(tmp) / "big.db"
        spacing = 1.0
        t_fill = time.perf_counter()
        fill(path, args.events, spacing)
        fill_s = time.perf_counter() - t_fill
        size = path.stat().st_size
        db = open_db(path)
        now = newest_start(db) or time.time()
        lat_recent, lat_app, n_recent = [], [], 0
        for q in range(args.queries):
            at = now - random.uniform(0, 86400)
            start = time.perf_counter()
            n_recent = len(recent(db, 600, now=at))
            lat_recent.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            events_between(db, at - 86400, at, app=APPS[q % len(APPS)], limit=None)
            lat_app.append((time.perf_counter() - start) * 1000)
        rows = [
            (f"ingest through the writer (spool, commit every {sync:g} s)", rate, "events/s", ">= 100000"),
            ("ingest through the writer (commit every 0.8 s)", rate_direct, "events/s", ">= 100000"),
            ("bulk fill rate", args.events / fill_s, "events/s", "-"),
            ("events in DB", args.events, "rows", "10 M"),
            ("'last 10 minutes' p50", percentile(lat_recent, 50), "ms", "-"),
            ("'last 10 minutes' p99", percentile(lat_recent, 99), "ms", "<= 5"),
            ("rows returned per 'last 10 minutes'", n_recent, "rows", "-"),
            ("'events of app X in a day' p50", percentile(lat_app, 50), "ms", "-"),
            ("'events of app X in a day' p99", percentile(lat_app, 99), "ms", "-"),
            ("disk bytes per event", size / args.events, "bytes", "<= 200"),
            ("peak RSS", peak_rss_mb(), "MB", "-"),
        ]
        report("store", rows)


if __name__ == "__main__":
    main()
