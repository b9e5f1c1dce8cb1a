"""The SQL that lets events keep their ids through `reprocess`.

Before the rebuild, `snapshot` reads every event with its members; after it,
`renumber` gives the rebuilt events the ids the match by members chose, and
`restore_sequences` their old place in the change sequence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlite_utils

SEQUENCE_COLUMNS = ("id", "created_seq", "change_seq")
# Every column holding an event's id in the derived tables: renumbered together.
EVENT_ID_COLUMNS = (("events", "id"), ("event_articles", "event_id"))


@dataclass(frozen=True)
class Snapshot:
    """One event as it stood: its row (without id and sequences) and its members."""

    id: int
    monitor: str
    created_seq: int
    change_seq: int
    content: tuple[tuple[str, Any], ...]
    members: frozenset[int]


def snapshot(db: sqlite_utils.Database) -> list[Snapshot]:
    members: dict[int, set[int]] = {}
    for event_id, article_id in db.execute("SELECT event_id, article_id FROM event_articles"):
        members.setdefault(event_id, set()).add(article_id)
    found = []
    for row in db.query("SELECT * FROM events ORDER BY id"):
        content = tuple(sorted((k, v) for k, v in row.items() if k not in SEQUENCE_COLUMNS))
        found.append(
            Snapshot(
                row["id"],
                row["monitor"],
                row["created_seq"],
                row["change_seq"],
                content,
                frozenset(members.get(row["id"], ())),
            )
        )
    return found


def highest_id(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT value FROM counters WHERE name = 'event_id'").fetchone()[0]


def set_highest_id(db: sqlite_utils.Database, value: int) -> None:
    db.execute("UPDATE counters SET value = ? WHERE name = 'event_id'", [value])


def renumber(db: sqlite_utils.Database, ids: Mapping[int, int]) -> None:
    """Event `old` becomes event `ids[old]`, members with it. Ids may swap: every event
    first steps aside to a negative id. The caller holds the transaction."""
    db.execute("PRAGMA defer_foreign_keys = ON")  # members follow their event below
    db.execute(
        "CREATE TEMP TABLE IF NOT EXISTS event_renumber (old INTEGER PRIMARY KEY, new INTEGER)"
    )
    db.execute("DELETE FROM event_renumber")
    db.conn.executemany("INSERT INTO event_renumber (old, new) VALUES (?, ?)", list(ids.items()))
    for table, column in EVENT_ID_COLUMNS:
        db.execute(f"UPDATE {table} SET {column} = -{column}")
        db.execute(
            f"""UPDATE {table} SET {column} =
                (SELECT new FROM event_renumber WHERE old = -{table}.{column})"""
        )
    db.execute("DELETE FROM event_renumber")


def restore_sequences(db: sqlite_utils.Database, rows: list[tuple[int, int | None, int]]) -> None:
    """(created_seq, change_seq or None to keep the rebuild's, event id) per event."""
    db.conn.executemany(
        """UPDATE events SET created_seq = ?, change_seq = coalesce(?, change_seq)
           WHERE id = ?""",
        rows,
    )
