"""The events page's form: what the analyst asked for, read from the query string.

Every value is bounded and checked here, at the edge: a date that is no date is set
aside with a note (the page still answers), a page number past the end shows an empty
page with a way back. Dates are days of the display zone; `days` turns them into UTC
bounds for the store, so "3 January" means the reader's 3 January.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from math import gcd
from typing import Any
from urllib.parse import urlencode

from crawler.clock import isoformat
from crawler.store.browse import EventQuery, Window

PAGE_SIZE = 100
MINUTES_PER_DAY = 1440
MAX_PAGE = 100_000
MAX_TEXT = 200  # longer than any name or search an analyst types
CHART_DAYS = 30  # a chart without dates: the 30 days up to the latest matching event
MAX_CHART_DAYS = 120  # a longer range charts its last 120 days


@dataclass(frozen=True)
class Day:
    """One day of the display zone: its label and its bounds in UTC text, [lo, hi)."""

    label: str
    lo: str
    hi: str


@dataclass(frozen=True)
class Filters:
    monitor: str | None = None
    outlet: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    text: str | None = None
    page: int = 1
    notes: tuple[str, ...] = ()

    @property
    def narrowed(self) -> bool:
        return any((self.monitor, self.outlet, self.date_from, self.date_to, self.text))

    def query(self, tz: tzinfo) -> EventQuery:
        """The store's question: dates as UTC bounds of the zone's days."""
        return EventQuery(
            monitor=self.monitor,
            outlet=self.outlet,
            start=day_bounds(self.date_from, tz)[0] if self.date_from else None,
            end=day_bounds(self.date_to, tz)[1] if self.date_to else None,
            text=self.text,
        )

    def link(self, **changes: Any) -> str:
        """This page's query string with `changes` (a page link, a filter dropped)."""
        wanted = replace(self, **changes)
        pairs = {
            "monitor": wanted.monitor,
            "outlet": wanted.outlet,
            "from": wanted.date_from.isoformat() if wanted.date_from else None,
            "to": wanted.date_to.isoformat() if wanted.date_to else None,
            "q": wanted.text,
            "page": str(wanted.page) if wanted.page > 1 else None,
        }
        text = urlencode({k: v for k, v in pairs.items() if v})
        return f"?{text}" if text else "?"


def read(args: Any) -> Filters:
    """Filters from the request's arguments (a multidict with `get`)."""
    notes: list[str] = []
    date_from = parse_date(args.get("from"), "from", notes)
    date_to = parse_date(args.get("to"), "to", notes)
    if date_from and date_to and date_from > date_to:
        notes.append("the dates were given the wrong way round: swapped")
        date_from, date_to = date_to, date_from
    return Filters(
        monitor=text_arg(args.get("monitor")),
        outlet=text_arg(args.get("outlet")),
        date_from=date_from,
        date_to=date_to,
        text=text_arg(args.get("q")),
        page=page_arg(args.get("page")),
        notes=tuple(notes),
    )


def text_arg(value: str | None) -> str | None:
    return (value or "").strip()[:MAX_TEXT] or None


def page_arg(value: str | None) -> int:
    text = (value or "").strip()
    if not (text.isascii() and text.isdigit()):
        return 1
    return max(1, min(int(text[:7]), MAX_PAGE))


def parse_date(value: str | None, name: str, notes: list[str]) -> date | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        if not text.isascii():
            raise ValueError(text)
        return date.fromisoformat(text[:10])
    except ValueError:
        notes.append(f"{name} {text[:40]!r} is no date (YYYY-MM-DD): ignored")
        return None


def day_bounds(day: date, tz: tzinfo) -> tuple[str, str]:
    """[midnight, next midnight) of `day` in `tz`, as UTC text."""
    start = datetime.combine(day, time(), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=tz)
    return isoformat(start.astimezone(UTC)), isoformat(end.astimezone(UTC))


def days(first: date, last: date, tz: tzinfo) -> list[Day]:
    """Each day from `first` to `last`, at most MAX_CHART_DAYS (the latest ones)."""
    first = max(first, last - timedelta(days=MAX_CHART_DAYS - 1))
    count = (last - first).days + 1
    return [
        Day(day.isoformat(), *day_bounds(day, tz))
        for day in (first + timedelta(days=n) for n in range(max(count, 0)))
    ]


def chart_days(filters: Filters, latest: datetime | None, today: date, tz: tzinfo) -> list[Day]:
    """The days a chart covers: the dates asked for, else the CHART_DAYS up to the
    latest matching event (today when there is none)."""
    last = filters.date_to or (latest.astimezone(tz).date() if latest else today)
    first = filters.date_from or last - timedelta(days=CHART_DAYS - 1)
    return days(first, max(first, last), tz)


def window(days: list[Day], tz: tzinfo) -> Window:
    """The store's span for `days`, in the longest buckets that every midnight of `tz`
    in it starts: 1440 minutes for UTC, 180 for UTC+9, 60 across a daylight-saving
    change, 15 for UTC+5:45."""
    minutes = MINUTES_PER_DAY
    for day in days:
        offset = parse_bound(day.lo).astimezone(tz).utcoffset() or timedelta()
        minutes = gcd(minutes, int(offset.total_seconds()) // 60 % MINUTES_PER_DAY)
    return Window(days[0].lo, days[-1].hi, max(minutes, 1))


def per_day(buckets: list[tuple[str, int]], tz: tzinfo) -> dict[str, int]:
    """Counts per UTC bucket ("2026-01-03T22:45") added up per day of `tz`."""
    counts: dict[str, int] = {}
    for bucket, count in buckets:
        try:
            moment = datetime.fromisoformat(f"{bucket}:00+00:00")
        except (TypeError, ValueError):
            continue  # a time stored in no ISO form is in no day
        label = moment.astimezone(tz).date().isoformat()
        counts[label] = counts.get(label, 0) + count
    return counts


def parse_bound(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
