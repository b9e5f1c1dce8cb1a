"""What an alert says: a title and a plain-text body, worded like the digests.

The same monitor name, local times (`display.timezone`), fact labels and disagreements
as the digests, so an alert and the next digest describe one event in one way.
"""

from __future__ import annotations

from datetime import UTC, tzinfo
from typing import Any

from crawler.report.labels import fact_label, fact_lines, fact_text
from crawler.report.wording import (
    TEXT_MAX_SOURCES,
    UNTITLED,
    clean,
    describe_counts,
    describe_when,
    ordered_sources,
    safe_url,
)

TITLE_PREFIX = "[newsmon]"


IDEMPOTENCY_LABEL = "newsmon-id"


# A mail subject is one header line: a long title with no space to fold at passes SMTP's
# 1,000-octet line limit and every retry is refused. The whole title stays in the body.
MAX_TITLE_CHARS = 200


def render_title(event: dict[str, Any], reason: str) -> str:
    headline = clean(event.get("title")) or UNTITLED
    title = f"{TITLE_PREFIX} {clean(event.get('monitor'))}: {headline}"
    return fit_title(title + " (updated)" if reason == "update" else title)


def fit_title(title: str) -> str:
    """`title` cut to MAX_TITLE_CHARS, keeping its end (" (updated)") when it has one."""
    if len(title) <= MAX_TITLE_CHARS:
        return title
    tail = " (updated)" if title.endswith(" (updated)") else ""
    return title[: MAX_TITLE_CHARS - len(tail) - 1].rstrip() + "…" + tail


def changed_facts(previous: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """Fact names whose value was added, changed or dropped since the last alert."""
    keys = sorted(set(previous) | set(current))
    return [fact_label(key) for key in keys if previous.get(key) != current.get(key)]


def render_body(
    record: dict[str, Any],
    reason: str,
    previous: dict[str, Any],
    row_id: int,
    tz: tzinfo = UTC,
) -> str:
    """Plain text any channel can show; every value cleaned of control characters."""
    if reason == "update":
        changes = ", ".join(changed_facts(previous, record.get("facts") or {}))
        lines = [f"Significant update: {changes or 'facts changed'}"]
    else:
        lines = ["New event"]
    lines += [
        f"Monitor: {clean(record.get('monitor'))}",
        f"When: {describe_when(record, tz)}",
        f"Reports: {describe_counts(record)}",
    ]
    facts = fact_lines(record)
    if facts:
        lines.append("Facts:")
        for fact in facts:
            differ = f" (reports differ: {fact.differ_text()})" if fact.differ else ""
            lines.append(f"- {fact.label}: {fact.value}{differ}")
    if reason == "update":
        lines += [
            f"Was: {fact_label(key)}: {fact_text(key, previous[key])}"
            for key in sorted(previous)
            if previous.get(key) != (record.get("facts") or {}).get(key)
        ]
    lines += _source_lines(record)
    lines += [f"Event: {clean(record.get('id'))}", f"{IDEMPOTENCY_LABEL}: {row_id}"]
    return "\n".join(lines)


def _source_lines(record: dict[str, Any]) -> list[str]:
    sources = ordered_sources(record)
    if not sources:
        return []
    lines = ["Sources:"]
    for article in sources[:TEXT_MAX_SOURCES]:
        outlet = clean(article.get("outlet")) or "unknown outlet"
        line = f"- {outlet}: {clean(article.get('title')) or UNTITLED}"
        url = safe_url(article.get("url"))
        lines.append(f"{line} <{url}>" if url else line)
    if len(sources) > TEXT_MAX_SOURCES:
        lines.append(f"+{len(sources) - TEXT_MAX_SOURCES} more")
    return lines
