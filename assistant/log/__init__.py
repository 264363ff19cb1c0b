"""The local event log: one SQLite file, numbered migrations, one writer thread, and the only SQL of the app.

    db           open_db, Database, integrity check, salvage
    writer       EventWriter: the one insert path for events (queue, spool, heartbeats)
    events       reading events back
    proposals    proposals, labels, observations, what the dashboard lists
    state        typed messages between processes: pause, forget requests, runtime status, writer stats
    housekeeping forget, retention, vacuum
"""

from assistant.log.db import CorruptDatabase, Database, DatabaseBusy, LogError, open_db
from assistant.log.writer import EventWriter

__all__ = ["CorruptDatabase", "Database", "DatabaseBusy", "EventWriter", "LogError", "open_db"]
