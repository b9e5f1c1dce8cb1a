"""The web view's questions: events by monitor, outlet, time and words; counts per day.

An analyst narrows the events page by monitor, by an outlet that reported the event,
by when it happened (the event's interval overlaps the dates asked for) and by words
(in the title or facts, or anywhere in a member article's text through the full-text
index). The charts count per UTC bucket (a day for UTC, 3 hours for UTC+9, an hour
where daylight saving moves midnight, 15 minutes for UTC+5:45), in one pass without any
join on days; the caller adds them up per day of the display zone, so a day is the
reader's day, daylight-saving changes included, and SQLite needs to know no zone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

import sqlite_utils

from crawler.store import search
from crawler.store.events import decode_event

EVENT_TIME = "coalesce(e.time_point, e.time_start)"
ARTICLE_TIME = "coalesce(a.published_utc, a.fetched_at)"  # as the event pages order sources


@dataclass(frozen=True)
class EventQuery:
    """What the events page is narrowed to; None: not narrowed. Times are UTC text."""

    monitor: str | None = None
    outlet: str | None = None
    start: str | None = None  # the event's interval ends at or after this
    end: str | None = None  # ... and starts before this
    text: str | None = None
    ids: str | None = None  # set by `resolve`: the events the outlet and words allow


@dataclass(frozen=True)
class Window:
    """The span a chart counts, [lo, hi) in UTC text, in buckets of `minutes` that
    divide a day and fit the zone's midnights: the caller adds buckets up to days."""

    lo: str
    hi: str
    minutes: int


def _where(db: Any, query: EventQuery) -> tuple[str, dict[str, Any]]:
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if query.monitor:
        clauses.append("e.monitor = :monitor")
        params["monitor"] = query.monitor
    if query.start:
        clauses.append("e.time_end >= :start")
        params["start"] = query.start
    if query.end:
        clauses.append("e.time_start < :end")
        params["end"] = query.end
    if query.ids is not None:
        clauses.append("e.id IN (SELECT CAST(value AS INTEGER) FROM json_each(:ids))")
        params["ids"] = query.ids
    if query.outlet:
        clauses.append(
            """e.id IN (SELECT ea.event_id FROM event_articles ea
                        JOIN articles a ON a.id = ea.article_id
                        JOIN outlets o ON o.id = a.outlet_id
                        WHERE lower(o.name) = lower(:outlet))"""
        )
        params["outlet"] = query.outlet
    if query.text:
        # The full-text match runs once (uncorrelated), not once per event.
        clauses.append(
            f"""(e.title LIKE :like ESCAPE '\\' OR e.facts LIKE :like ESCAPE '\\'
                OR e.id IN (SELECT ea.event_id FROM event_articles ea
                            WHERE ea.article_id IN ({search.matching_ids(db, "fts")})))"""
        )
        escaped = query.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params["like"] = f"%{escaped}%"
        params["fts"] = search.query_value(db, query.text)
    return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params


def resolve(db: sqlite_utils.Database, query: EventQuery) -> EventQuery:
    """`query` with its outlet and words looked up once, as a list of event ids: a page
    asks five questions of the same events, and each lookup reads every member row."""
    if not (query.outlet or query.text):
        return query
    where, params = _where(db, EventQuery(outlet=query.outlet, text=query.text))
    ids = [row[0] for row in db.execute(f"SELECT e.id FROM events e {where}", params)]
    return replace(query, outlet=None, text=None, ids=json.dumps(ids))


def find_events(
    db: sqlite_utils.Database, query: EventQuery, *, limit: int, offset: int = 0
) -> list[dict[str, Any]]:
    """Events matching `query`, most recently active first."""
    where, params = _where(db, query)
    rows = db.query(
        f"""SELECT e.* FROM events e {where}
            ORDER BY e.last_updated DESC, e.id DESC LIMIT :limit OFFSET :offset""",
        {**params, "limit": limit, "offset": offset},
    )
    return [decode_event(row) for row in rows]


def count_found(db: sqlite_utils.Database, query: EventQuery) -> int:
    where, params = _where(db, query)
    return db.execute(f"SELECT count(*) FROM events e {where}", params).fetchone()[0]


def latest_event_time(db: sqlite_utils.Database, query: EventQuery) -> str | None:
    """When the latest matching event happened: where a chart without dates ends."""
    where, params = _where(db, query)
    return db.execute(f"SELECT max({EVENT_TIME}) FROM events e {where}", params).fetchone()[0]


def _bucket(column: str, minutes: int) -> str:
    """`column` (UTC text, 2026-01-03T22:50:00Z) cut to the start of its `minutes`
    bucket within its UTC day ("2026-01-03T21:00" for 180)."""
    hour, minute = (f"CAST(substr({column}, {at}, 2) AS INTEGER)" for at in (12, 15))
    of_day = f"({hour} * 60 + {minute})"
    start = f"({of_day} / {minutes} * {minutes})"
    hours, minutes_of = (_two_digits(f"{start} {op}") for op in ("/ 60", "% 60"))
    return f"substr({column}, 1, 11) || {hours} || ':' || {minutes_of}"


def _two_digits(number: str) -> str:
    """`number` (0-99) as two digits, in SQL both backends read alike."""
    return f"(CASE WHEN {number} < 10 THEN '0' ELSE '' END || CAST({number} AS TEXT))"


def events_per_bucket(
    db: sqlite_utils.Database, query: EventQuery, window: Window
) -> list[tuple[str, int]]:
    """Matching events per bucket of their event time, inside the window."""
    where, params = _where(db, query)
    at = f"{EVENT_TIME}"
    bounds = f"{at} >= :lo AND {at} < :hi"
    where = f"{where} AND {bounds}" if where else f"WHERE {bounds}"
    rows = db.execute(
        f"SELECT {_bucket(at, window.minutes)} AS b, count(*) FROM events e {where} GROUP BY b",
        {**params, "lo": window.lo, "hi": window.hi},
    )
    return rows.fetchall()


def reports_per_bucket(
    db: sqlite_utils.Database, query: EventQuery, window: Window
) -> list[tuple[str, int]]:
    """The matching events' member articles per bucket of the time they were published
    (else stored), inside the window."""
    where, params = _where(db, query)
    narrowed = f"AND ea.event_id IN (SELECT e.id FROM events e {where})" if where else ""
    rows = db.execute(
        f"""SELECT {_bucket(ARTICLE_TIME, window.minutes)} AS b, count(*)
            FROM event_articles ea JOIN articles a ON a.id = ea.article_id
            WHERE {ARTICLE_TIME} >= :lo AND {ARTICLE_TIME} < :hi {narrowed}
            GROUP BY b""",
        {**params, "lo": window.lo, "hi": window.hi},
    )
    return rows.fetchall()


def outlet_activity(db: sqlite_utils.Database, window: Window) -> list[tuple[str, str, int, int]]:
    """(outlet, bucket, articles, event reports) inside the window: every article stored
    from the outlet, by the time it was published (else stored), and how many of them
    are members of an event."""
    rows = db.execute(
        f"""SELECT o.name, {_bucket(ARTICLE_TIME, window.minutes)} AS b, count(*),
                   count(*) FILTER (WHERE a.id IN (SELECT article_id FROM event_articles))
            FROM articles a JOIN outlets o ON o.id = a.outlet_id
            WHERE {ARTICLE_TIME} >= :lo AND {ARTICLE_TIME} < :hi
            GROUP BY o.name, b""",
        {"lo": window.lo, "hi": window.hi},
    )
    return [tuple(row) for row in rows.fetchall()]


def outlet_names(db: sqlite_utils.Database) -> list[str]:
    """Every outlet with a stored article: the choices of the outlet filter."""
    return [
        row[0]
        for row in db.execute(
            "SELECT o.name FROM outlets o WHERE EXISTS"
            " (SELECT 1 FROM articles a WHERE a.outlet_id = o.id) ORDER BY lower(o.name), o.name"
        )
    ]
