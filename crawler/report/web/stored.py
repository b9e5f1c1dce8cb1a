"""The page of one stored article: what `newsmon article ID` shows, for a browser.

An analyst checking a source wants the words newsmon read, not only the outlet's page
(which may have changed or gone): its text in paragraphs, where and when it came from,
its copies, its story and the events it counts in, with its role there.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, tzinfo
from typing import Any

import sqlite_utils

from crawler import store
from crawler.report.article import article_record
from crawler.report.web.pages import DEFAULT_ROLE
from crawler.report.wording import UNTITLED, clean, describe_when, format_instant, safe_url


def article_page(
    db: sqlite_utils.Database,
    article_id: int,
    *,
    tz: tzinfo = UTC,
    configured: Collection[str] | None = None,
) -> dict[str, Any]:
    """One stored article as `newsmon article` shows it: what newsmon knows around it,
    then its stored text in paragraphs; `article` is None when there is no such article."""
    record = article_record(db, article_id)
    health = store.feeds.state_counts(db, configured)
    if record is None:
        return {"article": None, "health": health}
    story = record.get("story") or {}
    return {
        "article": {
            "id": record["id"],
            "title": clean(record.get("title")) or UNTITLED,
            "outlet": clean(record.get("outlet")),
            "url": safe_url(record.get("url")),
            "url_text": clean(record.get("url")),
            "published": format_instant(record["published"], tz) if record.get("published") else "",
            "fetched": format_instant(record.get("fetched"), tz),
            "author": clean(record.get("author")),
            "language": clean(record.get("language")),
            "words": record.get("word_count") or 0,
            "method": clean(record.get("text_method")),
            "copy_of": record.get("copy_of"),
            "copy_relation": clean(record.get("copy_relation")),
            "copies": [related_view(a) for a in record.get("copies") or []],
            "story": [
                related_view(a) for a in story.get("articles") or [] if a.get("id") != record["id"]
            ],
            "story_size": story.get("article_count") or 0,
            "events": [
                {
                    "id": e["id"],
                    "title": clean(e.get("title")) or UNTITLED,
                    "role": clean(e.get("role")) or DEFAULT_ROLE,
                    "when": describe_when(e, tz),
                    "evidence": clean(e.get("evidence")),
                }
                for e in record.get("events") or []
            ],
            "paragraphs": [clean(p) for p in str(record.get("text") or "").split("\n") if clean(p)],
        },
        "health": health,
    }


def related_view(article: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": article.get("id"),
        "outlet": clean(article.get("outlet")),
        "title": clean(article.get("title")) or UNTITLED,
        "copy_relation": clean(article.get("copy_relation")) if article.get("copy_of") else "",
    }
