"""Every SQL statement on analysts' corrections, and on event ids that moved.

Corrections are kept state: `reprocess` clears events but replays these. Each names its
events by id and by anchor articles (their members when it was made), so the replay
finds them in a rebuild whatever ids it gave them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

SUBJECT, ANCHOR, TARGET_ANCHOR = "subject", "anchor", "target_anchor"
MAX_HOPS = 100  # a chain of merges longer than any desk makes


@dataclass(frozen=True)
class Correction:
    id: int
    kind: str  # dismiss | dismiss_member | move | merge | split
    monitor: str
    event_id: int  # the event corrected (merge: the one merged away)
    target_id: int | None  # move: where to; merge: the one kept; split: the new one
    by: str
    at: str
    note: str | None
    subjects: tuple[int, ...] = ()  # the articles it acted on
    anchors: tuple[int, ...] = ()  # members of `event_id` when it was made (not subjects)
    target_anchors: tuple[int, ...] = ()  # members of `target_id` when it was made


def add(db: sqlite_utils.Database, correction: Correction) -> int:
    """Record a correction with its articles; its id (the one given is ignored)."""
    correction_id = db.execute(
        """INSERT INTO corrections (kind, monitor, event_id, target_id, "by", at, note)
           VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id""",
        [
            correction.kind,
            correction.monitor,
            correction.event_id,
            correction.target_id,
            correction.by,
            correction.at,
            correction.note,
        ],
    ).fetchone()[0]
    rows = [
        (correction_id, article_id, role)
        for role, ids in (
            (SUBJECT, correction.subjects),
            (ANCHOR, correction.anchors),
            (TARGET_ANCHOR, correction.target_anchors),
        )
        for article_id in ids
    ]
    db.conn.executemany(
        "INSERT OR IGNORE INTO correction_articles (correction_id, article_id, role)"
        " VALUES (?, ?, ?)",
        rows,
    )
    return correction_id


def set_target(db: sqlite_utils.Database, correction_id: int, target_id: int) -> None:
    db.execute("UPDATE corrections SET target_id = ? WHERE id = ?", [target_id, correction_id])


def in_order(db: sqlite_utils.Database) -> list[Correction]:
    """Every correction, oldest first: the order `reprocess` replays them in."""
    return _with_articles(db, "SELECT * FROM corrections ORDER BY id", [])


def of_events(db: sqlite_utils.Database, event_ids: Sequence[int]) -> list[Correction]:
    """Corrections naming any of `event_ids` (as the event corrected or its target)."""
    if not event_ids:
        return []
    marks = ",".join("?" * len(event_ids))
    return _with_articles(
        db,
        f"""SELECT * FROM corrections WHERE event_id IN ({marks}) OR target_id IN ({marks})
            ORDER BY id""",
        [*event_ids, *event_ids],
    )


def _with_articles(db: sqlite_utils.Database, sql: str, params: list[Any]) -> list[Correction]:
    rows = [dict(row) for row in db.query(sql, params)]
    if not rows:
        return []
    marks = ",".join("?" * len(rows))
    articles: dict[tuple[int, str], list[int]] = {}
    for correction_id, article_id, role in db.execute(
        f"""SELECT correction_id, article_id, role FROM correction_articles
            WHERE correction_id IN ({marks}) ORDER BY article_id""",
        [row["id"] for row in rows],
    ):
        articles.setdefault((correction_id, role), []).append(article_id)
    return [
        Correction(
            **row,
            subjects=tuple(articles.get((row["id"], SUBJECT), ())),
            anchors=tuple(articles.get((row["id"], ANCHOR), ())),
            target_anchors=tuple(articles.get((row["id"], TARGET_ANCHOR), ())),
        )
        for row in rows
    ]


def last_kind_for_article(db: sqlite_utils.Database, article_id: int, monitor: str) -> str | None:
    """The kind of the latest correction that acted on this article for `monitor`."""
    row = db.execute(
        """SELECT c.kind FROM correction_articles ca JOIN corrections c ON c.id = ca.correction_id
           WHERE ca.article_id = ? AND ca.role = 'subject' AND c.monitor = ?
           ORDER BY c.id DESC LIMIT 1""",
        [article_id, monitor],
    ).fetchone()
    return row[0] if row else None


# -- events as corrections see them ----------------------------------------------


def merged_event_in(db: sqlite_utils.Database, monitor: str, since: str, until: str) -> int | None:
    """The event now holding the reports of the latest merged-away event of `monitor`
    whose reports' times overlap [since, until]."""
    row = db.execute(
        """SELECT min(ea.event_id) FROM corrections c
           JOIN correction_articles ca ON ca.correction_id = c.id AND ca.role = 'anchor'
           JOIN event_articles ea ON ea.article_id = ca.article_id AND ea.monitor = c.monitor
           WHERE c.kind = 'merge' AND c.monitor = ?
           GROUP BY c.id HAVING min(ea.time_start) <= ? AND max(ea.time_end) >= ?
           ORDER BY c.id DESC LIMIT 1""",
        [monitor, until, since],
    ).fetchone()
    return row[0] if row else None


def event_by_anchors(
    db: sqlite_utils.Database, monitor: str, article_ids: Iterable[int]
) -> int | None:
    """The event of `monitor` holding most of these articles (ties: the lowest id)."""
    ids = list(article_ids)
    if not ids:
        return None
    marks = ",".join("?" * len(ids))
    row = db.execute(
        f"""SELECT event_id FROM event_articles WHERE monitor = ? AND article_id IN ({marks})
            GROUP BY event_id ORDER BY count(*) DESC, event_id LIMIT 1""",
        [monitor, *ids],
    ).fetchone()
    return row[0] if row else None


def member_ids(db: sqlite_utils.Database, event_id: int) -> list[int]:
    return [
        row[0]
        for row in db.execute(
            "SELECT article_id FROM event_articles WHERE event_id = ? ORDER BY article_id",
            [event_id],
        )
    ]


def event_of_article(db: sqlite_utils.Database, article_id: int, monitor: str) -> int | None:
    row = db.execute(
        "SELECT event_id FROM event_articles WHERE article_id = ? AND monitor = ?",
        [article_id, monitor],
    ).fetchone()
    return row[0] if row else None


def events_of_article(db: sqlite_utils.Database, article_id: int) -> list[tuple[int, str]]:
    """(event id, monitor) of every event the article is a member of."""
    return [
        (row[0], row[1])
        for row in db.execute(
            "SELECT event_id, monitor FROM event_articles WHERE article_id = ? ORDER BY monitor",
            [article_id],
        )
    ]


def move_members(
    db: sqlite_utils.Database, source: int, target: int, article_ids: Sequence[int] | None
) -> None:
    """Members of `source` (all, or these) become members of `target`."""
    if article_ids is None:
        db.execute("UPDATE event_articles SET event_id = ? WHERE event_id = ?", [target, source])
        return
    db.conn.executemany(
        "UPDATE event_articles SET event_id = ? WHERE event_id = ? AND article_id = ?",
        [(target, source, article_id) for article_id in article_ids],
    )


def remove_member(db: sqlite_utils.Database, event_id: int, article_id: int) -> None:
    db.execute(
        "DELETE FROM event_articles WHERE event_id = ? AND article_id = ?", [event_id, article_id]
    )


def delete_event(db: sqlite_utils.Database, event_id: int) -> None:
    db.execute("DELETE FROM events WHERE id = ?", [event_id])


def set_dismissed(db: sqlite_utils.Database, event_id: int) -> None:
    db.execute("UPDATE events SET dismissed = 1 WHERE id = ?", [event_id])


def event_exists(db: sqlite_utils.Database, event_id: int) -> bool:
    return db.execute("SELECT 1 FROM events WHERE id = ?", [event_id]).fetchone() is not None


# -- event ids that moved --------------------------------------------------------


def record_move(
    db: sqlite_utils.Database, old_id: int, new_id: int | None, reason: str, at: str
) -> None:
    db.execute(
        "INSERT OR REPLACE INTO event_moves (old_id, new_id, reason, at) VALUES (?, ?, ?, ?)",
        [old_id, new_id, reason, at],
    )


def move_of(db: sqlite_utils.Database, old_id: int) -> tuple[int | None, str] | None:
    """(what the id became, why), or None when it never moved."""
    row = db.execute("SELECT new_id, reason FROM event_moves WHERE old_id = ?", [old_id]).fetchone()
    return (row[0], row[1]) if row else None


def resolve(db: sqlite_utils.Database, event_id: int) -> int:
    """The event an id stands for now: itself, or what it moved to, hop by hop; an id
    that leads nowhere comes back unchanged."""
    current = event_id
    for _ in range(MAX_HOPS):
        if event_exists(db, current):
            return current
        moved = move_of(db, current)
        if moved is None or moved[0] is None:
            return event_id
        current = moved[0]
    return event_id
