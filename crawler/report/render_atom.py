"""The digest as an Atom feed: one entry per event, for any feed reader to subscribe to.

A feed reader polls on its own schedule, so the feed is a rolling window of the latest
events (`records.select(window=...)`), not only what is new since the last digest: an
entry keeps its id and its `updated` time until its event changes, and readers dedupe
on them. Whether an event is new or updated since the reader's last digest is a
`<category>`, not a reason to drop it.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
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
    event_status,
    ordered_sources,
    safe_url,
    summary_line,
)

if TYPE_CHECKING:
    from lxml import etree  # imported where Atom is built: other formats need not load it

GENERATOR_NAME = "newsmon"


ATOM_NS = "http://www.w3.org/2005/Atom"


ATOM_STATUS_SCHEME = "urn:newsmon:status"


ATOM_MONITOR_SCHEME = "urn:newsmon:monitor"


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
    tz: tzinfo = UTC,
    feed_id: str = "urn:newsmon:digest",
    self_url: str | None = None,
) -> str:
    """The digest as an Atom 1.0 feed, so any feed reader can subscribe to it.

    One entry per event, in the order given (newest activity first). Entry ids are
    stable per event (urn:newsmon:event:<id>), so a reader shows an updated event as
    the same item with a newer <updated>, not as a duplicate. Events new or updated
    since the reader's last digest carry that status as a category; events shown
    again from the window (status EARLIER) carry none.
    """
    from lxml import etree

    groups = by_status(events)
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    atom_child(feed, "id", clean(feed_id))
    atom_child(feed, "title", DIGEST_TITLE)
    atom_child(feed, "subtitle", summary_line(groups, since, more, tz))
    atom_child(feed, "updated", isoformat(generated))
    atom_child(feed, "generator", GENERATOR_NAME, version=__version__)
    if self_url:
        atom_child(feed, "link", rel="self", href=clean(self_url), type="application/atom+xml")
    for event in events:
        atom_entry(feed, event, event_status(event), generated, tz)
    return etree.tostring(feed, xml_declaration=True, encoding="utf-8", pretty_print=True).decode(
        "utf-8"
    )


def atom_entry(
    feed: etree._Element,
    event: dict[str, Any],
    status: str,
    generated: datetime,
    tz: tzinfo = UTC,
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
    if status in STATUSES:
        atom_child(
            entry,
            "category",
            term=status,
            scheme=ATOM_STATUS_SCHEME,
            label=STATUS_HEADINGS[status],
        )
    monitor = clean(event.get("monitor"))
    if monitor:
        atom_child(entry, "category", term=monitor, scheme=ATOM_MONITOR_SCHEME)
    author = atom_child(entry, "author")
    atom_child(author, "name", GENERATOR_NAME)
    atom_child(entry, "content", "\n".join(html_event_body(event, tz)), type="html")
