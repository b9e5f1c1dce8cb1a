"""Scrapy downloader middlewares for politeness Scrapy lacks out of the box."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.schedule import parse_retry_after

RETRY_AFTER_STATUSES = (429, 503)


class RetryAfterMiddleware:
    """A 429/503 with `Retry-After` is not retried in this run.

    The server told us when to come back; the wait is kept on the request's
    meta (`retry_after`) so the feed's next poll is scheduled no sooner.
    Sits just outside RetryMiddleware so it sees the response first.
    """

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status in RETRY_AFTER_STATUSES:
            wait = parse_retry_after(response.headers.get("Retry-After"), datetime.now(UTC))
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
