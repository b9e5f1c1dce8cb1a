"""When is a feed next due? Pure functions of its state and the clock.

The daemon (a later issue) adds adaptive intervals; the rules here are the ones
both cron and daemon obey: poll at the outlet's interval, back off
exponentially on consecutive failures (capped), and never sooner than the
server's own `Retry-After`.
"""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime, timedelta

MAX_BACKOFF = timedelta(hours=24)
MAX_RETRY_AFTER = timedelta(days=2)


def next_poll(
    now: datetime,
    interval: timedelta,
    consecutive_errors: int = 0,
    retry_after: timedelta | None = None,
) -> datetime:
    """`consecutive_errors` counts the failure being recorded now (0 after a success)."""
    wait = interval
    if consecutive_errors > 0:
        factor = 2 ** min(consecutive_errors, 16)
        wait = min(interval * factor, max(MAX_BACKOFF, interval))
    if retry_after is not None:
        wait = max(wait, min(retry_after, MAX_RETRY_AFTER))
    return now + wait


def parse_retry_after(value: str | bytes | None, now: datetime) -> timedelta | None:
    """`Retry-After` as seconds or as an HTTP date; None when absent or unreadable."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return timedelta(seconds=int(text))
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(when - now, timedelta(0))
