"""How an event is said in words, shared by every human-readable format and the alerts.

Every value from a feed is hostile: `clean` strips controls and bidi overrides before
anything is shown, and every format escapes for its own syntax on top of it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

from crawler.clock import isoformat, parse_instant

STATUSES = ("new", "updated")  # section order, too: new events first


STATUS_HEADINGS = {"new": "New events", "updated": "Updated events"}


DEFAULT_STATUS = "new"


TEXT_MAX_SOURCES = 5  # a terminal digest must stay skimmable; the rest is "+N more"


SAFE_URL_SCHEMES = ("http", "https")


DIGEST_TITLE = "newsmon digest"


UNTITLED = "(untitled)"


# Bidi embeddings/overrides/isolates (U+202A-U+202E, U+2066-U+2069) and the
# invisible direction marks: any of them lets a title reorder the text around it.
BIDI_CONTROLS = frozenset([0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])


# Line breaks and tabs inside a value would break the one-value-per-line layouts;
# they become spaces instead of vanishing so words do not run together.
SPACE_LIKE = frozenset([0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029])


# RFC 3986 reserved and unreserved characters, plus "%" so existing escapes survive.
URL_SAFE = ";/?:@&=+$,-_.!~*'()#[]%"


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


def describe_row_when(row: dict[str, Any]) -> str:
    """`describe_when` for an event as stored (a row of `store.events`)."""
    return describe_when(
        {
            "event_time": row.get("time_point") or row["time_start"],
            "event_time_start": row["time_start"],
            "event_time_end": row["time_end"],
            "event_time_precision": row["precision"],
        }
    )


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


def role_note(article: dict[str, Any], event: dict[str, Any] | None = None) -> str:
    """ " (ko, confirmation)": what a source is to its event, and its language when the
    event's headline is in another; a plain report in the headline's language says
    nothing."""
    role = clean(article.get("role"))
    language = clean(article.get("language"))
    parts = [language] if language and language != headline_language(event) else []
    parts += [role] if role and role != "report" else []
    return f" ({', '.join(parts)})" if parts else ""


def headline_language(event: dict[str, Any] | None) -> str | None:
    """The language of the member whose headline titles the event, if known."""
    articles = (event or {}).get("articles") or []
    title = (event or {}).get("title")
    return next(
        (
            a.get("language")
            for a in articles
            if isinstance(a, dict) and a.get("title") == title and a.get("language")
        ),
        None,
    )


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
