"""Replay a stretch of the user's own event log through the decision chain, on the events' own clock."""

from __future__ import annotations

from collections.abc import Iterator

from assistant.core.proposal import Proposal
from assistant.decide.pipeline import Pipeline
from assistant.log import Database
from assistant.log.events import events_between

TICK = 5.0  # the live loop wakes at least this often without events (app.live.TICK_SECONDS)


def replay(db: Database, start: float, end: float, chain: Pipeline) -> Iterator[Proposal]:
    """Yield every consultation (task or none) the chain would have made between start and end."""
    clock = start
    for event_id, event in events_between(db, start, end):
        while clock + TICK < event.start:  # quiet stretches still count (stalls, cooldowns ending)
            clock += TICK
            _, proposal = chain.tick(clock)
            if proposal is not None:
                yield proposal
        clock = max(clock, event.start)
        chain.feed(event_id, event)
        _, proposal = chain.tick(clock)
        if proposal is not None:
            yield proposal
