"""Every SQL statement on the `outbox` table: alerts waiting for, or done with, delivery.

A row moves pending → sending → sent, or back to pending with a later
`next_attempt`, or to failed once retries run out. Each move is its own
transaction, committed before the next step, so after a crash the row says
how far it got: a row still 'sending' may or may not have reached its
receiver, and is due again (at least once: receivers drop a repeat by its id);
after its last attempt it is 'failed'. 'unknown' is kept for rows older
deliveries left; `resend_failed` makes those due again too.

Several daemons deliver from one outbox: a row is claimed by one of them in a single
statement (`claim_next`: PostgreSQL skips rows another claimer has locked), with an
expiry past the courier's hard deadline. A row is due again as interrupted only once
its claim has expired, so a live daemon's alert is never sent a second time by another.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from crawler.clock import isoformat
from crawler.store.backend import is_postgres

HIGH_WATER = "outbox_seq"  # counters row: the last event change the outbox has looked at
STATES = ("pending", "sending", "sent", "failed", "unknown", "skipped")


@dataclass(frozen=True)
class OutboxRow:
    """One alert as delivery needs it: where (by name), what, and how often tried."""

    id: int
    target: str
    event_id: int
    reason: str
    title: str
    body: str
    attempts: int


@dataclass(frozen=True)
class Announced:
    """What a target was last told (or deliberately not told) about an event."""

    facts_hash: str
    facts: dict[str, Any]


# -- enqueueing ----------------------------------------------------------------


def high_water(db: sqlite_utils.Database) -> int:
    row = db.execute("SELECT value FROM counters WHERE name = ?", [HIGH_WATER]).fetchone()
    return row[0] if row else 0


def set_high_water(db: sqlite_utils.Database, value: int) -> None:
    """Only ever moves forward, so a late writer cannot make events be looked at twice."""
    db.execute(
        """INSERT INTO counters (name, value) VALUES (?, ?)
           ON CONFLICT (name) DO UPDATE SET value = max(counters.value, excluded.value)""",
        [HIGH_WATER, value],
    )


def last_announced(db: sqlite_utils.Database, target: str, event_id: int) -> Announced | None:
    """The facts of the latest row for (target, event), whatever its state."""
    row = db.execute(
        """SELECT facts_hash, facts FROM outbox WHERE target = ? AND event_id = ?
           ORDER BY id DESC LIMIT 1""",
        [target, event_id],
    ).fetchone()
    return Announced(row[0], json.loads(row[1])) if row else None


def add(
    db: sqlite_utils.Database,
    *,
    target: str,
    event_id: int,
    reason: str,
    change_seq: int,
    facts: dict[str, Any],
    facts_hash: str,
    title: str,
    state: str,
    now: datetime,
) -> int | None:
    """Insert one row with an empty body (the body names the row id); None if the
    target already has its 'new' row for this event."""
    stamp = isoformat(now)
    cursor = db.execute(
        """INSERT OR IGNORE INTO outbox (target, event_id, reason, change_seq, facts,
               facts_hash, title, body, state, next_attempt, created)
           VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?) RETURNING id""",
        [
            target,
            event_id,
            reason,
            change_seq,
            json.dumps(facts, sort_keys=True, ensure_ascii=False),
            facts_hash,
            title,
            state,
            stamp,
            stamp,
        ],
    )
    row = cursor.fetchone()
    return None if row is None else row[0]


def set_body(db: sqlite_utils.Database, row_id: int, body: str) -> None:
    db.execute("UPDATE outbox SET body = ? WHERE id = ?", [body, row_id])


# -- delivery ------------------------------------------------------------------


def mark_interrupted(
    db: sqlite_utils.Database, now: datetime, error: str, max_attempts: int
) -> int:
    """Rows a dead delivery left 'sending' (their claim expired) are due now (a kill must
    not lose an alert), or 'failed' once they have had `max_attempts`."""
    stamp = isoformat(now)
    with db.atomic():
        return db.execute(
            """UPDATE outbox SET
                   state = CASE WHEN attempts >= ? THEN 'failed' ELSE 'pending' END,
                   next_attempt = ?, last_error = ?, claimed_by = NULL,
                   finished = CASE WHEN attempts >= ? THEN ? ELSE finished END
               WHERE state = 'sending' AND (claim_expires IS NULL OR claim_expires <= ?)""",
            [max_attempts, stamp, error, max_attempts, stamp, stamp],
        ).rowcount


def claim_next(
    db: sqlite_utils.Database, now: datetime, targets: list[str], holder: str, until: datetime
) -> OutboxRow | None:
    """The oldest due row for a configured target, committed 'sending' for `holder` until
    `until` before anything leaves the process; None when nothing is due (or every due
    row is another claimer's)."""
    if not targets:
        return None
    marks = ",".join("?" * len(targets))
    skip = " FOR UPDATE SKIP LOCKED" if is_postgres(db) else ""
    with db.atomic():
        row = db.execute(
            f"""UPDATE outbox SET state = 'sending', attempts = attempts + 1,
                       claimed_by = ?, claim_expires = ?
                WHERE id = (SELECT id FROM outbox
                            WHERE state = 'pending' AND next_attempt <= ?
                              AND target IN ({marks})
                            ORDER BY next_attempt, id LIMIT 1{skip})
                  AND state = 'pending'
                RETURNING id, target, event_id, reason, title, body, attempts - 1""",
            [holder, isoformat(until), isoformat(now), *targets],
        ).fetchone()
    return OutboxRow(*row) if row else None


def mark_sent(db: sqlite_utils.Database, row_id: int, now: datetime) -> None:
    with db.atomic():
        db.execute(
            """UPDATE outbox SET state = 'sent', last_error = NULL, finished = ?
               WHERE id = ? AND state = 'sending'""",
            [isoformat(now), row_id],
        )


def mark_retry(db: sqlite_utils.Database, row_id: int, when: datetime, error: str) -> None:
    with db.atomic():
        db.execute(
            """UPDATE outbox SET state = 'pending', next_attempt = ?, last_error = ?
               WHERE id = ? AND state = 'sending'""",
            [isoformat(when), error, row_id],
        )


def mark_failed(db: sqlite_utils.Database, row_id: int, now: datetime, error: str) -> None:
    with db.atomic():
        db.execute(
            """UPDATE outbox SET state = 'failed', last_error = ?, finished = ?
               WHERE id = ? AND state = 'sending'""",
            [error, isoformat(now), row_id],
        )


def resend_failed(db: sqlite_utils.Database, now: datetime) -> int:
    """Failed rows, and 'unknown' ones older deliveries left, become due again with a
    fresh count of attempts, once an operator has fixed their target."""
    with db.atomic():
        return db.execute(
            """UPDATE outbox SET state = 'pending', attempts = 0, next_attempt = ?,
                      finished = NULL
               WHERE state IN ('failed', 'unknown')""",
            [isoformat(now)],
        ).rowcount


# -- reading -------------------------------------------------------------------


def state_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """Rows per state, every state present, for `newsmon health`-style reports."""
    found = dict(db.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall())
    return {state: found.get(state, 0) for state in STATES}


def problems(db: sqlite_utils.Database, limit: int = 50) -> list[dict[str, Any]]:
    """Rows an operator must look at: failed, unknown, or retrying after an error."""
    return [
        dict(row)
        for row in db.query(
            """SELECT id, target, event_id, reason, state, attempts, next_attempt, last_error,
                      title FROM outbox
               WHERE state IN ('failed', 'unknown')
                  OR (state = 'pending' AND last_error IS NOT NULL)
               ORDER BY id DESC LIMIT ?""",
            [limit],
        )
    ]
