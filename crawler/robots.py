"""Each host's robots.txt, kept in the database for a day (RFC 9309 2.4).

Without it every cron run would fetch robots.txt again, and a feed that answers 304
would cost two requests instead of one. The robots.txt middleware asks this cache,
which the poll hands it (`Refresh.robots`): the middleware never sees the database.
"""

from __future__ import annotations

from datetime import timedelta

import sqlite_utils

from crawler import store
from crawler.clock import Clock


class RobotsCache:
    """Each host's robots.txt, kept in the database for a day (RFC 9309 2.4), so a 304
    poll really costs one request; what the robots.txt middleware asks."""

    TTL = timedelta(hours=24)

    def __init__(self, db: sqlite_utils.Database, clock: Clock):
        self.db = db
        self.clock = clock

    def get(self, origin: str) -> bytes | None:
        return store.robots.cached_robots(self.db, origin, self.clock.now() - self.TTL)

    def save(self, origin: str, body: bytes, status: int) -> None:
        store.robots.save_robots(self.db, origin, body, status, self.clock.now())
