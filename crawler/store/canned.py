"""The SQL of the canned queries `newsmon serve` offers in Datasette.

Plain SELECTs (Datasette runs them read-only); kept here with every other SQL string,
and sharing the definition of a failing feed with `newsmon status` and `feeds`.
"""

from __future__ import annotations

from crawler.store import feeds
from crawler.store.events import MEMBERS, MEMBERS_ORDER
from crawler.store.feeds import FAILING_SQL

EVENT_ROWS = 500  # latest_events returns at most this many: canned queries do not paginate

LATEST_EVENTS = f"""
SELECT e.id, e.monitor, e.title, e.time_start, e.time_end, e.precision,
       e.article_count, e.outlet_count, e.first_seen, e.last_updated
FROM events e
ORDER BY e.last_updated DESC, e.id DESC
LIMIT {EVENT_ROWS}
"""
EVENT_SOURCES = f"{MEMBERS} WHERE ea.event_id = :id ORDER BY {MEMBERS_ORDER}"
# fetched_at is stored as 2026-01-28T00:00:00Z: compare with the same text form, since
# datetime() gives '2026-01-28 00:00:00', which sorts before every time of the same day.
DAY_AGO = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-1 day')"
FEED_HEALTH = feeds.FEED_HEALTH.format(since=DAY_AGO)
FAILING_FEEDS = f"""
SELECT o.name AS outlet, f.kind, f.url, f.last_status, f.last_success,
       f.consecutive_errors, f.last_error, f.next_due
FROM feeds f JOIN outlets o ON o.id = f.outlet_id
WHERE {FAILING_SQL}
ORDER BY f.consecutive_errors DESC, o.name, f.id
"""
