"""Events that follow another and are linked to it, not merged (an aftershock)."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from crawler import store
from crawler.clock import isoformat
from monitors.base import Agreement, EventTime, Identity


def link_parent(
    db: sqlite_utils.Database,
    event_id: int,
    monitor: str,
    facts: Any,
    time: EventTime,
    identity: Identity,
) -> None:
    """A follower (an aftershock) is linked to the earlier event it follows."""
    rule = identity.parent
    if rule is None or not facts.get(rule.flag):
        return
    since = isoformat(time.start - rule.window)
    best: tuple[float, str, int] | None = None
    for event in store.events.overlapping_events(db, monitor, since, isoformat(time.start)):
        if event.id == event_id or event.time_start > isoformat(time.start):
            continue
        if event.facts.get(rule.flag):
            continue
        if any(
            key in event.facts
            and key in facts
            and not identity.agree.get(key, Agreement()).agrees(event.facts[key], facts[key])
            for key in rule.agree
        ):
            continue
        if not all(key in event.facts for key in rule.agree):
            continue
        rank = event.facts.get(rule.rank) if rule.rank else 0
        candidate = (
            float(rank) if isinstance(rank, int | float) else 0.0,
            event.time_start,
            event.id,
        )
        if best is None or candidate > best:
            best = candidate
    if best is not None:
        store.events.set_parent(db, event_id, best[2])
