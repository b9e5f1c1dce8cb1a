"""Typed values that pass between the stages of a poll: feed state, entries, articles.

They live here, not in storage, so the parsers, the poll's decisions and the stores all
speak the same types without importing one another.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Literal, get_args

from crawler.text import plural

SourceKind = Literal["feed", "sitemap"]  # what a polled URL is: a feed, or a (news) sitemap
SOURCE_KINDS: tuple[SourceKind, ...] = get_args(SourceKind)


@dataclass(frozen=True)
class FeedState:
    """A feed's row: what the poller needs to send a conditional request."""

    id: int
    outlet: str
    config_url: str
    url: str
    kind: SourceKind
    interval_s: int
    ignore_validators: bool
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    consecutive_errors: int
    fetch_pages: bool = True
    min_interval_s: int | None = None
    max_interval_s: int | None = None


@dataclass(frozen=True)
class Entry:
    """One item a feed or sitemap announced, in the common model of every format."""

    key: str
    link: str | None
    title: str | None = None
    author: str | None = None
    published: str | None = None
    summary: str | None = None
    content: str | None = None
    problem: str | None = None  # why the item was refused (`untrusted`): stored as failed
    language: str | None = None  # as the feed declares it (item, else channel)


@dataclass(frozen=True)
class FeedUpdate:
    """What storing one feed answer added: new entries to fetch, newly refused items."""

    new: int = 0
    refused: tuple[str, ...] = ()


@dataclass(frozen=True)
class PendingEntry:
    id: int
    feed_id: int
    link: str | None
    title: str | None
    author: str | None
    published: str | None
    summary: str | None
    content: str | None
    attempts: int
    language: str | None = None  # as the feed declared it


@dataclass(frozen=True)
class ArticleRecord:
    """An article ready to store: extracted text plus metadata, canonical URL first."""

    url: str
    fetched_url: str | None
    title: str | None
    author: str | None
    published: str | None
    published_utc: str | None
    language: str | None
    site_name: str | None
    description: str | None
    text: str
    text_method: str
    text_hash: str
    html: bytes | None = None


@dataclass(frozen=True)
class FeedAnswer:
    """A feed's (or sitemap's) HTTP answer, as the poll's decisions need it."""

    url: str
    status: int
    body: bytes = b""  # decoded (a gzipped sitemap file unpacked)
    body_hash: str | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    cache_control: str | None = None
    moved: str | None = None  # where a chain of permanent redirects led
    latency: float | None = None  # seconds


@dataclass(frozen=True)
class PageAnswer:
    """An article page's HTTP answer."""

    url: str
    status: int
    body: bytes = b""
    content_type: str | None = None
    latency: float | None = None


class FailureKind(StrEnum):
    """Why a fetch failed, as the poll decides on it (the wording is for people)."""

    HTTP = "http"  # an HTTP error status
    ROBOTS = "robots"  # robots.txt disallows the URL
    BLOCKED = "blocked"  # the private-network guard refused the address
    TOO_LARGE = "too_large"  # over fetch.max_bytes once decompressed
    NOT_REQUESTED = "not_requested"  # a link newsmon never requests (not http(s), too long)
    TIMEOUT = "timeout"
    DNS = "dns"
    REFUSED = "refused"  # connection refused
    DATA_LOSS = "data_loss"  # the connection closed before the whole body arrived
    CANCELLED = "cancelled"  # a download cancelled by a stopping crawl
    DROPPED = "dropped"  # a request a downloader middleware dropped
    DOWNLOAD = "download"  # any other download failure
    NOT_HTML = "not_html"  # a page whose Content-Type is no text newsmon reads
    EXTRACTION = "extraction"  # the extractor failed on the page
    OTHER = "other"


# Refusals that retrying cannot change: the feed's own text is kept at once.
FINAL_KINDS = frozenset(
    {FailureKind.ROBOTS, FailureKind.BLOCKED, FailureKind.TOO_LARGE, FailureKind.NOT_REQUESTED}
)
GONE = (404, 410)


@dataclass(frozen=True)
class FetchFailure:
    """A failed fetch: its kind, the one sentence recorded in the database and shown to
    users ("HTTP 503", "disallowed by robots.txt"), and the HTTP status if any."""

    kind: FailureKind
    text: str
    status: int | None = None

    @property
    def final(self) -> bool:
        """Retrying cannot change it: a refusal, or a page that is gone."""
        return self.kind in FINAL_KINDS or self.status in GONE


@dataclass(frozen=True)
class MonitorFailure:
    """A monitor raised while reading an article: counted, and the run goes on."""

    monitor: str
    url: str
    error: str  # the exception's type and message

    def __str__(self) -> str:
        return f"{self.monitor}: {self.url}: {self.error}"


@dataclass
class PollReport:
    """What one poll did, for the summary line and the exit code."""

    feeds_polled: int = 0
    not_modified: int = 0
    unchanged: int = 0
    new_entries: int = 0
    new_articles: int = 0
    new_events: int = 0
    known: int = 0
    feed_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    item_errors: list[str] = field(default_factory=list)  # feed items refused (`untrusted`)
    fatal: list[str] = field(default_factory=list)  # database trouble or bugs: run fails
    monitor_errors: list[MonitorFailure] = field(default_factory=list)
    alerts_sent: int = 0
    alert_errors: list[str] = field(default_factory=list)  # never fail the run

    def error_lines(self) -> list[str]:
        """One line per failure, for stderr: alert failures are reported, never fatal."""
        return [
            *(f"error: feed {error}" for error in self.feed_errors),
            *(f"error: page {error}" for error in self.page_errors),
            *(f"error: item {error}" for error in self.item_errors),
            *(f"error: monitor {error}" for error in self.monitor_errors),
            *(f"error: {error}" for error in self.fatal),
            *(f"error: {error}" for error in self.alert_errors),  # each names its alert
        ]

    def summary(self) -> str:
        text = (
            f"polled {plural(self.feeds_polled, 'feed')}: {self.not_modified} not modified, "
            f"{self.unchanged} unchanged, {plural(self.new_entries, 'new entry')}, "
            f"{plural(self.new_articles, 'new article')}, {plural(self.new_events, 'new event')}, "
            f"{plural(len(self.feed_errors), 'feed error')}, "
            f"{plural(len(self.page_errors), 'page error')}"
        )
        if self.item_errors:
            text += f", {plural(len(self.item_errors), 'item')} refused"
        if self.monitor_errors:
            text += f", {plural(len(self.monitor_errors), 'monitor failure')}"
        if self.alerts_sent:
            text += f", {plural(self.alerts_sent, 'alert')} sent"
        if self.alert_errors:
            text += f", {plural(len(self.alert_errors), 'alert error')}"
        return text

    def add_alerts(self, sent: int, errors: Sequence[str], unknown: int) -> None:
        self.alerts_sent += sent
        self.alert_errors.extend(errors)
        if unknown:
            self.alert_errors.append(
                f"{unknown} alerts were interrupted while sending and are marked"
                " 'unknown' (not re-sent)"
            )


@dataclass(frozen=True)
class Parsed:
    """What one feed or sitemap body announced."""

    format: str  # e.g. rss20, atom10, rss10, json, sitemap, sitemapindex
    entries: tuple[Entry, ...]
    sitemaps: tuple[str, ...] = ()  # children of a sitemap index
    title: str | None = None
    warning: str | None = None  # feed readable but not well-formed
    ttl: timedelta | None = None  # RSS <ttl>: how long the publisher says it stays fresh
    language: str | None = None  # the feed's own <language> (RSS), xml:lang, JSON Feed


@dataclass(frozen=True)
class Extracted:
    """What a page says about itself. Empty text means: nothing usable."""

    text: str
    title: str | None = None
    author: str | None = None
    published: str | None = None  # ISO 8601, with the page's own offset when it has one
    language: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    description: str | None = None
    paywalled: bool = False  # the page says so (schema.org isAccessibleForFree: false)


@dataclass(frozen=True)
class StoredArticle:
    """A stored article as its story and events are decided from it: the article, its
    outlet, and what its feed entry said (summary, content) for the listing test."""

    id: int
    url: str
    title: str | None
    text: str
    text_hash: str
    published: str | None
    published_utc: str | None
    fetched_at: str
    language: str | None
    story_id: int | None
    outlet: str | None
    summary: str | None = None
    content: str | None = None
