"""The log of every HTTP fetch: what `newsmon status` and a curious analyst read."""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from crawler.clock import isoformat


def log_fetch(
    db: sqlite_utils.Database,
    *,
    feed_id: int | None,
    url: str,
    kind: str,
    status: int | None,
    size: int | None,
    duration: float | None,
    error: str | None,
    now: datetime,
) -> None:
    with db.atomic():
        db.execute(
            """
            INSERT INTO fetches (feed_id, url, kind, status, bytes, duration_ms, error, fetched_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                feed_id,
                url,
                kind,
                status,
                size,
                None if duration is None else round(duration * 1000),
                error,
                isoformat(now),
            ],
        )
