"""Read-only lookups for `newsmon article ID` and the listing filters.

An analyst who holds one article wants what newsmon knows around it: its story, the
copies of it and what it copies, and the events it is a member of with its role there.
Columns are named as every JSON output names them (`fetched`, `copy_of`, `role`).
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from crawler.store.events import MEMBERS_ORDER

ARTICLE = """
    SELECT a.id, o.name AS outlet, a.title, a.url, a.fetched_url, a.published, a.language,
           a.author, a.site_name, a.description, a.text_method, a.word_count,
           a.fetched_at AS fetched, a.story_id, l.original_id AS copy_of,
           l.relation AS copy_relation, a.text
    FROM articles a
    LEFT JOIN outlets o ON o.id = a.outlet_id
    LEFT JOIN article_links l ON l.article_id = a.id
"""


RELATED = """
    SELECT a.id, o.name AS outlet, a.title, a.url, a.published, a.language,
           l.original_id AS copy_of, l.relation AS copy_relation
    FROM articles a
    LEFT JOIN outlets o ON o.id = a.outlet_id
    LEFT JOIN article_links l ON l.article_id = a.id
"""


RELATED_ORDER = f"ORDER BY {MEMBERS_ORDER}"  # an event's sources' order


def article(db: sqlite_utils.Database, article_id: int) -> dict[str, Any] | None:
    """One stored article with its full text, or None."""
    rows = list(db.query(f"{ARTICLE} WHERE a.id = ?", [article_id]))
    return dict(rows[0]) if rows else None


def story(db: sqlite_utils.Database, story_id: int, limit: int) -> dict[str, Any] | None:
    """A story (id, title, article_count) with up to `limit` of its articles, oldest first."""
    rows = list(db.query("SELECT id, title, size FROM stories WHERE id = ?", [story_id]))
    if not rows:
        return None
    members = [
        dict(row)
        for row in db.query(
            f"{RELATED} WHERE a.story_id = ? {RELATED_ORDER} LIMIT ?", [story_id, limit]
        )
    ]
    count = db.execute("SELECT count(*) FROM articles WHERE story_id = ?", [story_id]).fetchone()
    return {
        "id": rows[0]["id"],
        "title": rows[0]["title"],
        "article_count": count[0],
        "articles": members,
    }


def copies(db: sqlite_utils.Database, article_id: int, limit: int) -> list[dict[str, Any]]:
    """Articles stored as exact or near copies of this one, oldest first."""
    return [
        dict(row)
        for row in db.query(
            f"{RELATED} WHERE l.original_id = ? {RELATED_ORDER} LIMIT ?", [article_id, limit]
        )
    ]


def memberships(db: sqlite_utils.Database, article_id: int) -> list[dict[str, Any]]:
    """The events this article belongs to: each event's row, with the article's `role`,
    `evidence` sentence and the `headline` it matched with."""
    rows = db.query(
        """SELECT e.*, ea.role, ea.evidence, ea.headline
           FROM event_articles ea JOIN events e ON e.id = ea.event_id
           WHERE ea.article_id = ? ORDER BY e.id""",
        [article_id],
    )
    return [dict(row) for row in rows]


def outlet_names(db: sqlite_utils.Database) -> list[str]:
    """Every outlet the database has stored articles or feeds for."""
    return [row[0] for row in db.execute("SELECT name FROM outlets ORDER BY name")]
