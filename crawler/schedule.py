"""When is a feed next due? Pure functions of its state and the clock: the one place.

Both cron and the daemon obey these rules: poll at the outlet's interval, or at the
feed's own publishing rate when the outlet gives bounds; back off exponentially on
consecutive failures (capped); never sooner than the server's `Retry-After`, its
`Cache-Control: max-age` or the feed's `<ttl>`. The daemon adds a little jitter.
"""

from __future__ import annotations

import email.utils
import random
from datetime import UTC, datetime, timedelta

from crawler.model import FeedState

DEFAULT_INTERVAL = timedelta(minutes=15)  # an outlet's interval unless config.yaml says
MIN_INTERVAL = timedelta(minutes=1)  # the shortest interval config.yaml accepts
DEFAULT_MIN_INTERVAL = timedelta(minutes=5)  # adaptive bounds when only one is given
DEFAULT_MAX_INTERVAL = timedelta(days=1)
MAX_JITTER = timedelta(seconds=30)
JITTER_SHARE = 0.1  # of the feed's interval, capped at MAX_JITTER
MAX_BACKOFF = timedelta(hours=24)
MAX_RETRY_AFTER = timedelta(days=2)
POLLS_PER_ENTRY = 2.0
RATE_WINDOW = timedelta(days=7)  # the publishing rate is measured over this past


def next_due(
    feed: FeedState,
    now: datetime,
    *,
    rate: float | None = None,
    errors: int = 0,
    retry_after: timedelta | None = None,
    max_age: timedelta | None = None,
    ttl: timedelta | None = None,
) -> datetime:
    """The feed's next poll: its interval (adaptive to `rate`, entries per day, when the
    outlet gives bounds), backed off after `errors`, never sooner than the server's or
    the feed's own word (`retry_after`, `max_age`, `ttl`)."""
    interval = timedelta(seconds=feed.interval_s)
    if rate is not None and feed.min_interval_s is not None and feed.max_interval_s is not None:
        interval = adaptive_interval(
            rate, timedelta(seconds=feed.min_interval_s), timedelta(seconds=feed.max_interval_s)
        )
    floors = [value for value in (max_age, ttl) if value is not None]
    return next_poll(now, interval, errors, retry_after, max(floors) if floors else None)


def jitter(interval_s: int, rng: random.Random | None = None) -> timedelta:
    """A little random delay for the daemon's jobs, so feeds due together spread out."""
    spread = min(MAX_JITTER.total_seconds(), interval_s * JITTER_SHARE)
    return timedelta(seconds=(rng or random).uniform(0, spread))


def next_poll(
    now: datetime,
    interval: timedelta,
    consecutive_errors: int = 0,
    retry_after: timedelta | None = None,
    not_before: timedelta | None = None,
) -> datetime:
    """When to poll next.

    `consecutive_errors` counts the failure being recorded now (0 after a
    success). `retry_after` is the server's `Retry-After`; `not_before` the
    freshness the feed itself declares (`Cache-Control: max-age`, RSS `<ttl>`):
    neither is ever cut short.
    """
    wait = interval
    if consecutive_errors > 0:
        factor = 2 ** min(consecutive_errors, 16)
        wait = min(interval * factor, max(MAX_BACKOFF, interval))
    for floor in (retry_after, not_before):
        if floor is not None:
            wait = max(wait, min(floor, MAX_RETRY_AFTER))
    return now + wait


def adaptive_interval(
    entries_per_day: float,
    minimum: timedelta,
    maximum: timedelta,
    polls_per_entry: float = POLLS_PER_ENTRY,
) -> timedelta:
    """The polling interval a feed's own publishing rate calls for (Miniflux's rule).

    A feed publishing 48 entries a day is polled about every 15 minutes
    (twice per entry), a feed publishing twice a week about every 1.75 days,
    both clamped to the outlet's [minimum, maximum].
    """
    if entries_per_day <= 0:
        return maximum
    wanted = timedelta(days=1) / (entries_per_day * polls_per_entry)
    return max(minimum, min(maximum, wanted))


def parse_max_age(cache_control: str | bytes | None) -> timedelta | None:
    """`max-age` of a Cache-Control header (s-maxage wins for shared caches; we are one)."""
    if not cache_control:
        return None
    text = cache_control.decode("latin-1") if isinstance(cache_control, bytes) else cache_control
    found: dict[str, int] = {}
    for part in text.lower().split(","):
        name, _, value = part.strip().partition("=")
        if name in ("max-age", "s-maxage") and value.strip().strip('"').isdigit():
            found[name] = int(value.strip().strip('"'))
    seconds = found.get("s-maxage", found.get("max-age"))
    return timedelta(seconds=seconds) if seconds is not None else None


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
