"""Digests: what newsmon found, as data first, then rendered.

`select` gathers events with their sources into plain dicts, from one
snapshot and relative to a reader's cursor; renderers only format. The JSON
form is a documented, stable schema (see README, "Digest JSON"): fields may
be added, never renamed or removed.
"""

from __future__ import annotations

import html
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import sqlite_utils

from crawler import __version__, store, untrusted
from crawler.clock import isoformat, parse_instant

if TYPE_CHECKING:
    from lxml import etree  # imported where Atom is built: other formats need not load it

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Selection:
    """What one digest shows, and the change sequence it covers."""

    events: list[dict[str, Any]]  # event records, each with "status": new | updated
    since: datetime
    covers: int  # the reader's cursor after this digest
    more: int = 0  # events that matched but did not fit in `limit`


def select(
    db: sqlite_utils.Database,
    *,
    now: datetime,
    reader: str | None = None,
    since: datetime | None = None,
    monitor: str | None = None,
    limit: int = 500,
) -> Selection:
    """The events a digest shows, read from one snapshot of the database.

    With a reader, the changes after its cursor, oldest first, at most `limit`;
    a reader new to this database, or asking `since` a time, starts at the first
    change to an event updated since then (default: the last 24 hours), so its
    first digest pages like every other and the cursor never jumps past events
    it did not show. Without a reader, everything seen or updated since `since`.
    The highest change and the events are read inside one read transaction, so
    an event committed while the digest is produced has a higher sequence than
    `covers` and appears in the next digest: none is skipped, none shown twice.
    (Two digests of one reader at once take turns: `lock.reader_lock`.)
    """
    with store.db.snapshot(db):
        covers = store.readers.latest_change(db)
        cursor = store.readers.reader_cursor(db, reader) if reader else None
        more = 0  # counted only when a full page leaves some out
        if reader is not None:
            if since is None and cursor is not None:
                start = cursor
                since = parse_instant(store.readers.reader_updated(db, reader))
            else:
                since = since or default_since(now)
                start = store.readers.change_before(db, isoformat(since), monitor, covers)
            # Oldest changes first, and the cursor moves only past what is shown: a reader
            # far behind (after a reprocess, or weeks away) gets the rest next time.
            rows = store.readers.events_changed(db, start, covers, monitor, limit)
            if len(rows) == limit:
                latest, covers = covers, rows[-1]["change_seq"]
                more = store.readers.count_events_changed(db, covers, latest, monitor)
            rows.reverse()  # shown newest first
            fresh = [row["created_seq"] > start for row in rows]
        else:
            since = since or default_since(now)
            stamp = isoformat(since)
            rows = store.events.list_events(
                db, monitor=monitor, since=stamp, upto=covers, limit=limit
            )
            if len(rows) == limit:
                total = store.events.count_events(db, monitor=monitor, since=stamp, upto=covers)
                more = total - limit
            fresh = [row["first_seen"] >= stamp for row in rows]
        members = store.events.members_of_events(db, [row["id"] for row in rows])
        records = [
            {**event_record(db, row, members[row["id"]]), "status": "new" if new else "updated"}
            for row, new in zip(rows, fresh, strict=True)
        ]
    return Selection(records, since, covers, more=more)


def event_record(
    db: sqlite_utils.Database,
    row: dict[str, Any],
    members: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """An event as the digest shows it; `members` when the caller already read them."""
    if members is None:
        members = store.events.event_members(db, row["id"])
    return {
        "id": row["id"],
        "monitor": row["monitor"],
        "kind": row["kind"],
        "title": row["title"],
        "event_time": row.get("time_point")
        or event_instant(row["time_start"], row["time_end"], row["precision"]),
        "event_time_start": row["time_start"],
        "event_time_end": row["time_end"],
        "event_time_precision": row["precision"],
        "first_seen": row["first_seen"],
        "last_updated": row["last_updated"],
        "facts": row["facts"],
        "fact_sources": row["fact_sources"],
        "fact_evidence": fact_evidence(row["facts"], members),
        "article_count": row["article_count"],
        "outlet_count": row["outlet_count"],
        "articles": [
            {
                "id": m["article_id"],
                "url": m["url"],
                "outlet": m["outlet"],
                "title": m["title"],
                "published": m["published"],
                "copy_of": m["copy_of"],
                "copy_relation": m["copy_relation"],
                "role": m.get("role"),
                "evidence": m.get("evidence"),
            }
            for m in members
        ],
    }


def fact_evidence(
    facts: dict[str, Any], members: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """For each shown fact, the sentence of the earliest source that stated it."""
    found: dict[str, dict[str, Any]] = {}
    for m in members:
        stated = json.loads(m.get("facts") or "{}")
        sentences = json.loads(m.get("fact_evidence") or "{}")
        for key, value in facts.items():
            if key in found or key not in sentences:
                continue
            given = stated.get(key)
            if given == value or (
                isinstance(value, list)
                and isinstance(given, list)
                and set(map(str, given)) & set(map(str, value))
            ):
                found[key] = {"article": m["article_id"], "sentence": sentences[key]}
    return found


def event_instant(start: str, end: str, precision: str) -> str:
    """One instant for an interval (events stored before `time_point` existed): its
    middle, or its end when the reports named no time at all (shortly before the
    earliest report)."""
    low, high = parse_instant(start), parse_instant(end)
    if precision == "days":
        return end
    return isoformat(low + (high - low) / 2)


def render_json(
    events: list[dict[str, Any]], *, since: datetime, generated: datetime, more: int = 0
) -> str:
    document = {
        "schema_version": SCHEMA_VERSION,
        "generated": isoformat(generated),
        "since": isoformat(since),
        "more_events": more,
        "events": events,
    }
    return json.dumps(untrusted.for_output(document), indent=2, ensure_ascii=False)


def default_since(now: datetime) -> datetime:
    return now - timedelta(days=1)


# --- Human-readable renderers ------------------------------------------------
#
# Every renderer below reads the same records `collect` builds (plus the optional
# "status" key the caller sets) and treats every string in them as hostile: titles,
# outlets and URLs come straight from third-party feeds.

FORMATS = ("text", "markdown", "json", "html", "atom")
STATUSES = ("new", "updated")  # section order, too: new events first
STATUS_HEADINGS = {"new": "New events", "updated": "Updated events"}
DEFAULT_STATUS = "new"
TEXT_MAX_SOURCES = 5  # a terminal digest must stay skimmable; the rest is "+N more"
SAFE_URL_SCHEMES = ("http", "https")
DIGEST_TITLE = "newsmon digest"
GENERATOR_NAME = "newsmon"
ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_STATUS_SCHEME = "urn:newsmon:status"
EVENT_ID_PREFIX = "urn:newsmon:event:"
UNTITLED = "(untitled)"

# Bidi embeddings/overrides/isolates (U+202A-U+202E, U+2066-U+2069) and the
# invisible direction marks: any of them lets a title reorder the text around it.
BIDI_CONTROLS = frozenset([0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])
# Line breaks and tabs inside a value would break the one-value-per-line layouts;
# they become spaces instead of vanishing so words do not run together.
SPACE_LIKE = frozenset([0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029])
# Markdown punctuation that can start emphasis, links, code, headings, lists,
# tables, HTML or entities. CommonMark lets any ASCII punctuation be backslash-escaped.
MARKDOWN_SPECIAL = frozenset("\\`*_{}[]()#+-.!|<>~&")
# RFC 3986 reserved and unreserved characters, plus "%" so existing escapes survive.
URL_SAFE = ";/?:@&=+$,-_.!~*'()#[]%"
# Characters that may stay unencoded in a Markdown link destination: parentheses,
# angle brackets, spaces, quotes and backslashes could end or bend the destination.
MARKDOWN_URL_SAFE = ";/?:@&=+$,-_.!~*#%[]"

HTML_STYLE = """
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222;
       background: #fafafa; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; }
header p, .when { color: #555; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { border-bottom: 2px solid #ddd; padding-bottom: .2rem; margin-top: 2rem; }
article { background: #fff; border: 1px solid #e3e3e3; border-radius: 6px;
          padding: .6rem 1rem; margin: 1rem 0; }
article.updated { border-left: 4px solid #d08c00; }
article.new { border-left: 4px solid #2a7ae2; }
h3 { font-size: 1.1rem; margin: .3rem 0; }
.eid { color: #888; font-weight: normal; }
table.facts { border-collapse: collapse; margin: .4rem 0; }
table.facts th, table.facts td { text-align: left; padding: .15rem .6rem .15rem 0;
                                 vertical-align: top; border-bottom: 1px solid #eee; }
table.facts th { color: #555; font-weight: 600; }
ul.sources { padding-left: 1.2rem; margin: .4rem 0; }
.meta { color: #666; font-size: .9em; }
a { color: #1a5fb4; }
""".strip()


def clean(value: Any) -> str:
    """`value` as text that cannot steer a terminal, reorder a line, or break XML.

    Drops control characters (C0, DEL, C1: ESC sequences move the cursor and
    recolour), bidi controls (U+202E renders a title backwards), lone surrogates and
    the noncharacters U+FFFE/U+FFFF (unencodable or illegal in XML 1.0). What is
    left is legal XML 1.0 character data, so the Atom feed can use it as is.
    """
    if value is None:
        return ""
    out = []
    for char in str(value):
        code = ord(char)
        if code in SPACE_LIKE:
            out.append(" ")
        elif (
            code < 0x20
            or 0x7F <= code <= 0x9F
            or code in BIDI_CONTROLS
            or 0xD800 <= code <= 0xDFFF
            or code in (0xFFFE, 0xFFFF)
        ):
            continue
        else:
            out.append(char)
    return "".join(out).strip()


def event_status(event: dict[str, Any]) -> str:
    """The record's "status", "new" when absent; anything else is a caller bug."""
    status = event.get("status") or DEFAULT_STATUS
    if status not in STATUSES:
        raise ValueError(f"event {event.get('id')!r}: status must be one of {STATUSES}")
    return status


def by_status(events: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Events per status, in STATUSES order, each keeping the caller's order."""
    groups: dict[str, list[dict[str, Any]]] = {status: [] for status in STATUSES}
    for event in events:
        groups[event_status(event)].append(event)
    return groups


def safe_url(url: Any) -> str | None:
    """`url` if it is an absolute http(s) URL, else None: only those become links.

    javascript:, data: and relative URLs never get an href; cleaning first means
    "java\\tscript:" cannot slip past the scheme check. Spaces and other characters
    a URI may not hold are percent-encoded, so the result is a valid Atom href too.
    """
    text = clean(url)
    if not text:
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in SAFE_URL_SCHEMES or not parts.netloc:
        return None
    return quote(text, safe=URL_SAFE)


def plural(count: Any, noun: str) -> str:
    """ "1 outlet", "3 outlets": counts come from the database, text from here."""
    number = count if isinstance(count, int) else 0
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def format_instant(value: Any) -> str:
    """An ISO instant as "YYYY-MM-DD HH:MM UTC"; unparsable text is shown cleaned."""
    try:
        return parse_instant(str(value)).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return clean(value)


def format_published(value: Any) -> str:
    """A source's publication time in its own offset, as the README promises it is kept."""
    try:
        moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        return clean(value)
    return moment.isoformat(sep=" ", timespec="minutes")


def describe_when(event: dict[str, Any]) -> str:
    """When it happened, as precisely as the reports allow, always in UTC.

    Clock-time precisions give one instant; coarser ones give the interval, never just
    its start, because a "day" in the reporter's zone straddles two UTC dates and "no
    time named" is a span of two days.
    """
    precision = clean(event.get("event_time_precision")) or "unknown"
    label = {"days": "no report names the time", "part_of_day": "part of day"}.get(
        precision, precision
    )
    try:
        instant = parse_instant(str(event.get("event_time")))
    except ValueError:
        return f"{clean(event.get('event_time')) or 'unknown time'} ({label})"
    if precision == "minute":
        return f"{instant:%Y-%m-%d %H:%M} UTC ({label})"
    if precision == "hour":
        return f"around {instant:%Y-%m-%d %H:%M} UTC ({label})"
    try:
        start = parse_instant(str(event.get("event_time_start")))
        end = parse_instant(str(event.get("event_time_end")))
    except ValueError:
        return f"{instant:%Y-%m-%d %H:%M} UTC ({label})"
    if start.date() == end.date():
        return f"between {start:%Y-%m-%d %H:%M} and {end:%H:%M} UTC ({label})"
    return f"between {start:%Y-%m-%d %H:%M} and {end:%Y-%m-%d %H:%M} UTC ({label})"


def describe_counts(event: dict[str, Any]) -> str:
    outlets = plural(event.get("outlet_count"), "outlet")
    return f"{outlets}, {plural(event.get('article_count'), 'article')}"


def fact_value(value: Any) -> str:
    """A fact as one line: lists comma-joined, nested mappings as key=value."""
    if isinstance(value, list | tuple):
        return ", ".join(fact_value(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{clean(k)}={fact_value(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return clean(value)


def fact_items(event: dict[str, Any]) -> list[tuple[str, str]]:
    """(key, value) pairs to show, skipping empty values that would only add noise."""
    facts = event.get("facts") or {}
    if not isinstance(facts, dict):
        return []
    items = [(clean(key), fact_value(value)) for key, value in facts.items()]
    return [(key, value) for key, value in items if key and value]


def role_note(article: dict[str, Any]) -> str:
    """ " (confirmation)": what a source is to its event; plain reports say nothing."""
    role = clean(article.get("role"))
    return f" ({role})" if role and role != "report" else ""


def ordered_sources(event: dict[str, Any]) -> list[dict[str, Any]]:
    """Original reports before syndicated copies, so the first few are distinct voices."""
    articles = [a for a in event.get("articles") or [] if isinstance(a, dict)]
    return sorted(articles, key=lambda article: article.get("copy_of") is not None)


def summary_line(groups: dict[str, list[dict[str, Any]]], since: datetime, more: int) -> str:
    line = (
        f"{len(groups['new'])} new, {len(groups['updated'])} updated "
        f"since {format_instant(isoformat(since))}"
    )
    if more:
        line += f"; {plural(more, 'more event')} not shown (the next digest continues)"
    return line


def render_text(
    events: list[dict[str, Any]], *, since: datetime, generated: datetime, more: int = 0
) -> str:
    """A terminal digest to read at a glance: header, then new events, then updates.

    Every value goes through `clean`, so a feed cannot put escape sequences or bidi
    overrides on the reader's terminal.
    """
    groups = by_status(events)
    lines = [
        f"{DIGEST_TITLE}: {summary_line(groups, since, more)} "
        f"(generated {format_instant(isoformat(generated))})"
    ]
    for status in STATUSES:
        if not groups[status]:
            continue
        heading = f"{STATUS_HEADINGS[status]} ({len(groups[status])})"
        lines += ["", heading, "=" * len(heading)]
        for event in groups[status]:
            lines += ["", *text_event(event)]
    if not events:
        lines += ["", "No new or updated events."]
    return "\n".join(lines) + "\n"


def text_event(event: dict[str, Any]) -> list[str]:
    indent = "    "
    lines = [
        f"[{clean(event.get('id'))}] {clean(event.get('title')) or UNTITLED}",
        f"{indent}{describe_when(event)} · {describe_counts(event)}",
    ]
    facts = fact_items(event)
    if facts:
        lines.append(indent + "; ".join(f"{key}: {value}" for key, value in facts))
    sources = ordered_sources(event)
    for article in sources[:TEXT_MAX_SOURCES]:
        outlet = clean(article.get("outlet")) or "unknown outlet"
        lines.append(
            f"{indent}- {outlet}: {clean(article.get('title')) or UNTITLED}{role_note(article)}"
        )
    if len(sources) > TEXT_MAX_SOURCES:
        lines.append(f"{indent}+{len(sources) - TEXT_MAX_SOURCES} more")
    return lines


def md(value: Any) -> str:
    """Cleaned text with every Markdown special character backslash-escaped.

    So a title can be read, but never become a link, image, heading, emphasis or
    raw HTML in whatever renders the Markdown.
    """
    return "".join("\\" + char if char in MARKDOWN_SPECIAL else char for char in clean(value))


def md_source(article: dict[str, Any]) -> str:
    """`[title](url) — outlet, published`; a non-http(s) URL stays unlinked text."""
    title = md(article.get("title")) or md(UNTITLED)
    url = safe_url(article.get("url"))
    details = [md(article.get("outlet")) or "unknown outlet"]
    if article.get("published"):
        details.append(md(format_published(article["published"])))
    if role_note(article):
        details.append(md(role_note(article).strip(" ()")))
    if url is not None:
        return f"[{title}]({quote(url, safe=MARKDOWN_URL_SAFE)}) — {', '.join(details)}"
    line = f"{title} — {', '.join(details)}"
    raw = clean(article.get("url"))
    return f"{line} \\(unlinked: {md(raw)}\\)" if raw else line


def render_markdown(
    events: list[dict[str, Any]], *, since: datetime, generated: datetime, more: int = 0
) -> str:
    """The digest as Markdown, for chat, mail or a wiki: all data escaped, no raw HTML."""
    groups = by_status(events)
    lines = [
        f"# {DIGEST_TITLE}",
        "",
        f"{md(summary_line(groups, since, more))} \\(generated "
        f"{md(format_instant(isoformat(generated)))}\\)",
    ]
    if not events:
        lines += ["", "No new or updated events\\."]
    for status in STATUSES:
        if not groups[status]:
            continue
        lines += ["", f"## {STATUS_HEADINGS[status]} \\({len(groups[status])}\\)"]
        for event in groups[status]:
            lines += [
                "",
                f"### \\[{md(event.get('id'))}\\] {md(event.get('title')) or md(UNTITLED)}",
                "",
                f"{md(describe_when(event))} · {md(describe_counts(event))}",
            ]
            facts = fact_items(event)
            if facts:
                lines.append("")
                lines += [f"- **{md(key)}:** {md(value)}" for key, value in facts]
            sources = ordered_sources(event)
            if sources:
                lines += ["", "Sources:", ""]
                lines += [f"- {md_source(article)}" for article in sources]
    return "\n".join(lines) + "\n"


def h(value: Any) -> str:
    """Cleaned text escaped for HTML element content and quoted attributes."""
    return html.escape(clean(value), quote=True)


def html_source(article: dict[str, Any]) -> str:
    """One source list item; only http(s) URLs become links, and they leak no opener."""
    title = h(article.get("title")) or UNTITLED
    url = safe_url(article.get("url"))
    if url is not None:
        title = f'<a href="{html.escape(url, quote=True)}" rel="noopener noreferrer">{title}</a>'
    else:
        raw = clean(article.get("url"))
        if raw:
            title += f' <span class="meta">(unlinked: {h(raw)})</span>'
    details = [h(article.get("outlet")) or "unknown outlet"]
    if article.get("published"):
        details.append(h(format_published(article["published"])))
    if role_note(article):
        details.append(h(role_note(article).strip(" ()")))
    copy = ' <span class="meta">(copy)</span>' if article.get("copy_of") is not None else ""
    return f"<li>{title} — {', '.join(details)}{copy}</li>"


def html_event_body(event: dict[str, Any]) -> list[str]:
    """Facts table and source list: shared by the HTML page and the Atom content."""
    parts = [f'<p class="when">{h(describe_when(event))} · {h(describe_counts(event))}</p>']
    facts = fact_items(event)
    if facts:
        parts.append('<table class="facts">')
        parts += [f"<tr><th>{h(key)}</th><td>{h(value)}</td></tr>" for key, value in facts]
        parts.append("</table>")
    sources = ordered_sources(event)
    if sources:
        parts.append('<ul class="sources">')
        parts += [html_source(article) for article in sources]
        parts.append("</ul>")
    return parts


def render_html(
    events: list[dict[str, Any]], *, since: datetime, generated: datetime, more: int = 0
) -> str:
    """One self-contained HTML5 page: inline CSS, no scripts, no external resources.

    The Content-Security-Policy forbids scripts and remote loads as a second line of
    defence should an escaping bug ever let markup through.
    """
    groups = by_status(events)
    title = f"{DIGEST_TITLE} since {format_instant(isoformat(since))}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="referrer" content="no-referrer">',
        f"<title>{h(title)}</title>",
        f"<style>\n{HTML_STYLE}\n</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{h(DIGEST_TITLE)}</h1>",
        f"<p>{h(summary_line(groups, since, more))} "
        f"(generated {h(format_instant(isoformat(generated)))})</p>",
        "</header>",
    ]
    if not events:
        parts.append("<p>No new or updated events.</p>")
    for status in STATUSES:
        if not groups[status]:
            continue
        parts += [
            f'<section class="{status}">',
            f"<h2>{h(STATUS_HEADINGS[status])} ({len(groups[status])})</h2>",
        ]
        for event in groups[status]:
            parts += [
                f'<article class="{status}">',
                f'<h3><span class="eid">[{h(event.get("id"))}]</span> '
                f"{h(event.get('title')) or UNTITLED}</h3>",
                *html_event_body(event),
                "</article>",
            ]
        parts.append("</section>")
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


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


RENDERERS = {
    "text": render_text,
    "markdown": render_markdown,
    "json": render_json,
    "html": render_html,
    "atom": render_atom,
}


def render(
    fmt: str, events: list[dict[str, Any]], *, since: datetime, generated: datetime, more: int = 0
) -> str:
    """Render `events` in one of FORMATS; the CLI's --format maps straight onto this."""
    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown digest format {fmt!r}; choose one of {FORMATS}") from None
    return renderer(events, since=since, generated=generated, more=more)


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` in one step: a reader of the file sees the old digest or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
