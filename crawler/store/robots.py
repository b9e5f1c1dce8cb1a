"""Each host's robots.txt, kept a day (RFC 9309), so a 304 poll costs one request."""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from crawler.clock import isoformat


def cached_robots(db: sqlite_utils.Database, origin: str, fresh_after: datetime) -> bytes | None:
    row = db.execute(
        "SELECT body FROM robots WHERE origin = ? AND fetched_at > ?",
        [origin, isoformat(fresh_after)],
    ).fetchone()
    return row[0] if row else None


def save_robots(
    db: sqlite_utils.Database, origin: str, body: bytes, status: int, now: datetime
) -> None:
    with db.atomic():
        db.execute(
            "INSERT OR REPLACE INTO robots (origin, body, status, fetched_at) VALUES (?, ?, ?, ?)",
            [origin, body, status, isoformat(now)],
        )
