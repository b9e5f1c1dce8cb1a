"""Feed and sitemap bodies → one common list of entries.

One adapter per format (Miniflux's shape): feedparser for RSS 0.9x/1.0/2.0,
Atom and RDF (here); a small reader for JSON Feed, which feedparser does not
speak (`jsonfeed`); lxml for (news) sitemaps and sitemap indexes (`sitemaps`).
Everything downstream sees only `Entry` and `Parsed` (`items`).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import feedparser

from crawler import untrusted
from crawler.dates import iso_with_offset, parse_date, utc_from_struct
from crawler.model import Parsed
from crawler.parse.items import FeedError, make_entry, refused_entry
from crawler.parse.jsonfeed import parse_json_feed
from crawler.parse.language import primary
from crawler.parse.sitemaps import ROOT_SNIFF, parse_sitemap
from crawler.untrusted import Refused

__all__ = ["FeedError", "Parsed", "parse"]

_HTML_SNIFF = re.compile(rb"<(?:!doctype\s+html|html)\b", re.IGNORECASE)
# A character reference XML forbids (a surrogate, NUL, past U+10FFFF): expat refuses the
# document, and feedparser's fallback parser then crashed on it, losing the whole feed.
_CHARREF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,16})|([0-9]{1,20}));")


def parse(body: bytes, url: str, content_type: str | None = None) -> Parsed:
    """Detect the format of `body` (fetched from `url`) and read its entries."""
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return parse_json_feed(body, url)
    if ROOT_SNIFF.search(head):
        return parse_sitemap(body, url)
    return _parse_feedparser(body, url, content_type)


def _legal_charrefs(body: bytes) -> bytes:
    """Character references XML forbids become U+FFFD's, so the item keeps its other text."""

    def replace(match: re.Match[bytes]) -> bytes:
        digits = match.group(1) or match.group(2)
        code = int(digits, 16 if match.group(1) else 10)
        if code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0x10FFFF:
            return match.group(0)
        return b"&#xFFFD;"

    return _CHARREF.sub(replace, body) if b"&#" in body else body


def _parse_feedparser(body: bytes, url: str, content_type: str | None) -> Parsed:
    # Without a Content-Type feedparser flags every feed as suspect; assume XML.
    headers = {"content-location": url, "content-type": content_type or "application/xml"}
    try:
        result = feedparser.parse(
            _legal_charrefs(body), response_headers=headers, sanitize_html=False
        )
    except (ValueError, TypeError, LookupError, RecursionError) as exc:
        # feedparser's fallback parser has crashed on input no feed should hold
        raise FeedError(f"unreadable feed: {type(exc).__name__}: {exc}") from None
    problem = result.get("bozo_exception")
    if not result.get("version") and not result.entries:
        if _HTML_SNIFF.search(body[:4096]):
            raise FeedError("the response is an HTML page, not a feed")
        if not body.strip():
            raise FeedError("the response body is empty")
        reason = f": {problem}" if problem else ""
        raise FeedError(f"not a recognisable RSS, Atom, RDF or JSON feed{reason}")
    language = result.feed.get("language")  # RSS <language>, Atom xml:lang
    entries = []
    for item in result.entries[: untrusted.MAX_ENTRIES]:
        content = item["content"][0].get("value") if item.get("content") else None
        summary = item.get("summary")
        if not (item.get("link") or item.get("id") or item.get("title") or content or summary):
            continue  # an empty shell, e.g. the last item of a truncated body
        try:
            entries.append(
                make_entry(
                    guid=item.get("id"),
                    link=item.get("link"),
                    base=url,
                    title=item.get("title"),
                    author=item.get("author"),
                    published=_feedparser_published(item),
                    summary=summary,
                    content=content,
                    language=dict.get(item, "language") or language,
                )
            )
        except Refused as exc:
            entries.append(refused_entry(dict(item), str(exc)))
    if problem and not entries:
        raise FeedError(f"malformed feed with no readable entries: {problem}")
    return Parsed(
        format=result.get("version") or "unknown",
        entries=tuple(entries),
        title=untrusted.lenient_text(result.feed.get("title"), untrusted.MAX_NAME),
        warning=str(problem)[:500] if problem else None,
        ttl=_ttl(result.feed.get("ttl")),
        language=primary(language) if isinstance(language, str) else None,
    )


def _feedparser_published(item: dict[str, Any]) -> str | None:
    # dict.get: FeedParserDict.get maps missing keys onto others (with a warning).
    text = dict.get(item, "published") or dict.get(item, "updated")
    published = parse_date(text) if isinstance(text, str) else None
    if published is None:
        stamp = dict.get(item, "published_parsed") or dict.get(item, "updated_parsed")
        published = utc_from_struct(stamp) if stamp else None
    return iso_with_offset(published)


def _ttl(value: str | None) -> timedelta | None:
    """RSS <ttl> is in minutes; nonsense is ignored rather than trusted."""
    if value is None or not str(value).strip().isdigit():
        return None
    minutes = int(str(value).strip())
    return timedelta(minutes=minutes) if 0 < minutes <= 7 * 24 * 60 else None
