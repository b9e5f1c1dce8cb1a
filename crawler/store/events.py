"""Events, their member articles and held matches (derived: `reprocess` rebuilds them).

No event spans more than MAX_EVENT_SPAN, which bounds every time-range lookup.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlite_utils

from crawler.clock import isoformat, parse_instant

MAX_EVENT_SPAN = timedelta(days=7)  # the widest interval a monitor gives is 2 days


@dataclass(frozen=True)
class EventRow:
    id: int
    monitor: str
    time_start: str
    time_end: str
    precision: str
    facts: dict[str, Any]
    outlet_count: int = 0


def overlapping_events(
    db: sqlite_utils.Database, monitor: str, since: str, until: str
) -> list[EventRow]:
    """Events of `monitor` whose time interval overlaps [since, until].

    No event spans more than MAX_EVENT_SPAN, which bounds the index range
    scanned: the lookup costs the same with ten events or a million.
    """
    earliest = isoformat(parse_instant(since) - MAX_EVENT_SPAN)
    rows = db.execute(
        """SELECT id, monitor, time_start, time_end, precision, facts, outlet_count
           FROM events WHERE monitor = ? AND time_start BETWEEN ? AND ? AND time_end >= ?
           ORDER BY time_start DESC""",
        [monitor, earliest, until, since],
    ).fetchall()
    return [EventRow(*row[:5], json.loads(row[5]), row[6]) for row in rows]


def event_story_ids(db: sqlite_utils.Database, event_id: int) -> set[int]:
    return {
        row[0]
        for row in db.execute(
            """SELECT DISTINCT a.story_id FROM event_articles ea JOIN articles a
               ON a.id = ea.article_id WHERE ea.event_id = ?""",
            [event_id],
        )
    }


def event_terms(db: sqlite_utils.Database, event_id: int) -> list[str]:
    return [
        row[0]
        for row in db.execute(
            """SELECT f.terms FROM event_articles ea JOIN article_features f
               ON f.article_id = ea.article_id WHERE ea.event_id = ? LIMIT 100""",
            [event_id],
        )
    ]


def _next_change(db: sqlite_utils.Database) -> int:
    return db.execute(
        "UPDATE counters SET value = value + 1 WHERE name = 'event_change' RETURNING value"
    ).fetchone()[0]


def next_event_id(db: sqlite_utils.Database) -> int:
    """An id no event ever had: one merged away or rebuilt away keeps pointing where it went."""
    return db.execute(
        "UPDATE counters SET value = value + 1 WHERE name = 'event_id' RETURNING value"
    ).fetchone()[0]


def create_event(db: sqlite_utils.Database, row: dict[str, Any]) -> int:
    seq = _next_change(db)
    row = {"id": next_event_id(db), **row, "created_seq": seq, "change_seq": seq}
    columns = ", ".join(row)
    marks = ", ".join(f":{key}" for key in row)
    return db.execute(
        f"INSERT INTO events ({columns}) VALUES ({marks}) RETURNING id", row
    ).fetchone()[0]


def update_event(db: sqlite_utils.Database, event_id: int, changes: dict[str, Any]) -> None:
    changes = {**changes, "change_seq": _next_change(db)}
    sets = ", ".join(f"{key} = :{key}" for key in changes)
    db.execute(f"UPDATE events SET {sets} WHERE id = :id", {**changes, "id": event_id})


def add_event_article(db: sqlite_utils.Database, row: dict[str, Any]) -> None:
    columns = ", ".join(row)
    marks = ", ".join(f":{key}" for key in row)
    db.execute(f"INSERT OR REPLACE INTO event_articles ({columns}) VALUES ({marks})", row)


def set_roles(db: sqlite_utils.Database, event_id: int, roles: dict[int, str]) -> None:
    db.conn.executemany(
        "UPDATE event_articles SET role = ? WHERE event_id = ? AND article_id = ? AND role != ?",
        [(role, event_id, article_id, role) for article_id, role in roles.items()],
    )


def hold_match(db: sqlite_utils.Database, row: dict[str, Any]) -> None:
    """Keep a match that may join an event but cannot open one, until one opens."""
    columns = ", ".join(row)
    marks = ", ".join(f":{key}" for key in row)
    db.execute(f"INSERT OR REPLACE INTO held_matches ({columns}) VALUES ({marks})", row)


def held_matches(
    db: sqlite_utils.Database, monitor: str, since: str, until: str
) -> list[dict[str, Any]]:
    """Held matches of `monitor` whose interval overlaps [since, until] (bounded like events)."""
    earliest = isoformat(parse_instant(since) - MAX_EVENT_SPAN)
    return [
        dict(row)
        for row in db.query(
            """SELECT * FROM held_matches
               WHERE monitor = ? AND time_start BETWEEN ? AND ? AND time_end >= ?
               ORDER BY article_id""",
            [monitor, earliest, until, since],
        )
    ]


def is_member(db: sqlite_utils.Database, article_id: int, monitor: str) -> bool:
    """Has `monitor` already matched this article (in an event, or held)?"""
    return (
        db.execute(
            """SELECT 1 FROM event_articles WHERE article_id = ? AND monitor = ?
               UNION ALL SELECT 1 FROM held_matches WHERE article_id = ? AND monitor = ?""",
            [article_id, monitor, article_id, monitor],
        ).fetchone()
        is not None
    )


def article_title(db: sqlite_utils.Database, article_id: int) -> str:
    """An article's headline (its URL when it has none)."""
    row = db.execute(
        "SELECT coalesce(nullif(title, ''), url) FROM articles WHERE id = ?", [article_id]
    ).fetchone()
    return row[0] if row else ""


def set_parent(db: sqlite_utils.Database, event_id: int, parent_id: int) -> None:
    """Link a follower event (an aftershock) to the earlier event it follows."""
    db.execute("UPDATE events SET parent_id = ? WHERE id = ?", [parent_id, event_id])


def release_held(db: sqlite_utils.Database, article_id: int, monitor: str) -> None:
    db.execute(
        "DELETE FROM held_matches WHERE article_id = ? AND monitor = ?", [article_id, monitor]
    )


MEMBERS = """SELECT ea.event_id, ea.article_id, ea.time_start, ea.time_end, ea.precision,
                     ea.phrase, ea.facts, ea.evidence, ea.matched_at, ea.account, ea.role,
                     ea.fact_evidence, ea.headline, ea.reason, a.url,
                     coalesce(ea.headline, a.title) AS title, a.language,
                     a.published, a.published_utc, a.fetched_at, a.story_id, o.name AS outlet,
                     l.original_id AS copy_of, l.relation AS copy_relation
              FROM event_articles ea
              JOIN articles a ON a.id = ea.article_id
              LEFT JOIN outlets o ON o.id = a.outlet_id
              LEFT JOIN article_links l ON l.article_id = a.id"""


MEMBERS_ORDER = "coalesce(a.published_utc, a.fetched_at), a.id"


IDS_PER_QUERY = 500  # well under SQLite's smallest limit on bound parameters (999)


def event_members(db: sqlite_utils.Database, event_id: int) -> list[dict[str, Any]]:
    """Every article of an event with what its monitor read from it."""
    return [
        dict(row)
        for row in db.query(
            f"{MEMBERS} WHERE ea.event_id = ? ORDER BY {MEMBERS_ORDER}",
            [event_id],
        )
    ]


def members_of_events(
    db: sqlite_utils.Database, event_ids: Sequence[int]
) -> dict[int, list[dict[str, Any]]]:
    """`event_members` of many events, in one query per IDS_PER_QUERY events.

    A digest shows up to 500 events: one query each cost more than all the rows they read.
    """
    members: dict[int, list[dict[str, Any]]] = {event_id: [] for event_id in event_ids}
    for i in range(0, len(event_ids), IDS_PER_QUERY):
        chunk = list(event_ids[i : i + IDS_PER_QUERY])
        marks = ",".join("?" * len(chunk))
        rows = db.query(
            f"{MEMBERS} WHERE ea.event_id IN ({marks}) ORDER BY ea.event_id, {MEMBERS_ORDER}",
            chunk,
        )
        for row in rows:
            members[row["event_id"]].append(row)
    return members


def monitor_names(db: sqlite_utils.Database) -> list[str]:
    """Every monitor that has an event or a held match: names an analyst may still ask
    for after the monitor left config.yaml."""
    return [
        row[0]
        for row in db.execute(
            "SELECT DISTINCT monitor FROM events UNION SELECT DISTINCT monitor FROM held_matches"
            " ORDER BY 1"
        )
    ]


def get_event(db: sqlite_utils.Database, event_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM events WHERE id = ?", [event_id]))
    return decode_event(rows[0]) if rows else None


def list_events(
    db: sqlite_utils.Database,
    *,
    monitor: str | None = None,
    since: str | None = None,
    upto: int | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Events first seen or updated since `since` (and changed no later than change
    `upto`), newest activity first."""
    where, params = _event_filter(monitor, since, upto)
    rows = db.query(
        f"SELECT * FROM events {where} ORDER BY last_updated DESC, id DESC LIMIT ?",
        [*params, limit],
    )
    return [decode_event(row) for row in rows]


def count_events(
    db: sqlite_utils.Database,
    *,
    monitor: str | None = None,
    since: str | None = None,
    upto: int | None = None,
) -> int:
    where, params = _event_filter(monitor, since, upto)
    return db.execute(f"SELECT count(*) FROM events {where}", params).fetchone()[0]


def _event_filter(
    monitor: str | None, since: str | None, upto: int | None
) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if monitor:
        clauses.append("monitor = ?")
        params.append(monitor)
    if since:
        clauses.append("last_updated >= ?")
        params.append(since)
    if upto is not None:
        # "+": keep SQLite off the change_seq index, which this bound barely narrows
        # (it is nearly every event); the time or monitor index is the selective one.
        clauses.append("+change_seq <= ?")
        params.append(upto)
    return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params


def decode_event(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["facts"] = json.loads(row["facts"])
    row["fact_sources"] = json.loads(row["fact_sources"])
    return row
