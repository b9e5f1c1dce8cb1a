"""`newsmon article ID`: one stored article and what newsmon knows around it.

The record (`--json`) uses the field names of every other output: the article's own
fields as `articles --json` has them, its story, its copies, and its events as
`events --json` has them, each with this article's `role` and `evidence` there.
"""

from __future__ import annotations

from datetime import UTC, tzinfo
from typing import Any

import sqlite_utils

from crawler import store
from crawler.report.records import event_summary
from crawler.report.table import cell
from crawler.report.wording import UNTITLED, clean, describe_event, format_instant, plural

RELATED_LIMIT = 100  # story members and copies listed; the counts say how many in all


def article_record(db: sqlite_utils.Database, article_id: int) -> dict[str, Any] | None:
    """The article, its story, copies and events; None when there is no such article."""
    row = store.lookups.article(db, article_id)
    if row is None:
        return None
    story_id = row.pop("story_id")
    text = row.pop("text")
    story = store.lookups.story(db, story_id, RELATED_LIMIT) if story_id is not None else None
    events = []
    for member in store.lookups.memberships(db, article_id):
        extra = {key: member.pop(key) for key in ("role", "evidence", "headline")}
        events.append({**event_summary(store.events.decode_event(member)), **extra})
    return {
        **row,
        "story": story,
        "copies": store.lookups.copies(db, article_id, RELATED_LIMIT),
        "events": events,
        "text": text,
    }


def article_lines(record: dict[str, Any], tz: tzinfo = UTC) -> list[str]:
    """The article for a terminal: metadata, copies, story, events, then the full text."""
    lines = [
        f"Article {record['id']}: {cell(clean(record['title']) or UNTITLED)}",
        f"  outlet:     {cell(record['outlet'])}",
        f"  url:        {cell(record['url'])}",
        f"  published:  {format_instant(record['published'], tz) if record['published'] else '-'}"
        f"   stored: {format_instant(record['fetched'], tz)}",
    ]
    if record.get("author"):
        lines.append(f"  author:     {cell(record['author'])}")
    lines.append(
        f"  language:   {cell(record['language'])}   words: {record['word_count']}"
        f"   text from: {cell(record['text_method'])}"
    )
    if record["copy_of"] is not None:
        lines.append(f"  copy of:    article {record['copy_of']} ({record['copy_relation']} copy)")
    for copy in record["copies"]:
        lines.append(f"  copied by:  {related(copy)}")
    story = record["story"]
    if story is not None:
        others = [a for a in story["articles"] if a["id"] != record["id"]]
        lines.append(
            f"  story {story['id']}:    {plural(story['article_count'], 'article')}"
            + (", the others:" if others else "")
        )
        lines += [f"    {related(member)}" for member in others]
    lines.append("  events:" if record["events"] else "  events:     none")
    for event in record["events"]:
        lines += [
            f"    [{event['id']}] {cell(clean(event['title']) or UNTITLED)}",
            f"        {cell(event['role'])} · {cell(describe_event(event, tz))}",
        ]
        if event.get("evidence"):
            lines.append(f"        evidence: “{cell(clean(event['evidence']))}”")
    lines.append("")
    lines += [cell(clean(paragraph)) for paragraph in str(record["text"] or "").split("\n")]
    return lines


def related(article: dict[str, Any]) -> str:
    """ "6  Eastbridge Times: Title [near copy of article 5]"."""
    copy = ""
    if article.get("copy_of") is not None:
        copy = f"  [{article['copy_relation']} copy of article {article['copy_of']}]"
    title = cell(clean(article.get("title")) or UNTITLED)
    return f"{article['id']}  {cell(article.get('outlet'))}: {title}{copy}"
