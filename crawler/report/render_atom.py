"""The digest as an Atom feed: one entry per event, for any feed reader to subscribe to."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from crawler import __version__
from crawler.clock import isoformat, parse_instant
from crawler.report.render_html import html_event_body
from crawler.report.wording import (
    DIGEST_TITLE,
    STATUS_HEADINGS,
    STATUSES,
    UNTITLED,
    by_status,
    clean,
    ordered_sources,
    safe_url,
    summary_line,
)

if TYPE_CHECKING:
    from lxml import etree  # imported where Atom is built: other formats need not load it

GENERATOR_NAME = "newsmon"


ATOM_NS = "http://www.w3.org/2005/Atom"


ATOM_STATUS_SCHEME = "urn:newsmon:status"


EVENT_ID_PREFIX = "urn:newsmon:event:"


def atom_time(value: Any, fallback: datetime) -> str:
    """An RFC 3339 UTC timestamp; Atom requires one, so bad input falls back."""
    try:
        return isoformat(parse_instant(str(value)))
    except ValueError:
        return isoformat(fallback)


def atom_child(
    parent: etree._Element, tag: str, text: str | None = None, **attrs: str
) -> etree._Element:
    """Append one Atom element; lxml does all escaping."""
    from lxml import etree

    element = etree.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def render_atom(
    events: list[dict[str, Any]],
    *,
    since: datetime,
    generated: datetime,
    more: int = 0,
    feed_id: str = "urn:newsmon:digest",
    self_url: str | None = None,
) -> str:
    """The digest as an Atom 1.0 feed, so any feed reader can subscribe to it.

    Entry ids are stable per event (urn:newsmon:event:<id>), so a reader shows an
    updated event as the same item with a newer <updated>, not as a duplicate.
    """
    from lxml import etree

    groups = by_status(events)
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    atom_child(feed, "id", clean(feed_id))
    atom_child(feed, "title", DIGEST_TITLE)
    atom_child(feed, "subtitle", summary_line(groups, since, more))
    atom_child(feed, "updated", isoformat(generated))
    atom_child(feed, "generator", GENERATOR_NAME, version=__version__)
    if self_url:
        atom_child(feed, "link", rel="self", href=clean(self_url), type="application/atom+xml")
    for status in STATUSES:
        for event in groups[status]:
            atom_entry(feed, event, status, generated)
    return etree.tostring(feed, xml_declaration=True, encoding="utf-8", pretty_print=True).decode(
        "utf-8"
    )


def atom_entry(
    feed: etree._Element, event: dict[str, Any], status: str, generated: datetime
) -> None:
    entry = atom_child(feed, "entry")
    atom_child(entry, "id", f"{EVENT_ID_PREFIX}{clean(event.get('id'))}")
    atom_child(entry, "title", clean(event.get("title")) or UNTITLED, type="text")
    atom_child(entry, "updated", atom_time(event.get("last_updated"), generated))
    atom_child(entry, "published", atom_time(event.get("first_seen"), generated))
    link = next(
        (url for url in map(safe_url, (a.get("url") for a in ordered_sources(event))) if url),
        None,
    )
    if link is not None:
        atom_child(entry, "link", rel="alternate", href=link, type="text/html")
    atom_child(
        entry, "category", term=status, scheme=ATOM_STATUS_SCHEME, label=STATUS_HEADINGS[status]
    )
    author = atom_child(entry, "author")
    atom_child(author, "name", GENERATOR_NAME)
    atom_child(entry, "content", "\n".join(html_event_body(event)), type="html")
