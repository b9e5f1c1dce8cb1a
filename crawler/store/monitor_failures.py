"""Monitors that raised while reading an article: one row per monitor, for `status`.

A monitor's bug costs only its own reading of one article (`crawler.ingest`); the run
goes on. The count and the latest failure are kept so that `newsmon status` shows a
monitor that quietly stopped matching, long after the poll's stderr is gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlite_utils

from crawler.clock import isoformat
from crawler.model import MonitorFailure


def record_monitor_failures(
    db: sqlite_utils.Database, failures: Sequence[MonitorFailure], now: datetime
) -> None:
    """Count each failure against its monitor; the last one per monitor is kept."""
    if not failures:
        return
    with db.atomic():
        for failure in failures:
            db.execute(
                """INSERT INTO monitor_failures (monitor, failures, last_at, last_url, last_error)
                   VALUES (?, 1, ?, ?, ?)
                   ON CONFLICT (monitor) DO UPDATE SET failures = monitor_failures.failures + 1,
                   last_at = excluded.last_at, last_url = excluded.last_url,
                   last_error = excluded.last_error""",
                [failure.monitor, isoformat(now), failure.url, failure.error],
            )


def monitor_failures(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every monitor that ever raised, with its count and latest failure."""
    return list(
        db.query(
            """SELECT monitor, failures, last_at, last_url, last_error
               FROM monitor_failures ORDER BY monitor"""
        )
    )
