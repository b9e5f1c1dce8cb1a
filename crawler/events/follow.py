"""Events that follow another and are linked to it, not merged (an aftershock).

A follower named only in a headline list opens its own event when the event it follows
is known: one list alone opens nothing, but the followed event's own reports witness
the place and the days, so the list is not the only witness.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from crawler import store
from crawler.clock import isoformat, parse_instant
from crawler.events.members import add_member, create
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
    parent = find_parent(db, monitor, facts, time, identity, besides=event_id)
    if parent is not None:
        store.events.set_parent(db, event_id, parent)


def find_parent(
    db: sqlite_utils.Database,
    monitor: str,
    facts: Any,
    time: EventTime,
    identity: Identity,
    besides: int | None = None,
) -> int | None:
    """The earlier event a follower follows: not itself a follower, agreeing on the
    rule's facts, the highest ranked (the largest shock); None for a non-follower."""
    rule = identity.parent
    if rule is None or not facts.get(rule.flag):
        return None
    since = isoformat(time.start - rule.window)
    best: tuple[float, str, int] | None = None
    for event in store.events.overlapping_events(db, monitor, since, isoformat(time.start)):
        if event.id == besides or event.time_start > isoformat(time.start):
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
    return best[2] if best is not None else None


def open_follower(
    db: sqlite_utils.Database,
    monitor: str,
    kind: str,
    member: dict[str, Any],
    facts: Any,
    identity: Identity,
) -> int | None:
    """Open a held follower's own event when the event it follows is known; None if not."""
    start, end = parse_instant(member["time_start"]), parse_instant(member["time_end"])
    time = EventTime(start, end, member.get("precision") or "days")
    parent = find_parent(db, monitor, facts, time, identity)
    if parent is None:
        return None
    title = store.events.article_title(db, member["article_id"])
    event_id = create(db, monitor, kind, title, member, time, origin="lists")
    store.events.release_held(db, member["article_id"], monitor)
    row = {k: v for k, v in member.items() if k not in ("listing", "reason")}
    add_member(db, event_id, row, "listed", {"decision": "opened as a follower", "parent": parent})
    store.events.set_parent(db, event_id, parent)
    return event_id


def open_held_followers(
    db: sqlite_utils.Database, event_id: int, monitor: str, kind: str, identity: Identity
) -> list[int]:
    """Held followers of the event just opened, each opened as its own event."""
    rule = identity.parent
    event = store.events.get_event(db, event_id)
    if rule is None or event is None:
        return []
    until = isoformat(parse_instant(event["time_end"]) + rule.window)
    opened = []
    for held in store.events.held_matches(db, monitor, event["time_start"], until):
        facts = json.loads(held["facts"])
        if not held["listing"] or not facts.get(rule.flag):
            continue
        follower = open_follower(db, monitor, kind, held, facts, identity)
        if follower is not None:
            opened.append(follower)
    return opened
