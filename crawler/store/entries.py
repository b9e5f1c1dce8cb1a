"""Entries a feed announced and their state (pending, done, failed); later headlines
of stored articles (revisions) waiting to be read again."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlite_utils

from crawler.clock import isoformat
from crawler.model import PendingEntry
from crawler.urls import identity


def pending_entries(db: sqlite_utils.Database, feed_id: int, limit: int) -> list[PendingEntry]:
    rows = db.execute(
        """
        SELECT id, feed_id, link, title, author, published, summary, content, attempts,
               language
        FROM entries WHERE feed_id = ? AND state = 'pending'
        ORDER BY published IS NULL, published DESC, id LIMIT ?  -- newest news first
        """,
        [feed_id, limit],
    ).fetchall()
    return [PendingEntry(*row) for row in rows]


def link_entry(db: sqlite_utils.Database, entry_id: int, article_id: int, url: str) -> None:
    """An entry whose link leads to an article already stored: no fetch, just a link."""
    with db.atomic():
        entry_done(db, entry_id, article_id, [url])


def entry_done(
    db: sqlite_utils.Database, entry_id: int, article_id: int, urls: Iterable[str]
) -> None:
    """The entry is done with its article, which every URL in `urls` now leads to (its
    last error cleared); inside the caller's transaction."""
    for url in urls:
        db.execute(
            "INSERT OR IGNORE INTO article_urls (url_key, article_id) VALUES (?, ?)",
            [identity(url), article_id],
        )
    db.execute(
        "UPDATE entries SET state = 'done', article_id = ?, last_error = NULL WHERE id = ?",
        [article_id, entry_id],
    )


def record_entry_failure(
    db: sqlite_utils.Database, entry_id: int, error: str, *, give_up: bool
) -> None:
    with db.atomic():
        db.execute(
            "UPDATE entries SET attempts = attempts + 1, last_error = ?, state = ? WHERE id = ?",
            [error, "failed" if give_up else "pending", entry_id],
        )


def record_revision(
    db: sqlite_utils.Database,
    article_id: int,
    title: str,
    *,
    now: datetime,
    text: str | None = None,
    summary: str | None = None,
    content: str | None = None,
) -> bool:
    """Note a new headline for a stored article, to be read again; False when the
    headline is the one already stored or last noted (compared case- and space-folded)."""
    seen = (
        db.execute(
            """SELECT title FROM article_revisions WHERE article_id = ? ORDER BY id DESC LIMIT 1""",
            [article_id],
        ).fetchone()
        or db.execute("SELECT title FROM articles WHERE id = ?", [article_id]).fetchone()
    )
    if seen is None or _folded(seen[0]) == _folded(title):
        return False
    db.execute(
        """INSERT INTO article_revisions (article_id, after_article, seen_at, title, text,
                                          summary, content)
           VALUES (?, (SELECT max(id) FROM articles), ?, ?, ?, ?, ?)""",
        [article_id, isoformat(now), title, text, summary, content],
    )
    return True


def pending_revisions(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    return [
        dict(r) for r in db.query("SELECT * FROM article_revisions WHERE applied = 0 ORDER BY id")
    ]


def revisions_in_order(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every revision in the order the crawler met it (reprocess replays them)."""
    return [dict(r) for r in db.query("SELECT * FROM article_revisions ORDER BY after_article, id")]


def mark_revision_applied(db: sqlite_utils.Database, revision_id: int) -> None:
    db.execute("UPDATE article_revisions SET applied = 1 WHERE id = ?", [revision_id])


def _folded(title: str | None) -> str:
    return " ".join((title or "").casefold().split())
