"""From a stored article to stories and events, in the article's own transaction.

The crawler calls `add_article`; `newsmon reprocess` calls `reprocess`, which
replays every stored article through the same function in the order they
were stored, so it rebuilds exactly what the live runs built.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from crawler import dedupe, events, eventstore, store
from crawler.clock import parse_instant
from crawler.config import StorySettings
from crawler.feeds import parse_date
from crawler.store import ArticleRecord, PendingEntry
from monitors.base import ArticleView, Monitor

LOGGER = logging.getLogger(__name__)
DEFAULT_STORIES = StorySettings()


@dataclass(frozen=True)
class Outcome:
    article_id: int
    created: bool
    story_id: int | None = None
    copy_of: int | None = None
    events: tuple[int, ...] = ()
    new_events: int = 0


def add_article(
    db: sqlite_utils.Database,
    entry: PendingEntry,
    record: ArticleRecord,
    monitors: Sequence[Monitor],
    *,
    now: datetime,
    aliases: Iterable[str] = (),
    settings: StorySettings = DEFAULT_STORIES,
) -> Outcome:
    """Store an article, its story and its events as one unit of work."""
    with db.atomic():
        article_id, created = store.store_article(db, entry, record, now=now, aliases=aliases)
        if not created:
            return Outcome(article_id, False)
        return process_article(db, article_id, monitors, settings)


def process_article(
    db: sqlite_utils.Database,
    article_id: int,
    monitors: Sequence[Monitor],
    settings: StorySettings = DEFAULT_STORIES,
) -> Outcome:
    """Story and events for one stored article; the caller holds the transaction."""
    row = eventstore.article_row(db, article_id)
    at = dedupe.story_time(row["published_utc"], row["fetched_at"])
    decision = dedupe.assign_story(
        db,
        article_id,
        title=row["title"],
        text=row["text"],
        text_hash=row["text_hash"],
        at=at,
        settings=settings,
    )
    view = ArticleView(
        url=row["url"],
        title=row["title"] or "",
        text=row["text"],
        published=parse_date(row["published"]) or parse_instant(at),
        language=row["language"],
        outlet=row["outlet"],
    )
    matched, new = [], 0
    for monitor in monitors:
        try:
            match = monitor.match(view)
        except Exception:  # a monitor's bug must not cost the article
            LOGGER.exception("monitor %s failed on %s", monitor.name, row["url"])
            continue
        if match is not None:
            event_id, created = events.assign(db, row, monitor.name, match, decision.story_id)
            matched.append(event_id)
            new += created
    return Outcome(article_id, True, decision.story_id, decision.original_id, tuple(matched), new)


def reprocess(
    db: sqlite_utils.Database,
    monitors: Sequence[Monitor],
    settings: StorySettings = DEFAULT_STORIES,
    progress: Callable[[], None] | None = None,
) -> int:
    """Rebuild stories and events from stored articles, all in one transaction."""
    with db.atomic():
        eventstore.clear_derived(db)
        count = 0
        for row in list(eventstore.articles_in_order(db)):
            process_article(db, row["id"], monitors, settings)
            count += 1
            if progress is not None:
                progress()
    return count
