"""The charts' pages: events and reports per day, and each outlet's articles per day.

Counted by the store per UTC hour (`store.browse`), added up per day of the display
zone (`filters.per_day`), drawn as SVG (`chart`); the events page shows the first chart
for what its filters found.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

import sqlite_utils

from crawler import store
from crawler.clock import parse_instant
from crawler.report.web import chart
from crawler.report.web.filters import Filters, chart_days, per_day, window
from crawler.report.wording import clean
from crawler.store.browse import EventQuery


def timeline(
    db: sqlite_utils.Database, query: EventQuery, filters: Filters, *, now: datetime, tz: tzinfo
) -> dict[str, Any]:
    """Events per day of their time, and their reports per day published."""
    latest = store.browse.latest_event_time(db, query)
    latest_at = parse_instant(latest) if latest else None
    days = chart_days(filters, latest_at, now.astimezone(tz).date(), tz)
    span = window(days, tz)
    events_found = per_day(store.browse.events_per_bucket(db, query, span), tz)
    reports_found = per_day(store.browse.reports_per_bucket(db, query, span), tz)
    events = chart.series("event", events_found, days)
    reports = chart.series("report", reports_found, days)
    return {
        "days": days,
        "events": events,
        "reports": reports,
        "events_svg": chart.bars(events, days, css="newsmon-events-chart", height=60),
        "reports_svg": chart.bars(reports, days, css="newsmon-reports-chart"),
    }


@dataclass(frozen=True)
class OutletRow:
    """One outlet's line of the activity chart."""

    outlet: str
    articles: int
    reports: int
    strip: Any  # Markup


def activity_page(
    db: sqlite_utils.Database,
    *,
    now: datetime,
    tz: tzinfo = UTC,
    filters: Filters | None = None,
    configured: Collection[str] | None = None,
) -> dict[str, Any]:
    """Every outlet's articles per day, and how many of them reported an event."""
    filters = filters or Filters()
    query = store.browse.resolve(db, filters.query(tz))
    shown = timeline(db, query, filters, now=now, tz=tz)
    days = shown["days"]
    per_outlet: dict[str, list[tuple[str, int]]] = {}
    reports: dict[str, int] = {}
    for outlet, bucket, articles, in_events in store.browse.outlet_activity(db, window(days, tz)):
        name = clean(outlet) or "unknown outlet"
        per_outlet.setdefault(name, []).append((bucket, articles))
        reports[name] = reports.get(name, 0) + in_events
    daily = {name: per_day(buckets, tz) for name, buckets in per_outlet.items()}
    peak = max((n for counts in daily.values() for n in counts.values()), default=0)
    rows = [
        OutletRow(
            name, sum(counts.values()), reports[name], chart.strip(counts, days, peak, "article")
        )
        for name, counts in daily.items()
    ]
    rows.sort(key=lambda row: (-row.articles, row.outlet.casefold()))
    return {
        "timeline": shown,
        "days": days,
        "filters": filters,
        "outlet_rows": rows,
        "peak": peak,
        "health": store.feeds.state_counts(db, configured),
    }
