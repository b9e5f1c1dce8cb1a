"""The digest as Markdown, every special character escaped so a headline cannot become a
link, an image or a heading."""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from typing import Any
from urllib.parse import quote

from crawler.report.corrections import correction_sentences
from crawler.report.labels import FactLine, fact_lines
from crawler.report.wording import (
    DIGEST_TITLE,
    STATUS_HEADINGS,
    STATUSES,
    UNTITLED,
    by_status,
    clean,
    describe_event,
    format_moment,
    format_published,
    ordered_sources,
    role_note,
    safe_url,
    summary_line,
)

# Markdown punctuation that can start emphasis, links, code, headings, tables, HTML or
# entities anywhere in a line. CommonMark lets any ASCII punctuation be backslash-escaped.
MARKDOWN_SPECIAL = frozenset("\\`*_{}[]()#!|<>~&")


# What makes a list item or a heading's underline only at the start of a line ("- ",
# "+ ", "1. ", "==="): escaped there alone, so dates, ranges and decimals read as
# written (2026-01-04, 3.5).
LINE_START = re.compile(r"[-+=]|\d{1,9}(?=\.(?:\s|$))")


# Characters that may stay unencoded in a Markdown link destination: parentheses,
# angle brackets, spaces, quotes and backslashes could end or bend the destination.
MARKDOWN_URL_SAFE = ";/?:@&=+$,-_.!~*#%[]"


def md(value: Any) -> str:
    """Cleaned text with every Markdown special character backslash-escaped.

    So a title can be read, but never become a link, image, heading, emphasis or
    raw HTML in whatever renders the Markdown.
    """
    text = clean(value)
    escaped = "".join("\\" + char if char in MARKDOWN_SPECIAL else char for char in text)
    lead = LINE_START.match(escaped)
    if lead is None:
        return escaped
    if lead.group().isdigit():  # "1. x": the dot after the number
        return f"{lead.group()}\\{escaped[lead.end() :]}"
    return "\\" + escaped


def md_source(
    article: dict[str, Any], event: dict[str, Any] | None = None, tz: tzinfo = UTC
) -> str:
    """`[title](url) — outlet, published`; a non-http(s) URL stays unlinked text."""
    title = md(article.get("title")) or md(UNTITLED)
    url = safe_url(article.get("url"))
    details = [md(article.get("outlet")) or "unknown outlet"]
    if article.get("published"):
        details.append(md(format_published(article["published"], tz)))
    note = role_note(article, event)
    if note:
        details.append(md(note.strip(" ()")))
    if url is not None:
        return f"[{title}]({quote(url, safe=MARKDOWN_URL_SAFE)}) — {', '.join(details)}"
    line = f"{title} — {', '.join(details)}"
    raw = clean(article.get("url"))
    return f"{line} \\(unlinked: {md(raw)}\\)" if raw else line


def md_fact(fact: FactLine) -> str:
    """`- **Count:** 3 \\(reports differ: 3 \\(A\\); 2 \\(B\\)\\)`."""
    line = f"- **{md(fact.label)}:** {md(fact.value)}"
    return f"{line} {md(f'(reports differ: {fact.differ_text()})')}" if fact.differ else line


def render_markdown(
    events: list[dict[str, Any]],
    *,
    since: datetime,
    generated: datetime,
    more: int = 0,
    tz: tzinfo = UTC,
) -> str:
    """The digest as Markdown, for chat, mail or a wiki: all data escaped, no raw HTML."""
    groups = by_status(events)
    lines = [
        f"# {DIGEST_TITLE}",
        "",
        f"{md(summary_line(groups, since, more, tz))} \\(generated "
        f"{md(format_moment(generated, tz))}\\)",
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
                md(describe_event(event, tz)),
            ]
            facts = fact_lines(event)
            if facts:
                lines.append("")
                lines += [md_fact(fact) for fact in facts]
            corrected = correction_sentences(event, tz)
            if corrected:
                lines.append("")
                lines += [f"- {md(line)}" for line in corrected]
            sources = ordered_sources(event)
            if sources:
                lines += ["", "Sources:", ""]
                lines += [f"- {md_source(article, event, tz)}" for article in sources]
    return "\n".join(lines) + "\n"
