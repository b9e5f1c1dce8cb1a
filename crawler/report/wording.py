"""How an event is said in words, shared by every human-readable format and the alerts.

Every value from a feed is hostile: `clean` strips controls and bidi overrides before
anything is shown, and every format escapes for its own syntax on top of it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from urllib.parse import quote, urlsplit

from crawler.clock import ClockError, parse_instant
from crawler.text import plural as plural  # the formats say counts through wording

STATUSES = ("new", "updated")  # section order, too: new events first


STATUS_HEADINGS = {"new": "New events", "updated": "Updated events"}


DEFAULT_STATUS = "new"


# An Atom digest's event shown again from its rolling window: neither new nor updated
# since the reader's last digest (the other formats show only those two).
EARLIER = "earlier"


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
    if status not in (*STATUSES, EARLIER):
        raise ValueError(f"event {event.get('id')!r}: status must be one of {(*STATUSES, EARLIER)}")
    return status


def by_status(events: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Events per status, in STATUSES order (then EARLIER), each keeping the caller's
    order."""
    groups: dict[str, list[dict[str, Any]]] = {status: [] for status in (*STATUSES, EARLIER)}
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


def zone_label(moment: datetime) -> str:
    """ "UTC", "KST", "CET"; "UTC+04:00" where the zone has no letters for itself."""
    name = moment.strftime("%Z")
    if name.isalpha():
        return name
    offset = moment.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def format_moment(moment: datetime, tz: tzinfo = UTC) -> str:
    """An aware datetime as "YYYY-MM-DD HH:MM ZONE" in the display zone."""
    local = moment.astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} {zone_label(local)}"


def format_instant(value: Any, tz: tzinfo = UTC) -> str:
    """An ISO instant as "YYYY-MM-DD HH:MM ZONE"; unparsable text is shown cleaned."""
    try:
        return format_moment(parse_instant(str(value)), tz)
    except ValueError:
        return clean(value)


def format_published(value: Any, tz: tzinfo = UTC) -> str:
    """A source's publication time in the display zone, like every other time shown."""
    return format_instant(value, tz)


def describe_when(event: dict[str, Any], tz: tzinfo = UTC) -> str:
    """When it happened, as precisely as the reports allow, in the display zone.

    Clock-time precisions give one instant; coarser ones give the interval, never just
    its start, because a "day" in the reporter's zone straddles two dates elsewhere and
    "no time named" is a span of two days. Every command shows the same instant or
    interval (`event_time`, else `event_time_start`..`event_time_end`).
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
        return f"{format_moment(instant, tz)} ({label})"
    if precision == "hour":
        return f"around {format_moment(instant, tz)} ({label})"
    try:
        start = parse_instant(str(event.get("event_time_start"))).astimezone(tz)
        end = parse_instant(str(event.get("event_time_end"))).astimezone(tz)
    except ValueError:
        return f"{format_moment(instant, tz)} ({label})"
    first = f"{start:%Y-%m-%d %H:%M}"
    last = f"{end:%H:%M}" if start.date() == end.date() else f"{end:%Y-%m-%d %H:%M}"
    if zone_label(start) != zone_label(end):  # a daylight-saving change inside
        return f"between {first} {zone_label(start)} and {last} {zone_label(end)} ({label})"
    return f"between {first} and {last} {zone_label(end)} ({label})"


def describe_event(event: dict[str, Any], tz: tzinfo = UTC) -> str:
    """ "missile-launches · 2026-01-04 07:50 KST (minute) · 4 outlets, 5 articles"."""
    monitor = clean(event.get("monitor"))
    parts = [monitor] if monitor else []
    return " · ".join([*parts, describe_when(event, tz), describe_counts(event)])


def describe_counts(event: dict[str, Any]) -> str:
    outlets = plural(event.get("outlet_count"), "outlet")
    return f"{outlets}, {plural(event.get('article_count'), 'article')}"


def fact_value(value: Any) -> str:
    """A fact as one line: lists comma-joined, nested mappings as key=value (units and
    labels: `labels.fact_text`)."""
    if isinstance(value, list | tuple):
        return ", ".join(fact_value(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{clean(k)}={fact_value(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return clean(value)


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


LISTED = "listed"  # the role of an aggregator's headline: a title in a list, no report


def ordered_sources(event: dict[str, Any]) -> list[dict[str, Any]]:
    """Reports and confirmations with their own text first, then syndicated copies, then
    headlines from lists: the first few a digest shows are distinct, readable voices."""
    articles = [a for a in event.get("articles") or [] if isinstance(a, dict)]
    return sorted(
        articles,
        key=lambda article: (article.get("role") == LISTED, article.get("copy_of") is not None),
    )


def summary_line(
    groups: dict[str, list[dict[str, Any]]], since: datetime, more: int, tz: tzinfo = UTC
) -> str:
    line = (
        f"{len(groups['new'])} new, {len(groups['updated'])} updated "
        f"since {format_moment(since, tz)}"
    )
    if more:
        line += f"; {plural(more, 'more event')} not shown (the next digest continues)"
    return line


def relative(value: Any, now: datetime, *, past: str = "{} ago") -> str:
    """ "12 min ago", "in 3 h": how far an instant is from now ("" if unparsable);
    `past` words an instant gone by ("overdue by {}" for a poll that is due)."""
    try:
        moment = parse_instant(str(value))
    except ClockError:
        return ""
    seconds = (moment - now).total_seconds()
    size = abs(seconds)
    if size < 60:
        return "now"
    if size < 3600:
        amount = f"{size // 60:.0f} min"
    elif size < 2 * 86400:
        amount = f"{size // 3600:.0f} h"
    else:
        amount = f"{size // 86400:.0f} d"
    return f"in {amount}" if seconds > 0 else past.format(amount)
