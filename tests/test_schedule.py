from datetime import UTC, datetime, timedelta

import pytest

from crawler.schedule import (
    MAX_BACKOFF,
    adaptive_interval,
    next_poll,
    parse_max_age,
    parse_retry_after,
)

NOW = datetime(2026, 1, 4, 0, 0, tzinfo=UTC)
M15 = timedelta(minutes=15)


@pytest.mark.parametrize(
    ("errors", "retry_after", "expected"),
    [
        (0, None, M15),
        (1, None, 2 * M15),
        (2, None, 4 * M15),
        (3, None, 8 * M15),
        (30, None, MAX_BACKOFF),  # capped
        (0, timedelta(hours=2), timedelta(hours=2)),  # never sooner than Retry-After
        (1, timedelta(minutes=1), 2 * M15),  # backoff longer than Retry-After wins
        (0, timedelta(days=30), timedelta(days=2)),  # absurd Retry-After is bounded
    ],
)
def test_next_poll(errors, retry_after, expected):
    assert next_poll(NOW, M15, errors, retry_after) == NOW + expected


def test_backoff_never_goes_below_a_long_interval():
    assert next_poll(NOW, timedelta(days=2), 3) == NOW + timedelta(days=2)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", timedelta(seconds=120)),
        (b"5", timedelta(seconds=5)),
        ("Sun, 04 Jan 2026 00:10:00 GMT", timedelta(minutes=10)),
        ("Sat, 03 Jan 2026 00:10:00 GMT", timedelta(0)),  # in the past
        ("soon", None),
        (None, None),
    ],
)
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value, NOW) == expected


@pytest.mark.parametrize(
    ("per_day", "expected"),
    [
        (0, timedelta(hours=6)),  # silent feed: the maximum
        (0.5, timedelta(hours=6)),  # one a fortnight... clamped to the maximum
        (4, timedelta(hours=3)),  # twice per entry: every 3 h
        (48, timedelta(minutes=15)),
        (1000, timedelta(minutes=5)),  # a firehose: never below the minimum
    ],
)
def test_adaptive_interval_follows_the_publishing_rate_within_bounds(per_day, expected):
    assert adaptive_interval(per_day, timedelta(minutes=5), timedelta(hours=6)) == expected


def test_the_feeds_own_freshness_is_a_floor():
    assert next_poll(NOW, M15, not_before=timedelta(hours=1)) == NOW + timedelta(hours=1)
    assert next_poll(NOW, M15, not_before=timedelta(minutes=5)) == NOW + M15
    # a server claiming freshness for a year is bounded like Retry-After
    assert next_poll(NOW, M15, not_before=timedelta(days=365)) == NOW + timedelta(days=2)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("max-age=600", timedelta(minutes=10)),
        ("public, max-age=60, s-maxage=300", timedelta(minutes=5)),
        (b"no-cache", None),
        ('max-age="120"', timedelta(minutes=2)),
        ("max-age=soon", None),
        (None, None),
    ],
)
def test_parse_max_age(header, expected):
    assert parse_max_age(header) == expected
