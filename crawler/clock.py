"""The one source of "now", and the one reading of times and zones a user types.

Scheduling, polling state and (later) event times are all judged against this
clock, so a replay of last January's feeds can run as if it were last January
(`--now` / `NEWSMON_NOW`). `--since 7d` counts back from that same clock, and a
display zone (`--tz`, `display.timezone`) is read here, so the CLI and config.yaml
accept and refuse exactly the same values.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crawler.errors import UsageError

ENV_VAR = "NEWSMON_NOW"


class ClockError(UsageError, ValueError):
    """A fixed time, a --since value or a time zone could not be understood."""


# "7d", "2h", "30m", "90s", "2w": a span counted back from now (as sqlite-utils and
# Datasette users write it); a bare number is refused, since "2026" would be ambiguous.
# The one grammar of a span of time: config intervals, `prune --older-than`, `--since`.
# ASCII digits only: `\d` would also read Arabic-Indic and full-width digits.
_SPAN = re.compile(
    r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(s|sec|m|min|h|d|w)?\s*$", re.IGNORECASE | re.ASCII
)
_SPAN_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
MAX_SPAN = timedelta(days=36500)  # a century: more is a typo, and dates past it overflow
# `--now` within these years: a span of MAX_SPAN either side stays a valid datetime.
EARLIEST_NOW = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_NOW = datetime(9000, 1, 1, tzinfo=UTC)
MAX_ZONE_NAME = 100  # the longest IANA names are about 30 characters


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 instant; a time without zone is taken as UTC."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ClockError(
            f"{text!r} is not an ISO 8601 time (e.g. 2026-01-04T08:00:00+09:00)"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


@dataclass(frozen=True)
class Clock:
    """System time, or a fixed instant when one is given."""

    fixed: datetime | None = None

    def now(self) -> datetime:
        return self.fixed if self.fixed is not None else datetime.now(UTC)

    @classmethod
    def from_option(cls, value: str | None) -> Clock:
        """Build from `--now`, falling back to NEWSMON_NOW, then the system clock."""
        text = value or os.environ.get(ENV_VAR)
        if not text:
            return cls()
        instant = parse_instant(text)
        if not EARLIEST_NOW <= instant < LATEST_NOW:
            raise ClockError(
                f"{text!r} is outside the years {EARLIEST_NOW.year} to {LATEST_NOW.year - 1}"
            )
        return cls(instant)


def isoformat(value: datetime) -> str:
    """The one text form of instants in the database: UTC, seconds, sortable."""
    # isoformat, not strftime: glibc's %Y writes the year 1 as "1", which no parser reads
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_duration(text: str, *, unit_required: bool = False) -> timedelta | None:
    """`30s`, `15m`, `2h`, `1d`, `2w` (any case), or bare seconds unless `unit_required`;
    None when `text` is none of these. A span over a century is a ClockError: nothing
    newsmon schedules or keeps is that long, and dates that far off overflow."""
    match = _SPAN.match(text)
    if match is None or (unit_required and match.group(2) is None):
        return None
    seconds = float(match.group(1)) * _SPAN_UNITS[(match.group(2) or "s").lower()]
    if seconds > MAX_SPAN.total_seconds():
        raise ClockError(f"{text.strip()!r} is longer than the maximum {format_span(MAX_SPAN)}")
    return timedelta(seconds=seconds)


def is_bare_number(text: str) -> bool:
    """A duration written without its unit (`interval: 15`): minutes or seconds?"""
    match = _SPAN.match(text)
    return match is not None and match.group(2) is None


def format_span(span: timedelta) -> str:
    """A span as users write one ("1d", "15m", "90s"), in the largest unit that divides it."""
    seconds = span.total_seconds()
    for unit in ("w", "d", "h", "m"):
        size = _SPAN_UNITS[unit]
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def parse_since(text: str, now: datetime) -> datetime:
    """`--since`: an ISO 8601 instant, or a span back from `now` ("7d", "2h", "30m")."""
    span = parse_duration(text, unit_required=True)  # a bare number is no span here
    if span is None:
        try:
            return parse_instant(text)
        except ClockError:
            raise ClockError(
                f"{text!r} is neither a span such as 7d, 2h or 30m nor an ISO 8601 time "
                "(e.g. 2026-01-04 or 2026-01-04T08:00:00+09:00)"
            ) from None
    try:
        return now - span
    except OverflowError:
        raise ClockError(f"{text!r} reaches back before the year 1") from None


def zone(name: str) -> tzinfo:
    """An IANA time zone ("Asia/Seoul", "UTC") for showing times to people."""
    text = name.strip()
    if text.upper() == "UTC":
        return UTC
    try:
        if not text or len(text) > MAX_ZONE_NAME:
            raise ValueError(text)
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ClockError(
            f"{name!r} is not a time zone name (e.g. UTC, Asia/Seoul, Europe/Berlin)"
        ) from None
