"""One poller among several on one database: who it is, how long its leases last, and
keeping them while it polls (the leases themselves: `store.leases`)."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager, suppress
from datetime import timedelta

import sqlite_utils

from crawler import store
from crawler.clock import Clock
from crawler.config import Config

LOGGER = logging.getLogger(__name__)
LEASE_TIMEOUTS = 3  # a lease lasts this many request timeouts...
MIN_LEASE = timedelta(seconds=3)  # ...and never less (renewals must fit in it)
RENEWALS = 3  # renewals within one lease: one late renewal does not lose it


def holder_id() -> str:
    """machine:pid:random: unique among pollers, and says where a lease's holder runs."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def lease_ttl(config: Config) -> timedelta:
    """A few request timeouts, so a live poller renews well in time; never more than the
    shortest feed interval, so a killed poller's hosts are polled within one interval."""
    ttl = max(timedelta(seconds=LEASE_TIMEOUTS * config.fetch.timeout), MIN_LEASE)
    intervals = [outlet.interval for outlet in config.outlets]
    intervals += [outlet.min_interval for outlet in config.outlets if outlet.min_interval]
    return min([ttl, *intervals])


@asynccontextmanager
async def holding(
    db: sqlite_utils.Database,
    holder: str,
    hosts: Iterable[str],
    ttl: timedelta,
    clock: Clock,
) -> AsyncIterator[None]:
    """Renew `holder`'s leases while the block runs (a host's poll may take longer than
    one lease); give `hosts` back when it ends, however it ends: feeds it did not get
    to stay due, and the next claimer takes them."""
    renewer = asyncio.create_task(_renew(db, holder, ttl, clock))
    try:
        yield
    finally:
        renewer.cancel()
        with suppress(asyncio.CancelledError):
            await renewer
        store.leases.release(db, holder, hosts)


async def _renew(db: sqlite_utils.Database, holder: str, ttl: timedelta, clock: Clock) -> None:
    while True:
        await asyncio.sleep(ttl.total_seconds() / RENEWALS)
        try:
            store.leases.renew(db, holder, clock.now(), ttl)
        except Exception as exc:  # a busy database: the next renewal may get through
            if not store.db.is_database_failure(exc):
                raise
            LOGGER.warning("lease renewal failed (retried): %s", exc)
