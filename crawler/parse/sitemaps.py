"""(News) sitemaps and sitemap indexes, read with lxml and no entity, DTD or network
access: a sitemap is XML from a stranger."""

from __future__ import annotations

import re

from lxml import etree

from crawler import untrusted
from crawler.dates import iso_with_offset, parse_date
from crawler.model import Entry, Parsed
from crawler.parse.items import FeedError, make_entry, refused_entry
from crawler.untrusted import Refused
from crawler.urls import resolve

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
ROOT_SNIFF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(urlset|sitemapindex)\b")


def _safe_parser() -> etree.XMLParser:
    """No entities, no network, no DTD, no huge trees: a sitemap is untrusted input."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        recover=False,
    )


def parse_sitemap(body: bytes, url: str) -> Parsed:
    try:
        root = etree.fromstring(body, parser=_safe_parser())
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"malformed sitemap XML: {exc}") from None
    kind = etree.QName(root).localname
    if kind == "sitemapindex":
        children = []
        for loc_node in root.iter(f"{{{SITEMAP_NS}}}loc", "loc"):
            child = resolve(loc_node.text, url)
            if child:
                children.append(child)
            if len(children) >= untrusted.MAX_ENTRIES:
                break
        return Parsed(format="sitemapindex", entries=(), sitemaps=tuple(children))
    entries: list[Entry] = []
    for node in root.iter(f"{{{SITEMAP_NS}}}url", "url"):
        if len(entries) >= untrusted.MAX_ENTRIES:
            break
        loc = _text(node, "loc")
        if resolve(loc, url) is None:
            continue
        news = node.find(f"{{{NEWS_NS}}}news")
        title = _text(news, "title", NEWS_NS) if news is not None else None
        publication = news.find(f"{{{NEWS_NS}}}publication") if news is not None else None
        language = _text(publication, "language", NEWS_NS) if publication is not None else None
        published = _text(news, "publication_date", NEWS_NS) if news is not None else None
        published = (published or _text(node, "lastmod") or "")[: untrusted.MAX_DATE]
        try:
            entry = make_entry(
                guid=None,
                link=loc,
                base=url,
                title=title,
                author=None,
                published=iso_with_offset(parse_date(published)),
                summary=None,
                content=None,
                language=language,
            )
        except Refused as exc:
            entry = refused_entry(loc, str(exc))
        entries.append(entry)
    return Parsed(format="sitemap", entries=tuple(entries))


def _text(node: etree._Element, name: str, ns: str = SITEMAP_NS) -> str | None:
    found = node.find(f"{{{ns}}}{name}")
    if found is None:
        found = node.find(name)
    return found.text.strip() if found is not None and found.text else None
