"""Which alerts are due: new events, and events whose merged facts changed.

After each poll `enqueue` looks at every event changed since the outbox's high-water
mark and adds outbox rows: 'new' for events created since, and 'update' when an event's
merged facts differ from what the target was last told. The rows and the new mark
commit together.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import cached_property
from typing import Any

import sqlite_utils

from crawler import store
from crawler.alerts.message import render_body, render_title
from crawler.clock import zone
from crawler.config import Config, NotifyTarget
from crawler.report.records import event_record

EVENT_WINDOW = 500  # event changes read per query while enqueueing


def facts_hash(facts: dict[str, Any]) -> str:
    canonical = json.dumps(facts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def enqueue(db: sqlite_utils.Database, config: Config, now: datetime) -> int:
    """Add outbox rows for every event changed since the high-water mark; returns the
    rows that will be sent. One transaction: the rows and the new mark commit together."""
    with db.atomic():
        store.leases.serialise(db, "outbox")  # one enqueuer at a time reads the mark
        mark = store.outbox.high_water(db)
        latest = store.readers.latest_change(db)
        added = 0
        tz = zone(config.display.timezone)  # alerts show times as the digests do
        for low in range(mark, latest, EVENT_WINDOW):
            high = min(low + EVENT_WINDOW, latest)
            changed = store.readers.events_changed(db, low, high, limit=EVENT_WINDOW)
            members = store.events.members_of_events(db, [event["id"] for event in changed])
            for event in changed:  # oldest change first: row ids follow history
                record = _Record(db, event, members[event["id"]])
                added += _enqueue_event(db, config.notify, record, mark, now, tz)
        store.outbox.set_high_water(db, latest)
    return added


@dataclass
class _Record:
    """An event and its members; the record its alerts show is built once, and only if a
    body is due."""

    db: sqlite_utils.Database
    event: dict[str, Any]
    members: list[dict[str, Any]]

    @cached_property
    def shown(self) -> dict[str, Any]:
        return event_record(self.db, self.event, self.members)


def _enqueue_event(
    db: sqlite_utils.Database,
    targets: Iterable[NotifyTarget],
    record: _Record,
    mark: int,
    now: datetime,
    tz: tzinfo,
) -> int:
    added = 0
    event = record.event
    digest_hash = facts_hash(event["facts"])
    if event.get("dismissed"):  # an analyst marked it false: nothing more to announce
        return 0
    for target in targets:
        if not target.wants(event["monitor"]):
            continue
        if event["created_seq"] > mark:
            state = "pending" if "new" in target.on else "skipped"  # baseline for updates
            added += _add(db, target, record, "new", digest_hash, state, {}, now, tz)
        elif "update" in target.on:
            added += _enqueue_update(db, target, record, digest_hash, now, tz)
    return added


def _enqueue_update(
    db: sqlite_utils.Database,
    target: NotifyTarget,
    record: _Record,
    digest_hash: str,
    now: datetime,
    tz: tzinfo,
) -> int:
    """An 'update' row only when the facts differ from what the target was last told.

    An event from before this target existed has no baseline: its current facts
    become one, silently, rather than announcing an update whose change is unknown.
    """
    last = store.outbox.last_announced(db, target.name, record.event["id"])
    if last is None:
        return _add(db, target, record, "update", digest_hash, "skipped", {}, now, tz)
    if last.facts_hash == digest_hash:
        return 0
    return _add(db, target, record, "update", digest_hash, "pending", last.facts, now, tz)


def _add(
    db: sqlite_utils.Database,
    target: NotifyTarget,
    record: _Record,
    reason: str,
    digest_hash: str,
    state: str,
    previous: dict[str, Any],
    now: datetime,
    tz: tzinfo,
) -> int:
    """Insert one row and render its body (which names the row id) if it will be sent;
    a skipped row, a baseline for later updates, is never read: 1 if it will be sent."""
    event = record.event
    row_id = store.outbox.add(
        db,
        target=target.name,
        event_id=event["id"],
        reason=reason,
        change_seq=event["change_seq"],
        facts=event["facts"],
        facts_hash=digest_hash,
        title=render_title(event, reason),
        state=state,
        now=now,
    )
    if row_id is None or state != "pending":
        return 0
    store.outbox.set_body(db, row_id, render_body(record.shown, reason, previous, row_id, tz))
    return 1
