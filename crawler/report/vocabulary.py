"""One set of field names for every JSON, CSV and NDJSON output (docs/output.md).

Scripts join `feeds`, `status`, `articles`, `events` and the digest on their fields, so
one thing has one name everywhere: a plural noun is a list, a count is `<noun>_count`,
a time is named for what happened (`published`, `fetched`, `last_success`), a duration
carries its unit (`_seconds`), a flag is true or false. The store's rows keep their
own column names; this module renames them at the edge, and leaves a field it does not
know as it is.
"""

from __future__ import annotations

from typing import Any

# Store and report names → the public ones.
FEED_NAMES = {
    "articles": "article_count",
    "articles_24h": "article_count_24h",
    "entries_total": "entry_count",
}
DATABASE_NAMES = {
    "outlets": "outlet_count",
    "feeds": "feed_count",
    "entries": "entry_count",
    "articles": "article_count",
    "fetches": "fetch_count",
    "stories": "story_count",
    "events": "event_count",
}
DAEMON_NAMES = {"heartbeat_age_s": "heartbeat_age_seconds"}
STATUS_NAMES = {"now": "generated", "retired_feeds": "retired_feed_count"}
FAILURE_NAMES = {"failures": "failure_count", "last_at": "last_failed_at"}
POLLER_NAMES = {"seen": "last_seen", "seen_age_s": "last_seen_age_seconds"}
FLAGS = ("active", "failing")


def renamed(row: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """`row` with its keys renamed by `names`, order kept."""
    return {names.get(key, key): value for key, value in row.items()}


def feed(row: dict[str, Any]) -> dict[str, Any]:
    """A feed's health as `feeds` and `status` print it."""
    out = renamed(row, FEED_NAMES)
    for flag in FLAGS:
        if flag in out and out[flag] is not None:
            out[flag] = bool(out[flag])
    return out


def status(report: dict[str, Any]) -> dict[str, Any]:
    """`status --format json`: the report with the shared names."""
    out = renamed(report, STATUS_NAMES)
    if isinstance(out.get("monitor_failures"), list):
        out["monitor_failures"] = [renamed(row, FAILURE_NAMES) for row in out["monitor_failures"]]
    if isinstance(out.get("daemon"), dict):
        out["daemon"] = renamed(out["daemon"], DAEMON_NAMES)
    if isinstance(out.get("pollers"), list):
        out["pollers"] = [renamed(row, POLLER_NAMES) for row in out["pollers"]]
    if isinstance(out.get("database"), dict):
        out["database"] = renamed(out["database"], DATABASE_NAMES)
    if isinstance(out.get("feeds"), list):
        out["feeds"] = [feed(row) for row in out["feeds"]]
    return out
