"""Outlets and feeds: what config.yaml says to poll, and each feed's polling state.

A feed's answer (validators, body hash, its new entries) is one transaction, so a kill
leaves either all of it or none; the feed-health view shared by `status` and `serve`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from crawler import schedule
from crawler.clock import isoformat, parse_instant
from crawler.config import Config, Outlet
from crawler.model import Entry, FeedState, FeedUpdate
from crawler.store.entries import record_revision

FAILING_AFTER_ERRORS = 3  # consecutive failures before a feed is shown as FAILING
# The one definition of a failing feed: still configured (a feed removed from config.yaml
# is retired, kept for its history, never failing) and its last 3 polls failed. `status`,
# `feeds` and Datasette's canned query all use it, in Python or as SQL over `feeds f`.
FAILING_SQL = f"f.active = 1 AND f.consecutive_errors >= {FAILING_AFTER_ERRORS}"


def is_failing(active: bool, consecutive_errors: int) -> bool:
    """FAILING_SQL in Python, for rows already read."""
    return bool(active) and consecutive_errors >= FAILING_AFTER_ERRORS


# A feed's health in one word (worst first): retired from config.yaml ("inactive"),
# failing, erroring (failed lately, not yet 3 times), new (never polled) or ok.
FEED_STATES = ("failing", "erroring", "new", "ok", "inactive")
FEED_STATE_SQL = f"""CASE WHEN NOT f.active THEN 'inactive' WHEN {FAILING_SQL} THEN 'failing'
    WHEN f.consecutive_errors > 0 THEN 'erroring'
    WHEN f.last_polled IS NOT NULL THEN 'ok' ELSE 'new' END"""


def feed_state(active: bool, consecutive_errors: int, last_polled: str | None) -> str:
    """FEED_STATE_SQL in Python, for rows already read."""
    if not active:
        return "inactive"
    if is_failing(active, consecutive_errors):
        return "failing"
    if consecutive_errors:
        return "erroring"
    return "ok" if last_polled else "new"


def state_counts(
    db: sqlite_utils.Database, configured: Collection[str] | None = None
) -> dict[str, int]:
    """Feeds per state, every state present, and `total`: one query, for a badge that
    must not cost the whole feed-health table (two article counts per feed).

    With `configured` (config.yaml's feed URLs as it is now), a feed is judged as
    `status` judges it: one no longer configured is retired even before a `run` marks
    it so, and a configured feed not in the table yet is new."""
    if configured is None:
        found = dict(
            db.execute(f"SELECT {FEED_STATE_SQL} AS state, count(*) FROM feeds f GROUP BY state")
        )
    else:
        wanted = set(configured)
        found = {}
        rows = db.execute("SELECT config_url, consecutive_errors, last_polled FROM feeds")
        for url, errors, polled in rows:
            state = feed_state(url in wanted, errors or 0, polled)
            found[state] = found.get(state, 0) + 1
            wanted.discard(url)
        found["new"] = found.get("new", 0) + len(wanted)
    counts = {state: found.get(state, 0) for state in FEED_STATES}
    return {**counts, "total": sum(counts.values())}


def sync_outlets(db: sqlite_utils.Database, config: Config, now: datetime) -> None:
    """Make the feeds table match config.yaml; feeds no longer configured go inactive.

    A feed whose interval changed is due again by the new one, counted from its last
    poll (its backoff too): a reload that shortens 15m to 1m must not wait the 15m out.
    """
    stamp = isoformat(now)
    with db.atomic():
        configured: list[str] = []
        for outlet in config.outlets:
            db.execute("INSERT OR IGNORE INTO outlets (name) VALUES (?)", [outlet.name])
            outlet_id = db.execute(
                "SELECT id FROM outlets WHERE name = ?", [outlet.name]
            ).fetchone()[0]
            for source in outlet.sources:
                configured.append(source.url)
                before = db.execute(
                    "SELECT interval_s, min_interval_s, max_interval_s, last_polled,"
                    " consecutive_errors, next_due FROM feeds WHERE config_url = ?",
                    [source.url],
                ).fetchone()
                db.execute(
                    """
                    INSERT INTO feeds (outlet_id, config_url, url, kind, interval_s,
                                       min_interval_s, max_interval_s,
                                       ignore_validators, fetch_pages, next_due)
                    VALUES (:outlet_id, :url, :url, :kind, :interval, :min, :max,
                            :ignore, :pages, :now)
                    ON CONFLICT (config_url) DO UPDATE SET
                        outlet_id = excluded.outlet_id, kind = excluded.kind,
                        interval_s = excluded.interval_s, fetch_pages = excluded.fetch_pages,
                        min_interval_s = excluded.min_interval_s,
                        max_interval_s = excluded.max_interval_s,
                        ignore_validators = excluded.ignore_validators, active = 1
                    """,
                    {
                        "outlet_id": outlet_id,
                        "url": source.url,
                        "kind": source.kind,
                        "interval": int(outlet.interval.total_seconds()),
                        "ignore": int(source.ignore_validators),
                        "pages": int(outlet.fetch_pages),
                        "min": _seconds(outlet.min_interval),
                        "max": _seconds(outlet.max_interval),
                        "now": stamp,
                    },
                )
                due = _rescheduled(before, outlet)
                if due is not None:
                    db.execute(
                        "UPDATE feeds SET next_due = ? WHERE config_url = ?",
                        [isoformat(due), source.url],
                    )
        marks = ",".join("?" * len(configured))
        db.execute(f"UPDATE feeds SET active = 0 WHERE config_url NOT IN ({marks})", configured)


def _rescheduled(before: tuple[Any, ...] | None, outlet: Outlet) -> datetime | None:
    """The next poll by `outlet`'s intervals when they differ from those the feed's
    stored next poll was set by; None when nothing changed or it was never polled."""
    if before is None or before[3] is None:
        return None
    wanted = (
        int(outlet.interval.total_seconds()),
        _seconds(outlet.min_interval),
        _seconds(outlet.max_interval),
    )
    if tuple(before[:3]) == wanted:
        return None
    last_polled, errors = parse_instant(before[3]), before[4]
    interval = outlet.interval
    if outlet.min_interval is not None and outlet.max_interval is not None:
        # adaptive: keep the wait the feed's rate gave, within the new bounds
        waited = parse_instant(before[5]) - last_polled if not errors else interval
        interval = min(max(waited, outlet.min_interval), outlet.max_interval)
    return schedule.next_poll(last_polled, interval, errors)


def _seconds(value: timedelta | None) -> int | None:
    return None if value is None else int(value.total_seconds())


def entries_per_day(
    db: sqlite_utils.Database, feed_id: int, now: datetime, window: timedelta
) -> float:
    """New entries a feed announced per day over the past `window`: its publishing rate."""
    count = db.execute(
        "SELECT count(*) FROM entries WHERE feed_id = ? AND first_seen >= ?",
        [feed_id, isoformat(now - window)],
    ).fetchone()[0]
    return float(count / (window.total_seconds() / 86400))


def due_feeds(
    db: sqlite_utils.Database, now: datetime, *, every: bool = False, outlet: str | None = None
) -> list[FeedState]:
    clauses = ["f.active = 1"]
    params: list[Any] = []
    if not every:  # due, or holding entries a killed run left unfetched
        clauses.append(
            "(f.next_due <= ? OR EXISTS (SELECT 1 FROM entries e"
            " WHERE e.feed_id = f.id AND e.state = 'pending'))"
        )
        params.append(isoformat(now))
    if outlet is not None:
        clauses.append("o.name = ? COLLATE NOCASE")
        params.append(outlet)
    rows = db.execute(
        f"""
        SELECT f.id, o.name, f.config_url, f.url, f.kind, f.interval_s, f.ignore_validators,
               f.etag, f.last_modified, f.body_hash, f.consecutive_errors, f.fetch_pages,
               f.min_interval_s, f.max_interval_s
        FROM feeds f JOIN outlets o ON o.id = f.outlet_id
        WHERE {" AND ".join(clauses)}
        ORDER BY f.next_due, f.id
        """,
        params,
    ).fetchall()
    return [
        FeedState(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            bool(r[6]),
            r[7],
            r[8],
            r[9],
            r[10],
            bool(r[11]),
            r[12],
            r[13],
        )
        for r in rows
    ]


def waiting_feeds(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Configured feeds by when they are next due, first first, with their failures in a
    row: why a run found nothing due (a backoff after errors, or simply not yet)."""
    return [
        dict(row)
        for row in db.query(
            """SELECT o.name AS outlet, f.config_url AS url, f.next_due, f.consecutive_errors
               FROM feeds f JOIN outlets o ON o.id = f.outlet_id
               WHERE f.active = 1 ORDER BY f.next_due, f.id"""
        )
    ]


def record_feed_success(
    db: sqlite_utils.Database,
    feed: FeedState,
    *,
    now: datetime,
    status: int,
    next_due: datetime,
    url: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    body_hash: str | None = None,
    entries: Sequence[Entry] = (),
    note: str | None = None,
) -> FeedUpdate:
    """Store a feed's answer and its new entries in one transaction.

    Refused items (`Entry.problem`) are stored as `failed` entries with their
    reason; `note` (which items were refused) becomes the feed's `last_error`
    while the poll itself counts as a success.
    """
    stamp = isoformat(now)
    with db.atomic():
        update = _add_entries(db, feed, entries, now)
        changes: dict[str, Any] = {
            "last_status": status,
            "last_error": note,
            "consecutive_errors": 0,
            "last_polled": stamp,
            "last_success": stamp,
            "next_due": isoformat(next_due),
        }
        if status != 304:
            changes.update(etag=etag, last_modified=last_modified)
        if body_hash is not None:
            changes["body_hash"] = body_hash
        if url is not None:
            changes["url"] = url
        sets = ", ".join(f"{k} = :{k}" for k in changes)
        db.execute(f"UPDATE feeds SET {sets} WHERE id = :id", {**changes, "id": feed.id})
    return update


def record_child_entries(
    db: sqlite_utils.Database, feed: FeedState, entries: Sequence[Entry], now: datetime
) -> FeedUpdate:
    """A child sitemap's entries, under its index's feed, in one transaction. The feed's
    own row (validators, next poll, last error) is the index's answer: left alone."""
    with db.atomic():
        return _add_entries(db, feed, entries, now)


def _add_entries(
    db: sqlite_utils.Database, feed: FeedState, entries: Sequence[Entry], now: datetime
) -> FeedUpdate:
    """New entries pending (refused ones failed, with their reason), known ones retitled,
    and the feed's running count; inside the caller's transaction."""
    stamp = isoformat(now)
    new, refused = 0, []
    for entry in entries:
        inserted = db.execute(
            """
            INSERT OR IGNORE INTO entries (feed_id, entry_key, link, title, author,
                published, summary, content, first_seen, last_seen, state, last_error,
                language)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                feed.id,
                entry.key,
                entry.link,
                entry.title,
                entry.author,
                entry.published,
                entry.summary,
                entry.content,
                stamp,
                stamp,
                "pending" if entry.problem is None else "failed",
                entry.problem,
                entry.language,
            ],
        ).rowcount
        if inserted and entry.problem is not None:
            refused.append(entry.problem)
        elif inserted:
            new += 1
        elif entry.problem is None:  # known entry: a retitled item stays the same entry
            article = db.execute(
                "SELECT article_id FROM entries WHERE feed_id = ? AND entry_key = ?",
                [feed.id, entry.key],
            ).fetchone()
            db.execute(
                "UPDATE entries SET title = ?, last_seen = ? WHERE feed_id = ? AND entry_key = ?",
                [entry.title, stamp, feed.id, entry.key],
            )
            if article and article[0] is not None and entry.title:
                record_revision(
                    db, article[0], entry.title, now=now, summary=entry.summary,
                    content=entry.content,
                )  # fmt: skip
    db.execute("UPDATE feeds SET entries_total = entries_total + ? WHERE id = ?", [new, feed.id])
    return FeedUpdate(new, tuple(refused))


def record_feed_failure(
    db: sqlite_utils.Database,
    feed: FeedState,
    *,
    now: datetime,
    status: int | None,
    error: str,
    next_due: datetime,
) -> None:
    with db.atomic():
        db.execute(
            """
            UPDATE feeds SET last_status = ?, last_error = ?, last_polled = ?,
                consecutive_errors = consecutive_errors + 1, next_due = ?
            WHERE id = ?
            """,
            [status, error, isoformat(now), isoformat(next_due), feed.id],
        )


def feed_due(db: sqlite_utils.Database, feed_id: int) -> tuple[str, int]:
    """(next due time, interval in seconds) of one feed."""
    return tuple(
        db.execute("SELECT next_due, interval_s FROM feeds WHERE id = ?", [feed_id]).fetchone()
    )


def feed_times(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Each active feed's outlet, URL, last success and failures in a row: the daemon's
    metrics, read at every scrape, so without the article counts of `feed_health`."""
    return [
        dict(row)
        for row in db.query(
            """SELECT o.name AS outlet, f.config_url AS url, f.last_success, f.last_polled,
                      f.consecutive_errors
               FROM feeds f JOIN outlets o ON o.id = f.outlet_id
               WHERE f.active = 1 ORDER BY o.name, f.id"""
        )
    ]


# Every feed's polling state and its articles since {since} (an SQL expression): shared
# by `newsmon status` / `feeds` (a bound time) and Datasette's canned query (SQLite's now).
FEED_HEALTH = """
SELECT o.name AS outlet, f.kind, f.url, f.config_url, f.active, f.last_status,
       f.last_polled, f.last_success, f.consecutive_errors, f.last_error,
       f.next_due, f.entries_total,
       (SELECT count(*) FROM articles a WHERE a.feed_id = f.id) AS articles,
       (SELECT count(*) FROM articles a
        WHERE a.feed_id = f.id AND a.fetched_at >= {since}) AS articles_24h
FROM feeds f JOIN outlets o ON o.id = f.outlet_id
ORDER BY o.name, f.id
"""


def feed_health(db: sqlite_utils.Database, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every feed's polling state, with its articles in the 24 hours before `now`."""
    since = isoformat(now - timedelta(days=1)) if now else ""
    return [dict(row) for row in db.query(FEED_HEALTH.format(since=":since"), {"since": since})]
