"""The web view's questions: events by monitor, outlet, time and words; counts per day.

An analyst narrows the events page by monitor, by an outlet that reported the event,
by when it happened (the event's interval overlaps the dates asked for) and by words
(in the title or facts, or anywhere in a member article's text through the full-text
index). The charts count per day of the display zone: the caller passes each day's
bounds in UTC (`Day`), so a day is the reader's day, daylight-saving changes included,
and SQLite counts without knowing any zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from crawler.store.articles import _fts_query
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


@dataclass(frozen=True)
class Day:
    """One day of the display zone: its label and its bounds in UTC text, [lo, hi)."""

    label: str
    lo: str
    hi: str


def _where(query: EventQuery) -> tuple[str, dict[str, Any]]:
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
    if query.outlet:
        clauses.append(
            """e.id IN (SELECT ea.event_id FROM event_articles ea
                        JOIN articles a ON a.id = ea.article_id
                        JOIN outlets o ON o.id = a.outlet_id
                        WHERE o.name = :outlet COLLATE NOCASE)"""
        )
        params["outlet"] = query.outlet
    if query.text:
        # The full-text match runs once (uncorrelated), not once per event.
        clauses.append(
            """(e.title LIKE :like ESCAPE '\\' OR e.facts LIKE :like ESCAPE '\\'
                OR e.id IN (SELECT ea.event_id FROM event_articles ea
                            WHERE ea.article_id IN (SELECT rowid FROM articles_fts
                                                    WHERE articles_fts MATCH :fts)))"""
        )
        escaped = query.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params["like"] = f"%{escaped}%"
        params["fts"] = _fts_query(query.text)
    return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params


def find_events(
    db: sqlite_utils.Database, query: EventQuery, *, limit: int, offset: int = 0
) -> list[dict[str, Any]]:
    """Events matching `query`, most recently active first."""
    where, params = _where(query)
    rows = db.query(
        f"""SELECT e.* FROM events e {where}
            ORDER BY e.last_updated DESC, e.id DESC LIMIT :limit OFFSET :offset""",
        {**params, "limit": limit, "offset": offset},
    )
    return [decode_event(row) for row in rows]


def count_found(db: sqlite_utils.Database, query: EventQuery) -> int:
    where, params = _where(query)
    return db.execute(f"SELECT count(*) FROM events e {where}", params).fetchone()[0]


def latest_event_time(db: sqlite_utils.Database, query: EventQuery) -> str | None:
    """When the latest matching event happened: where a chart without dates ends."""
    where, params = _where(query)
    return db.execute(f"SELECT max({EVENT_TIME}) FROM events e {where}", params).fetchone()[0]


def _days_cte(days: Sequence[Day]) -> tuple[str, dict[str, Any]]:
    values = ", ".join(f"(:d{i}, :lo{i}, :hi{i})" for i in range(len(days)))
    params: dict[str, Any] = {}
    for i, day in enumerate(days):
        params |= {f"d{i}": day.label, f"lo{i}": day.lo, f"hi{i}": day.hi}
    return f"days(day, lo, hi) AS (VALUES {values})", params


def events_per_day(
    db: sqlite_utils.Database, query: EventQuery, days: Sequence[Day]
) -> dict[str, int]:
    """Matching events per day of their event time (a day with none is left out)."""
    if not days:
        return {}
    where, params = _where(query)
    cte, day_params = _days_cte(days)
    rows = db.execute(
        f"""WITH {cte}
            SELECT d.day, count(*) FROM days d
            JOIN (SELECT {EVENT_TIME} AS at FROM events e {where}) t
              ON t.at >= d.lo AND t.at < d.hi
            GROUP BY d.day""",
        {**params, **day_params},
    )
    return dict(rows.fetchall())


def reports_per_day(
    db: sqlite_utils.Database, query: EventQuery, days: Sequence[Day]
) -> dict[str, int]:
    """The matching events' member articles per day they were published (else stored)."""
    if not days:
        return {}
    where, params = _where(query)
    cte, day_params = _days_cte(days)
    rows = db.execute(
        f"""WITH {cte}
            SELECT d.day, count(*) FROM days d
            JOIN (SELECT {ARTICLE_TIME} AS at FROM event_articles ea
                  JOIN articles a ON a.id = ea.article_id
                  WHERE ea.event_id IN (SELECT e.id FROM events e {where})) t
              ON t.at >= d.lo AND t.at < d.hi
            GROUP BY d.day""",
        {**params, **day_params},
    )
    return dict(rows.fetchall())


def outlet_activity(
    db: sqlite_utils.Database, days: Sequence[Day]
) -> list[tuple[str, str, int, int]]:
    """(outlet, day, articles, event reports) per outlet and day of `days`: every
    article stored from the outlet, by the day it was published (else stored), and
    how many of them are members of an event."""
    if not days:
        return []
    cte, day_params = _days_cte(days)
    rows = db.execute(
        f"""WITH {cte}
            SELECT o.name, d.day, count(*),
                   count(*) FILTER (WHERE a.id IN (SELECT article_id FROM event_articles))
            FROM days d
            JOIN articles a ON {ARTICLE_TIME} >= d.lo AND {ARTICLE_TIME} < d.hi
            JOIN outlets o ON o.id = a.outlet_id
            WHERE {ARTICLE_TIME} >= :first AND {ARTICLE_TIME} < :last
            GROUP BY o.name, d.day""",
        {**day_params, "first": days[0].lo, "last": days[-1].hi},
    )
    return [tuple(row) for row in rows.fetchall()]


def outlet_names(db: sqlite_utils.Database) -> list[str]:
    """Every outlet with a stored article: the choices of the outlet filter."""
    return [
        row[0]
        for row in db.execute(
            "SELECT o.name FROM outlets o WHERE EXISTS"
            " (SELECT 1 FROM articles a WHERE a.outlet_id = o.id) ORDER BY o.name COLLATE NOCASE"
        )
    ]
