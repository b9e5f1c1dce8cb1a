"""Scrapy downloader middlewares for politeness Scrapy lacks out of the box."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler

from crawler.schedule import parse_retry_after

if TYPE_CHECKING:
    from crawler.fetch.spider import PollSpider
    from crawler.robots import RobotsCache


RETRY_AFTER_STATUSES = (429, 503)


class RetryAfterMiddleware:
    """A 429/503 with `Retry-After` is not retried in this run.

    The server told us when to come back; the wait is kept on the request's
    meta (`retry_after`) so the feed's next poll is scheduled no sooner.
    Sits just outside RetryMiddleware so it sees the response first.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status in RETRY_AFTER_STATUSES:
            spider: PollSpider = self.crawler.spider  # type: ignore[assignment]
            now = spider.refresh.clock.now()  # an HTTP date is judged by newsmon's clock
            wait = parse_retry_after(response.headers.get("Retry-After"), now)
            if wait is not None:
                request.meta["dont_retry"] = True
                request.meta["retry_after"] = wait.total_seconds()
        return response


class RetryBackoffMiddleware:
    """Delays each retry exponentially: backoff, 2×backoff, 4×backoff...

    Scrapy re-queues retries immediately; a struggling server deserves a pause.
    The sleep happens before the request enters its host's slot, so it holds
    no connection and delays nothing else.
    """

    def __init__(self, backoff: float):
        self.backoff = backoff

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryBackoffMiddleware:
        return cls(crawler.settings.getfloat("NEWSMON_RETRY_BACKOFF"))

    async def process_request(self, request: Request) -> None:
        attempt = request.meta.get("retry_times", 0)
        if attempt and self.backoff > 0:
            await asyncio.sleep(self.backoff * 2 ** (attempt - 1))


class CachedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt handling, with each host's file kept in the database for a day.

    Without it every cron run would fetch robots.txt again, and a feed that
    answers 304 would cost two requests instead of one. A 4xx robots.txt
    means "no rules" and is cached as such; 5xx and network errors are not
    cached, so the next run asks again.
    """

    def _robots(self) -> RobotsCache:
        spider: PollSpider = self.crawler.spider  # type: ignore[assignment]
        return spider.refresh.robots

    async def robot_parser(self, request: Request) -> RobotParser | None:
        url = urlparse_cached(request)
        if url.netloc not in self._parsers:
            body = self._robots().get(f"{url.scheme}://{url.netloc}")
            if body is not None:
                self._parsers[url.netloc] = build_from_crawler(self._parserimpl, self.crawler, body)
        return await super().robot_parser(request)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status < 500:
            body = response.body if response.status < 400 else b""
            origin = f"{urlparse_cached(request).scheme}://{netloc}"
            self._robots().save(origin, body, response.status)
        await super()._parse_robots(response, netloc, request)
