"""`newsmon daemon`: APScheduler on Scrapy's own event loop, one job per feed.

Each feed has a job that fires at its next due time (plus a little jitter so
feeds configured alike do not all fire in the same second). A firing job only
marks its feed due; one poller task gathers every feed due at that moment
into a single Scrapy crawl, so per-host politeness holds across feeds (one
downloader, one slot per host) and a crawl never overlaps another. After the
crawl each feed's job is set again from its new next-due time, which the
crawl computed (adaptive interval, backoff, Retry-After, max-age, TTL).

Several daemons may poll one database (on one machine, or on several with
PostgreSQL): a poller claims the due feeds of its share of hosts (`store.leases`),
so no feed is polled twice and no host is polled from two places at once; a daemon
killed mid-poll loses its hosts when their leases expire and another takes them.
Each daemon holds the poll lock shared for its whole life: `newsmon run` from cron
beside any of them exits at once (code 3) instead of double-polling. SIGTERM/SIGINT
stop it at once: the crawl in progress is cancelled; every article already
stored is whole (one transaction each) and entries not yet stored stay
pending for the next start. SIGHUP reloads config.yaml (a changed interval counts from each
feed's last poll at once); an invalid file is logged and the old
configuration keeps running. With a metrics port (`--metrics-port`, `daemon.metrics_port`)
it also serves Prometheus metrics from the same loop (`crawler.metrics`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from datetime import UTC, timedelta
from pathlib import Path

import sqlite_utils
from apscheduler.triggers.date import DateTrigger

from crawler import config, fleet, hangup, metrics, schedule, store
from crawler.alerts import deliver
from crawler.clock import Clock, isoformat, parse_instant
from crawler.ingest import build_monitors
from crawler.lock import poll_lock
from crawler.model import FeedState
from crawler.parse.pool import Workers
from crawler.poll import poll
from crawler.report.wording import plural
from crawler.wakeups import LoopScheduler

LOGGER = logging.getLogger(__name__)
HEARTBEAT = timedelta(seconds=15)
ALERT_EVERY = timedelta(seconds=30)
MAX_NAMED = 5  # outlets named in a poll's log line; the rest are counted


class Daemon:
    def __init__(
        self,
        config_path: Path,
        log_level: str = "WARNING",
        metrics_address: tuple[str, int] | None = None,
    ):
        self.config_path = config_path
        self.cfg = config.load(config_path)
        self.metrics = metrics.Metrics(self.cfg.database)
        # --metrics-port, else config.yaml's daemon.metrics_port, else no endpoint
        port, host = self.cfg.daemon.metrics_port, self.cfg.daemon.metrics_host
        self.metrics_address = metrics_address or ((host, port) if port else None)
        self.monitors = build_monitors(self.cfg)
        self.log_level = log_level
        self.clock = Clock()
        self._due: set[int] = set()
        self._ready: set[int] = set()  # feeds a killed run left work for, at (re)start
        self.holder = fleet.holder_id()
        self.ttl = fleet.lease_ttl(self.cfg)
        self._wake = asyncio.Event()
        self._alerts_lock = asyncio.Lock()
        self._stop = asyncio.Event()
        # Both made by run(): the daemon schedules and stores only while it runs.
        self._scheduler: LoopScheduler
        self._db: sqlite_utils.Database

    async def run(self) -> None:
        """Run until SIGTERM/SIGINT; raises LockBusy if another poller holds the lock."""
        with poll_lock(self.cfg.database, shared=True) as alone:
            self._db = store.db.open_db(self.cfg.database)
            if alone:  # a killed poller's leases need not run out first
                store.leases.forget_dead(self._db)
            self._renew_now()  # counted among the live pollers before anyone's first claim
            workers = Workers(self.cfg.fetch.extraction_workers)
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, self._stop.set)
            loop.add_signal_handler(signal.SIGHUP, self.reload)
            self._scheduler = LoopScheduler(event_loop=loop, timezone=UTC)
            endpoint = None
            try:
                if self.metrics_address is not None:
                    endpoint = await metrics.serve(self.metrics, *self.metrics_address)
                    LOGGER.info("metrics on http://%s:%d/metrics", *self.metrics_address)
                store.feeds.sync_outlets(self._db, self.cfg, self.clock.now())
                store.daemon.daemon_started(
                    self._db, os.getpid(), self.clock.now(), self.config_path
                )
                self._schedule_all()
                self._scheduler.add_job(  # retries come due between polls too
                    self._deliver_alerts,
                    "interval",
                    seconds=ALERT_EVERY.total_seconds(),
                    id="alerts",
                    max_instances=1,
                    coalesce=True,
                )
                self._scheduler.add_job(  # counted among the fleet's live pollers
                    self._renew,
                    "interval",
                    seconds=self.ttl.total_seconds() / fleet.RENEWALS,
                    id="fleet",
                    max_instances=1,
                    coalesce=True,
                )
                self._scheduler.add_job(
                    self._heartbeat,
                    "interval",
                    seconds=HEARTBEAT.total_seconds(),
                    id="heartbeat",
                    max_instances=1,
                    coalesce=True,
                )
                self._scheduler.start()
                if hangup.noted():  # SIGHUP while starting: the file may have changed since
                    self.reload()
                LOGGER.info("daemon started pid=%d feeds=%d", os.getpid(), len(self._jobs()))
                poller = asyncio.create_task(self._poll_loop(workers))
                await self._stop.wait()
                LOGGER.info("daemon stopping")
                # Cancelling the poller cancels the crawl it awaits. Database writes are
                # synchronous, so cancellation lands between transactions, never inside one.
                poller.cancel()
                self._wake.set()  # Scrapy may absorb the cancellation: let the loop see the stop
                await asyncio.gather(poller, return_exceptions=True)
            finally:
                if self._scheduler.running:
                    self._scheduler.shutdown(wait=False)
                if endpoint is not None:
                    endpoint.close()
                self.metrics.close()
                workers.close()
                store.leases.leave(self._db, self.holder)
                store.daemon.daemon_stopped(self._db, self.clock.now(), os.getpid())
                self._db.close()
        LOGGER.info("daemon stopped")

    def reload(self) -> None:
        """SIGHUP: take the new config.yaml if it is valid, keep the old one if not."""
        try:
            fresh = config.load(self.config_path)
            monitors = build_monitors(fresh)
        except config.ConfigError as exc:
            LOGGER.error("config reload rejected, keeping the running configuration: %s", exc)
            return
        if fresh.database != self.cfg.database:
            LOGGER.error("config reload rejected: the database cannot change while running")
            return
        self.cfg, self.monitors = fresh, monitors
        self.ttl = fleet.lease_ttl(fresh)
        store.feeds.sync_outlets(self._db, self.cfg, self.clock.now())
        self._schedule_all()
        LOGGER.info("config reloaded: %s; %s", plural(len(self._jobs()), "feed"), self._next_job())

    # -- scheduling ---------------------------------------------------------------

    def _jobs(self) -> list[str]:
        return [job.id for job in self._scheduler.get_jobs() if job.id.startswith("feed-")]

    def _next_job(self) -> str:
        """The feed job that fires first, as the scheduler holds it (what a reload set)."""
        jobs = [job for job in self._scheduler.get_jobs() if job.id.startswith("feed-")]
        if not jobs:
            return "nothing to poll"
        first = min(jobs, key=lambda job: job.next_run_time or self.clock.now())
        when = first.next_run_time or self.clock.now()
        wait = max(0, round((when - self.clock.now()).total_seconds()))
        return f"next poll {isoformat(when)} (in {wait} s)"

    def _schedule_all(self) -> None:
        """At start and reload: every feed's job; feeds a killed run left work for go now."""
        now = self.clock.now()
        feeds = store.feeds.due_feeds(self._db, now, every=True)
        ready = {feed.id for feed in store.feeds.due_feeds(self._db, now)}
        wanted = {f"feed-{feed.id}" for feed in feeds}
        for job_id in self._jobs():
            if job_id not in wanted:
                self._scheduler.remove_job(job_id)
        self._ready |= ready
        for feed in feeds:
            self._schedule(feed.id, now_if_ready=feed.id in ready)

    def _schedule(self, feed_id: int, now_if_ready: bool = False) -> None:
        due, interval_s = store.feeds.feed_due(self._db, feed_id)
        now = self.clock.now()
        if now_if_ready:  # work a killed run left, or due at (re)start: go at once, together
            when = now
        elif parse_instant(due) <= now:  # its host is another poller's: look again soon
            when = now + self.ttl / fleet.RENEWALS
        else:
            when = parse_instant(due) + schedule.jitter(interval_s)
        self._scheduler.add_job(
            self._mark_due,
            DateTrigger(run_date=when),
            args=[feed_id],
            id=f"feed-{feed_id}",
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )

    async def _mark_due(self, feed_id: int) -> None:  # async: runs on the loop, not a thread
        self._due.add(feed_id)
        self._wake.set()

    async def _poll_loop(self, workers: Workers) -> None:
        while not self._stop.is_set():
            await self._wake.wait()
            self._wake.clear()
            batch, self._due = self._due, set()
            polled: set[int] = set()
            while not self._stop.is_set():  # claim a share, poll it, claim what is left
                feeds = self._claim()
                if not feeds:
                    break
                polled |= {feed.id for feed in feeds}
                await self._poll(feeds, workers)
            self._ready = set()  # what was left is another poller's, or was not due
            for feed_id in batch - polled:  # another poller has them, or they moved on
                if not self._stop.is_set():
                    self._schedule(feed_id)
            if batch - polled and not self._stop.is_set():
                self._recheck(batch - polled)

    def _recheck(self, feed_ids: set[int]) -> None:
        """Look at `feed_ids` again when the first lease on their hosts runs out: if its
        holder was killed, what it left (entries announced, not fetched) is ours then,
        though the feeds themselves are not due for an interval."""
        now = self.clock.now()
        feeds = [f for f in store.feeds.due_feeds(self._db, now, every=True) if f.id in feed_ids]
        hosts = {store.leases.host_of(feed.url) for feed in feeds}
        until = store.leases.held_until(self._db, hosts, now)
        if until is None:
            return
        self._scheduler.add_job(
            self._mark_all_due,
            DateTrigger(run_date=parse_instant(until) + timedelta(seconds=1)),
            args=[sorted(feed_ids)],
            id="recheck",
            replace_existing=True,
            misfire_grace_time=None,
        )

    async def _mark_all_due(self, feed_ids: list[int]) -> None:
        self._due.update(feed_ids)
        self._wake.set()

    def _claim(self) -> list[FeedState]:
        """Lease this daemon's share of the hosts with feeds due: the feeds of those hosts.
        Feeds holding entries a killed run left count as due once at start, and whenever
        their host's lease ran out in a killed poller's hands."""
        now, ready = self.clock.now(), self._ready

        def candidates() -> list[FeedState]:
            waiting = store.feeds.due_feeds(self._db, now)  # due, or holding entries
            abandoned = store.leases.abandoned_hosts(self._db, now)
            due = store.leases.due_ids(self._db, now) | ready
            return [f for f in waiting if f.id in due or store.leases.host_of(f.url) in abandoned]

        feeds = store.leases.claim(self._db, self.holder, now, self.ttl, candidates)
        self._ready = ready - {feed.id for feed in feeds}
        return feeds

    async def _poll(self, feeds: list[FeedState], workers: Workers) -> None:
        started = time.monotonic()
        hosts = {store.leases.host_of(feed.url) for feed in feeds}
        async with fleet.holding(
            self._db, self.cfg.database, self.holder, hosts, self.ttl, self.clock
        ):
            report = await poll(
                self._db,
                self.cfg,
                self.clock,
                feeds,
                monitors=self.monitors,
                workers=workers,
                log_level=self.log_level,
            )
        delivery = await self._alerts()
        report.add_alerts(delivery.sent, delivery.errors, delivery.unknown)
        self.metrics.poll_done(report, time.monotonic() - started)
        LOGGER.info("poll done: %s; %s", report.summary(), self._polled(feeds))
        for error in report.error_lines():
            LOGGER.warning("poll %s", error)
        for feed in feeds:
            if not self._stop.is_set():
                self._schedule(feed.id)

    def _polled(self, feeds: list[FeedState]) -> str:
        """What the poll's one log line adds to the summary: whose feeds, the next poll."""
        outlets = list(dict.fromkeys(feed.outlet for feed in feeds))
        named = ", ".join(outlets[:MAX_NAMED])
        if len(outlets) > MAX_NAMED:
            named += f" and {len(outlets) - MAX_NAMED} more"
        upcoming = store.daemon.next_poll(self._db)
        after = f"next due {upcoming[1]} ({upcoming[0]})" if upcoming else "nothing due"
        return f"outlets: {named}; {after}"

    async def _alerts(self) -> deliver.DeliveryReport:
        """One delivery at a time: a delivery takes any `sending` row it finds for one
        a dead process left behind, which is only true when deliveries never overlap."""
        async with self._alerts_lock:
            return await deliver.after_poll(self._db, self.cfg, self.clock)

    async def _deliver_alerts(self) -> None:
        report = await self._alerts()
        self.metrics.alerts += report.sent
        for error in report.errors:
            LOGGER.warning("alert error: %s", error)
        if report.unknown:
            LOGGER.warning(
                "alert error: %s interrupted while sending, marked unknown", report.unknown
            )

    async def _renew(self) -> None:
        self._renew_now()

    def _renew_now(self) -> None:
        store.leases.renew(self._db, self.holder, self.clock.now(), self.ttl)

    async def _heartbeat(self) -> None:
        store.daemon.daemon_heartbeat(self._db, self.clock.now())
        self.metrics.beat()


def run_daemon(
    config_path: Path, log_level: str, metrics_address: tuple[str, int] | None = None
) -> None:
    """`newsmon daemon`: the daemon on its own event loop, until a signal stops it."""
    from crawler.fetch import reactor

    reactor.run(lambda: Daemon(config_path, log_level, metrics_address).run())
