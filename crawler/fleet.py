"""One poller among several on one database: who it is, how long its leases last, and
keeping them while it polls (the leases themselves: `store.leases`)."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import threading
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import sqlite_utils

from crawler import store
from crawler.clock import Clock
from crawler.config import Config
from crawler.store.backend import DatabaseURL

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
    database: Path | DatabaseURL,
    holder: str,
    hosts: Iterable[str],
    ttl: timedelta,
    clock: Clock,
) -> AsyncIterator[None]:
    """Renew `holder`'s leases while the block runs (a host's poll may take longer than
    one lease) on `database`; give `hosts` back when it ends, however it ends: feeds it did not get
    to stay due, and the next claimer takes them.

    The renewals run in a thread on a connection of their own: the poll writes on the
    event loop, and a write that waits for another process's transaction (up to the
    busy timeout) would hold back a renewal on the loop until the lease ran out, and
    another poller would take a host this one is still polling."""
    stop = threading.Event()
    renewer = threading.Thread(
        target=_renew,
        args=(database, holder, ttl, clock, stop),
        name="lease-renewer",
        daemon=True,
    )
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        await asyncio.to_thread(renewer.join)
        store.leases.release(db, holder, hosts)


def _renew(
    database: Path | DatabaseURL, holder: str, ttl: timedelta, clock: Clock, stop: threading.Event
) -> None:
    db = None
    try:
        while not stop.wait(ttl.total_seconds() / RENEWALS):
            try:
                db = db or store.db.open_db(database)
                store.leases.renew(db, holder, clock.now(), ttl)
            except Exception as exc:  # a busy database: the next renewal may get through
                if not store.db.is_database_failure(exc):
                    raise
                LOGGER.warning("lease renewal failed (retried): %s", exc)
    finally:
        if db is not None:
            db.close()
