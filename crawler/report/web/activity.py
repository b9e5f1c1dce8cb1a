"""The charts' pages: events and reports per day, and each outlet's articles per day.

Counted by the store per day of the display zone (`store.browse`), drawn as SVG
(`chart`); the events page shows the first chart for what its filters found.
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
from crawler.report.web.filters import Filters, chart_days
from crawler.report.wording import clean
from crawler.store.browse import EventQuery


def timeline(
    db: sqlite_utils.Database, query: EventQuery, filters: Filters, *, now: datetime, tz: tzinfo
) -> dict[str, Any]:
    """Events per day of their time, and their reports per day published."""
    latest = store.browse.latest_event_time(db, query)
    latest_at = parse_instant(latest) if latest else None
    days = chart_days(filters, latest_at, now.astimezone(tz).date(), tz)
    events = chart.series("event", store.browse.events_per_day(db, query, days), days)
    reports = chart.series("report", store.browse.reports_per_day(db, query, days), days)
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
    query = filters.query(tz)
    shown = timeline(db, query, filters, now=now, tz=tz)
    days = shown["days"]
    per_outlet: dict[str, dict[str, int]] = {}
    reports: dict[str, int] = {}
    for outlet, day, articles, in_events in store.browse.outlet_activity(db, days):
        name = clean(outlet) or "unknown outlet"
        per_outlet.setdefault(name, {})[day] = articles
        reports[name] = reports.get(name, 0) + in_events
    peak = max((n for counts in per_outlet.values() for n in counts.values()), default=0)
    rows = [
        OutletRow(
            name, sum(counts.values()), reports[name], chart.strip(counts, days, peak, "article")
        )
        for name, counts in per_outlet.items()
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
