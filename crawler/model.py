"""Typed values that pass between the stages of a poll: feed state, entries, articles.

They live here, not in storage, so the parsers, the poll's decisions and the stores all
speak the same types without importing one another.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FeedState:
    """A feed's row: what the poller needs to send a conditional request."""

    id: int
    outlet: str
    config_url: str
    url: str
    kind: str
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
