"""Analysts' corrections of events, kept as constraints the engine and `reprocess` honour.

- dismiss an event: a false event; it stays (later reports of it join it rather than
  open a new one) but digests and alerts leave it out;
- dismiss a member: the article leaves the event and joins no event of that monitor
  again (`held_out`), through new headlines and rebuilds alike;
- move a member to another event, merge events, split articles off into a new event:
  they stay so. A merged-away id resolves to the event it went into (`resolve`);
  later reports of either find only the merged event.

Each correction is recorded with who, when and why, and names its events both by id
and by anchor articles (their members then). `reprocess` rebuilds the events, then
`replay`s every correction in order, finding each event by its anchors, before the
match by members gives the events their ids back (`event_ids`).
"""

from __future__ import annotations

import getpass
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal, get_args

import sqlite_utils

from crawler import store
from crawler.clock import isoformat
from crawler.errors import NewsmonError
from crawler.events.summary import SHOWN, Shown
from crawler.store.corrections import Correction

LOGGER = logging.getLogger(__name__)
CorrectionKind = Literal["dismiss", "dismiss_member", "move", "merge", "split"]
KINDS: tuple[CorrectionKind, ...] = get_args(CorrectionKind)


class CorrectionError(NewsmonError, ValueError):
    """A correction that cannot be made: no such event or article, or it makes no sense."""


@dataclass(frozen=True)
class Who:
    """Who makes a correction, when, and why."""

    by: str
    at: datetime
    note: str | None = None


def current_user() -> str:
    """The operating-system user: who made a correction, unless `--by` says."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (a container) and no $USER
        return "unknown"


# -- what the engine asks --------------------------------------------------------


def held_out(db: sqlite_utils.Database, article_id: int, monitor: str) -> bool:
    """Was this article dismissed from its event of `monitor` (and not placed since)?
    Then it joins no event of that monitor: not through a new headline, not in a rebuild."""
    return store.corrections.last_kind_for_article(db, article_id, monitor) == "dismiss_member"


def merged_into(db: sqlite_utils.Database, monitor: str, since: str, until: str) -> int | None:
    """The event a report of [since, until] joins because an analyst merged the event it
    fits into another: the merged event keeps the time of its larger part, and a later
    report of the smaller must still find it."""
    return store.corrections.merged_event_in(db, monitor, since, until)


def resolve(db: sqlite_utils.Database, event_id: int) -> int:
    """The event an id stands for now: itself, or what it was merged or rebuilt into.
    An id that leads nowhere (its reports all left) comes back unchanged."""
    return store.corrections.resolve(db, event_id)


# -- corrections an analyst makes -------------------------------------------------


def dismiss(
    db: sqlite_utils.Database, event_id: int, who: Who, *, shown: Shown = SHOWN
) -> Correction:
    """Mark an event false: hidden from digests, never alerted again."""
    event = _event(db, event_id)
    members = store.corrections.member_ids(db, event["id"])
    return _make(db, who, "dismiss", event["monitor"], event["id"], anchors=members, shown=shown)


def dismiss_member(
    db: sqlite_utils.Database,
    event_id: int,
    article_id: int,
    who: Who,
    *,
    shown: Shown = SHOWN,
) -> Correction:
    """Take a wrong report out of an event, for good."""
    event = _event(db, event_id)
    members = store.corrections.member_ids(db, event["id"])
    if article_id not in members:
        raise CorrectionError(f"article {article_id} is not a source of event {event['id']}")
    rest = [a for a in members if a != article_id]
    return _make(
        db,
        who,
        "dismiss_member",
        event["monitor"],
        event["id"],
        subjects=[article_id],
        anchors=rest,
        shown=shown,
    )


def move(
    db: sqlite_utils.Database,
    article_id: int,
    to_event: int,
    who: Who,
    *,
    shown: Shown = SHOWN,
) -> Correction:
    """Put a report into the event it belongs to."""
    target = _event(db, to_event)
    source = store.corrections.event_of_article(db, article_id, target["monitor"])
    if source is None:
        raise CorrectionError(
            f"article {article_id} is in no event of monitor {target['monitor']!r}"
        )
    if source == target["id"]:
        raise CorrectionError(f"article {article_id} is already a source of event {source}")
    rest = [a for a in store.corrections.member_ids(db, source) if a != article_id]
    return _make(
        db,
        who,
        "move",
        target["monitor"],
        source,
        target_id=target["id"],
        subjects=[article_id],
        anchors=rest,
        target_anchors=store.corrections.member_ids(db, target["id"]),
        shown=shown,
    )


def merge(
    db: sqlite_utils.Database,
    event_id: int,
    others: Sequence[int],
    who: Who,
    *,
    shown: Shown = SHOWN,
) -> list[Correction]:
    """Make one event of several: `others` join `event_id`, whose id stays."""
    kept = _event(db, event_id)
    made = []
    for other_id in others:
        other = _event(db, other_id)
        if other["id"] == kept["id"]:
            raise CorrectionError(f"event {other_id} is event {kept['id']} itself")
        if other["monitor"] != kept["monitor"]:
            raise CorrectionError(
                f"event {other['id']} is of monitor {other['monitor']!r}, "
                f"event {kept['id']} of {kept['monitor']!r}: only one monitor's events merge"
            )
        made.append(
            _make(
                db,
                who,
                "merge",
                kept["monitor"],
                other["id"],
                target_id=kept["id"],
                anchors=store.corrections.member_ids(db, other["id"]),
                target_anchors=store.corrections.member_ids(db, kept["id"]),
                shown=shown,
            )
        )
    return made


def split(
    db: sqlite_utils.Database,
    event_id: int,
    article_ids: Sequence[int],
    who: Who,
    *,
    shown: Shown = SHOWN,
) -> Correction:
    """Make a new event of some of an event's reports."""
    event = _event(db, event_id)
    members = store.corrections.member_ids(db, event["id"])
    missing = [a for a in article_ids if a not in members]
    if missing:
        listed = ", ".join(map(str, missing))
        raise CorrectionError(f"not sources of event {event['id']}: articles {listed}")
    rest = [a for a in members if a not in set(article_ids)]
    if not rest:
        raise CorrectionError(f"splitting every source off leaves event {event['id']} empty")
    return _make(
        db,
        who,
        "split",
        event["monitor"],
        event["id"],
        subjects=sorted(set(article_ids)),
        anchors=rest,
        shown=shown,
    )


def _event(db: sqlite_utils.Database, event_id: int) -> dict[str, Any]:
    row = store.events.get_event(db, resolve(db, event_id))
    if row is None:
        raise CorrectionError(f"no event with id {event_id}")
    return row


def _make(
    db: sqlite_utils.Database,
    who: Who,
    kind: CorrectionKind,
    monitor: str,
    event_id: int,
    *,
    target_id: int | None = None,
    subjects: Sequence[int] = (),
    anchors: Sequence[int] = (),
    target_anchors: Sequence[int] = (),
    shown: Shown = SHOWN,
) -> Correction:
    """Record a correction and apply it, in one transaction. `shown`: how the events
    it changes are recomputed (each monitor's identity, the title language)."""
    with db.atomic():
        correction = Correction(
            0,
            kind,
            monitor,
            event_id,
            target_id,
            who.by,
            isoformat(who.at),
            who.note,
            tuple(subjects),
            tuple(anchors),
            tuple(target_anchors),
        )
        correction_id = store.corrections.add(db, correction)
        correction = replace(correction, id=correction_id)
        created = apply(db, correction, live=True, shown=shown)
        if isinstance(created, int) and not isinstance(created, bool):  # a split's new event
            store.corrections.set_target(db, correction_id, created)
            correction = replace(correction, target_id=created)
    return correction


# -- applying, live and in a rebuild ------------------------------------------------


def replay(db: sqlite_utils.Database, shown: Shown = SHOWN) -> tuple[int, int]:
    """Apply every correction again, in order, to freshly rebuilt events: (applied,
    no longer applicable). The caller holds the transaction."""
    applied = skipped = 0
    for correction in store.corrections.in_order(db):
        if apply(db, correction, live=False, shown=shown) is False:
            skipped += 1
            LOGGER.info("correction %d (%s) no longer applies", correction.id, correction.kind)
        else:
            applied += 1
    return applied, skipped


def apply(
    db: sqlite_utils.Database,
    correction: Correction,
    *,
    live: bool,
    shown: Shown = SHOWN,
) -> int | bool | None:
    """Apply one correction to the events as they are, finding each by its anchors (live,
    they are exactly the events named). The new event's id for a split; False when the
    events it names are gone; else None. `live`: old ids are recorded as moved."""
    monitor = correction.monitor
    at = correction.at
    find = store.corrections.event_by_anchors
    if correction.kind == "dismiss":
        event_id = find(db, monitor, correction.anchors)
        if event_id is None:
            return False
        store.events.update_event(db, event_id, {"dismissed": 1})
        return None
    if correction.kind == "dismiss_member":
        (article_id,) = correction.subjects
        source = store.corrections.event_of_article(db, article_id, monitor)
        if source is None:
            return None  # held out by the engine: nothing to take out
        _leave(db, source, [article_id], None, live, at, shown)
        return None
    if correction.kind == "move":
        target = find(db, monitor, correction.target_anchors)
        (article_id,) = correction.subjects
        source = store.corrections.event_of_article(db, article_id, monitor)
        if target is None or source is None:
            return False
        if source != target:
            _leave(db, source, [article_id], target, live, at, shown)
            shown.refresh(db, target, monitor)
        return None
    if correction.kind == "merge":
        kept = find(db, monitor, correction.target_anchors)
        gone = find(db, monitor, correction.anchors)
        if kept is None or gone is None:
            return False
        if kept != gone:
            _leave(db, gone, None, kept, live, at, shown, reason="merged")
            shown.refresh(db, kept, monitor)
        return None
    if correction.kind == "split":
        source = find(db, monitor, correction.anchors)
        if source is None:
            return False
        new_id = _open_like(db, source)
        for article_id in correction.subjects:
            current = store.corrections.event_of_article(db, article_id, monitor)
            if current is not None:
                _leave(db, current, [article_id], new_id, live, at, shown)
        if not store.corrections.member_ids(db, new_id):
            store.corrections.delete_event(db, new_id)
            return False
        shown.refresh(db, new_id, monitor)
        return new_id
    raise CorrectionError(f"unknown correction kind {correction.kind!r}")


def _leave(
    db: sqlite_utils.Database,
    source: int,
    article_ids: Sequence[int] | None,
    target: int | None,
    live: bool,
    at: str,
    shown: Shown,
    *,
    reason: str = "emptied",
) -> None:
    """Articles (None: all) leave `source` for `target` (None: for no event). An event
    left empty is deleted; live, its id is recorded as gone to `target`."""
    if target is None:
        for article_id in article_ids or store.corrections.member_ids(db, source):
            store.corrections.remove_member(db, source, article_id)
    else:
        store.corrections.move_members(db, source, target, article_ids)
    if store.corrections.member_ids(db, source):
        shown.refresh(db, source)
        return
    store.corrections.delete_event(db, source)
    if live:
        store.corrections.record_move(db, source, target, reason, at)


def _open_like(db: sqlite_utils.Database, event_id: int) -> int:
    """A new event of the same monitor and kind; its members come next, then a refresh
    fills in the rest."""
    event = store.events.get_event(db, event_id)
    assert event is not None
    columns = (
        "monitor",
        "kind",
        "title",
        "time_start",
        "time_end",
        "time_point",
        "precision",
        "first_seen",
        "last_updated",
    )
    return store.events.create_event(
        db, {**{key: event[key] for key in columns}, "article_count": 0, "outlet_count": 0}
    )
