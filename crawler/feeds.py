"""Feed and sitemap bodies → one common list of entries.

One adapter per format (Miniflux's shape): feedparser for RSS 0.9x/1.0/2.0,
Atom and RDF; a small reader for JSON Feed, which feedparser does not speak;
lxml for (news) sitemaps and sitemap indexes. Everything downstream sees only
`Entry` and `Parsed`.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import feedparser
from feedparser.datetimes import _parse_date as _feedparser_date
from lxml import etree

from crawler.store import Entry
from crawler.urls import resolve

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
_ROOT_SNIFF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(urlset|sitemapindex)\b")
_HTML_SNIFF = re.compile(rb"<(?:!doctype\s+html|html)\b", re.IGNORECASE)
# RFC 822 dates written with local month names (UOL: "Seg, 24 Set 2018 19:42:40 -0300").
_LOCAL_MONTHS = {
    "jan": "Jan",
    "janv": "Jan",
    "ene": "Jan",
    "gen": "Jan",
    "jän": "Jan",
    "fev": "Feb",
    "févr": "Feb",
    "fevr": "Feb",
    "feb": "Feb",
    "mar": "Mar",
    "mars": "Mar",
    "mär": "Mar",
    "abr": "Apr",
    "avr": "Apr",
    "apr": "Apr",
    "mai": "May",
    "may": "May",
    "mag": "May",
    "jun": "Jun",
    "juin": "Jun",
    "giu": "Jun",
    "jul": "Jul",
    "juil": "Jul",
    "lug": "Jul",
    "ago": "Aug",
    "août": "Aug",
    "aug": "Aug",
    "set": "Sep",
    "sept": "Sep",
    "sep": "Sep",
    "out": "Oct",
    "okt": "Oct",
    "oct": "Oct",
    "ott": "Oct",
    "nov": "Nov",
    "dez": "Dec",
    "dic": "Dec",
    "déc": "Dec",
    "dec": "Dec",
}
_RFC822_LOCAL = re.compile(r"^(?:[^\W\d]+\.?,\s*)?(\d{1,2})\s+([^\W\d]+)\.?\s+(\d{2,4}\s.*)$")


class FeedError(ValueError):
    """A body that should be a feed or sitemap is not one we can read."""


@dataclass(frozen=True)
class Parsed:
    """What one feed or sitemap body announced."""

    format: str  # e.g. rss20, atom10, rss10, json, sitemap, sitemapindex
    entries: tuple[Entry, ...]
    sitemaps: tuple[str, ...] = ()  # children of a sitemap index
    title: str | None = None
    warning: str | None = None  # feed readable but not well-formed
    ttl: timedelta | None = None  # RSS <ttl>: how long the publisher says it stays fresh


def parse(body: bytes, url: str, content_type: str | None = None) -> Parsed:
    """Detect the format of `body` (fetched from `url`) and read its entries."""
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return _parse_json_feed(body, url)
    if _ROOT_SNIFF.search(head):
        return _parse_sitemap(body, url)
    return _parse_feedparser(body, url, content_type)


def entry_key(guid: str | None, link: str | None, title: str | None, content: str | None) -> str:
    """GUID, else link, else a hash of title and content (Miniflux's identity rule)."""
    if guid and guid.strip():
        return guid.strip()
    if link:
        return link
    digest = hashlib.sha256(f"{title or ''}\x00{content or ''}".encode()).hexdigest()
    return f"sha256:{digest}"


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat(timespec="seconds")


def parse_date(text: str | None) -> datetime | None:
    """RFC 822 or ISO 8601 (W3C-DTF) date text, keeping the source's own offset."""
    if not text or not text.strip():
        return None
    text = text.strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        pass
    local = _RFC822_LOCAL.match(text)
    if local and local.group(2).lower() in _LOCAL_MONTHS:
        english = f"{local.group(1)} {_LOCAL_MONTHS[local.group(2).lower()]} {local.group(3)}"
        try:
            return email.utils.parsedate_to_datetime(english)
        except (TypeError, ValueError, IndexError):
            pass
    parsed = _feedparser_date(text)  # the many odd formats feedparser knows (Portuguese days...)
    return datetime(*parsed[:6], tzinfo=UTC) if parsed else None


# -- feedparser: RSS, Atom, RDF ------------------------------------------------


def _parse_feedparser(body: bytes, url: str, content_type: str | None) -> Parsed:
    # Without a Content-Type feedparser flags every feed as suspect; assume XML.
    headers = {"content-location": url, "content-type": content_type or "application/xml"}
    result = feedparser.parse(body, response_headers=headers, sanitize_html=False)
    problem = result.get("bozo_exception")
    if not result.get("version") and not result.entries:
        if _HTML_SNIFF.search(body[:4096]):
            raise FeedError("the response is an HTML page, not a feed")
        if not body.strip():
            raise FeedError("the response body is empty")
        reason = f": {problem}" if problem else ""
        raise FeedError(f"not a recognisable RSS, Atom, RDF or JSON feed{reason}")
    entries = []
    for item in result.entries:
        link = resolve(item.get("link"), url)
        content = item["content"][0].get("value") if item.get("content") else None
        summary = item.get("summary")
        if not (link or item.get("id") or item.get("title") or content or summary):
            continue  # an empty shell, e.g. the last item of a truncated body
        # dict.get: FeedParserDict.get maps missing keys onto others (with a warning).
        published = parse_date(dict.get(item, "published") or dict.get(item, "updated"))
        if published is None:
            stamp = dict.get(item, "published_parsed") or dict.get(item, "updated_parsed")
            published = datetime(*stamp[:6], tzinfo=UTC) if stamp else None
        entries.append(
            Entry(
                key=entry_key(item.get("id"), link, item.get("title"), content or summary),
                link=link,
                title=item.get("title"),
                author=item.get("author"),
                published=_iso(published),
                summary=summary,
                content=content,
            )
        )
    if problem and not entries:
        raise FeedError(f"malformed feed with no readable entries: {problem}")
    return Parsed(
        format=result.get("version") or "unknown",
        entries=tuple(entries),
        title=result.feed.get("title"),
        warning=str(problem) if problem else None,
        ttl=_ttl(result.feed.get("ttl")),
    )


def _ttl(value: str | None) -> timedelta | None:
    """RSS <ttl> is in minutes; nonsense is ignored rather than trusted."""
    if value is None or not str(value).strip().isdigit():
        return None
    minutes = int(str(value).strip())
    return timedelta(minutes=minutes) if 0 < minutes <= 7 * 24 * 60 else None


# -- JSON Feed ----------------------------------------------------------------


def _parse_json_feed(body: bytes, url: str) -> Parsed:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedError(f"invalid JSON: {exc}") from None
    if not isinstance(data, dict) or "jsonfeed.org/version" not in str(data.get("version", "")):
        raise FeedError("JSON without a jsonfeed.org version: not a JSON Feed")
    items = data.get("items")
    if not isinstance(items, list):
        raise FeedError("JSON Feed without an items list")
    entries = []
    for item in items:
        if not isinstance(item, dict):
            continue
        link = resolve(item.get("url") or item.get("external_url"), url)
        content = item.get("content_html") or item.get("content_text")
        authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
        author = ", ".join(a.get("name", "") for a in authors if isinstance(a, dict)) or None
        entries.append(
            Entry(
                key=entry_key(str(item.get("id") or ""), link, item.get("title"), content),
                link=link,
                title=item.get("title"),
                author=author,
                published=_iso(parse_date(item.get("date_published") or item.get("date_modified"))),
                summary=item.get("summary"),
                content=content,
            )
        )
    return Parsed(format="json", entries=tuple(entries), title=data.get("title"))


# -- sitemaps -----------------------------------------------------------------

_SAFE_XML = dict(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    remove_comments=True,
    recover=False,
)


def _parse_sitemap(body: bytes, url: str) -> Parsed:
    try:
        root = etree.fromstring(body, parser=etree.XMLParser(**_SAFE_XML))
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"malformed sitemap XML: {exc}") from None
    kind = etree.QName(root).localname
    if kind == "sitemapindex":
        children = []
        for loc in root.iter(f"{{{SITEMAP_NS}}}loc", "loc"):
            child = resolve(loc.text, url)
            if child:
                children.append(child)
        return Parsed(format="sitemapindex", entries=(), sitemaps=tuple(children))
    entries = []
    for node in root.iter(f"{{{SITEMAP_NS}}}url", "url"):
        link = resolve(_text(node, "loc"), url)
        if link is None:
            continue
        news = node.find(f"{{{NEWS_NS}}}news")
        title = _text(news, "title", NEWS_NS) if news is not None else None
        published = _text(news, "publication_date", NEWS_NS) if news is not None else None
        published = published or _text(node, "lastmod")
        entries.append(
            Entry(key=link, link=link, title=title, published=_iso(parse_date(published)))
        )
    return Parsed(format="sitemap", entries=tuple(entries))


def _text(node: etree._Element, name: str, ns: str = SITEMAP_NS) -> str | None:
    found = node.find(f"{{{ns}}}{name}")
    if found is None:
        found = node.find(name)
    return found.text.strip() if found is not None and found.text else None
