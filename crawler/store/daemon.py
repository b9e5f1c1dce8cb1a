"""The daemon's row: who runs, since when, and its heartbeat for `newsmon status`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from crawler.clock import isoformat


def daemon_started(db: sqlite_utils.Database, pid: int, now: datetime, config: Path) -> None:
    stamp = isoformat(now)
    with db.atomic():
        db.execute(
            """INSERT OR REPLACE INTO daemon (id, pid, started, heartbeat, config, stopped)
               VALUES (1, ?, ?, ?, ?, NULL)""",
            [pid, stamp, stamp, str(config)],
        )


def daemon_heartbeat(db: sqlite_utils.Database, now: datetime) -> None:
    with db.atomic():
        db.execute("UPDATE daemon SET heartbeat = ? WHERE id = 1", [isoformat(now)])


def daemon_stopped(db: sqlite_utils.Database, now: datetime, pid: int) -> None:
    """Marked stopped only by the daemon the row names: with several daemons on one
    database the row names the latest started, and the others' heartbeats keep it."""
    with db.atomic():
        db.execute(
            "UPDATE daemon SET stopped = ?, heartbeat = ? WHERE id = 1 AND pid = ?",
            [isoformat(now), isoformat(now), pid],
        )


def daemon_state(db: sqlite_utils.Database) -> dict[str, Any] | None:
    rows = list(db.query("SELECT pid, started, heartbeat, config, stopped FROM daemon"))
    return rows[0] if rows else None


def next_poll(db: sqlite_utils.Database) -> tuple[str, str] | None:
    """(outlet, time) of the configured feed due first: the daemon's next poll."""
    row = db.execute(
        """SELECT o.name, f.next_due FROM feeds f JOIN outlets o ON o.id = f.outlet_id
           WHERE f.active = 1 ORDER BY f.next_due, f.id LIMIT 1"""
    ).fetchone()
    return (row[0], row[1]) if row else None
