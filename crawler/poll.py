"""One poll: the due feeds through Scrapy, with extraction on worker processes."""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import timedelta
from typing import Any

import sqlite_utils
from scrapy.crawler import AsyncCrawlerRunner

from crawler import fleet, store
from crawler.alerts import deliver
from crawler.clock import Clock
from crawler.config import Config
from crawler.fetch import reactor
from crawler.fetch.settings import scrapy_settings
from crawler.fetch.spider import PollSpider
from crawler.ingest import build_monitors
from crawler.lock import poll_lock
from crawler.model import FeedState, PollReport
from crawler.parse.pool import Workers
from crawler.refresh import Refresh
from monitors.base import Monitor

LOGGER = logging.getLogger(__name__)
STOP_GRACE = timedelta(seconds=2)  # a cancelled crawl's time to wind down before we go


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
    if monitors is None:
        monitors = build_monitors(config)
    refresh = Refresh(db, config, clock, feeds, monitors)
    if not feeds:
        return refresh.report
    own_workers = workers is None
    workers = workers or Workers(config.fetch.extraction_workers)
    settings = scrapy_settings(
        config.fetch, log_level=log_level, allow_private_networks=config.allow_private_networks
    )
    resolver = reactor.install_resolver(settings)
    runner = AsyncCrawlerRunner(settings)
    crawl = runner.crawl(
        PollSpider, refresh=refresh, workers=workers, lookup_errors=resolver.lookup_errors
    )
    try:
        # Shielded: cancelled directly, Scrapy absorbed the cancellation and went on to
        # finish its downloads (the run then ended "successfully", seconds or minutes on).
        await asyncio.shield(crawl)
    except asyncio.CancelledError:
        # From here on callbacks touch nothing (the caller closes the database next);
        # every article stored so far was stored whole, in its own transaction.
        refresh.stopping = True
        crawl.cancel()
        await asyncio.wait({crawl}, timeout=STOP_GRACE.total_seconds())
        raise
    finally:
        if own_workers:
            workers.close()
    if not refresh.report.fatal:  # after a database failure, nothing more is written
        store.monitor_failures.record_monitor_failures(
            db, refresh.report.monitor_errors, clock.now()
        )
    return refresh.report


async def poll_once(
    config: Config,
    clock: Clock,
    *,
    every: bool = False,
    outlet: str | None = None,
    log_level: str = "WARNING",
) -> PollReport:
    """One poll of the due feeds under the database lock, of the hosts no daemon holds;
    call inside `reactor.run`."""
    if outlet is not None:
        outlet = config.outlet(outlet).name
    monitors = build_monitors(config)  # a bad monitor is a config error, before any I/O
    with poll_lock(config.database):
        db = store.db.open_db(config.database)
        try:
            store.feeds.sync_outlets(db, config, clock.now())
            # the lock is ours alone: leases left here are a killed poller's; hosts a
            # daemon on another machine (PostgreSQL) is polling now are left to it
            store.leases.forget_dead(db)
            holder, ttl, now = fleet.holder_id(), fleet.lease_ttl(config), clock.now()
            feeds = store.leases.claim(
                db,
                holder,
                now,
                ttl,
                lambda: store.feeds.due_feeds(db, now, every=every, outlet=outlet),
                share=False,
            )
            run_id = store.runs.start_run(db, clock.now(), os.getpid())
            hosts = {store.leases.host_of(feed.url) for feed in feeds}
            async with fleet.holding(db, config.database, holder, hosts, ttl, clock):
                report = await poll(
                    db, config, clock, feeds, monitors=monitors, log_level=log_level
                )
            store.leases.leave(db, holder)
            store.runs.finish_run(
                db,
                run_id,
                clock.now(),
                feeds_polled=report.feeds_polled,
                not_modified=report.not_modified + report.unchanged,
                new_articles=report.new_articles,
                errors=len(report.feed_errors) + len(report.page_errors),
            )
            delivery = await deliver.after_poll(db, config, clock)
            report.add_alerts(delivery.sent, delivery.errors, delivery.unknown)
            return report
        finally:
            db.close()


def run_once(config: Config, clock: Clock, **options: Any) -> PollReport:
    """`newsmon run`: `poll_once` on its own event loop."""
    return reactor.run(lambda: poll_once(config, clock, **options))
