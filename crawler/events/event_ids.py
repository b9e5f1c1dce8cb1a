"""Event ids that survive `reprocess`: a rebuilt event is the event it mostly is.

A link quoted in an alert (`event 12`, `/-/event/12`) and a reader's digest cursor
point at ids. After a rebuild each new event takes the id of the old event of its
monitor whose members it shares most, when they overlap enough (Jaccard >= MIN_OVERLAP),
best pair first, each id once. A matched event keeps its place in the change sequence:
unchanged, it is neither new nor updated for a reader or an alert target who saw it;
changed, it is an update, never new. Other rebuilt events get ids never used before,
and each old id left over is recorded as moved to the event holding most of its
members, so it still leads somewhere.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import sqlite_utils

from crawler import store
from crawler.store.event_ids import Snapshot

MIN_OVERLAP = 0.5  # shared members / all members of the pair


@dataclass(frozen=True)
class Kept:
    """What the match by members did: ids kept, new events, old ids that moved or emptied."""

    kept: int = 0
    unchanged: int = 0
    new: int = 0
    moved: int = 0


def remember(db: sqlite_utils.Database) -> tuple[list[Snapshot], int]:
    """The events before a rebuild, and the highest id ever given."""
    return store.event_ids.snapshot(db), store.event_ids.highest_id(db)


def restore(db: sqlite_utils.Database, before: tuple[list[Snapshot], int], at: str) -> Kept:
    """Give the rebuilt events their ids back; the caller holds the transaction."""
    old, highest = before
    new = store.event_ids.snapshot(db)
    pairs = match(old, new)
    by_new = {n: o for o, n in pairs.items()}
    ids: dict[int, int] = {}
    fresh = highest
    for event in new:  # creation order: new ids follow history
        if event.id in by_new:
            ids[event.id] = by_new[event.id]
        else:
            fresh += 1
            ids[event.id] = fresh
    store.event_ids.renumber(db, ids)
    store.event_ids.set_highest_id(db, fresh)
    old_by_id = {event.id: event for event in old}
    sequences, unchanged = [], 0
    for event in new:
        if event.id not in by_new:
            continue
        before_event = old_by_id[by_new[event.id]]
        same = before_event.content == event.content and before_event.members == event.members
        unchanged += same
        sequences.append(
            (before_event.created_seq, before_event.change_seq if same else None, ids[event.id])
        )
    store.event_ids.restore_sequences(db, sequences)
    moved = _record_moves(db, old, new, pairs, ids, at)
    return Kept(len(pairs), unchanged, len(new) - len(pairs), moved)


def match(old: list[Snapshot], new: list[Snapshot]) -> dict[int, int]:
    """old id -> new id, one to one, the most overlapping pairs first."""
    overlaps = _overlaps(old, new)
    size_old = {event.id: len(event.members) for event in old}
    size_new = {event.id: len(event.members) for event in new}
    scored = []
    for (o, n), shared in overlaps.items():
        jaccard = shared / (size_old[o] + size_new[n] - shared)
        if jaccard >= MIN_OVERLAP:
            scored.append((-jaccard, -shared, o, n))
    scored.sort()
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    for _, _, o, n in scored:
        if o not in pairs and n not in taken:
            pairs[o] = n
            taken.add(n)
    return pairs


def _overlaps(old: list[Snapshot], new: list[Snapshot]) -> Counter[tuple[int, int]]:
    """Shared members of every (old, new) pair of one monitor that shares any."""
    where = {(event.monitor, a): event.id for event in old for a in event.members}
    return Counter(
        (where[key], event.id)
        for event in new
        for a in event.members
        if (key := (event.monitor, a)) in where
    )


def _record_moves(
    db: sqlite_utils.Database,
    old: list[Snapshot],
    new: list[Snapshot],
    pairs: dict[int, int],
    ids: dict[int, int],
    at: str,
) -> int:
    overlaps = _overlaps(old, new)
    best: dict[int, tuple[int, int]] = {}
    for (o, n), shared in overlaps.items():
        if o not in pairs and (o not in best or (shared, -n) > (best[o][0], -best[o][1])):
            best[o] = (shared, n)
    moved = 0
    for event in old:
        if event.id in pairs:
            continue
        target = best.get(event.id)
        store.corrections.record_move(
            db,
            event.id,
            ids[target[1]] if target else None,
            "rebuilt" if target else "emptied",
            at,
        )
        moved += 1
    return moved
