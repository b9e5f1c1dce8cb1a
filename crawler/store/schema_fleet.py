"""The migration that lets several daemons share one database.

Registered by `schema` after every other migration (`schema` is at its size limit).
"""

from __future__ import annotations

import sqlite_utils


def m011_host_leases_and_outbox_claims(db: sqlite_utils.Database) -> None:
    """Which poller holds each host until when (`host_leases`), who polls this database
    (`fleet`: each daemon's last sign of life, so a round is shared among the live ones),
    and who sends each alert until when (`outbox.claimed_by`, `outbox.claim_expires`).

    A lease or claim whose time has passed is free: a poller killed with kill -9 cannot
    give its hosts or its alert back, so they come back by themselves.
    """
    db.executescript(
        """
        CREATE TABLE host_leases (
            host TEXT PRIMARY KEY,             -- the feed URL's host name, as Scrapy's slot
            holder TEXT,                       -- fleet.holder; NULL: free
            expires_at TEXT NOT NULL           -- free from this instant on, whoever holds it
        );
        CREATE TABLE fleet (
            holder TEXT PRIMARY KEY,           -- machine:pid:random, one per poller
            seen TEXT NOT NULL                 -- its last claim or renewal
        );
        ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
        ALTER TABLE outbox ADD COLUMN claim_expires TEXT;
        """
    )
