"""Which event a matched article joins, or whether it opens one.

An article matched by a monitor joins an existing event of that monitor when

- time: the article's event-time interval and the event's, each widened by
  TIME_TOLERANCE, overlap (intervals are UTC, already shaped by the precision of
  what the text said: "around 7:50 a.m." is minutes, "Sunday" a local day, no
  time word at all the two days before publication);
- facts: no hard conflict (different `actor`).

When several events qualify, the one whose headlines are most alike wins (the same
story counts as identical), then the one more outlets reported, then the one nearest
before the article's publication. Support before nearness: a report whose title and
time cannot tell two events apart is most likely about the launch forty outlets cover
for days, not the one-report event a misdated copy opened the night before ("북한이
29일 ... 발사" printed the morning after a launch on the 28th). So the next day's
state-media account ("North Korea says latest missile tests
involved hypersonic weapons"), whose only time word dates the account, joins the
launch it describes; the 4 January launch and the 27 January launch, worded almost
identically, stay apart (their times never overlap).

Otherwise the article opens a new event, unless it is a list of other articles'
headlines (an aggregator's page, `crawler.parse.listing`): such a page joins only
through its own lead headline, and when no event fits yet its match waits in
`held_matches` until a report opens one.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from crawler import store, stories, text
from crawler.clock import isoformat, parse_instant
from crawler.events import corrections
from crawler.events.summary import refresh
from crawler.model import StoredArticle
from monitors.base import EventTime, Match

TIME_TOLERANCE = timedelta(hours=3)


HARD_FACTS = ("actor",)  # values that must agree for two reports to be one event


DEFAULT_WINDOW = timedelta(days=2)  # when a monitor gives no time: [published - 2 days, published]


def assign(
    db: sqlite_utils.Database,
    article: StoredArticle,
    monitor: str,
    match: Match,
    story_id: int,
    *,
    listing: bool = False,
    headline: str | None = None,
    title_language: str | None = None,
) -> tuple[int | None, bool]:
    """Attach a matched article to its event: (event id, whether it is new).

    A listing that fits no event yet is held: (None, False). `headline`: the title it
    matched with, when not the article's own (a later headline of a live story).
    """
    if corrections.held_out(db, article.id, monitor):  # an analyst took it out of its event
        return None, False
    time = _bounded(match.time or _default_time(article))
    member = {**_member_row(article, monitor, match, time), "headline": headline}
    event_id = _best_event(db, monitor, match, time, article, story_id)
    if event_id is None:  # a later report of an event an analyst merged into another
        window = isoformat(time.start - TIME_TOLERANCE), isoformat(time.end + TIME_TOLERANCE)
        event_id = corrections.merged_into(db, monitor, *window)
    if event_id is None and listing:
        store.events.hold_match(db, member)
        return None, False
    created = event_id is None
    if event_id is None:
        event_id = store.events.create_event(
            db,
            {
                "monitor": monitor,
                "kind": match.kind,
                "title": article.title or article.url,
                "time_start": member["time_start"],
                "time_end": member["time_end"],
                "time_point": member["time_end"],
                "precision": time.precision,
                "first_seen": member["matched_at"],
                "last_updated": member["matched_at"],
                "article_count": 0,
                "outlet_count": 0,
            },
        )
    store.events.add_event_article(
        db, {**member, "event_id": event_id, "role": "listed" if listing else match.account}
    )
    if created:
        _attach_held(db, event_id, monitor, time, match.facts)
    refresh(db, event_id, title_language)
    return event_id, created


def _best_event(
    db: sqlite_utils.Database,
    monitor: str,
    match: Match,
    time: EventTime,
    article: StoredArticle,
    story_id: int,
) -> int | None:
    """The compatible event most like the article, best reported, nearest before it;
    None if none fits."""
    since = isoformat(time.start - TIME_TOLERANCE)
    until = isoformat(time.end + TIME_TOLERANCE)
    terms = text.title_terms(article.title)
    published = _instant(article)
    best: tuple[float, int, float, int] | None = None
    for event in store.events.overlapping_events(db, monitor, since, until):
        if _conflicts(event.facts, match.facts):
            continue
        score = _similarity(db, event.id, story_id, terms)
        distance = abs((published - parse_instant(event.time_end)).total_seconds())
        key = (score, event.outlet_count, -distance, event.id)
        if best is None or key > best:
            best = key
    return None if best is None else best[3]


def _attach_held(
    db: sqlite_utils.Database,
    event_id: int,
    monitor: str,
    time: EventTime,
    facts: dict[str, Any],
) -> None:
    """Held listings that fit the event just opened join it. `facts`: its one member's,
    which are the event's (its row has none until the refresh that follows)."""
    since = isoformat(time.start - TIME_TOLERANCE)
    until = isoformat(time.end + TIME_TOLERANCE)
    for held in store.events.held_matches(db, monitor, since, until):
        if _conflicts(facts, json.loads(held["facts"])):
            continue
        store.events.release_held(db, held["article_id"], monitor)
        store.events.add_event_article(db, {**held, "event_id": event_id, "role": "listed"})


def _member_row(
    article: StoredArticle, monitor: str, match: Match, time: EventTime
) -> dict[str, Any]:
    return {
        "article_id": article.id,
        "monitor": monitor,
        "time_start": isoformat(time.start),
        "time_end": isoformat(time.end),
        "precision": time.precision,
        "phrase": time.phrase,
        "facts": json.dumps(dict(match.facts), sort_keys=True, ensure_ascii=False),
        "evidence": match.evidence,
        "account": match.account,
        "fact_evidence": json.dumps(dict(match.fact_evidence), sort_keys=True, ensure_ascii=False),
        "matched_at": article.fetched_at,
    }


def _instant(article: StoredArticle) -> datetime:
    return parse_instant(stories.story_time(article.published_utc, article.fetched_at))


def _conflicts(event_facts: dict[str, Any], facts: Any) -> bool:
    return any(
        key in event_facts and key in facts and event_facts[key] != facts[key] for key in HARD_FACTS
    )


def _similarity(db: sqlite_utils.Database, event_id: int, story_id: int, terms: list[str]) -> float:
    if story_id in store.events.event_story_ids(db, event_id):
        return 1.0
    others = [line.split() for line in store.events.event_terms(db, event_id)]
    vocabulary = set(terms).union(*others) if others else set(terms)
    df = store.stories.document_frequencies(db, vocabulary)
    total = df.pop(store.stories.TOTAL)
    weights = {term: text.idf(count, total) for term, count in df.items()}
    return max((text.title_similarity(terms, other, weights) for other in others), default=0.0)


def _bounded(time: EventTime) -> EventTime:
    """Keep a monitor's interval within the span the event index can find."""
    if time.end - time.start <= store.events.MAX_EVENT_SPAN:
        return time
    return EventTime(time.end - store.events.MAX_EVENT_SPAN, time.end, "days", time.phrase)


def _default_time(article: StoredArticle) -> EventTime:
    moment = _instant(article)
    return EventTime(moment - DEFAULT_WINDOW, moment, "days", None)
