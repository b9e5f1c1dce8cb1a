"""A few URLs fetched once, for the commands that look before anything is polled (`add`
finding a site's feed, `check` trying one): through Scrapy like every poll, with the
same user agent, robots.txt, timeouts, size limit, retries and private-network guard,
but without the database: nothing is recorded, and robots.txt is asked afresh.

Call `fetch` inside `reactor.run`; several calls share the loop (one crawl each).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import scrapy
from scrapy.crawler import AsyncCrawlerRunner
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawler.config import Config
from crawler.config.values import url_problem
from crawler.fetch import reactor
from crawler.fetch.answers import describe_failure, feed_answer, request_of
from crawler.fetch.settings import scrapy_settings
from crawler.fetch.spider import FEED_ACCEPT
from crawler.model import FailureKind, FeedAnswer, FetchFailure

PAGE_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
STOP_GRACE = 2.0  # seconds a cancelled crawl gets to wind down


@dataclass(frozen=True)
class Fetched:
    """One URL's outcome: its answer (body decoded as the poll decodes feeds) or why not."""

    url: str  # as requested
    answer: FeedAnswer | None = None
    failure: FetchFailure | None = None
    status: int | None = None
    text: bool = False  # Scrapy read it as text (HTML, XML, JSON), as the poll requires

    @property
    def error(self) -> str | None:
        return self.failure.text if self.failure else None


async def fetch(
    config: Config, urls: Sequence[str], *, accept: str = FEED_ACCEPT, log_level: str = "WARNING"
) -> dict[str, Fetched]:
    """Each URL's outcome, by URL; a failure is a value here, never raised."""
    results: dict[str, Fetched] = {}
    wanted = []
    for url in dict.fromkeys(urls):
        problem = url_problem(url)
        if problem is None:
            wanted.append(url)
        else:  # Scrapy would drop it without a word
            text = f"not requested: {problem}"
            results[url] = Fetched(url, failure=FetchFailure(FailureKind.NOT_REQUESTED, text))
    if not wanted:
        return results
    settings = scrapy_settings(
        config.fetch, log_level=log_level, allow_private_networks=config.allow_private_networks
    )
    middlewares = dict(settings["DOWNLOADER_MIDDLEWARES"])
    # The poll's robots.txt cache and Retry-After handling live on its database and clock.
    middlewares["crawler.fetch.middlewares.CachedRobotsTxtMiddleware"] = None
    middlewares["crawler.fetch.middlewares.RetryAfterMiddleware"] = None
    middlewares["scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware"] = 100
    settings["DOWNLOADER_MIDDLEWARES"] = middlewares
    resolver = reactor.install_resolver(settings)
    crawl = AsyncCrawlerRunner(settings).crawl(
        OneShotSpider,
        urls=wanted,
        accept=accept,
        results=results,
        lookup_errors=resolver.lookup_errors,
        max_bytes=config.fetch.max_bytes,
    )
    try:
        await asyncio.shield(crawl)  # as in the poll: Scrapy absorbs a direct cancellation
    except asyncio.CancelledError:
        crawl.cancel()
        await asyncio.wait({crawl}, timeout=STOP_GRACE)
        raise
    for url in wanted:  # never answered (cannot happen, but a missing key would be worse)
        results.setdefault(url, Fetched(url, failure=FetchFailure(FailureKind.OTHER, "no answer")))
    return results


class OneShotSpider(scrapy.Spider):
    name = "newsmon-oneshot"

    def __init__(
        self,
        urls: Sequence[str],
        accept: str,
        results: dict[str, Fetched],
        lookup_errors: dict[str, FetchFailure],
        max_bytes: int,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.urls, self.accept, self.results = urls, accept, results
        self.lookup_errors, self.max_bytes = lookup_errors, max_bytes

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            meta: dict[str, Any] = {"wanted": url}
            if url.endswith("/robots.txt"):
                meta["dont_obey_robotstxt"] = True  # robots.txt itself is always allowed
            yield scrapy.Request(
                url,
                headers={"Accept": self.accept},
                callback=self.answered,
                errback=self.failed,
                dont_filter=True,
                meta=meta,
            )

    def answered(self, response: Response) -> None:
        url = response.meta["wanted"]
        try:
            answer = feed_answer(response, self.max_bytes)
        except ValueError as exc:  # a .gz body that does not unpack
            why = FetchFailure(FailureKind.OTHER, str(exc), response.status)
            self.results[url] = Fetched(url, failure=why, status=response.status)
            return
        text = isinstance(response, TextResponse)
        self.results[url] = Fetched(url, answer, status=response.status, text=text)

    def failed(self, failure: Failure) -> None:
        url = request_of(failure).meta["wanted"]
        why = describe_failure(failure, self.lookup_errors)
        self.results[url] = Fetched(url, failure=why, status=why.status)
