"""Hosts leased to one poller at a time: several daemons (on one machine or several)
share one database without polling a feed twice or one host from two places at once.

A poller claims every due feed of one or more hosts in one write transaction (SQLite:
`BEGIN IMMEDIATE`; PostgreSQL: the lease rows `FOR UPDATE SKIP LOCKED`, so claimers
never wait for each other), polls them, and gives the hosts back. A feed's new
`next_due` is committed before its host is given back, so the next claimer sees it is
not due. A lease has an expiry: a poller killed mid-poll cannot give its hosts back,
and another takes them once the expiry has passed. A live poller renews its leases.

Each claim takes one share of the due hosts (the due hosts, those others hold
included, divided among the pollers seen alive within one lease), so a round spreads
over the fleet even when its pollers started a moment apart; a poller that is done
claims again and takes what is left. A whole share at once, because one poll lasts
as long as its busiest host: claims of half a share (10 of 20 hosts, then 5, 3, 1, 1)
would take five polls, one after the other, each as long as one host's, while most
hosts sit idle.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlite_utils

from crawler.clock import isoformat
from crawler.model import FeedState
from crawler.store.backend import is_postgres


def host_of(url: str) -> str:
    """The host a feed is polled from, as Scrapy keys its per-host slot: the host name
    without port, so two daemons never poll one host (whatever its ports) at once."""
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        host = None
    return (host or url).lower().rstrip(".")


def claim(
    db: sqlite_utils.Database,
    holder: str,
    now: datetime,
    ttl: timedelta,
    candidates: Callable[[], Iterable[FeedState]],
    *,
    share: bool = True,
) -> list[FeedState]:
    """Lease the hosts of some of `candidates`' feeds to `holder`; their feeds.

    `candidates` is read inside the claim's transaction, so a feed another poller has
    just polled (its next_due moved on) is no longer among them. Hosts another holder
    has leased until after `now` are skipped. With `share`, at most the holder's share
    of the due hosts is taken (the due hosts over the pollers alive), else all free ones.
    """
    stamp, until = isoformat(now), isoformat(now + ttl)
    with db.atomic():
        _seen(db, holder, stamp)
        by_host: dict[str, list[FeedState]] = {}
        for feed in candidates():
            by_host.setdefault(host_of(feed.url), []).append(feed)
        if not by_host:
            return []
        hosts = sorted(by_host)
        db.conn.executemany(
            "INSERT INTO host_leases (host, holder, expires_at) VALUES (?, NULL, ?)"
            " ON CONFLICT (host) DO NOTHING",
            [(host, stamp) for host in hosts],
        )
        marks = ",".join("?" * len(hosts))
        skip = " FOR UPDATE SKIP LOCKED" if is_postgres(db) else ""
        free = [
            row[0]
            for row in db.execute(
                f"""SELECT host FROM host_leases WHERE host IN ({marks})
                    AND (holder IS NULL OR holder = ? OR expires_at <= ?)
                    ORDER BY host{skip}""",
                [*hosts, holder, stamp],
            ).fetchall()
        ]
        if share:  # whoever is done first claims again
            alive = alive_pollers(db, now, ttl)
            free = free[: max(1, math.ceil(len(hosts) / max(alive, 1)))]
        if not free:
            return []
        taken = ",".join("?" * len(free))
        db.execute(
            f"UPDATE host_leases SET holder = ?, expires_at = ? WHERE host IN ({taken})",
            [holder, until, *free],
        )
    return [feed for host in free for feed in by_host[host]]


def renew(db: sqlite_utils.Database, holder: str, now: datetime, ttl: timedelta) -> int:
    """Push the expiry of every lease `holder` still has; how many it has. A lease that
    already expired and was taken by another is not taken back."""
    stamp = isoformat(now)
    with db.atomic():
        _seen(db, holder, stamp)
        return db.execute(
            "UPDATE host_leases SET expires_at = ? WHERE holder = ? AND expires_at > ?",
            [isoformat(now + ttl), holder, stamp],
        ).rowcount


def release(db: sqlite_utils.Database, holder: str, hosts: Iterable[str] | None = None) -> None:
    """Give back `hosts` (every lease of `holder` when None): free for the next claim."""
    with db.atomic():
        if hosts is None:
            db.execute("UPDATE host_leases SET holder = NULL WHERE holder = ?", [holder])
            return
        db.conn.executemany(
            "UPDATE host_leases SET holder = NULL WHERE holder = ? AND host = ?",
            [(holder, host) for host in hosts],
        )


def leave(db: sqlite_utils.Database, holder: str) -> None:
    """A poller stopping: its leases free, and it no longer counts among the alive."""
    release(db, holder)
    with db.atomic():
        db.execute("DELETE FROM fleet WHERE holder = ?", [holder])


def forget_dead(db: sqlite_utils.Database) -> None:
    """Free every lease and forget every poller: called by a poller that knows it is the
    only one (a SQLite file, and no other poller of this machine holds the poll lock), so
    whatever they left is a killed one's. Its unfetched entries are found again as
    due (pending), without waiting for the leases to run out."""
    if is_postgres(db):  # pollers on other machines may be alive
        return
    with db.atomic():
        db.execute("UPDATE host_leases SET holder = NULL WHERE holder IS NOT NULL")
        db.execute("DELETE FROM fleet")


def alive_pollers(db: sqlite_utils.Database, now: datetime, ttl: timedelta) -> int:
    """Pollers that claimed or renewed within one lease: those a round is shared among."""
    row = db.execute("SELECT count(*) FROM fleet WHERE seen > ?", [isoformat(now - ttl)]).fetchone()
    return int(row[0])


def held_until(db: sqlite_utils.Database, hosts: Iterable[str], now: datetime) -> str | None:
    """The first instant one of `hosts`, leased by others now, is free again."""
    hosts = list(hosts)
    if not hosts:
        return None
    marks = ",".join("?" * len(hosts))
    until: str | None = db.execute(
        f"""SELECT min(expires_at) FROM host_leases
            WHERE host IN ({marks}) AND holder IS NOT NULL AND expires_at > ?""",
        [*hosts, isoformat(now)],
    ).fetchone()[0]
    return until


def abandoned_hosts(db: sqlite_utils.Database, now: datetime) -> set[str]:
    """Hosts whose holder let the lease run out without giving it back: it was killed,
    and the entries it had announced but not fetched are left for the next claimer."""
    return {
        row[0]
        for row in db.execute(
            "SELECT host FROM host_leases WHERE holder IS NOT NULL AND expires_at <= ?",
            [isoformat(now)],
        ).fetchall()
    }


def due_ids(db: sqlite_utils.Database, now: datetime) -> set[int]:
    """Active feeds whose next poll time has come (without the entries a killed run
    left: another poller may be fetching those right now)."""
    return {
        row[0]
        for row in db.execute(
            "SELECT id FROM feeds WHERE active = 1 AND next_due <= ?", [isoformat(now)]
        ).fetchall()
    }


def leases(db: sqlite_utils.Database) -> list[tuple[str, str | None, str]]:
    """(host, holder, expires_at) of every host ever leased: `newsmon status` and tests."""
    return [
        tuple(row)
        for row in db.execute(
            "SELECT host, holder, expires_at FROM host_leases ORDER BY host"
        ).fetchall()
    ]


def _seen(db: sqlite_utils.Database, holder: str, stamp: str) -> None:
    db.execute(
        "INSERT INTO fleet (holder, seen) VALUES (?, ?)"
        " ON CONFLICT (holder) DO UPDATE SET seen = excluded.seen",
        [holder, stamp],
    )


def serialise(db: sqlite_utils.Database, key: str) -> None:
    """Hold `key` until the caller's transaction ends (PostgreSQL's transaction-level
    advisory lock), so two processes placing articles under one key (a monitor's events,
    the stories) place them one after the other. On SQLite the write transaction
    already runs alone: nothing to do."""
    if is_postgres(db):
        db.execute("SELECT pg_advisory_xact_lock(hashtext(?))", [key])


def pollers(db: sqlite_utils.Database, now: datetime) -> list[dict[str, Any]]:
    """Every poller of this database: its id, its last claim or renewal, and how many
    hosts it holds now (a daemon between rounds holds none): `newsmon status`."""
    return [
        {"holder": row[0], "seen": row[1], "hosts_held": int(row[2])}
        for row in db.execute(
            """SELECT f.holder, f.seen,
                      (SELECT count(*) FROM host_leases h
                       WHERE h.holder = f.holder AND h.expires_at > ?)
               FROM fleet f ORDER BY f.holder""",
            [isoformat(now)],
        ).fetchall()
    ]
