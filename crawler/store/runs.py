"""One row per `newsmon run`: when, and what it did."""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from crawler.clock import isoformat


def start_run(db: sqlite_utils.Database, now: datetime, pid: int) -> int:
    with db.atomic():
        return db.execute(
            "INSERT INTO runs (started, pid) VALUES (?, ?) RETURNING id", [isoformat(now), pid]
        ).fetchone()[0]


def finish_run(db: sqlite_utils.Database, run_id: int, now: datetime, **counts: int) -> None:
    with db.atomic():
        db.execute(
            """UPDATE runs SET finished = ?, feeds_polled = ?, not_modified = ?,
               new_articles = ?, errors = ? WHERE id = ?""",
            [
                isoformat(now),
                counts["feeds_polled"],
                counts["not_modified"],
                counts["new_articles"],
                counts["errors"],
                run_id,
            ],
        )
