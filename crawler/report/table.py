"""Rows for a terminal: aligned tables, one-line cells, JSON for scripts.

Values come from feeds: control characters and bidi overrides never reach the terminal
raw (`cell`), nor a script's JSON (`untrusted.for_output`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from crawler import untrusted

LAST_COLUMN_WIDTH = 70  # titles are cut here so a row stays on one line
# (heading, key) of the tables `newsmon feeds`, `articles` and `events` print
FEED_COLUMNS = (
    ("outlet", "outlet"),
    ("kind", "kind"),
    ("status", "last_status"),
    ("errors", "consecutive_errors"),
    ("last success", "last_success"),
    ("next due", "next_due"),
    ("articles", "articles"),
    ("state", "state"),
    ("url", "url"),
)
ARTICLE_COLUMNS = (
    ("id", "id"),
    ("outlet", "outlet"),
    ("published", "published"),
    ("via", "text_method"),
    ("words", "word_count"),
    ("title", "title"),
)
EVENT_COLUMNS = (
    ("id", "id"),
    ("monitor", "monitor"),
    ("when", "when"),
    ("articles", "article_count"),
    ("outlets", "outlet_count"),
    ("title", "title"),
)


def cell(value: Any) -> str:
    """One value as a single printable line: None as "-", lists comma-joined."""
    if value is None:
        return "-"
    if isinstance(value, list | tuple):
        return ", ".join(cell(item) for item in value)
    text = str(value)
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def table(rows: Sequence[dict[str, Any]], columns: Iterable[tuple[str, str]]) -> list[str]:
    """(heading, key) columns as aligned lines; "(none)" for no rows."""
    columns = list(columns)
    if not rows:
        return ["(none)"]
    cells = [[cell(row.get(key)) for _, key in columns] for row in rows]
    widths = [max(len(head), *(len(r[i]) for r in cells)) for i, (head, _) in enumerate(columns)]
    widths[-1] = min(widths[-1], LAST_COLUMN_WIDTH)
    lines = ["  ".join(h.ljust(w) for (h, _), w in zip(columns, widths, strict=True)).rstrip()]
    lines += [
        "  ".join(c[:w].ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in cells
    ]
    return lines


def json_text(value: Any) -> str:
    """JSON for scripts, with the controls and bidi overrides of feed text stripped."""
    return json.dumps(untrusted.for_output(value), indent=2, ensure_ascii=False)


def event_lines(record: dict[str, Any]) -> list[str]:
    """`newsmon event ID`: when, facts (with disagreements and their sentences), sources."""
    from crawler.report.wording import describe_when

    lines = [
        f"Event {record['id']} [{record['monitor']}]: {cell(record['title'])}",
        f"  when:         {describe_when(record)}",
        f"  first seen:   {record['first_seen']}   last updated: {record['last_updated']}",
        f"  reported by:  {record['article_count']} articles, {record['outlet_count']} outlets",
    ]
    for key, value in sorted(record["facts"].items()):
        options = record["fact_sources"].get(key, [])
        note = ""
        if len(options) > 1:
            differ = "; ".join(f"{cell(o['value'])} in {len(o['articles'])}" for o in options)
            note = f"   (reports differ: {differ})"
        lines.append(f"  {key + ':':<16}{cell(value)}{note}")
        source = record.get("fact_evidence", {}).get(key)
        if source:
            sentence = cell(source["sentence"])
            lines.append(f"  {'':<16}from article {source['article']}: “{sentence}”")
    lines.append("  sources:")
    for article in record["articles"]:
        copy = ""
        if article["copy_of"]:
            copy = f"  [{article['copy_relation']} copy of article {article['copy_of']}]"
        lines.append(
            f"    {cell(article['published'])}  {cell(article['role'] or 'report'):<13} "
            f"{cell(article.get('language')):<3} {cell(article['outlet'])}: "
            f"{cell(article['title'])}{copy}"
        )
        lines.append(f"      {cell(article['url'])}")
    return lines
