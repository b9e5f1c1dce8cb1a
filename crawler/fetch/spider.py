"""The Scrapy spider of one poll: thin glue between Scrapy and the poll's decisions.

It turns each response into a `FeedAnswer` or `PageAnswer` and each failure into a
status and one plain sentence (`answers`), hands the CPU-heavy parsing and extraction
to the worker pool, asks `crawler.refresh.Refresh` what it all means, and turns what to
fetch next back into requests. It decides nothing itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import timedelta
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.log import failure_to_exc_info
from twisted.python.failure import Failure

from crawler.fetch.answers import describe_failure, feed_answer, header, page_answer, request_of
from crawler.model import FailureKind, FeedAnswer, FeedState, FetchFailure, PendingEntry
from crawler.parse.items import FeedError
from crawler.parse.pool import Workers
from crawler.progress import Progress
from crawler.refresh import Refresh

LOGGER = logging.getLogger(__name__)
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


class PollSpider(scrapy.Spider):
    name = "newsmon-poll"

    def __init__(
        self,
        refresh: Refresh,
        workers: Workers,
        lookup_errors: dict[str, FetchFailure] | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.refresh = refresh
        self.workers = workers
        self.lookup_errors = lookup_errors if lookup_errors is not None else {}
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
        assert exc is not None  # Twisted makes no Failure without its exception
        request = request_of(response)
        if self.refresh.stopping:  # cancelled: the database is closing, nothing is lost
            LOGGER.debug("after the poll was cancelled, %s: %r", request.url, exc)
            return
        LOGGER.error(
            "unexpected error handling %s", request.url, exc_info=failure_to_exc_info(failure)
        )
        feed = None if request.meta.get("child") else request.meta.get("feed")
        stop = self.refresh.callback_failed(
            request.url, exc, entry=request.meta.get("entry"), feed=feed
        )
        if stop and not self._closing:
            self._closing = asyncio.get_running_loop().create_task(
                self.crawler.engine.close_spider_async(reason="database error")
            )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for feed in self.refresh.feeds:
            problem = self.refresh.feed_unreachable(feed)
            if problem is None:
                yield self._feed_request(feed, feed.url)
                continue
            # Scrapy drops such a request without calling back: the feed would stay due
            # forever with no error. (config.yaml refuses them; a redirect may not.)
            for request in self._pages(
                self.refresh.feed_failed(feed, None, f"not requested: {problem}")
            ):
                yield request

    def closed(self, reason: str) -> None:
        self._progress.close()

    # -- feeds ----------------------------------------------------------------

    def _feed_request(self, feed: FeedState, url: str, child: bool = False) -> scrapy.Request:
        headers = {"Accept": FEED_ACCEPT}
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
        if self.refresh.stopping:
            return
        feed: FeedState = response.meta["feed"]
        child: bool = response.meta["child"]
        self._log_fetch(feed.id, response, feed.kind)
        try:
            answer = feed_answer(response, self.refresh.config.fetch.max_bytes)
        except ValueError as exc:  # a .xml.gz body that does not unpack
            for request in self._pages(self.refresh.feed_failed(feed, response.status, str(exc))):
                yield request
            return
        if answer.status == 304:
            pages = self.refresh.feed_not_modified(feed, answer)
        elif self.refresh.is_unchanged(feed, answer, child):
            pages = self.refresh.feed_unchanged(feed, answer)
        else:
            async for request in self._read_entries(feed, answer, child):
                yield request
            return
        for request in self._pages(pages):
            yield request

    async def _read_entries(
        self, feed: FeedState, answer: FeedAnswer, child: bool
    ) -> AsyncIterator[scrapy.Request]:
        try:
            parsed = await self.workers.parse_feed(answer.body, answer.url, answer.content_type)
        except FeedError as exc:
            pages = self.refresh.feed_failed(feed, answer.status, str(exc))
        except Exception as exc:  # a crashed worker costs this feed's poll, not the run
            if self.refresh.stopping:
                return
            LOGGER.exception("parsing %s failed", answer.url)
            pages = self.refresh.feed_failed(feed, answer.status, f"parsing failed: {exc!r}")
        else:
            if self.refresh.stopping:  # cancelled while the worker parsed
                return
            children, pages = self.refresh.feed_parsed(feed, answer, parsed, child=child)
            for url in children:
                yield self._feed_request(feed, url, child=True)
        for request in self._pages(pages):
            yield request

    def feed_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        if self.refresh.stopping:
            return
        request = request_of(failure)
        feed: FeedState = request.meta["feed"]
        why = describe_failure(failure, self.lookup_errors)
        self._log_fetch(feed.id, failure, feed.kind, status=why.status, error=why.text)
        if request.meta.get("child"):
            self.refresh.child_failed(feed, request.url, why.text)
            return
        retry_after = request.meta.get("retry_after")
        wait = None if retry_after is None else timedelta(seconds=retry_after)
        yield from self._pages(
            self.refresh.feed_failed(feed, why.status, why.text, retry_after=wait)
        )

    # -- pages ----------------------------------------------------------------

    def _pages(self, entries: Iterable[PendingEntry]) -> Iterator[scrapy.Request]:
        for entry in entries:
            self._progress.add_total(1)
            yield scrapy.Request(
                entry.link or "",
                callback=self.parse_article,
                errback=self.article_failed,
                meta={"entry": entry},
                dont_filter=True,
            )

    async def parse_article(self, response: Response) -> None:
        if self.refresh.stopping:
            return
        entry: PendingEntry = response.meta["entry"]
        self._progress.advance()
        self._log_fetch(entry.feed_id, response, "page")
        if not isinstance(response, scrapy.http.TextResponse):
            text = f"not an HTML page (Content-Type {header(response, 'Content-Type')})"
            self.refresh.page_failed(
                entry, FetchFailure(FailureKind.NOT_HTML, text, response.status)
            )
            return
        answer = page_answer(response)
        try:
            page = await self.workers.extract(answer.body, answer.url, answer.content_type)
        except Exception as exc:  # a crashed worker costs one page, not the run
            if self.refresh.stopping:
                return
            LOGGER.exception("extraction of %s failed", answer.url)
            text = f"extraction failed: {exc!r}"
            self.refresh.page_failed(
                entry, FetchFailure(FailureKind.EXTRACTION, text, answer.status)
            )
            return
        if self.refresh.stopping:  # cancelled while the worker extracted
            return
        self.refresh.page_answered(entry, answer, page)

    def article_failed(self, failure: Failure) -> None:
        if self.refresh.stopping:
            return
        entry: PendingEntry = request_of(failure).meta["entry"]
        self._progress.advance()
        why = describe_failure(failure, self.lookup_errors)
        self._log_fetch(entry.feed_id, failure, "page", status=why.status, error=why.text)
        self.refresh.page_failed(entry, why)

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
            request = request_of(source)
            url, size = request.url, None
            latency = request.meta.get("download_latency")
        self.refresh.log_fetch(
            feed_id, url, kind, status=status, size=size, duration=latency, error=error
        )
