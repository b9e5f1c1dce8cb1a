"""Every SQL statement of retention (`newsmon prune`): old articles out, with everything
that hangs on them, in batches that are each one transaction.

What goes: articles stored (`fetched_at`) before the cutoff, their page HTML, URL keys,
revisions, held matches, copy links and similarity-index rows (features, MinHash bands,
title terms, document frequencies), stories left without members; fetch log rows and
runs before the cutoff; entries without an article that their feed no longer lists.
What stays: every article an event stands on (its members, and the articles they are
copies of), with the events. An entry its feed still lists (seen within LISTED_SLACK of
the feed's latest parse) is kept as a bare key, so the next poll does not fetch it again.

Each batch leaves the database consistent (foreign keys, counts, document frequencies,
story sizes and bounds), so a kill between batches loses nothing and a second prune
continues. Three helper indexes (`prune_*`) make the batches' lookups indexed; they are
built at the start and dropped at the end.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

import sqlite_utils

from crawler.store.backend import is_postgres
from crawler.store.stories import TOTAL

LISTED_SLACK = "-1 day"  # an entry seen this close to its feed's latest parse is listed
HELPER_INDEXES = {
    "prune_article_urls": "article_urls(article_id)",
    "prune_article_links": "article_links(original_id)",
    "prune_article_revisions": "article_revisions(article_id)",
}


@dataclass
class PruneCounts:
    """Rows removed (or that a dry run would remove), by what they are."""

    articles: int = 0
    kept: int = 0  # old articles kept: events stand on them
    entries: int = 0
    entry_keys: int = 0  # entries kept as bare keys: their feed still lists them
    fetches: int = 0
    runs: int = 0
    html: int = 0
    revisions: int = 0
    index: int = 0  # articles taken out of the similarity index
    stories: int = 0

    def add(self, other: PruneCounts) -> None:
        for name in (f.name for f in fields(self)):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class Doomed:
    """An article about to go, with what the similarity index holds for it."""

    id: int
    at: str | None
    minhash: bytes | None
    terms: str


def prepare(db: sqlite_utils.Database, cutoff: str, *, helpers: bool = True) -> int:
    """Mark what goes (temporary tables of this connection); returns the old articles
    kept because events stand on them. `helpers`: build the helper indexes too."""
    db.executescript(
        """
        DROP TABLE IF EXISTS temp.prune_keep;
        DROP TABLE IF EXISTS temp.prune_ids;
        DROP TABLE IF EXISTS temp.prune_listed;
        CREATE TEMP TABLE prune_keep (id INTEGER PRIMARY KEY);
        CREATE TEMP TABLE prune_ids (id INTEGER PRIMARY KEY);
        CREATE TEMP TABLE prune_listed (feed_id INTEGER PRIMARY KEY, since TEXT NOT NULL);
        """
    )
    with db.atomic():
        db.execute(
            """INSERT OR IGNORE INTO temp.prune_keep (id)
               SELECT article_id FROM event_articles
               UNION SELECT l.original_id FROM article_links l
                     JOIN event_articles ea ON ea.article_id = l.article_id"""
        )
        db.execute(
            """INSERT INTO temp.prune_ids (id) SELECT id FROM articles
               WHERE fetched_at < ? AND id NOT IN (SELECT id FROM temp.prune_keep)""",
            [cutoff],
        )
        db.execute(
            f"""INSERT INTO temp.prune_listed (feed_id, since)
                SELECT e.feed_id, {_shifted(db, "max(e.last_seen)", LISTED_SLACK)}
                FROM entries e JOIN feeds f ON f.id = e.feed_id
                WHERE f.active = 1 GROUP BY e.feed_id"""
        )
    if helpers:
        for name, target in HELPER_INDEXES.items():
            db.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")
    return db.execute(
        """SELECT count(*) FROM articles a JOIN temp.prune_keep k ON k.id = a.id
           WHERE a.fetched_at < ?""",
        [cutoff],
    ).fetchone()[0]


def _shifted(db: Any, time: str, shift: str) -> str:
    """SQL for ISO UTC text `time` moved by `shift` ("-1 day"), as ISO UTC text."""
    if is_postgres(db):
        return f"""to_char(CAST({time} AS timestamptz) + interval '{shift}',
                           'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""
    return f"strftime('%Y-%m-%dT%H:%M:%SZ', {time}, '{shift}')"


def finish(db: sqlite_utils.Database) -> None:
    """Drop the helper indexes and the temporary tables."""
    for name in HELPER_INDEXES:
        db.execute(f"DROP INDEX IF EXISTS {name}")
    for table in ("prune_keep", "prune_ids", "prune_listed"):
        db.execute(f"DROP TABLE IF EXISTS temp.{table}")


def remaining(db: sqlite_utils.Database) -> int:
    """Articles still to go (after `prepare`)."""
    return db.execute("SELECT count(*) FROM temp.prune_ids").fetchone()[0]


def next_batch(db: sqlite_utils.Database, size: int) -> list[Doomed]:
    """The next `size` articles to go (oldest ids first), with their index entries."""
    rows = db.execute(
        """SELECT p.id, f.at, f.minhash, coalesce(f.terms, '')
           FROM temp.prune_ids p JOIN articles a ON a.id = p.id
           LEFT JOIN article_features f ON f.article_id = p.id
           ORDER BY p.id LIMIT ?""",
        [size],
    ).fetchall()
    return [Doomed(*row) for row in rows]


_LISTED = """(SELECT 1 FROM temp.prune_listed l
              WHERE l.feed_id = entries.feed_id AND entries.last_seen >= l.since)"""


def delete_batch(
    db: sqlite_utils.Database,
    batch: Sequence[Doomed],
    bands: Iterable[tuple[int, str, int]],
) -> PruneCounts:
    """Delete one batch of articles and all that hangs on them, in one transaction.
    `bands`: (band key, at, article id) of each of their MinHash bands."""
    ids = [doomed.id for doomed in batch]
    counts = PruneCounts()
    with db.atomic():
        db.execute("CREATE TEMP TABLE IF NOT EXISTS prune_batch (id INTEGER PRIMARY KEY)")
        db.execute("DELETE FROM temp.prune_batch")
        db.conn.executemany("INSERT INTO temp.prune_batch (id) VALUES (?)", [(i,) for i in ids])
        within = "IN (SELECT id FROM temp.prune_batch)"
        stories = [
            row[0]
            for row in db.execute(
                f"SELECT DISTINCT story_id FROM articles WHERE id {within} AND story_id IS NOT NULL"
            )
        ]
        counts.entry_keys = db.execute(
            f"""UPDATE entries SET article_id = NULL, summary = NULL, content = NULL,
                    state = 'done', last_error = NULL
                WHERE article_id {within} AND EXISTS {_LISTED}"""
        ).rowcount
        counts.entries = db.execute(f"DELETE FROM entries WHERE article_id {within}").rowcount
        db.execute(f"DELETE FROM article_urls WHERE article_id {within}")
        counts.html = db.execute(f"DELETE FROM article_html WHERE article_id {within}").rowcount
        counts.revisions = db.execute(
            f"DELETE FROM article_revisions WHERE article_id {within}"
        ).rowcount
        db.execute(f"DELETE FROM held_matches WHERE article_id {within}")
        db.execute(f"DELETE FROM article_links WHERE article_id {within}")
        db.execute(f"DELETE FROM article_links WHERE original_id {within}")
        _unindex(db, batch, bands)
        counts.index = db.execute(
            f"DELETE FROM article_features WHERE article_id {within}"
        ).rowcount
        counts.articles = db.execute(f"DELETE FROM articles WHERE id {within}").rowcount
        db.execute(f"DELETE FROM temp.prune_ids WHERE id {within}")
        counts.stories = _fix_stories(db, stories)
    return counts


def _unindex(
    db: sqlite_utils.Database, batch: Sequence[Doomed], bands: Iterable[tuple[int, str, int]]
) -> None:
    """Bands and title terms out through their own indexes (key, at); document
    frequencies down by what each article added."""
    db.conn.executemany(
        "DELETE FROM minhash_bands WHERE band_key = ? AND at = ? AND article_id = ?", bands
    )
    terms = [(term, d.at, d.id) for d in batch if d.at is not None for term in d.terms.split()]
    db.conn.executemany(
        "DELETE FROM title_terms WHERE term = ? AND at = ? AND article_id = ?", terms
    )
    df = Counter(term for term, _, _ in terms)
    df[TOTAL] = sum(1 for d in batch if d.at is not None)
    db.conn.executemany(
        "UPDATE term_df SET df = df - ? WHERE term = ?", [(n, term) for term, n in df.items()]
    )
    db.conn.executemany("DELETE FROM term_df WHERE term = ? AND df <= 0", [(term,) for term in df])


def _fix_stories(db: sqlite_utils.Database, stories: list[int]) -> int:
    """Stories of deleted articles: gone with their last member, else their size, first
    article and time bounds recomputed from the members left."""
    deleted = 0
    for story_id in stories:
        row = db.execute(
            """SELECT count(*), min(a.id), min(f.at), max(f.at)
               FROM articles a LEFT JOIN article_features f ON f.article_id = a.id
               WHERE a.story_id = ?""",
            [story_id],
        ).fetchone()
        if row[0] == 0:
            db.execute("DELETE FROM story_terms WHERE story_id = ?", [story_id])
            deleted += db.execute("DELETE FROM stories WHERE id = ?", [story_id]).rowcount
        else:
            db.execute(
                """UPDATE stories SET size = ?, first_article = ?,
                       first_at = coalesce(?, first_at), last_at = coalesce(?, last_at)
                   WHERE id = ?""",
                [*row, story_id],
            )
    return deleted


def delete_logs(db: sqlite_utils.Database, cutoff: str, size: int) -> PruneCounts:
    """Fetch log rows and runs from before the cutoff, `size` rows a transaction."""
    counts = PruneCounts()
    while True:
        with db.atomic():
            gone = db.execute(
                """DELETE FROM fetches WHERE id IN
                   (SELECT id FROM fetches WHERE fetched_at < ? ORDER BY id LIMIT ?)""",
                [cutoff, size],
            ).rowcount
        counts.fetches += gone
        if gone < size:
            break
    with db.atomic():
        counts.runs = db.execute("DELETE FROM runs WHERE started < ?", [cutoff]).rowcount
    return counts


_STALE_ENTRIES = f"""FROM entries WHERE article_id IS NULL AND state != 'pending'
                     AND last_seen < ? AND NOT EXISTS {_LISTED}"""


def delete_stale_entries(db: sqlite_utils.Database, cutoff: str, size: int) -> int:
    """Entries without an article (refused, failed, or bare keys of pruned articles) that
    were last seen before the cutoff and that their feed no longer lists."""
    total = 0
    while True:
        with db.atomic():
            gone = db.execute(
                f"DELETE FROM entries WHERE id IN (SELECT id {_STALE_ENTRIES} LIMIT ?)",
                [cutoff, size],
            ).rowcount
        total += gone
        if gone < size:
            return total


def would_delete(db: sqlite_utils.Database, cutoff: str, kept: int) -> PruneCounts:
    """What a prune with this cutoff would remove (after `prepare`), by counting."""

    def count(sql: str, *params: object) -> int:
        return db.execute(sql, params).fetchone()[0]

    doomed = "IN (SELECT id FROM temp.prune_ids)"
    of_doomed = f"SELECT count(*) FROM entries WHERE article_id {doomed}"
    return PruneCounts(
        articles=remaining(db),
        kept=kept,
        entries=count(f"{of_doomed} AND NOT EXISTS {_LISTED}")
        + count(f"SELECT count(*) {_STALE_ENTRIES}", cutoff),
        entry_keys=count(f"{of_doomed} AND EXISTS {_LISTED}"),
        fetches=count("SELECT count(*) FROM fetches WHERE fetched_at < ?", cutoff),
        runs=count("SELECT count(*) FROM runs WHERE started < ?", cutoff),
        html=count(f"SELECT count(*) FROM article_html WHERE article_id {doomed}"),
        revisions=count(f"SELECT count(*) FROM article_revisions WHERE article_id {doomed}"),
        index=count(f"SELECT count(*) FROM article_features WHERE article_id {doomed}"),
        stories=count(  # stories every member of which goes
            """SELECT count(*) FROM (
                 SELECT a.story_id FROM articles a LEFT JOIN temp.prune_ids p ON p.id = a.id
                 WHERE a.story_id IS NOT NULL GROUP BY a.story_id
                 HAVING count(p.id) = count(*)) AS gone"""
        ),
    )


def vacuum(db: sqlite_utils.Database) -> None:
    """Give the freed pages back to the file system (rewrites the whole file)."""
    db.execute("VACUUM")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
