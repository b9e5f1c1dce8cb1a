"""Prometheus metrics from the daemon, on an opt-in port (`daemon --metrics-port`,
`daemon: {metrics_port: ...}`), so an operator's existing monitoring sees a stalled
daemon, a failing feed or a jammed alert outbox without reading logs.

The text exposition format (version 0.0.4) is written here by hand, and served by
`asyncio.start_server` on the daemon's own loop with a minimal HTTP/1.0 answer: no new
dependency, no thread. A scrape reads two small indexed queries on a read-only
connection of its own (the poll's transactions never wait for it) and never raises into
the daemon: a database failure is a 500 for that scrape. Counters count since the
daemon started, as Prometheus expects of counters; gauges come from the database.

    newsmon_daemon_start_time_seconds            when this daemon started
    newsmon_daemon_heartbeat_timestamp_seconds   its last heartbeat (every 15 s)
    newsmon_polls_total                          crawls run
    newsmon_feed_polls_total                     feeds polled
    newsmon_poll_errors_total{kind}              feed, page, item (refused), monitor and fatal
    newsmon_articles_stored_total                new articles
    newsmon_events_created_total                 new events
    newsmon_alerts_sent_total                    alerts delivered
    newsmon_last_poll_duration_seconds           the last crawl's wall time
    newsmon_alert_outbox{state}                  alerts by state (pending, failed, ...)
    newsmon_feed_last_success_timestamp_seconds{outlet,feed}
    newsmon_feed_consecutive_errors{outlet,feed}
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import unicodedata
from collections.abc import Sized
from pathlib import Path

import sqlite_utils

from crawler import store
from crawler.clock import parse_instant
from crawler.errors import NewsmonError
from crawler.model import PollReport
from crawler.store.backend import DatabaseURL

LOGGER = logging.getLogger(__name__)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
MAX_REQUEST = 8192  # bytes of request line and headers
READ_TIMEOUT = 5.0  # seconds a client has to send its request
ERROR_KINDS = ("feed", "page", "item", "monitor", "fatal")


class MetricsError(NewsmonError, RuntimeError):
    """The metrics port cannot be listened on (in use, no permission)."""


class Metrics:
    """What the daemon counts, and the exposition a scrape gets."""

    def __init__(self, database: Path | DatabaseURL):
        self.database = database
        self.started = time.time()
        self.heartbeat = self.started
        self.polls = self.feed_polls = self.articles = self.events = self.alerts = 0
        self.errors = dict.fromkeys(ERROR_KINDS, 0)
        self.last_duration: float | None = None
        self._db: sqlite_utils.Database | None = None

    def poll_done(self, report: PollReport, seconds: float) -> None:
        self.polls += 1
        self.feed_polls += report.feeds_polled
        self.articles += report.new_articles
        self.events += report.new_events
        self.alerts += report.alerts_sent
        counted: tuple[Sized, ...] = (
            report.feed_errors,
            report.page_errors,
            report.item_errors,
            report.monitor_errors,
            report.fatal,
        )
        for kind, errors in zip(ERROR_KINDS, counted, strict=True):
            self.errors[kind] += len(errors)
        self.last_duration = seconds

    def beat(self) -> None:
        self.heartbeat = time.time()

    def render(self) -> str:
        """The exposition; raises a database error (store.db.database_errors) when it fails."""
        if self._db is None:
            self._db = store.db.open_db(self.database, read_only=True)
        out: list[str] = []
        metric = _Writer(out)
        metric("newsmon_daemon_start_time_seconds", "gauge", "When the daemon started.")
        metric.sample(self.started)
        metric("newsmon_daemon_heartbeat_timestamp_seconds", "gauge", "Its last heartbeat.")
        metric.sample(self.heartbeat)
        for name, value, text in (
            ("newsmon_polls_total", self.polls, "Crawls run since the daemon started."),
            ("newsmon_feed_polls_total", self.feed_polls, "Feeds polled."),
            ("newsmon_articles_stored_total", self.articles, "New articles stored."),
            ("newsmon_events_created_total", self.events, "New events opened."),
            ("newsmon_alerts_sent_total", self.alerts, "Alerts delivered."),
        ):
            metric(name, "counter", text)
            metric.sample(value)
        metric("newsmon_poll_errors_total", "counter", "Poll errors by kind.")
        for kind, value in self.errors.items():
            metric.sample(value, kind=kind)
        if self.last_duration is not None:
            metric("newsmon_last_poll_duration_seconds", "gauge", "The last crawl's wall time.")
            metric.sample(self.last_duration)
        metric("newsmon_alert_outbox", "gauge", "Alerts in the outbox by state.")
        for state, value in store.outbox.state_counts(self._db).items():
            metric.sample(value, state=state)
        feeds = store.feeds.feed_times(self._db)
        metric(
            "newsmon_feed_last_success_timestamp_seconds",
            "gauge",
            "When each feed last answered usably (absent: never).",
        )
        for feed in feeds:
            if feed["last_success"]:
                stamp = parse_instant(feed["last_success"]).timestamp()
                metric.sample(stamp, outlet=feed["outlet"], feed=feed["url"])
        metric("newsmon_feed_consecutive_errors", "gauge", "Each feed's failures in a row.")
        for feed in feeds:
            metric.sample(feed["consecutive_errors"], outlet=feed["outlet"], feed=feed["url"])
        return "\n".join(out) + "\n"

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class _Writer:
    """Appends `# HELP`/`# TYPE` headers and samples of the metric last named."""

    def __init__(self, out: list[str]):
        self.out = out
        self.name = ""

    def __call__(self, name: str, kind: str, text: str) -> None:
        self.name = name
        self.out += [f"# HELP {name} {text}", f"# TYPE {name} {kind}"]

    def sample(self, value: float, **labels: str) -> None:
        inner = ",".join(f'{key}="{_escape(str(text))}"' for key, text in labels.items())
        number = repr(float(value)) if isinstance(value, float) else str(value)
        self.out.append(f"{self.name}{{{inner}}} {number}" if inner else f"{self.name} {number}")


def _escape(value: str) -> str:
    """A label value as the exposition format reads it: backslash, quote and newline
    escaped; every other control or format character (CR, ESC, bidi) dropped, since a
    scraper or a terminal showing the page would act on it. Outlet names come from
    OPML files and feed titles nobody vetted."""
    kept = "".join(
        char for char in value if char == "\n" or unicodedata.category(char) not in ("Cc", "Cf")
    )
    return kept.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


async def serve(metrics: Metrics, host: str, port: int) -> asyncio.Server:
    """Listen for scrapes on the running loop; MetricsError when the port cannot be had."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), READ_TIMEOUT)
            writer.write(_response(metrics, request))
            await writer.drain()
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # a client that never finished asking gets nothing
        except ConnectionError:
            pass
        finally:
            writer.close()

    try:
        return await asyncio.start_server(answer, host, port, limit=MAX_REQUEST)
    except OSError as exc:  # asyncio's own wording repeats the address: keep the reason
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise MetricsError(f"metrics: cannot listen on {host}:{port}: {reason}") from None


def _response(metrics: Metrics, request: bytes) -> bytes:
    words = request.split(b"\r\n", 1)[0].decode("latin-1").split()
    method, path = [*words, "", ""][:2]
    if method not in ("GET", "HEAD"):
        return _http(405, "Method Not Allowed", "only GET\n")
    if path.split("?")[0] not in ("/metrics", "/"):
        return _http(404, "Not Found", "metrics are at /metrics\n")
    try:
        body = metrics.render()
    except store.db.database_errors() as exc:
        LOGGER.warning("metrics scrape failed: %s", exc)
        return _http(500, "Internal Server Error", f"database error: {exc}\n")
    return _http(200, "OK", body, CONTENT_TYPE, head=method == "HEAD")


def _http(
    status: int, reason: str, body: str, content_type: str = "text/plain", head: bool = False
) -> bytes:
    data = body.encode("utf-8")
    headers = (
        f"HTTP/1.0 {status} {reason}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n"
    )
    return headers.encode("latin-1") + (b"" if head else data)
