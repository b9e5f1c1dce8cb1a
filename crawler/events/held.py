"""Matches that may join an event but cannot open one, and the lists that together do.

A headline list (an aggregator's page) or a match its monitor marks `opens=False` (a
reaction) waits in `held_matches` until a report opens an event it fits. Lists are the
one exception: several independent lists (other pages, other lead headlines) that agree
on one event are witnesses enough, so they open it, marked `origin: lists`, and direct
reports join it later. One list alone opens nothing, unless it names a follower (an
aftershock) of an event already known (`crawler.events.follow`).
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from crawler import store, text
from crawler.clock import isoformat
from crawler.events.identity import compare, needs_alike_headlines, vague
from crawler.events.members import add_member, create, title_weights
from monitors.base import EventTime, Identity, Match


def open_from_lists(
    db: sqlite_utils.Database,
    monitor: str,
    member: dict[str, Any],
    match: Match,
    time: EventTime,
    terms: list[str],
    identity: Identity,
) -> int | None:
    """Open an event from held headline lists that agree with this one, when enough
    independent ones (other pages, other lead headlines) carry it; None otherwise."""
    since = isoformat(time.start - identity.time_tolerance)
    until = isoformat(time.end + identity.time_tolerance)
    lead = _lead_key(member, db)
    agreeing = [member]
    leads = {lead}
    for held in store.events.held_matches(db, monitor, since, until):
        if not held["listing"] or held["article_id"] == member["article_id"]:
            continue
        key = _lead_key(held, db)
        if key in leads:
            continue  # the same headline again: one list copied, not another witness
        if not _fits(db, held, match.facts, terms, time.precision, identity):
            continue
        leads.add(key)
        agreeing.append(held)
    if len(agreeing) < identity.lists_to_open:
        return None
    first = min(agreeing, key=lambda m: m["matched_at"])
    title = store.events.article_title(db, first["article_id"])
    event_id = create(db, monitor, match.kind, title, first, time, origin="lists")
    ids = [m["article_id"] for m in agreeing]
    for held in agreeing:
        store.events.release_held(db, held["article_id"], monitor)
        reason = {"decision": "opened by lists", "lists": ids}
        row = {k: v for k, v in held.items() if k not in ("listing", "reason")}
        add_member(db, event_id, row, "listed", reason)
    attach_held(db, event_id, monitor, time, match.facts, terms, identity)
    return event_id


def _fits(
    db: sqlite_utils.Database,
    held: dict[str, Any],
    facts: Any,
    terms: list[str],
    precision: str,
    identity: Identity,
) -> bool:
    """Whether a held match and an event (its facts, its headline's terms, its time's
    precision) may be one: the identity's facts agree, and the headlines are alike where
    the facts cannot decide."""
    verdict = compare(facts, json.loads(held["facts"]), identity)
    if not verdict.fits:
        return False
    if not needs_alike_headlines(verdict, vague(held["precision"]) or vague(precision), identity):
        return True
    other = text.title_terms(held["headline"] or store.events.article_title(db, held["article_id"]))
    similarity = text.title_similarity(terms, other, title_weights(db, [terms, other]))
    return similarity >= identity.min_similarity


def _lead_key(member: dict[str, Any], db: sqlite_utils.Database) -> str:
    title = member.get("headline") or store.events.article_title(db, member["article_id"])
    return " ".join(text.title_terms(title)) or str(member["article_id"])


def attach_held(
    db: sqlite_utils.Database,
    event_id: int,
    monitor: str,
    time: EventTime,
    facts: Any,
    terms: list[str],
    identity: Identity,
) -> None:
    """Held matches that fit the event just opened join it. `facts`, `terms`: its first
    member's facts and headline terms, which are the event's (its row has none until the
    refresh that follows)."""
    since = isoformat(time.start - identity.time_tolerance)
    until = isoformat(time.end + identity.time_tolerance)
    for held in store.events.held_matches(db, monitor, since, until):
        if not _fits(db, held, facts, terms, time.precision, identity):
            continue
        store.events.release_held(db, held["article_id"], monitor)
        role = "listed" if held["listing"] else held["account"]
        row = {k: v for k, v in held.items() if k not in ("listing", "reason")}
        add_member(db, event_id, row, role, {"decision": "joined when the event opened"})
