"""Rows for a terminal: aligned tables, one-line cells, JSON for scripts.

Values come from feeds: control characters and bidi overrides never reach the terminal
raw (`cell`), nor a script's JSON (`untrusted.for_output`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, tzinfo
from typing import Any

from crawler import untrusted

LAST_COLUMN_WIDTH = 70  # titles are cut here (with "…") so a row stays on one line
ELLIPSIS = "…"
# (heading, key) of the tables `newsmon feeds`, `articles` and `events` print
FEED_COLUMNS = (
    ("outlet", "outlet"),
    ("kind", "kind"),
    ("status", "last_status"),
    ("errors", "consecutive_errors"),
    ("last success", "last_success"),
    ("next due", "next_due"),
    ("articles", "article_count"),
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
        "  ".join(cut(c, w).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in cells
    ]
    return lines


def cut(text: str, width: int) -> str:
    """`text` in at most `width` characters, a cut one ending in "…" so it shows."""
    return text if len(text) <= width else text[: width - 1].rstrip() + ELLIPSIS


def json_text(value: Any) -> str:
    """JSON for scripts, with the controls and bidi overrides of feed text stripped."""
    return json.dumps(untrusted.for_output(value), indent=2, ensure_ascii=False)


def event_lines(record: dict[str, Any], tz: tzinfo = UTC) -> list[str]:
    """`newsmon event ID`: when, facts (with disagreements and their sentences), sources."""
    from crawler.report.labels import fact_label, fact_lines
    from crawler.report.wording import describe_when, format_instant

    lines = [
        f"Event {record['id']} [{cell(record['monitor'])}]: {cell(record['title'])}",
        f"  when:         {cell(describe_when(record, tz))}",
        f"  first seen:   {format_instant(record['first_seen'], tz)}   "
        f"last updated: {format_instant(record['last_updated'], tz)}",
        f"  reported by:  {record['article_count']} articles, {record['outlet_count']} outlets",
    ]
    shown = {fact_label(key): key for key in record["facts"]}
    for fact in sorted(fact_lines(record), key=lambda fact: fact.label):
        note = f"   (reports differ: {cell(fact.differ_text())})" if fact.differ else ""
        lines.append(f"  {fact.label + ':':<16}{cell(fact.value)}{note}")
        source = record.get("fact_evidence", {}).get(shown[fact.label])
        if source:
            sentence = cell(source["sentence"])
            lines.append(f"  {'':<16}from article {source['article']}: “{sentence}”")
    from crawler.report.corrections import correction_sentences

    if record.get("dismissed"):
        lines.append("  dismissed:    yes (left out of digests and alerts)")
    lines += [f"  {cell(line)}" for line in correction_sentences(record, tz)]
    lines.append("  sources:")
    for article in record["articles"]:
        copy = ""
        if article["copy_of"]:
            copy = f"  [{article['copy_relation']} copy of article {article['copy_of']}]"
        published = format_instant(article["published"], tz) if article["published"] else "-"
        lines.append(
            f"    {cell(published)}  {cell(article['role'] or 'report'):<13} "
            f"{cell(article.get('language')):<3} {cell(article['outlet'])}: "
            f"{cell(article['title'])}{copy}"
        )
        lines.append(f"      {cell(article['url'])}")
        if "reason" in article:
            lines += [f"      {cell(line)}" for line in reason_lines(article)]
    return lines


def reason_lines(article: dict[str, Any]) -> list[str]:
    """Why a source is on its event, in words: `newsmon event ID --explain`."""
    reason = article.get("reason") or {}
    decision = reason.get("decision") or "joined"
    time = (
        f"time from “{article['time_phrase']}”"
        if article.get("time_phrase")
        else ("no time named: the days before publication")
    )
    lines = [f"why: {decision}; {time}"]
    agreed = reason.get("agreed") or {}
    if agreed:
        lines.append("  agreed: " + ", ".join(f"{k} = {_value(v)}" for k, v in agreed.items()))
    if reason.get("unknown"):
        lines.append("  not stated: " + ", ".join(map(str, reason["unknown"])))
    if "similarity" in reason:
        lines.append(
            f"  headline similarity {reason['similarity']}, "
            f"time overlap {reason.get('time_overlap_hours', 0)} h"
        )
    if reason.get("lists"):
        lines.append("  opened by the agreeing lists: articles " + _value(reason["lists"]))
    for other in reason.get("compared") or []:
        why = other.get("conflict") or f"less alike (similarity {other.get('similarity')})"
        lines.append(f"  not event {other.get('event')}: {why}")
    return lines


def _value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return " / ".join(str(v) for v in value)
    return str(value)
