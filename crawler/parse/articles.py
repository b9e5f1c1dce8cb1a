"""Deciding what an entry's article is: the page's text, or the feed's own.

Pure functions: the spider hands over what it fetched and extracted, and gets
back a record to store (or None when nothing usable exists yet).
"""

from __future__ import annotations

from datetime import UTC

from crawler.clock import isoformat
from crawler.dates import parse_date
from crawler.model import ArticleRecord, Extracted, PendingEntry
from crawler.parse.extract import MIN_WORDS
from crawler.parse.language import language_of
from crawler.text import html_to_text, text_hash, word_count

# Pages say 0001-01-01 or 1970-01-01 when a CMS has no date: a placeholder, not a time.
EARLIEST_PLAUSIBLE_YEAR = 1990


def from_page(
    entry: PendingEntry,
    page: Extracted,
    *,
    url: str,
    fetched_url: str,
    html: bytes | None,
) -> ArticleRecord | None:
    """The article for a fetched page, falling back to the feed's text if the page has none."""
    text, method = page.text, "trafilatura"
    if page.paywalled or word_count(text) < MIN_WORDS:
        fallback = feed_text(entry)
        if fallback is not None and word_count(fallback[0]) > word_count(text):
            text, method = fallback
    if not text.strip():
        return None
    # The feed's time usually carries the zone; the page's may be date-only.
    published = _most_precise(entry.published, page.published)
    return ArticleRecord(
        url=url,
        fetched_url=fetched_url,
        title=page.title or entry.title,
        author=page.author or entry.author,
        published=published,
        published_utc=_utc(published),
        language=page.language if method == "trafilatura" else language_of(text, entry.language),
        site_name=page.site_name,
        description=page.description,
        text=text,
        text_method=method,
        text_hash=text_hash(text),
        html=html,
    )


def from_feed(entry: PendingEntry, *, headline: bool = False) -> ArticleRecord | None:
    """The article as the feed itself tells it, when the page cannot be had. With
    `headline` (an outlet with `fetch_pages: false`, whose pages are never asked for) an
    item that is a headline and a link only is kept as its headline, not dropped."""
    fallback = feed_text(entry)
    if fallback is None and headline and entry.title and entry.title.strip():
        fallback = (entry.title.strip(), "feed_title")
    if fallback is None or entry.link is None:
        return None
    text, method = fallback
    return ArticleRecord(
        url=entry.link,
        fetched_url=None,
        title=entry.title,
        author=entry.author,
        published=entry.published,
        published_utc=_utc(entry.published),
        language=language_of(text, entry.language),
        site_name=None,
        description=None,
        text=text,
        text_method=method,
        text_hash=text_hash(text),
    )


def feed_text(entry: PendingEntry) -> tuple[str, str] | None:
    """The longer of the entry's content and summary, as plain text, with its method."""
    options = [
        (html_to_text(entry.content), "feed_content"),
        (html_to_text(entry.summary), "feed_summary"),
    ]
    text, method = max(options, key=lambda option: word_count(option[0]))
    return (text, method) if text else None


def _most_precise(*candidates: str | None) -> str | None:
    """Prefer a time with a zone, then a time, then a bare date."""

    def rank(text: str) -> int:
        value = parse_date(text)
        if value is None:
            return -1
        return 2 if "T" in text and value.tzinfo is not None else 1 if "T" in text else 0

    present = [c for c in candidates if c]
    return max(present, key=rank) if present else None


def _utc(text: str | None) -> str | None:
    """The UTC instant of a published time; None for placeholders like 0001-01-01."""
    value = parse_date(text)
    if value is None or value.year < EARLIEST_PLAUSIBLE_YEAR:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return isoformat(value)
