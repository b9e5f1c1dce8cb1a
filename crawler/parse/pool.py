"""The CPU-heavy steps (trafilatura, feedparser) on a process pool beside Scrapy's loop."""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from crawler.model import Extracted, Parsed
from crawler.orphans import die_with_parent
from crawler.parse.extract import extract_page
from crawler.parse.feeds import parse as parse_feed_body

T = TypeVar("T")


class Workers:
    """The CPU-heavy steps (trafilatura, feedparser) on a process pool.

    Both cores work, and the event loop stays free to download: a 100k-entry
    feed takes feedparser most of a minute, which on the loop would stall
    every other download. The pool starts on first use, so a poll that finds
    nothing new pays nothing. `workers=0` runs inline (debugging, profiling).
    """

    def __init__(self, workers: int):
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    async def extract(self, html: bytes, url: str, content_type: str | None) -> Extracted:
        return await self._run(extract_page, html, url, content_type)

    async def parse_feed(self, body: bytes, url: str, content_type: str | None) -> Parsed:
        return await self._run(parse_feed_body, body, url, content_type)

    async def _run(self, function: Callable[..., T], *args: Any) -> T:
        if self.workers == 0:
            return function(*args)
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            # The forkserver imports _pdeathsig, so it dies with this process even on
            # kill -9; each worker does the same with the forkserver (initializer).
            context.set_forkserver_preload(
                [
                    "crawler.parse._pdeathsig",
                    "crawler.parse.extract",
                    "crawler.parse.feeds",
                    "trafilatura",
                ]
            )
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=context, initializer=die_with_parent
            )
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, function, *args)
        except BrokenProcessPool:
            # A worker died (killed, out of memory): this call fails, the next gets a new pool.
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
            raise

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
