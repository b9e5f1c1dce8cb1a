"""The migration that keeps count of monitors that raised while reading an article.

Registered by `schema` after every migration there (`schema` is at its size limit).
"""

from __future__ import annotations

import sqlite_utils


def m012_monitor_failures(db: sqlite_utils.Database) -> None:
    """One row per monitor that raised: how often, and the latest article and error
    (`store.monitor_failures`). Crawl state, not derived: reprocess leaves it."""
    db.executescript(
        """
        CREATE TABLE monitor_failures (
            monitor TEXT PRIMARY KEY,
            failures INTEGER NOT NULL,
            last_at TEXT NOT NULL,
            last_url TEXT NOT NULL,
            last_error TEXT NOT NULL
        );
        """
    )
