"""One poll's decisions, Scrapy-free: what a feed's or a page's answer means, what to
store, and what to fetch next (Miniflux's `RefreshFeed`, read top to bottom). The spider
only turns Scrapy's responses into `crawler.model` values and back into requests, so
every decision is tested in-process against a real SQLite file.

Every answer and failure is handled at one boundary per feed and per page: logged to
`fetches`, written to the feed's or entry's state, counted, never stopping the rest. A
feed's new entries are committed (`pending`) with its validators before any page is
requested; each article with its entry's `done` mark. A run killed at any point leaves
pending entries the next run fetches: nothing is lost or doubled.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from crawler import ingest, schedule, store, untrusted
from crawler.clock import Clock
from crawler.config import Config
from crawler.model import (
    Extracted,
    FeedAnswer,
    FeedState,
    FetchFailure,
    PageAnswer,
    Parsed,
    PendingEntry,
    PollReport,
)
from crawler.parse import articles
from crawler.robots import RobotsCache
from crawler.urls import identity, resolve
from monitors.base import Monitor

LOGGER = logging.getLogger(__name__)
MAX_CHILD_SITEMAPS = 50


class Refresh:
    """The decisions of one poll over `feeds`, writing to `db` and counting in `report`.

    `stopping` is set when the poll is cancelled: from then on nothing is decided (the
    database is about to close; every article stored so far was stored whole).
    """

    def __init__(
        self,
        db: sqlite_utils.Database,
        config: Config,
        clock: Clock,
        feeds: Sequence[FeedState],
        monitors: Sequence[Monitor] = (),
    ):
        self.db = db
        self.config = config
        self.clock = clock
        self.feeds = list(feeds)
        self.monitors = list(monitors)
        self.rules = ingest.Rules.from_config(config)
        self.report = PollReport(feeds_polled=len(self.feeds))
        self.robots = RobotsCache(db, clock)
        self.stopping = False
        self._waiting: dict[str, list[PendingEntry]] = {}  # identity(link) → its entries
        self._queued: set[int] = set()  # entry ids already handled in this poll

    # -- feeds ------------------------------------------------------------------

    def feed_unreachable(self, feed: FeedState) -> str | None:
        """Why a feed's URL cannot even be requested (Scrapy would drop it silently)."""
        return untrusted.link_problem(feed.url)

    def feed_not_modified(self, feed: FeedState, answer: FeedAnswer) -> list[PendingEntry]:
        """A 304: one request, done; earlier entries still deserve their pages."""
        store.feeds.record_feed_success(
            self.db, feed, now=self.clock.now(), status=304, next_due=self._next_due(feed, answer)
        )
        self.report.not_modified += 1
        _log_poll(feed, answer, "not modified", 0)
        return self.pages_to_fetch(feed)

    def feed_unchanged(self, feed: FeedState, answer: FeedAnswer) -> list[PendingEntry]:
        """A 200 whose body hash equals the last one: not parsed again."""
        store.feeds.record_feed_success(
            self.db,
            feed,
            now=self.clock.now(),
            status=answer.status,
            next_due=self._next_due(feed, answer),
            url=answer.moved,
            etag=answer.etag,
            last_modified=answer.last_modified,
        )
        self.report.unchanged += 1
        _log_poll(feed, answer, "unchanged", 0)
        return self.pages_to_fetch(feed)

    def is_unchanged(self, feed: FeedState, answer: FeedAnswer, child: bool) -> bool:
        return not child and answer.body_hash == feed.body_hash

    def feed_parsed(
        self, feed: FeedState, answer: FeedAnswer, parsed: Parsed, *, child: bool
    ) -> tuple[list[str], list[PendingEntry]]:
        """New entries committed (pending) with the feed's validators, in one transaction:
        returns (child sitemaps to fetch, entries whose pages to fetch)."""
        if parsed.warning:
            LOGGER.debug("feed %s: not well-formed but readable (%s)", feed.url, parsed.warning)
        if child:  # its entries only: the feed's row is its index's answer
            update = store.feeds.record_child_entries(
                self.db, feed, parsed.entries, self.clock.now()
            )
        else:
            problems = [entry.problem for entry in parsed.entries if entry.problem]
            update = store.feeds.record_feed_success(
                self.db,
                feed,
                now=self.clock.now(),
                status=answer.status,
                next_due=self._next_due(feed, answer, parsed.ttl),
                url=answer.moved,
                etag=answer.etag,
                last_modified=answer.last_modified,
                body_hash=answer.body_hash,
                entries=parsed.entries,
                note=refusal_note(problems, len(parsed.entries)),
            )
        self.report.new_entries += update.new
        for problem in update.refused:
            self.report.item_errors.append(f"{feed.outlet}: {feed.url}: refused: {problem}")
        _log_poll(feed, answer, parsed.format, update.new)
        children: list[str] = []
        for url in parsed.sitemaps[:MAX_CHILD_SITEMAPS]:
            link_problem = untrusted.link_problem(url)
            if link_problem is None:
                children.append(url)
            else:  # Scrapy would drop it without a word
                self.report.page_errors.append(f"{feed.outlet}: {url[:200]}...: {link_problem}")
        return children, self.pages_to_fetch(feed)

    def feed_failed(
        self,
        feed: FeedState,
        status: int | None,
        error: str,
        retry_after: timedelta | None = None,
    ) -> list[PendingEntry]:
        """A failed poll backs the feed off; entries announced by earlier polls still
        deserve their pages."""
        self.record_feed_failure(feed, status, error, retry_after)
        return self.pages_to_fetch(feed)

    def record_feed_failure(
        self,
        feed: FeedState,
        status: int | None,
        error: str,
        retry_after: timedelta | None = None,
    ) -> None:
        due = self._next_due(feed, errors=feed.consecutive_errors + 1, retry_after=retry_after)
        store.feeds.record_feed_failure(
            self.db, feed, now=self.clock.now(), status=status, error=error, next_due=due
        )
        self.report.feed_errors.append(f"{feed.outlet}: {feed.url}: {error}")
        LOGGER.debug(
            "poll outlet=%r feed=%s status=%s outcome=error error=%r",
            feed.outlet,
            feed.url,
            status if status is not None else "-",
            error,
        )

    def child_failed(self, feed: FeedState, url: str, error: str) -> None:
        """A child sitemap of an index failed: its pages, not the feed."""
        LOGGER.debug("feed %s: child sitemap %s failed: %s", feed.url, url, error)
        self.report.page_errors.append(f"{feed.outlet}: {url}: {error}")

    def _next_due(
        self,
        feed: FeedState,
        answer: FeedAnswer | None = None,
        ttl: timedelta | None = None,
        errors: int = 0,
        retry_after: timedelta | None = None,
    ) -> datetime:
        now = self.clock.now()
        rate = None
        if feed.min_interval_s is not None and feed.max_interval_s is not None:
            rate = store.feeds.entries_per_day(self.db, feed.id, now, schedule.RATE_WINDOW)
        max_age = schedule.parse_max_age(answer.cache_control) if answer else None
        return schedule.next_due(
            feed, now, rate=rate, errors=errors, retry_after=retry_after, max_age=max_age, ttl=ttl
        )

    # -- pages ------------------------------------------------------------------

    def pages_to_fetch(self, feed: FeedState) -> list[PendingEntry]:
        """The feed's pending entries whose pages must be requested, one per link.

        On the way: headlines that changed on stored articles are read again; an entry
        without a usable link fails at once; with `fetch_pages` off the feed's own text
        is stored; a link that leads to a stored article is linked, not fetched; entries
        sharing a link wait for one request.
        """
        self.report.new_events += ingest.apply_revisions(
            self.db, self.monitors, self.rules, self.report.monitor_errors
        )
        wanted = []
        limit = self.config.fetch.max_new_per_feed
        for entry in store.entries.pending_entries(self.db, feed.id, limit):
            if entry.id in self._queued:
                continue
            self._queued.add(entry.id)
            if entry.link is None:  # nothing to fetch and no URL to store it under
                store.entries.record_entry_failure(
                    self.db, entry.id, "the entry has no link", give_up=True
                )
                continue
            problem = untrusted.link_problem(entry.link)
            if problem is not None:  # Scrapy would drop the request without a callback
                self._page_error([entry], None, f"not requested: {problem}", final=True)
                continue
            if not feed.fetch_pages:  # the feed's text, else its headline: never a page
                if not self._store_from_feed(entry, "fetch_pages is off", headline=True):
                    store.entries.record_entry_failure(
                        self.db,
                        entry.id,
                        "fetch_pages is off and the feed has no text nor headline",
                        give_up=True,
                    )
                continue
            known = store.articles.article_for_url(self.db, entry.link)
            if known is not None:
                self._link(entry, known)
                self.report.known += 1
                continue
            key = identity(entry.link)  # two variants of one URL: one fetch, as when stored
            if key in self._waiting:
                self._waiting[key].append(entry)
                continue
            self._waiting[key] = [entry]
            wanted.append(entry)
        return wanted

    def page_answered(self, entry: PendingEntry, answer: PageAnswer, page: Extracted) -> None:
        """An extracted page: its article (or the feed's own text) stored with its story
        and events, in one transaction; every entry waiting for the link is linked."""
        waiting = self._waiting.pop(_wait_key(entry), [entry])
        url = page.canonical_url or resolve(answer.url) or entry.link or answer.url
        keep = answer.body if self.config.fetch.keep_html else None
        record = articles.from_page(entry, page, url=url, fetched_url=answer.url, html=keep)
        if record is None:
            self._page_error(waiting, answer.status, "no text on the page nor in the feed")
            return
        fetched = resolve(answer.url)
        aliases = {e.link for e in waiting if e.link} | ({fetched} if fetched else set())
        outcome = ingest.add_article(
            self.db,
            waiting[0],
            record,
            self.monitors,
            now=self.clock.now(),
            aliases=aliases,
            rules=self.rules,
            failures=self.report.monitor_errors,
        )
        for other in waiting[1:]:
            self._link(other, outcome.article_id)
        self.report.new_events += outcome.new_events
        if outcome.created:
            self.report.new_articles += 1
            LOGGER.debug(
                "article %s: %d words via %s", url, len(record.text.split()), record.text_method
            )
        else:
            self.report.known += 1

    def page_failed(self, entry: PendingEntry, failure: FetchFailure) -> None:
        """A page that could not be had (or read): every entry waiting for it counts one
        attempt; a refusal retrying cannot change is final at once."""
        waiting = self._waiting.pop(_wait_key(entry), [entry])
        self._page_error(waiting, failure.status, failure.text, final=failure.final)

    def _page_error(
        self, waiting: list[PendingEntry], status: int | None, error: str, final: bool = False
    ) -> None:
        """Count a failed attempt; after the last one, keep what the feed itself said."""
        limit = self.config.fetch.max_article_attempts
        for entry in waiting:
            give_up = final or entry.attempts + 1 >= limit
            if give_up and self._store_from_feed(entry, error):
                continue
            store.entries.record_entry_failure(self.db, entry.id, error, give_up=give_up)
            self.report.page_errors.append(f"{entry.link}: {error}")
            LOGGER.debug(
                "page %s failed%s: %s", entry.link, " (giving up)" if give_up else "", error
            )

    def _store_from_feed(self, entry: PendingEntry, reason: str, headline: bool = False) -> bool:
        record = articles.from_feed(entry, headline=headline)
        if record is None:
            return False
        outcome = ingest.add_article(
            self.db,
            entry,
            record,
            self.monitors,
            now=self.clock.now(),
            rules=self.rules,
            failures=self.report.monitor_errors,
        )
        self.report.new_articles += outcome.created
        self.report.new_events += outcome.new_events
        LOGGER.debug("article %s: stored from the feed's own text (%s)", entry.link, reason)
        return True

    def _link(self, entry: PendingEntry, article_id: int) -> None:
        """An entry leading to a stored article: linked, and its headline read if new."""
        self.report.new_events += ingest.link_entry(
            self.db,
            entry,
            article_id,
            self.monitors,
            now=self.clock.now(),
            rules=self.rules,
            failures=self.report.monitor_errors,
        )

    # -- everything else ---------------------------------------------------------

    def log_fetch(self, feed_id: int, url: str, kind: str, **outcome: Any) -> None:
        """One row per HTTP fetch: `status`, `size`, `duration` (s), `error`."""
        store.fetches.log_fetch(
            self.db, feed_id=feed_id, url=url, kind=kind, now=self.clock.now(), **outcome
        )

    def callback_failed(
        self,
        url: str,
        exc: BaseException,
        *,
        entry: PendingEntry | None,
        feed: FeedState | None,
    ) -> bool:
        """An exception escaped handling `url`; True when the poll must stop.

        Database trouble (read-only file, full disk) stops the poll: every later write
        would fail the same way. Anything else is a bug that costs only the page or feed
        it happened on.
        """
        if store.db.is_database_failure(exc):
            self.report.fatal.append(f"database error while storing {url}: {exc}")
            return True
        error = f"internal error: {type(exc).__name__}: {str(exc)[:300]}"
        if entry is not None:
            self._page_error(self._waiting.pop(_wait_key(entry), [entry]), None, error)
        elif feed is not None:
            self.record_feed_failure(feed, None, error)
        else:
            self.report.fatal.append(f"{error} handling {url}")
        return False


def _log_poll(feed: FeedState, answer: FeedAnswer, outcome: str, new: int) -> None:
    """One structured line per feed polled, at DEBUG: the daemon's INFO line sums up the
    whole poll (crawler.daemon)."""
    LOGGER.debug(
        "poll outlet=%r feed=%s status=%d outcome=%s new_entries=%d ms=%d",
        feed.outlet,
        feed.url,
        answer.status,
        outcome,
        new,
        round((answer.latency or 0.0) * 1000),
    )


def refusal_note(problems: list[str], total: int) -> str | None:
    """The feed's `last_error` when some of its items were refused; None when none were."""
    if not problems:
        return None
    return f"{len(problems)} of {total} items refused: {problems[0]}"


def _wait_key(entry: PendingEntry) -> str:
    """The key an entry's page waits under in `Refresh._waiting`."""
    return identity(entry.link) if entry.link else ""
