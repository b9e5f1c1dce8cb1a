"""The event loop: Scrapy in-process on the asyncio reactor, and its DNS resolver.

`run()` owns the loop for a command's lifetime, so repeated crawls (the daemon)
share one loop with APScheduler and the reactor is never restarted.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Coroutine
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, TypeVar

from crawler.errors import EXIT_INTERRUPTED, NewsmonError
from crawler.fetch.settings import ASYNCIO_REACTOR

if TYPE_CHECKING:
    from crawler.fetch.netguard import GuardedResolver

T = TypeVar("T")


def install_resolver(settings: dict[str, Any]) -> GuardedResolver:
    """Put our guarded resolver on the reactor for the next crawl.

    Scrapy installs `DNS_RESOLVER` only in `CrawlerProcess`; `AsyncCrawlerRunner`
    leaves the reactor's system resolver in place, so we install ours, per poll
    because the config (and with it the settings) may change under the daemon.
    """
    from scrapy.settings import Settings
    from twisted.internet import reactor

    from crawler.fetch.netguard import GuardedResolver

    holder = SimpleNamespace(settings=Settings(settings))
    resolver = GuardedResolver.from_crawler(holder, reactor)  # type: ignore[arg-type]
    resolver.install_on_reactor()
    return resolver


class Interrupted(NewsmonError, RuntimeError):
    """SIGINT or SIGTERM stopped the command; it stopped between transactions."""

    exit_code = EXIT_INTERRUPTED


def run(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run `main()` on a fresh asyncio loop driven by Twisted's asyncio reactor.

    SIGINT and SIGTERM cancel `main()` (the daemon installs its own handlers
    instead). Python's default, a KeyboardInterrupt raised wherever the main
    thread happens to be, escaped `reactor.run` without its shutdown: Twisted's
    thread pool was never stopped, the interpreter waited on it at exit forever,
    and the poll lock stayed held. Cancelled, `main()` unwinds through its
    `finally` blocks (workers shut down, database closed, lock released) and the
    reactor stops the normal way.
    """
    from scrapy.utils.reactor import install_reactor

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    install_reactor(ASYNCIO_REACTOR)
    from twisted.internet import reactor as installed
    from twisted.internet.asyncioreactor import AsyncioSelectorReactor

    if not isinstance(installed, AsyncioSelectorReactor):  # what install_reactor made
        raise RuntimeError(f"expected Twisted's asyncio reactor, found {installed!r}")
    reactor: AsyncioSelectorReactor = installed
    outcome: dict[str, asyncio.Task[T]] = {}

    def start() -> None:
        task = loop.create_task(main())
        task.add_done_callback(lambda _: reactor.stop())
        outcome["task"] = task
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, task.cancel)

    reactor.callWhenRunning(start)
    reactor.run(installSignalHandlers=False)
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.remove_signal_handler(signum)
    task = outcome["task"]
    if task.cancelled():
        raise Interrupted("interrupted: stopped between transactions")
    return task.result()
