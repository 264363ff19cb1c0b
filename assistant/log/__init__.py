"""The local event log: one SQLite file, numbered migrations, one writer thread."""

from assistant.log.db import CorruptDatabase, open_db
from assistant.log.writer import EventWriter

__all__ = ["CorruptDatabase", "EventWriter", "open_db"]
