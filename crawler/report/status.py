"""`newsmon status`: what an operator checks first, as data, then as lines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import sqlite_utils

from crawler import store
from crawler.clock import isoformat, parse_instant
from crawler.config import Config
from crawler.report.table import cell, table
from crawler.report.wording import format_instant, plural, relative
from crawler.store.backend import DatabaseURL

HEARTBEAT_GRACE = timedelta(seconds=60)  # a live daemon beats every 15 s


def status(
    db: sqlite_utils.Database,
    database: Path | DatabaseURL,
    now: datetime,
    config: Config | None = None,
    *,
    show_retired: bool = False,
    lease: timedelta = HEARTBEAT_GRACE,
) -> dict[str, Any]:
    """`lease`: how long a daemon may go without renewing its leases and still be
    counted as polling (`crawler.fleet.lease_ttl`)."""
    feeds = store.feeds.feed_health(db, now)
    if config is not None:
        feeds = with_config(feeds, config, now)
    shown = shown_feeds(feeds, show_retired=show_retired)
    size = store.db.size_bytes(db, database)
    return {
        "now": isoformat(now),
        "daemon": daemon_summary(store.daemon.daemon_state(db), now),
        "pollers": poller_summary(store.leases.pollers(db, now), now, lease),
        "database": {"path": str(database), "bytes": size, **store.db.counts(db)},
        "alerts": store.outbox.state_counts(db),
        "monitor_failures": store.monitor_failures.monitor_failures(db),
        "feeds": shown,
        "retired_feeds": sum(not feed["active"] for feed in feeds),
    }


def shown_feeds(feeds: list[dict[str, Any]], *, show_retired: bool) -> list[dict[str, Any]]:
    """Feed rows with `failing` set by the one shared rule and their one-word `state`;
    retired feeds (no longer in config.yaml, kept for their history) only when asked
    for: `--all`."""
    rows = [
        {**feed, "failing": store.feeds.is_failing(feed["active"], feed["consecutive_errors"])}
        for feed in feeds
        if show_retired or feed["active"]
    ]
    return [{**row, "state": feed_state(row)} for row in rows]


def with_config(feeds: list[dict[str, Any]], config: Config, now: datetime) -> list[dict[str, Any]]:
    """Feed rows as config.yaml has them now, without writing: feeds no longer configured
    show as retired (`active` 0), configured ones never polled show as due now.

    `status` and `feeds` do not sync the feeds table: that write would wait behind any
    long writer (a `reprocess`) and fail after 30 s with "database is locked".
    """
    configured = {
        source.url: (outlet.name, source.kind)
        for outlet in config.outlets
        for source in outlet.sources
    }
    rows = []
    for feed in feeds:
        known = configured.pop(feed["config_url"], None)
        outlet = known[0] if known else feed["outlet"]
        rows.append({**feed, "outlet": outlet, "active": int(known is not None)})
    for url, (outlet, kind) in configured.items():
        rows.append(
            {
                "outlet": outlet,
                "kind": kind,
                "url": url,
                "config_url": url,
                "active": 1,
                "last_status": None,
                "last_polled": None,
                "last_success": None,
                "consecutive_errors": 0,
                "last_error": None,
                "next_due": isoformat(now),
                "entries_total": 0,
                "articles": 0,
                "articles_24h": 0,
            }
        )
    return sorted(rows, key=lambda row: row["outlet"])


def daemon_summary(state: dict[str, Any] | None, now: datetime) -> dict[str, Any]:
    if state is None:
        return {"state": "never started"}
    age = now - parse_instant(state["heartbeat"])
    if state["stopped"]:
        label = "stopped"
    elif age <= HEARTBEAT_GRACE:
        label = "running"
    else:
        label = "not responding"
    return {**state, "state": label, "heartbeat_age_s": round(age.total_seconds())}


def poller_summary(
    pollers: list[dict[str, Any]], now: datetime, ttl: timedelta
) -> list[dict[str, Any]]:
    """Each daemon sharing this database, `polling` while it renews within one lease,
    else `not responding` (killed: its hosts go to the others when its leases run out)."""
    rows = []
    for poller in pollers:
        age = now - parse_instant(poller["seen"])
        state = "polling" if age <= ttl else "not responding"
        rows.append({**poller, "seen_age_s": round(age.total_seconds()), "state": state})
    return rows


FEED_COLUMNS = (
    ("outlet", "outlet"),
    ("kind", "kind"),
    ("last success", "last_success"),
    ("errors", "consecutive_errors"),
    ("next poll", "next_due"),
    ("24h", "articles_24h"),
    ("state", "state"),
    ("url", "url"),  # two feeds of one outlet, or two outlets named alike, told apart
)
FEED_TIMES = ("last_polled", "last_success", "next_due")


def shown_times(feed: dict[str, Any], tz: tzinfo = UTC) -> dict[str, Any]:
    """A feed row with its times in the display zone, the zone named ("-" stays "-")."""
    return {
        **feed,
        **{key: format_instant(feed[key], tz) for key in FEED_TIMES if feed.get(key)},
    }


def describe(report: dict[str, Any], tz: tzinfo = UTC) -> list[str]:
    """The summary lines above the feed table (the CLI draws the table itself)."""
    daemon = report["daemon"]
    if daemon["state"] == "never started":
        lines = ["daemon: never started (cron mode)"]
    else:
        started = format_instant(daemon["started"], tz)
        lines = [
            f"daemon: {daemon['state']} (pid {daemon['pid']}, started {started}, "
            f"last heartbeat {daemon['heartbeat_age_s']} s ago)"
        ]
    pollers = report["pollers"]
    if len(pollers) > 1:  # one daemon is the line above
        lines.append(
            f"daemons: {len(pollers)} share this database: "
            + "; ".join(
                f"{p['holder']} {p['state']}, {plural(p['hosts_held'], 'host')} held, "
                f"seen {p['seen_age_s']} s ago"
                for p in pollers
            )
        )
    db = report["database"]
    lines.append(
        f"database: {db['path']}, {db['bytes'] / 2**20:.1f} MB: "
        f"{plural(db['articles'], 'article')}, {plural(db['stories'], 'story')}, "
        f"{plural(db['events'], 'event')}, {plural(db['feeds'], 'feed')}"
    )
    if report["retired_feeds"]:
        lines[-1] += f" ({report['retired_feeds']} retired: no longer in the config)"
    alerts = {state: n for state, n in report["alerts"].items() if n}
    if alerts:
        lines.append("alerts: " + ", ".join(f"{n} {state}" for state, n in sorted(alerts.items())))
    for failed in report["monitor_failures"]:  # a monitor's bug: its readings are missing
        lines.append(
            f"monitor {failed['monitor']}: {plural(failed['failures'], 'failure')} reading "
            f"articles, last {format_instant(failed['last_at'], tz)} on {failed['last_url']}: "
            f"{failed['last_error']}"
        )
    return lines


def feed_rows(report: dict[str, Any], tz: tzinfo = UTC) -> list[dict[str, Any]]:
    """Feeds with a one-word state: ok, FAILING or retired (removed from config.yaml)."""
    rows = [shown_times(feed, tz) for feed in report["feeds"]]  # `state` from `shown_feeds`
    return [{**row, "last_success": row["last_success"] or "never"} for row in rows]


def feed_state(feed: dict[str, Any]) -> str:
    """The status table's word for a feed: FAILING, ok or retired (store.feeds.feed_state
    in the terminal's fewer words)."""
    state = store.feeds.feed_state(feed["active"], feed["consecutive_errors"], feed["last_polled"])
    return {"inactive": "retired", "failing": "FAILING"}.get(state, "ok")


def lines(report: dict[str, Any], tz: tzinfo = UTC) -> list[str]:
    """`newsmon status` for a terminal: the summary, the feed table, each feed's last error;
    every time in the display zone, named."""
    shown = [cell(line) for line in describe(report, tz)]
    shown += ["", *table(feed_rows(report, tz), FEED_COLUMNS)]
    return shown + error_lines(report["feeds"])


def error_lines(feeds: list[dict[str, Any]]) -> list[str]:
    """Each feed's last error on a line of its own, printable (the error may quote what a
    server sent): under the table of `status` and `feeds`."""
    return [
        f"  {cell(feed['outlet'])}: {cell(feed['url'])}: {cell(feed['last_error'])}"
        for feed in feeds
        if feed["last_error"]
    ]


def nothing_due(waiting: list[dict[str, Any]], now: datetime, tz: tzinfo = UTC) -> list[str]:
    """Why a run polled no feed, from `store.feeds.waiting_feeds`: when the next poll is
    due, which feeds wait out a backoff after failed polls, and that `--all` polls now."""
    if not waiting:
        return ["nothing to poll: no feed is configured"]
    first = waiting[0]
    lines = [
        f"nothing was due: the next poll is {_when(first, now, tz)}, "
        f"{cell(first['outlet'])} {cell(first['url'])}"
    ]
    backoff = [feed for feed in waiting if feed["consecutive_errors"]]
    if backoff:
        soonest = backoff[0]
        lines.append(
            f"  in backoff after failed polls: {len(backoff)} of {plural(len(waiting), 'feed')};"
            f" the first is {_when(soonest, now, tz)}, {cell(soonest['outlet'])} "
            f"{cell(soonest['url'])} ({plural(soonest['consecutive_errors'], 'failure')} "
            "in a row; `newsmon feeds` shows the errors)"
        )
    lines.append("  `newsmon run --all` polls every feed now")
    return lines


def _when(feed: dict[str, Any], now: datetime, tz: tzinfo) -> str:
    return f"due {format_instant(feed['next_due'], tz)} ({relative(feed['next_due'], now)})"
