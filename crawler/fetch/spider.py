"""The Scrapy spider of one poll: due feeds → their new entries → article pages.

Every response and every failure is handled here, at exactly one boundary
per feed and per page: it is logged to `fetches`, written to the feed's or
entry's state, counted in the run's report, and never stops the rest.

Durability: a feed's new entries are committed (as `pending`) in the same
transaction as its validators, before any page is requested; each article is
committed with its entry's `done` mark. A run killed at any point leaves
pending entries that the next run fetches, so nothing is lost or doubled.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.log import failure_to_exc_info
from twisted.python.failure import Failure

from crawler import ingest, store, untrusted
from crawler.fetch import netguard
from crawler.model import FeedState, PendingEntry
from crawler.parse import articles, feeds
from crawler.progress import Progress
from crawler.schedule import RATE_WINDOW, adaptive_interval, next_poll, parse_max_age
from crawler.urls import resolve

if TYPE_CHECKING:
    from crawler.poll import PollContext

LOGGER = logging.getLogger(__name__)
PERMANENT_REDIRECTS = (301, 308)
MAX_CHILD_SITEMAPS = 50
ROBOTS_DISALLOWED = "disallowed by robots.txt"
BLOCKED = "blocked:"  # netguard refused the address
TOO_LARGE = "too large: "


class PollSpider(scrapy.Spider):
    name = "newsmon-poll"

    def __init__(self, context: PollContext, **kwargs: Any):
        super().__init__(**kwargs)
        self.ctx = context
        # link → entries waiting for that page; one request serves them all
        self._waiting: dict[str, list[PendingEntry]] = {}
        self._queued: set[int] = set()  # entry ids already waiting in this run
        self._closing: asyncio.Task[None] | None = None
        self._progress = Progress("pages")  # shows itself only for a backfill

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PollSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._callback_failed, signal=signals.spider_error)
        return spider

    def _callback_failed(self, failure: Failure, response: Response | Failure) -> None:
        """An exception escaped a callback: a bug, or the database failing under us.

        Fetch failures never get here (they are handled per feed and page), and values
        from the network are checked where they enter (`untrusted`). Database trouble
        (read-only file, full disk) stops the poll: every later write would fail the
        same way. Anything else costs only the feed or page it happened on.
        """
        exc = failure.value
        request = response.request
        url = request.url
        if self.ctx.stopping:  # cancelled: the database is closing, nothing is lost
            LOGGER.debug("after the poll was cancelled, %s: %r", url, exc)
            return
        LOGGER.error("unexpected error handling %s", url, exc_info=failure_to_exc_info(failure))
        if store.db.is_database_failure(exc):
            self.ctx.report.fatal.append(f"database error while storing {url}: {exc}")
            if not self._closing:
                self._closing = asyncio.get_running_loop().create_task(
                    self.crawler.engine.close_spider_async(reason="database error")
                )
            return
        error = f"internal error: {type(exc).__name__}: {str(exc)[:300]}"
        if "entry" in request.meta:
            entry: PendingEntry = request.meta["entry"]
            self._page_error(self._waiting.pop(entry.link, [entry]), None, error)
        elif "feed" in request.meta and not request.meta.get("child"):
            self._record_feed_failure(request.meta["feed"], None, error)
        else:
            self.ctx.report.fatal.append(f"internal error handling {url}: {exc!r}")

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for feed in self.ctx.feeds:
            problem = untrusted.link_problem(feed.url)
            if problem is None:
                yield self._feed_request(feed, feed.url)
                continue
            # Scrapy drops such a request without calling back: the feed would stay due
            # forever with no error. (config.yaml refuses them; a redirect may not.)
            for request in self._feed_error(feed, None, f"not requested: {problem}"):
                yield request

    # -- feeds ----------------------------------------------------------------

    def _feed_request(self, feed: FeedState, url: str, child: bool = False) -> scrapy.Request:
        headers = {
            "Accept": "application/rss+xml, application/atom+xml, application/feed+json, "
            "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
        }
        if not child and not feed.ignore_validators:
            if feed.etag:
                headers["If-None-Match"] = feed.etag
            if feed.last_modified:
                headers["If-Modified-Since"] = feed.last_modified
        return scrapy.Request(
            url,
            headers=headers,
            callback=self.parse_feed,
            errback=self.feed_failed,
            dont_filter=True,
            meta={"feed": feed, "child": child, "handle_httpstatus_list": [304]},
        )

    async def parse_feed(self, response: Response) -> AsyncIterator[scrapy.Request]:
        if self.ctx.stopping:
            return
        feed: FeedState = response.meta["feed"]
        child: bool = response.meta["child"]
        self._log_fetch(feed.id, response, feed.kind)
        now = self.ctx.clock.now()
        if response.status == 304:
            store.feeds.record_feed_success(
                self.ctx.db, feed, now=now, status=304, next_due=self._next_due(feed, response)
            )
            self.ctx.report.not_modified += 1
            _log_poll(feed, response, "not modified", 0)
            for request in self._article_requests(feed):
                yield request
            return
        body = response.body
        if body[:2] == b"\x1f\x8b":  # a .xml.gz sitemap served as a file, not Content-Encoding
            try:
                body = gunzip(body, max_size=self.ctx.config.fetch.max_bytes)
            except (OSError, ValueError, EOFError) as exc:
                for request in self._feed_error(feed, response.status, f"bad gzip body: {exc}"):
                    yield request
                return
        digest = hashlib.sha256(body).hexdigest()
        moved = self._permanent_location(response)
        if child:
            async for request in self._read_entries(feed, response, body, digest, child=True):
                yield request
            return
        if digest == feed.body_hash:
            store.feeds.record_feed_success(
                self.ctx.db,
                feed,
                now=now,
                status=response.status,
                next_due=self._next_due(feed, response),
                url=moved,
                etag=_header(response, "ETag"),
                last_modified=_header(response, "Last-Modified"),
            )
            self.ctx.report.unchanged += 1
            _log_poll(feed, response, "unchanged", 0)
            for request in self._article_requests(feed):
                yield request
            return
        async for request in self._read_entries(
            feed, response, body, digest, child=False, moved=moved
        ):
            yield request

    async def _read_entries(
        self,
        feed: FeedState,
        response: Response,
        body: bytes,
        digest: str,
        *,
        child: bool,
        moved: str | None = None,
    ) -> AsyncIterator[scrapy.Request]:
        try:
            parsed = await self.ctx.workers.parse_feed(
                body, response.url, _header(response, "Content-Type")
            )
        except feeds.FeedError as exc:
            for request in self._feed_error(feed, response.status, str(exc)):
                yield request
            return
        except Exception as exc:  # a crashed worker costs this feed's poll, not the run
            if self.ctx.stopping:
                return
            LOGGER.exception("parsing %s failed", response.url)
            for request in self._feed_error(feed, response.status, f"parsing failed: {exc!r}"):
                yield request
            return
        if self.ctx.stopping:  # cancelled while the worker parsed
            return
        if parsed.warning:
            LOGGER.info("feed %s: not well-formed but readable (%s)", feed.url, parsed.warning)
        problems = [entry.problem for entry in parsed.entries if entry.problem]
        update = store.feeds.record_feed_success(
            self.ctx.db,
            feed,
            now=self.ctx.clock.now(),
            status=response.status,
            next_due=self._next_due(feed, response, parsed.ttl),
            url=None if child else moved,
            etag=None if child else _header(response, "ETag"),
            last_modified=None if child else _header(response, "Last-Modified"),
            body_hash=None if child else digest,
            entries=parsed.entries,
            note=refusal_note(problems, len(parsed.entries)),
        )
        self.ctx.report.new_entries += update.new
        for problem in update.refused:
            self.ctx.report.item_errors.append(f"{feed.outlet}: {feed.url}: refused: {problem}")
        _log_poll(feed, response, parsed.format, update.new)
        for url in parsed.sitemaps[:MAX_CHILD_SITEMAPS]:
            problem = untrusted.link_problem(url)
            if problem is None:
                yield self._feed_request(feed, url, child=True)
            else:  # Scrapy would drop it without a word
                self.ctx.report.page_errors.append(f"{feed.outlet}: {url[:200]}...: {problem}")
        for request in self._article_requests(feed):
            yield request

    def feed_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        if self.ctx.stopping:
            return
        request = failure.request
        feed: FeedState = request.meta["feed"]
        status, error = describe_failure(failure)
        self._log_fetch(feed.id, failure, feed.kind, status=status, error=error)
        if request.meta.get("child"):
            LOGGER.info("feed %s: child sitemap %s failed: %s", feed.url, request.url, error)
            self.ctx.report.page_errors.append(f"{feed.outlet}: {request.url}: {error}")
            return
        retry_after = request.meta.get("retry_after")
        wait = timedelta(seconds=retry_after) if retry_after is not None else None
        yield from self._feed_error(feed, status, error, retry_after=wait)

    def _feed_error(
        self, feed: FeedState, status: int | None, error: str, retry_after: timedelta | None = None
    ) -> Iterator[scrapy.Request]:
        self._record_feed_failure(feed, status, error, retry_after)
        # Entries announced by earlier polls still deserve their pages.
        yield from self._article_requests(feed)

    def _record_feed_failure(
        self, feed: FeedState, status: int | None, error: str, retry_after: timedelta | None = None
    ) -> None:
        now = self.ctx.clock.now()
        due = self._next_due(feed, errors=feed.consecutive_errors + 1, retry_after=retry_after)
        store.feeds.record_feed_failure(
            self.ctx.db, feed, now=now, status=status, error=error, next_due=due
        )
        self.ctx.report.feed_errors.append(f"{feed.outlet}: {feed.url}: {error}")
        LOGGER.info(
            "poll outlet=%r feed=%s status=%s outcome=error error=%r",
            feed.outlet,
            feed.url,
            status if status is not None else "-",
            error,
        )

    def _next_due(
        self,
        feed: FeedState,
        response: Response | None = None,
        ttl: timedelta | None = None,
        errors: int = 0,
        retry_after: timedelta | None = None,
    ) -> datetime:
        """The feed's next poll: its interval (adaptive when configured), backed off after
        failures, never sooner than Retry-After, Cache-Control max-age or the feed's TTL."""
        now = self.ctx.clock.now()
        interval = timedelta(seconds=feed.interval_s)
        if feed.min_interval_s is not None and feed.max_interval_s is not None:
            rate = store.feeds.entries_per_day(self.ctx.db, feed.id, now, RATE_WINDOW)
            interval = adaptive_interval(
                rate, timedelta(seconds=feed.min_interval_s), timedelta(seconds=feed.max_interval_s)
            )
        max_age = parse_max_age(response.headers.get("Cache-Control")) if response else None
        floors = [value for value in (max_age, ttl) if value is not None]
        return next_poll(now, interval, errors, retry_after, max(floors) if floors else None)

    @staticmethod
    def _permanent_location(response: Response) -> str | None:
        reasons = response.meta.get("redirect_reasons") or []
        if reasons and all(reason in PERMANENT_REDIRECTS for reason in reasons):
            return response.url
        return None

    # -- articles -------------------------------------------------------------

    def _article_requests(self, feed: FeedState) -> Iterator[scrapy.Request]:
        # headlines that changed on stored articles (this feed's, or left by a killed run)
        self.ctx.report.new_events += ingest.apply_revisions(
            self.ctx.db, self.ctx.monitors, self.ctx.config.aggregators
        )
        limit = self.ctx.config.fetch.max_new_per_feed
        for entry in store.entries.pending_entries(self.ctx.db, feed.id, limit):
            if entry.id in self._queued:
                continue
            self._queued.add(entry.id)
            if entry.link is None:  # nothing to fetch and no URL to store it under
                store.entries.record_entry_failure(
                    self.ctx.db, entry.id, "the entry has no link", give_up=True
                )
                continue
            problem = untrusted.link_problem(entry.link)
            if problem is not None:  # Scrapy would drop the request without a callback
                self._page_error([entry], None, f"not requested: {problem}", final=True)
                continue
            if not feed.fetch_pages:
                if not self._store_from_feed(entry, "fetch_pages is off"):
                    store.entries.record_entry_failure(
                        self.ctx.db,
                        entry.id,
                        "fetch_pages is off and the feed has no text",
                        give_up=True,
                    )
                continue
            known = store.articles.article_for_url(self.ctx.db, entry.link)
            if known is not None:
                self._link(entry, known)
                self.ctx.report.known += 1
                continue
            if entry.link in self._waiting:
                self._waiting[entry.link].append(entry)
                continue
            self._waiting[entry.link] = [entry]
            self._progress.add_total(1)
            yield scrapy.Request(
                entry.link,
                callback=self.parse_article,
                errback=self.article_failed,
                meta={"entry": entry},
                dont_filter=True,
            )

    def closed(self, reason: str) -> None:
        self._progress.close()

    async def parse_article(self, response: Response) -> None:
        if self.ctx.stopping:
            return
        entry: PendingEntry = response.meta["entry"]
        self._progress.advance()
        self._log_fetch(entry.feed_id, response, "page")
        waiting = self._waiting.pop(entry.link, [entry])
        if not isinstance(response, scrapy.http.TextResponse):
            self._page_error(
                waiting,
                response.status,
                f"not an HTML page (Content-Type {_header(response, 'Content-Type')})",
            )
            return
        try:
            page = await self.ctx.workers.extract(
                response.body, response.url, _header(response, "Content-Type")
            )
        except Exception as exc:  # a crashed worker costs one page, not the run
            if self.ctx.stopping:
                return
            LOGGER.exception("extraction of %s failed", response.url)
            self._page_error(waiting, response.status, f"extraction failed: {exc!r}")
            return
        if self.ctx.stopping:  # cancelled while the worker extracted
            return
        url = page.canonical_url or resolve(response.url) or entry.link
        keep = response.body if self.ctx.config.fetch.keep_html else None
        record = articles.from_page(entry, page, url=url, fetched_url=response.url, html=keep)
        if record is None:
            self._page_error(waiting, response.status, "no text on the page nor in the feed")
            return
        aliases = {e.link for e in waiting if e.link} | {resolve(response.url)} - {None}
        outcome = ingest.add_article(
            self.ctx.db,
            waiting[0],
            record,
            self.ctx.monitors,
            now=self.ctx.clock.now(),
            aliases=aliases,
            settings=self.ctx.config.stories,
            aggregators=self.ctx.config.aggregators,
        )
        for other in waiting[1:]:
            self._link(other, outcome.article_id)
        self.ctx.report.new_events += outcome.new_events
        if outcome.created:
            self.ctx.report.new_articles += 1
            LOGGER.info(
                "article %s: %d words via %s", url, len(record.text.split()), record.text_method
            )
        else:
            self.ctx.report.known += 1

    def _link(self, entry: PendingEntry, article_id: int) -> None:
        """An entry leading to a stored article: linked, and its headline read if new."""
        self.ctx.report.new_events += ingest.link_entry(
            self.ctx.db,
            entry,
            article_id,
            self.ctx.monitors,
            now=self.ctx.clock.now(),
            aggregators=self.ctx.config.aggregators,
        )

    def article_failed(self, failure: Failure) -> None:
        if self.ctx.stopping:
            return
        entry: PendingEntry = failure.request.meta["entry"]
        self._progress.advance()
        status, error = describe_failure(failure)
        self._log_fetch(entry.feed_id, failure, "page", status=status, error=error)
        waiting = self._waiting.pop(entry.link, [entry])
        self._page_error(waiting, status, error, final=is_final(status, error))

    def _page_error(
        self, waiting: list[PendingEntry], status: int | None, error: str, final: bool = False
    ) -> None:
        """Count a failed attempt; after the last one, keep what the feed itself said."""
        limit = self.ctx.config.fetch.max_article_attempts
        for entry in waiting:
            give_up = final or entry.attempts + 1 >= limit
            if give_up and self._store_from_feed(entry, error):
                continue
            store.entries.record_entry_failure(self.ctx.db, entry.id, error, give_up=give_up)
            self.ctx.report.page_errors.append(f"{entry.link}: {error}")
            LOGGER.info(
                "page %s failed%s: %s", entry.link, " (giving up)" if give_up else "", error
            )

    def _store_from_feed(self, entry: PendingEntry, reason: str) -> bool:
        record = articles.from_feed(entry)
        if record is None:
            return False
        outcome = ingest.add_article(
            self.ctx.db,
            entry,
            record,
            self.ctx.monitors,
            now=self.ctx.clock.now(),
            settings=self.ctx.config.stories,
            aggregators=self.ctx.config.aggregators,
        )
        self.ctx.report.new_articles += outcome.created
        self.ctx.report.new_events += outcome.new_events
        LOGGER.info("article %s: stored from the feed's own text (%s)", entry.link, reason)
        return True

    # -- bookkeeping ------------------------------------------------------------

    def _log_fetch(
        self,
        feed_id: int,
        source: Response | Failure,
        kind: str,
        status: int | None = None,
        error: str | None = None,
    ) -> None:
        if isinstance(source, Response):
            url, status, size = source.url, source.status, len(source.body)
            latency = source.meta.get("download_latency")
        else:
            url, size, latency = (
                source.request.url,
                None,
                source.request.meta.get("download_latency"),
            )
        store.fetches.log_fetch(
            self.ctx.db,
            feed_id=feed_id,
            url=url,
            kind=kind,
            status=status,
            size=size,
            duration=latency,
            error=error,
            now=self.ctx.clock.now(),
        )


def _log_poll(feed: FeedState, response: Response, outcome: str, new: int) -> None:
    """One structured line per poll: what the daemon's log is read for."""
    latency = response.meta.get("download_latency") or 0.0
    LOGGER.info(
        "poll outlet=%r feed=%s status=%d outcome=%s new_entries=%d ms=%d",
        feed.outlet,
        feed.url,
        response.status,
        outcome,
        new,
        round(latency * 1000),
    )


def is_final(status: int | None, error: str) -> bool:
    """A page failure that retrying cannot change: robots.txt, "gone", a refused address,
    a page over `max_bytes`. The feed's own text is kept at once."""
    return (
        error == ROBOTS_DISALLOWED or status in (404, 410) or error.startswith((BLOCKED, TOO_LARGE))
    )


def refusal_note(problems: list[str], total: int) -> str | None:
    """The feed's `last_error` when some of its items were refused; None when none were."""
    if not problems:
        return None
    return f"{len(problems)} of {total} items refused: {problems[0]}"


def describe_failure(failure: Failure) -> tuple[int | None, str]:
    """A failure as (HTTP status or None, one plain sentence)."""
    exc = failure.value
    if isinstance(exc, HttpError):
        response = exc.response
        return response.status, f"HTTP {response.status}"
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "robots.txt" in text.lower():
            return None, ROBOTS_DISALLOWED
        if text.startswith("blocked:"):
            return None, text
        return None, f"request dropped: {text}"
    if isinstance(exc, DownloadTimeoutError | TimeoutError | asyncio.TimeoutError):
        return None, f"timed out: {exc}"
    if isinstance(exc, DownloadCancelledError):
        return None, f"{TOO_LARGE}{exc}"
    if isinstance(exc, CannotResolveHostError):
        host = urlparse_cached(failure.request).hostname or ""
        reason = netguard.LOOKUP_ERRORS.get(host, str(exc))
        if reason.startswith("blocked:"):
            return None, reason
        return None, f"DNS lookup failed: {reason.removeprefix('DNS lookup failed: ')}"
    if isinstance(exc, DownloadConnectionRefusedError):
        return None, "connection refused"
    if isinstance(exc, ResponseDataLossError):
        return None, "connection closed before the whole body arrived"
    if isinstance(exc, DownloadFailedError):
        return None, f"download failed: {exc}"
    return None, f"{type(exc).__name__}: {exc}"


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
