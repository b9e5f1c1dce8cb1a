"""The event change sequence and digest readers' cursors.

Every event write takes the next number of a sequence that is never reset, so a
reader's cursor says exactly which changes it has seen.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from crawler.store.events import decode_event


def latest_change(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT value FROM counters WHERE name = 'event_change'").fetchone()[0]


def events_changed(
    db: sqlite_utils.Database, after: int, upto: int, monitor: str | None = None, limit: int = 500
) -> list[dict[str, Any]]:
    """Events written after change `after`, up to `upto`, oldest change first."""
    clause, params = ("AND monitor = ?", [monitor]) if monitor else ("", [])
    rows = db.query(
        f"""SELECT * FROM events WHERE change_seq > ? AND change_seq <= ? {clause}
            ORDER BY change_seq LIMIT ?""",
        [after, upto, *params, limit],
    )
    return [decode_event(row) for row in rows]


def change_before(db: sqlite_utils.Database, since: str, monitor: str | None, latest: int) -> int:
    """Where a reader new to the database starts: just before the first change to an
    event updated since `since` (its creation, if it was first seen since then), so those
    created since count as new; `latest` when no event was updated since."""
    clause = "AND monitor = :monitor" if monitor else ""
    first = db.execute(
        f"""SELECT min(CASE WHEN first_seen >= :since THEN created_seq ELSE change_seq END)
            FROM events WHERE last_updated >= :since {clause}""",
        {"since": since, "monitor": monitor},
    ).fetchone()[0]
    return latest if first is None else first - 1


def count_events_changed(
    db: sqlite_utils.Database, after: int, upto: int, monitor: str | None = None
) -> int:
    clause, params = ("AND monitor = ?", [monitor]) if monitor else ("", [])
    return db.execute(
        f"SELECT count(*) FROM events WHERE change_seq > ? AND change_seq <= ? {clause}",
        [after, upto, *params],
    ).fetchone()[0]


def reader_cursor(db: sqlite_utils.Database, reader: str) -> int | None:
    row = db.execute("SELECT cursor FROM readers WHERE name = ?", [reader]).fetchone()
    return row[0] if row else None


def reader_updated(db: sqlite_utils.Database, reader: str) -> str:
    return db.execute("SELECT updated FROM readers WHERE name = ?", [reader]).fetchone()[0]


def save_reader_cursor(db: sqlite_utils.Database, reader: str, cursor: int, now: str) -> None:
    with db.atomic():
        db.execute(
            """INSERT INTO readers (name, cursor, updated) VALUES (?, ?, ?)
               ON CONFLICT (name) DO UPDATE SET cursor = max(readers.cursor, excluded.cursor),
               updated = excluded.updated""",
            [reader, cursor, now],
        )
