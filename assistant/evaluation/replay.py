"""Replay a stretch of the user's own event log through the full pipeline, on the events' own clock."""

from __future__ import annotations

from collections.abc import Iterator

import sqlite_utils

from assistant.core.config import Config
from assistant.core.proposal import Proposal
from assistant.decide.engine import DecisionEngine
from assistant.decide.pipeline import Pipeline
from assistant.decide.policy import Policy, PolicySettings
from assistant.log import queries

TICK = 5.0


def build_pipeline(cfg: Config, with_model: bool) -> Pipeline:
    from models.judge.infer import load_judge

    judge = load_judge(cfg["judge.model_dir"])
    proposer, name = None, ""
    if with_model:
        from models.default_model import backend_from_config
        from models.proposer import Proposer

        backend = backend_from_config(cfg)
        proposer, name = Proposer(backend, max_tokens=cfg["model.max_tokens"]), backend.name
    engine = DecisionEngine(judge, cfg["judge.threshold"], proposer=proposer)
    return Pipeline(Policy(PolicySettings.from_config(cfg)), engine, model_name=name)


def replay(db: sqlite_utils.Database, start: float, end: float, pipeline: Pipeline) -> Iterator[Proposal]:
    """Yield every consultation (task or none) the pipeline would have made between start and end."""
    clock = start
    for event_id, event in queries.events_between(db, start, end):
        while clock + TICK < event.start:  # quiet stretches still count (stalls, cooldowns ending)
            clock += TICK
            _, proposal = pipeline.tick(clock)
            if proposal is not None:
                yield proposal
        clock = max(clock, event.start)
        pipeline.feed(event_id, event)
        _, proposal = pipeline.tick(clock)
        if proposal is not None:
            yield proposal
