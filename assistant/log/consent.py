"""The consent record: kept in the log, read by the runtime (nothing is collected without one) and by study
bundles."""

from __future__ import annotations

import json

from assistant.core.consent import Consent
from assistant.log.db import Database


def record_consent(db: Database, consent: Consent) -> int:
    cur = db.conn.execute(
        "INSERT INTO consent (time, text_version, opt_ins, model, via) VALUES (?,?,?,?,?)",
        (consent.time, consent.text_version, json.dumps(consent.opt_ins, sort_keys=True), consent.model,
         consent.via))
    return int(cur.lastrowid)


def latest_consent(db: Database) -> Consent | None:
    row = db.conn.execute("SELECT time, text_version, opt_ins, model, via FROM consent ORDER BY id DESC "
                          "LIMIT 1").fetchone()
    if row is None:
        return None
    try:
        opt_ins = json.loads(row[2]) if row[2] else {}
    except ValueError:
        opt_ins = {}
    return Consent(time=row[0], text_version=row[1], via=row[4], opt_ins=opt_ins, model=row[3])


def consent_history(db: Database) -> list[Consent]:
    rows = db.conn.execute("SELECT time, text_version, opt_ins, model, via FROM consent ORDER BY id").fetchall()
    return [Consent(time=r[0], text_version=r[1], via=r[4], opt_ins=json.loads(r[2] or "{}"), model=r[3])
            for r in rows]
