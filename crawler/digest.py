"""Digests: what newsmon found, as data first, then rendered.

`collect` gathers events with their sources into plain dicts; renderers only
format. The JSON form is a documented, stable schema (see README, "Digest
JSON"): fields may be added, never renamed or removed.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from crawler import eventstore
from crawler.clock import isoformat, parse_instant

SCHEMA_VERSION = 1
SHARP = ("minute", "hour")  # precisions for which a single instant means something


def collect(
    db: sqlite_utils.Database, *, since: datetime, monitor: str | None = None, limit: int = 500
) -> list[dict[str, Any]]:
    """Events first seen or updated at or after `since`, each with its articles."""
    rows = eventstore.list_events(db, monitor=monitor, since=isoformat(since), limit=limit)
    return [event_record(db, row) for row in rows]


def event_record(db: sqlite_utils.Database, row: dict[str, Any]) -> dict[str, Any]:
    members = eventstore.event_members(db, row["id"])
    return {
        "id": row["id"],
        "monitor": row["monitor"],
        "kind": row["kind"],
        "title": row["title"],
        "event_time": event_instant(row["time_start"], row["time_end"], row["precision"]),
        "event_time_start": row["time_start"],
        "event_time_end": row["time_end"],
        "event_time_precision": row["precision"],
        "first_seen": row["first_seen"],
        "last_updated": row["last_updated"],
        "facts": row["facts"],
        "fact_sources": row["fact_sources"],
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
            }
            for m in members
        ],
    }


def event_instant(start: str, end: str, precision: str) -> str:
    """One instant for an interval: its middle when the text gave a time, else its start."""
    if precision not in SHARP:
        return start
    low, high = parse_instant(start), parse_instant(end)
    return isoformat(low + (high - low) / 2)


def render_json(events: list[dict[str, Any]], *, since: datetime, generated: datetime) -> str:
    document = {
        "schema_version": SCHEMA_VERSION,
        "generated": isoformat(generated),
        "since": isoformat(since),
        "events": events,
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def default_since(now: datetime) -> datetime:
    return now - timedelta(days=1)
