"""Stored articles: one per canonical URL, every URL known to lead to it, full-text search.

An article is committed with its entry's `done` mark, so a kill never leaves an entry
done without its article or an article without its entry. Two processes storing one
article at once store it once: SQLite runs their write transactions one after the
other; on PostgreSQL the URL's identity is held for the transaction, and the insert
gives way (`ON CONFLICT`) to a row another process committed under the same URL. The
same text under another URL is another outlet's copy, kept and linked by the stories.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlite_utils

from crawler.clock import isoformat
from crawler.model import ArticleRecord, PendingEntry
from crawler.store import search as search_sql
from crawler.store.entries import entry_done
from crawler.store.leases import serialise
from crawler.text import word_count
from crawler.urls import identity


def article_for_url(db: sqlite_utils.Database, url: str) -> int | None:
    row = db.execute(
        "SELECT article_id FROM article_urls WHERE url_key = ?", [identity(url)]
    ).fetchone()
    return row[0] if row else None


def store_article(
    db: sqlite_utils.Database,
    entry: PendingEntry,
    article: ArticleRecord,
    *,
    now: datetime,
    aliases: Iterable[str] = (),
) -> tuple[int, bool]:
    """Store one article with its URL aliases and close its entry: (article id, was new)."""
    stamp = isoformat(now)
    with db.atomic():
        serialise(db, f"article:{identity(article.url)}")
        existing = article_for_url(db, article.url)
        created = existing is None
        if existing is None:
            inserted = db.execute(  # the outlet is the feed's, read in the same statement
                """
                INSERT INTO articles (url, fetched_url, outlet_id, feed_id, title, author,
                    published, published_utc, language, site_name, description, text,
                    text_method, text_hash, word_count, fetched_at)
                VALUES (?, ?, (SELECT outlet_id FROM feeds WHERE id = ?), ?, ?, ?, ?, ?, ?,
                    ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (url) DO NOTHING RETURNING id
                """,
                [
                    article.url,
                    article.fetched_url,
                    entry.feed_id,
                    entry.feed_id,
                    article.title,
                    article.author,
                    article.published,
                    article.published_utc,
                    article.language,
                    article.site_name,
                    article.description,
                    article.text,
                    article.text_method,
                    article.text_hash,
                    word_count(article.text),
                    stamp,
                ],
            ).fetchone()
            if inserted is None:  # stored under this very URL by another process
                existing = db.execute(
                    "SELECT id FROM articles WHERE url = ?", [article.url]
                ).fetchone()[0]
                entry_done(db, entry.id, existing, {article.url, *aliases})
                return existing, False
            existing = inserted[0]
            if article.html is not None:
                db.execute(
                    "INSERT INTO article_html (article_id, html_gz) VALUES (?, ?)",
                    [existing, gzip.compress(article.html, compresslevel=6)],
                )
        entry_done(db, entry.id, existing, {article.url, *aliases})
    return existing, created


def latest_articles(
    db: sqlite_utils.Database,
    *,
    limit: int,
    search: str | None = None,
    outlet: str | None = None,
    since: str | None = None,
) -> list[dict[str, Any]]:
    """The latest stored articles (or the best matches of `search`), of one `outlet`
    (any case) and stored since `since`, in the field names of every JSON output."""
    select = """
        SELECT a.id, o.name AS outlet, a.title, a.url, a.published, a.language,
               a.text_method, a.word_count, a.fetched_at AS fetched,
               substr(a.text, 1, 300) AS excerpt
        FROM articles a LEFT JOIN outlets o ON o.id = a.outlet_id
    """
    clauses = []
    if outlet is not None:
        clauses.append("lower(o.name) = lower(:outlet)")
    if since is not None:
        clauses.append("a.fetched_at >= :since")
    params = {"limit": limit, "outlet": outlet, "since": since}
    if search:
        where = " ".join(f"AND {clause}" for clause in clauses)
        join, match, order = search_sql.ranked_join(db, "a", "q")
        rows = db.query(
            select + f" {join} WHERE {match} {where} ORDER BY {order} LIMIT :limit",
            {**params, "q": search_sql.query_value(db, search)},
        )
    else:
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = db.query(
            select + f" {where} ORDER BY a.fetched_at DESC, a.id DESC LIMIT :limit", params
        )
    return [dict(row) for row in rows]
