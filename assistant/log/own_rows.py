"""Rows about the app's own windows (`assistant.core.own_windows`), which the log never keeps.

The collectors drop them at the source; `NOT_OWN` is the same test in SQL, so every reader of events (the
dashboard's queries, `events_between`: narrations, replay, `proactive events`) leaves out rows an older version
or an older running process stored, and `forget_own_rows` (run once by a migration) deletes them.
"""

from __future__ import annotations

import sqlite3

from assistant.core.own_windows import EXACT_TITLES, HOST_PREFIX, OWN_APPS, TITLE_PREFIX, own_window


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _own_sql(title: str = "title", app: str = "app") -> str:
    titles = ", ".join(_quote(t) for t in EXACT_TITLES)
    apps = ", ".join(_quote(a) for a in OWN_APPS)
    prefix = TITLE_PREFIX.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return (f"(({title} IN ({titles}) OR {title} LIKE {_quote(prefix + '%')} ESCAPE '\\') "
            f"AND (coalesce({app}, '') IN ('', {apps}) OR lower({app}) IN ({apps}) "
            f"OR lower({app}) LIKE {_quote(HOST_PREFIX + '%')}))")


OWN = _own_sql()
NOT_OWN = f"NOT coalesce({OWN}, 0)"  # `title` NULL: not ours


def own_row(app: str | None, title: str | None) -> bool:
    """The Python twin of `OWN` (for rows read from the spool)."""
    return own_window(app, title)


def forget_own_rows(conn: sqlite3.Connection) -> int:
    """Delete stored events about the app's own windows and the narrated sentences that quote their titles."""
    n = conn.execute(f"DELETE FROM events WHERE {OWN}").rowcount
    quoted = [f"'{t}'" for t in EXACT_TITLES if t != "Suggestion"]
    like = " OR ".join(["sentence LIKE ? ESCAPE '\\'"] * (len(quoted) + 1))
    conn.execute(f"DELETE FROM observations WHERE {like}",
                 [f"%'{TITLE_PREFIX}%", *(f"%{q}%" for q in quoted)])
    return n
