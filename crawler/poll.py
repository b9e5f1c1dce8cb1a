"""One poll: the due feeds through Scrapy, with extraction on worker processes."""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

import sqlite_utils
from scrapy.crawler import AsyncCrawlerRunner

from crawler import store
from crawler.alerts import deliver
from crawler.clock import Clock
from crawler.config import Config, ConfigError
from crawler.fetch import reactor
from crawler.fetch.settings import scrapy_settings
from crawler.fetch.spider import PollSpider
from crawler.lock import poll_lock
from crawler.model import FeedState
from crawler.parse.pool import Workers
from monitors import build
from monitors.base import Monitor

LOGGER = logging.getLogger(__name__)
T = TypeVar("T")
STOP_GRACE = timedelta(seconds=2)  # a cancelled crawl's time to wind down before we go


@dataclass
class PollReport:
    """What one poll did, for the summary line and the exit code."""

    feeds_polled: int = 0
    not_modified: int = 0
    unchanged: int = 0
    new_entries: int = 0
    new_articles: int = 0
    new_events: int = 0
    known: int = 0
    feed_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    item_errors: list[str] = field(default_factory=list)  # feed items refused (`untrusted`)
    fatal: list[str] = field(default_factory=list)  # database trouble or bugs: run fails
    alerts_sent: int = 0
    alert_errors: list[str] = field(default_factory=list)  # never fail the run

    def error_lines(self) -> list[str]:
        """One line per failure, for stderr: alert failures are reported, never fatal."""
        return [
            *(f"error: feed {error}" for error in self.feed_errors),
            *(f"error: page {error}" for error in self.page_errors),
            *(f"error: item {error}" for error in self.item_errors),
            *(f"error: {error}" for error in self.fatal),
            *(f"error: alert {error}" for error in self.alert_errors),
        ]

    def summary(self) -> str:
        text = (
            f"polled {self.feeds_polled} feeds: {self.not_modified} not modified, "
            f"{self.unchanged} unchanged, {self.new_entries} new entries, "
            f"{self.new_articles} new articles, {self.new_events} new events, "
            f"{len(self.feed_errors)} feed errors, "
            f"{len(self.page_errors)} page errors"
        )
        if self.item_errors:
            text += f", {len(self.item_errors)} items refused"
        if self.alerts_sent:
            text += f", {self.alerts_sent} alerts sent"
        if self.alert_errors:
            text += f", {len(self.alert_errors)} alert errors"
        return text

    def add_alerts(self, delivery: deliver.DeliveryReport) -> None:
        self.alerts_sent += delivery.sent
        self.alert_errors.extend(delivery.errors)
        if delivery.unknown:
            self.alert_errors.append(
                f"{delivery.unknown} alerts were interrupted while sending and are marked"
                " 'unknown' (not re-sent)"
            )


@dataclass
class PollContext:
    """Everything the spider needs, passed explicitly."""

    db: sqlite_utils.Database
    config: Config
    clock: Clock
    feeds: list[FeedState]
    workers: Workers
    report: PollReport
    monitors: list[Monitor] = field(default_factory=list)
    stopping: bool = False  # the poll was cancelled: callbacks do nothing more


async def poll(
    db: sqlite_utils.Database,
    config: Config,
    clock: Clock,
    feeds: list[FeedState],
    *,
    monitors: list[Monitor] | None = None,
    workers: Workers | None = None,
    log_level: str = "WARNING",
) -> PollReport:
    """Poll `feeds` once; every per-feed failure is recorded, none is raised."""
    report = PollReport(feeds_polled=len(feeds))
    if not feeds:
        return report
    own_workers = workers is None
    workers = workers or Workers(config.fetch.extraction_workers)
    if monitors is None:
        monitors = build_monitors(config)
    context = PollContext(db, config, clock, feeds, workers, report, monitors)
    settings = scrapy_settings(
        config.fetch, log_level=log_level, allow_private_networks=config.allow_private_networks
    )
    reactor.install_resolver(settings)
    runner = AsyncCrawlerRunner(settings)
    crawl = runner.crawl(PollSpider, context=context)
    try:
        # Shielded: cancelled directly, Scrapy absorbed the cancellation and went on to
        # finish its downloads (the run then ended "successfully", seconds or minutes on).
        await asyncio.shield(crawl)
    except asyncio.CancelledError:
        # From here on callbacks touch nothing (the caller closes the database next);
        # every article stored so far was stored whole, in its own transaction.
        context.stopping = True
        crawl.cancel()
        await asyncio.wait({crawl}, timeout=STOP_GRACE.total_seconds())
        raise
    finally:
        if own_workers:
            workers.close()
    return report


def build_monitors(config: Config) -> list[Monitor]:
    """The configured monitors; a bad monitor block is a configuration error."""
    built = []
    for i, monitor in enumerate(config.monitors):
        try:
            built.append(build(monitor))
        except ValueError as exc:
            raise ConfigError(f"{config.path}: monitors[{i}] ({monitor.name}): {exc}") from None
        except Exception as exc:  # a plugin tripping over a value (a 300-character zone name)
            problem = f"{type(exc).__name__}: {str(exc)[:200]}"
            raise ConfigError(f"{config.path}: monitors[{i}] ({monitor.name}): {problem}") from None
    return built


async def poll_once(
    config: Config,
    clock: Clock,
    *,
    every: bool = False,
    outlet: str | None = None,
    log_level: str = "WARNING",
) -> PollReport:
    """One poll of the due feeds under the database lock; call inside `reactor.run`."""
    if outlet is not None:
        outlet = config.outlet(outlet).name
    monitors = build_monitors(config)  # a bad monitor is a config error, before any I/O
    with poll_lock(config.database):
        db = store.db.open_db(config.database)
        try:
            store.feeds.sync_outlets(db, config, clock.now())
            feeds = store.feeds.due_feeds(db, clock.now(), every=every, outlet=outlet)
            run_id = store.runs.start_run(db, clock.now(), os.getpid())
            report = await poll(db, config, clock, feeds, monitors=monitors, log_level=log_level)
            store.runs.finish_run(
                db,
                run_id,
                clock.now(),
                feeds_polled=report.feeds_polled,
                not_modified=report.not_modified + report.unchanged,
                new_articles=report.new_articles,
                errors=len(report.feed_errors) + len(report.page_errors),
            )
            report.add_alerts(await deliver.after_poll(db, config, clock))
            return report
        finally:
            db.close()


def run_once(config: Config, clock: Clock, **options: Any) -> PollReport:
    """`newsmon run`: `poll_once` on its own event loop."""
    return reactor.run(lambda: poll_once(config, clock, **options))
