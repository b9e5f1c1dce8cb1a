"""The digest for a terminal: read at a glance, header, then new events, then updates."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any

from crawler.report.corrections import correction_sentences
from crawler.report.labels import fact_lines
from crawler.report.wording import (
    DIGEST_TITLE,
    STATUS_HEADINGS,
    STATUSES,
    TEXT_MAX_SOURCES,
    UNTITLED,
    by_status,
    clean,
    describe_event,
    format_moment,
    ordered_sources,
    role_note,
    safe_url,
    summary_line,
)


def render_text(
    events: list[dict[str, Any]],
    *,
    since: datetime,
    generated: datetime,
    more: int = 0,
    tz: tzinfo = UTC,
) -> str:
    """A terminal digest to read at a glance: header, then new events, then updates.

    Every value goes through `clean`, so a feed cannot put escape sequences or bidi
    overrides on the reader's terminal.
    """
    groups = by_status(events)
    lines = [
        f"{DIGEST_TITLE}: {summary_line(groups, since, more, tz)} "
        f"(generated {format_moment(generated, tz)})"
    ]
    for status in STATUSES:
        if not groups[status]:
            continue
        heading = f"{STATUS_HEADINGS[status]} ({len(groups[status])})"
        lines += ["", heading, "=" * len(heading)]
        for event in groups[status]:
            lines += ["", *text_event(event, tz)]
    if not events:
        lines += ["", "No new or updated events."]
    return "\n".join(lines) + "\n"


def text_event(event: dict[str, Any], tz: tzinfo = UTC) -> list[str]:
    indent = "    "
    lines = [
        f"[{clean(event.get('id'))}] {clean(event.get('title')) or UNTITLED}",
        f"{indent}{describe_event(event, tz)}",
    ]
    facts = fact_lines(event)
    if facts:
        lines.append(indent + "; ".join(f"{fact.label}: {fact.value}" for fact in facts))
    lines += [
        f"{indent}Reports differ on {fact.label}: {fact.differ_text()}"
        for fact in facts
        if fact.differ
    ]
    lines += [indent + clean(line) for line in correction_sentences(event, tz)]
    sources = ordered_sources(event)
    for article in sources[:TEXT_MAX_SOURCES]:
        outlet = clean(article.get("outlet")) or "unknown outlet"
        title = clean(article.get("title")) or UNTITLED
        lines.append(f"{indent}- {outlet}: {title}{role_note(article, event)}")
        url = safe_url(article.get("url"))
        if url is not None:
            lines.append(f"{indent}  {url}")
    if len(sources) > TEXT_MAX_SOURCES:
        lines.append(f"{indent}+{len(sources) - TEXT_MAX_SOURCES} more")
    return lines
