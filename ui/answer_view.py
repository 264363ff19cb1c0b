"""Opening a kept answer again: the dashboard's accepted tasks show the answer the model gave (copy, rate it
later, ask a follow-up in the same context), through the task panel in its "kept answer" mode.

    panel = open_kept_answer(db, proposal_id, cfg, backend, why)   # None when that task has no kept answer
"""

from __future__ import annotations

from typing import Any

from assistant.app.assist import TaskHelp
from assistant.log import Database
from assistant.log.answers import latest_answer_for
from models.backends import Backend
from ui.panel import TaskPanel


def open_kept_answer(db: Database, proposal_id: int, cfg: Any, backend: Backend | None,
                     unavailable: str = "") -> TaskPanel | None:
    """The task panel showing the newest answer kept for `proposal_id` (follow-ups need `backend`; without it
    the panel says why and still shows, copies and rates the answer). None when no answer was kept."""
    kept = latest_answer_for(db, proposal_id)
    if kept is None:
        return None
    help_ = TaskHelp.open(db, proposal_id, cfg, evidence=False)
    if help_ is None:
        return None
    return TaskPanel(help_, db, backend, kept=kept.answer,
                     unavailable="" if backend is not None else f"Follow-ups need a model: {unavailable}".strip())
