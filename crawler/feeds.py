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

from crawler import untrusted
from crawler.store import Entry
from crawler.untrusted import Refused
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
# A character reference XML forbids (a surrogate, NUL, past U+10FFFF): expat refuses the
# document, and feedparser's fallback parser then crashed on it, losing the whole feed.
_CHARREF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,16})|([0-9]{1,20}));")


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
    """GUID, else link, else a hash of title and content (Miniflux's identity rule);
    a key longer than `untrusted.MAX_KEY` is kept as its hash."""
    if guid and guid.strip():
        return untrusted.key(guid.strip())
    if link:
        return untrusted.key(link)
    text = f"{title or ''}\x00{content or ''}"
    digest = hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()
    return f"sha256:{digest}"


def _link(value: object, base: str) -> str | None:
    """An item's link, resolved; None when it is not an http(s) URL. Links too long to
    keep are refused (links too long to request are kept: the spider records them)."""
    link = resolve(untrusted.text(value, "link", untrusted.MAX_STORED_URL + 1), base)
    if link is not None and len(link) > untrusted.MAX_STORED_URL:
        raise Refused(f"link is over {untrusted.MAX_STORED_URL:,} characters long")
    return link


def _entry(
    *,
    guid: object,
    link: object,
    base: str,
    title: object,
    author: str | None,
    published: str | None,
    summary: object,
    content: object,
) -> Entry:
    """One item in the common model, every field typed and cut to size (`untrusted`)."""
    resolved = _link(link, base)
    title_text = untrusted.text(title, "title", untrusted.MAX_TITLE)
    summary_text = untrusted.text(summary, "summary", untrusted.MAX_SUMMARY)
    content_text = untrusted.text(content, "content", untrusted.MAX_CONTENT)
    return Entry(
        key=entry_key(
            untrusted.identifier(guid, "id"), resolved, title_text, content_text or summary_text
        ),
        link=resolved,
        title=title_text,
        author=untrusted.text(author, "author", untrusted.MAX_NAME),
        published=published,
        summary=summary_text,
        content=content_text,
    )


def _refused(item: object, reason: str) -> Entry:
    """An item newsmon cannot use, kept as a failed entry so the feed's record says why.

    Its key is a hash of the item itself: the same bad item is recorded once, and a
    corrected item (other content, same GUID) is a new entry that gets fetched.
    """
    try:
        raw = json.dumps(item, sort_keys=True, ensure_ascii=True, default=repr)
    except (TypeError, ValueError, RecursionError):
        raw = repr(type(item))
    digest = hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()
    return Entry(key=f"refused:{digest}", link=None, problem=reason)


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat(timespec="seconds")


def parse_date(text: str | None) -> datetime | None:
    """RFC 822 or ISO 8601 (W3C-DTF) date text, keeping the source's own offset."""
    if not text or not text.strip() or len(text) > untrusted.MAX_DATE:
        return None  # no date is that long: the regexes below need not read it
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
    entries = []
    for item in result.entries[: untrusted.MAX_ENTRIES]:
        content = item["content"][0].get("value") if item.get("content") else None
        summary = item.get("summary")
        if not (item.get("link") or item.get("id") or item.get("title") or content or summary):
            continue  # an empty shell, e.g. the last item of a truncated body
        try:
            entries.append(
                _entry(
                    guid=item.get("id"),
                    link=item.get("link"),
                    base=url,
                    title=item.get("title"),
                    author=item.get("author"),
                    published=_feedparser_published(item),
                    summary=summary,
                    content=content,
                )
            )
        except Refused as exc:
            entries.append(_refused(dict(item), str(exc)))
    if problem and not entries:
        raise FeedError(f"malformed feed with no readable entries: {problem}")
    return Parsed(
        format=result.get("version") or "unknown",
        entries=tuple(entries),
        title=untrusted.lenient_text(result.feed.get("title"), untrusted.MAX_NAME),
        warning=str(problem)[:500] if problem else None,
        ttl=_ttl(result.feed.get("ttl")),
    )


def _feedparser_published(item: dict) -> str | None:
    # dict.get: FeedParserDict.get maps missing keys onto others (with a warning).
    text = dict.get(item, "published") or dict.get(item, "updated")
    published = parse_date(text) if isinstance(text, str) else None
    if published is None:
        stamp = dict.get(item, "published_parsed") or dict.get(item, "updated_parsed")
        published = datetime(*stamp[:6], tzinfo=UTC) if stamp else None
    return _iso(published)


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
    except RecursionError:
        raise FeedError("invalid JSON: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise FeedError(f"invalid JSON: {str(exc)[:200]}") from None
    if (
        not isinstance(data, dict)
        or "jsonfeed.org/version" not in str(data.get("version", ""))[:200]
    ):
        raise FeedError("JSON without a jsonfeed.org version: not a JSON Feed")
    items = data.get("items")
    if not isinstance(items, list):
        raise FeedError("JSON Feed without an items list")
    entries = []
    for item in items[: untrusted.MAX_ENTRIES]:
        try:
            entries.append(_json_entry(item, url))
        except Refused as exc:
            entries.append(_refused(item, str(exc)))
    return Parsed(
        format="json",
        entries=tuple(entries),
        title=untrusted.lenient_text(data.get("title"), untrusted.MAX_NAME),
    )


def _json_entry(item: object, url: str) -> Entry:
    """One JSON Feed item; any field of the wrong type refuses the item (`Refused`)."""
    if not isinstance(item, dict):
        raise Refused(f"the item is {untrusted.kind(item)}, not an object")
    link = item.get("url") or item.get("external_url")
    content = item.get("content_html") or item.get("content_text")
    authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
    if not isinstance(authors, list):
        raise Refused(f"authors is {untrusted.kind(authors)}, not a list")
    names = [
        untrusted.text(a.get("name"), "author name", untrusted.MAX_NAME) or ""
        for a in authors[:20]
        if isinstance(a, dict)
    ]
    date = item.get("date_published") or item.get("date_modified")
    date_text = untrusted.text(date, "date_published", untrusted.MAX_DATE)
    return _entry(
        guid=item.get("id"),
        link=link,
        base=url,
        title=item.get("title"),
        author=", ".join(name for name in names if name) or None,
        published=_iso(parse_date(date_text)),
        summary=item.get("summary"),
        content=content,
    )


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
            if len(children) >= untrusted.MAX_ENTRIES:
                break
        return Parsed(format="sitemapindex", entries=(), sitemaps=tuple(children))
    entries = []
    for node in root.iter(f"{{{SITEMAP_NS}}}url", "url"):
        if len(entries) >= untrusted.MAX_ENTRIES:
            break
        loc = _text(node, "loc")
        if resolve(loc, url) is None:
            continue
        news = node.find(f"{{{NEWS_NS}}}news")
        title = _text(news, "title", NEWS_NS) if news is not None else None
        published = _text(news, "publication_date", NEWS_NS) if news is not None else None
        published = (published or _text(node, "lastmod") or "")[: untrusted.MAX_DATE]
        try:
            entry = _entry(
                guid=None,
                link=loc,
                base=url,
                title=title,
                author=None,
                published=_iso(parse_date(published)),
                summary=None,
                content=None,
            )
        except Refused as exc:
            entry = _refused(loc, str(exc))
        entries.append(entry)
    return Parsed(format="sitemap", entries=tuple(entries))


def _text(node: etree._Element, name: str, ns: str = SITEMAP_NS) -> str | None:
    found = node.find(f"{{{ns}}}{name}")
    if found is None:
        found = node.find(name)
    return found.text.strip() if found is not None and found.text else None
