"""What a digest shows, as data: events with their sources, read from one snapshot.

`select` gathers events into plain records relative to a reader's cursor (or a time);
renderers only format them. The records are also the JSON digest's stable schema
(docs/output.md, "Digest JSON"): fields may be added, never renamed or removed. `events --json`
and `event --json` print the same records (`event_summary`, `event_record`), so one
event has one set of field names wherever it appears.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from crawler import store
from crawler.clock import isoformat, parse_instant
from crawler.report.corrections import correction_records
from crawler.report.wording import EARLIER


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
    window: int = 0,
    dismissed: bool = False,
) -> Selection:
    """The events a digest shows, read from one snapshot of the database.

    With a `window` (an Atom feed), the latest `window` events by activity instead,
    each marked new or updated when it is among the changes above, else EARLIER: a
    feed reader polling less often than the digest runs still finds them.

    With a reader, the changes after its cursor, oldest first, at most `limit`;
    a reader new to this database, or asking `since` a time, starts at the first
    change to an event updated since then (default: the last 24 hours), so its
    first digest pages like every other and the cursor never jumps past events
    it did not show. Without a reader, everything seen or updated since `since`.
    Events an analyst dismissed are left out unless `dismissed`.
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
        status = {
            row["id"]: "new" if new else "updated" for row, new in zip(rows, fresh, strict=True)
        }
        if window:
            rows, more = store.events.list_events(db, monitor=monitor, limit=window), 0
        if not dismissed:  # false events, as an analyst marked them; the cursor passes them
            rows = [row for row in rows if not row.get("dismissed")]
        members = store.events.members_of_events(db, [row["id"] for row in rows])
        records = [
            {**event_record(db, row, members[row["id"]]), "status": status.get(row["id"], EARLIER)}
            for row in rows
        ]
    return Selection(records, since, covers, more=more)


def event_record(
    db: sqlite_utils.Database,
    row: dict[str, Any],
    members: list[dict[str, Any]] | None = None,
    *,
    explain: bool = False,
) -> dict[str, Any]:
    """An event as the digest and `event ID` show it: `event_summary` with the sentence
    behind each fact and every source; `members` when the caller already read them;
    with `explain`, each source's `reason`: why the engine put it there."""
    if members is None:
        members = store.events.event_members(db, row["id"])
    summary = event_summary(row)
    counts = {key: summary.pop(key) for key in ("article_count", "outlet_count")}
    return {
        **summary,
        "fact_evidence": fact_evidence(row["facts"], members),
        **counts,
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
                "language": m.get("language"),
                "evidence": m.get("evidence"),
                "time_phrase": m.get("phrase"),
                **({"reason": _reason(m)} if explain else {}),
            }
            for m in members
        ],
        "corrections": correction_records(db, row["id"]),
    }


def _reason(member: dict[str, Any]) -> dict[str, Any]:
    try:
        reason = json.loads(member.get("reason") or "{}")
    except ValueError:
        return {}
    return reason if isinstance(reason, dict) else {}


def event_summary(row: dict[str, Any]) -> dict[str, Any]:
    """An event as `events` lists it, in the digest's field names and without the
    store's own columns (`time_point`, `created_seq`, `change_seq`)."""
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
        "article_count": row["article_count"],
        "outlet_count": row["outlet_count"],
        "opened_by": row.get("origin") or "report",
        "follows": row.get("parent_id"),
        "dismissed": bool(row.get("dismissed")),
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


def default_since(now: datetime) -> datetime:
    return now - timedelta(days=1)
