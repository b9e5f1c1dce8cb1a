"""What `reprocess` rebuilds, and the stored articles it replays, in order."""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils

from crawler.model import StoredArticle

DERIVED_TABLES = (
    "held_matches",
    "event_articles",
    "events",
    "article_links",
    "minhash_bands",
    "title_terms",
    "term_df",
    "article_features",
    "story_terms",
    "stories",
)


def clear_derived(db: sqlite_utils.Database) -> None:
    db.execute("UPDATE articles SET story_id = NULL")
    for table in DERIVED_TABLES:
        db.execute(f"DELETE FROM {table}")


def articles_in_order(db: sqlite_utils.Database) -> Iterable[int]:
    """Ids of stored articles in the order the crawler stored them (reprocess replays it)."""
    yield from (row[0] for row in db.execute("SELECT id FROM articles ORDER BY id"))


def article_row(db: sqlite_utils.Database, article_id: int) -> StoredArticle:
    """An article with its outlet and what its feed entry said (summary, content)."""
    row = next(
        db.query(
            """SELECT a.id, a.url, a.title, a.text, a.text_hash, a.published, a.published_utc,
                      a.fetched_at, a.language, a.story_id, o.name AS outlet, e.summary,
                      e.content
               FROM articles a LEFT JOIN outlets o ON o.id = a.outlet_id
               LEFT JOIN entries e ON e.id = (SELECT min(id) FROM entries
                                             WHERE article_id = a.id)
               WHERE a.id = ?""",
            [article_id],
        )
    )
    return StoredArticle(**row)
