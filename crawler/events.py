"""Events: every article a monitor matched, grouped by the real-world event it reports.

An article matched by a monitor joins an existing event of that monitor when

- time: the article's event-time interval and the event's, each widened by
  TIME_TOLERANCE, overlap (intervals are UTC, already shaped by the precision of
  what the text said: "around 7:50 a.m." is minutes, "Sunday" a local day, no
  time word at all the two days before publication);
- facts: no hard conflict (different `actor`).

When several events qualify, the one whose headlines are most alike wins (the same
story counts as identical), then the one nearest before the article's publication.
So the next day's state-media account ("North Korea says latest missile tests
involved hypersonic weapons"), whose only time word dates the account, joins the
launch it describes; the 4 January launch and the 27 January launch, worded almost
identically, stay apart (their times never overlap).

Otherwise the article opens a new event, unless it is a list of other articles'
headlines (an aggregator's page, `crawler.listing`): such a page joins only through
its own lead headline, and when no event fits yet its match waits in `held_matches`
until a report opens one.

Everything an event shows is recomputed from its members each time one joins:

- time: the sharpest estimate its members support (minute > hour > part of day >
  day > days); vaguer members never shift or widen it. Among equally sharp members
  the largest group that agrees wins. `time_point` is one best instant: the middle
  of the interval, or, when no report names any time, shortly before the earliest
  report (a state-media account appears the day after a launch);
- facts: no source overwrites another, disagreeing values are kept with their
  articles, and a count never contradicts itself (`count: 1` beside "several");
- roles: the earliest member is the first report; others are reports,
  confirmations (the actor's own account), follow-ups (reactions, or reports a day
  or more after the first) or listed (an aggregator's headline).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from crawler import dedupe, store
from crawler.clock import isoformat, parse_instant
from monitors.base import EventTime, Match

TIME_TOLERANCE = timedelta(hours=3)
HARD_FACTS = ("actor",)  # values that must agree for two reports to be one event
PRECISION_ORDER = ("minute", "hour", "part_of_day", "day", "days")
DEFAULT_WINDOW = timedelta(days=2)  # when a monitor gives no time: [published - 2 days, published]
FOLLOW_UP_AFTER = timedelta(hours=24)  # a report this long after the first is a follow-up
LATER_ACCOUNT_LAG = timedelta(days=1)  # how long after a launch its state-media account comes
ROLES = ("first report", "report", "confirmation", "follow-up", "listed")


def assign(
    db: sqlite_utils.Database,
    article: dict[str, Any],
    monitor: str,
    match: Match,
    story_id: int,
    *,
    listing: bool = False,
    headline: str | None = None,
) -> tuple[int | None, bool]:
    """Attach a matched article to its event: (event id, whether it is new).

    A listing that fits no event yet is held: (None, False). `headline`: the title it
    matched with, when not the article's own (a later headline of a live story).
    """
    time = _bounded(match.time or _default_time(article))
    member = {**_member_row(article, monitor, match, time), "headline": headline}
    event_id = _best_event(db, monitor, match, time, article, story_id)
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
                "title": article["title"] or article["url"],
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
        _attach_held(db, event_id, monitor, time)
    refresh(db, event_id)
    return event_id, created


def refresh(db: sqlite_utils.Database, event_id: int) -> None:
    """Recompute everything an event shows from its member articles."""
    members = store.events.event_members(db, event_id)
    facts, sources = merge_facts([(m["article_id"], json.loads(m["facts"])) for m in members])
    roles = member_roles(members)
    start, end, precision, point = event_time(members, roles)
    store.events.set_roles(db, event_id, roles)
    store.events.update_event(
        db,
        event_id,
        {
            "title": _representative_title(members, roles),
            "time_start": start,
            "time_end": end,
            "time_point": point,
            "precision": precision,
            "first_seen": min(m["matched_at"] for m in members),
            "last_updated": max(m["matched_at"] for m in members),
            "facts": json.dumps(facts, sort_keys=True, ensure_ascii=False),
            "fact_sources": json.dumps(sources, sort_keys=True, ensure_ascii=False),
            "article_count": len(members),
            "outlet_count": len({m["outlet"] for m in members}),
        },
    )


def merge_facts(
    reports: Sequence[tuple[int, dict[str, Any]]],
) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """(best value per fact, every value with the articles that reported it).

    Lists (e.g. missile types) are unions: a follow-up naming the type adds
    to the picture. Other values go by the most sources, the earliest report
    breaking ties; the others stay in the detail, never silently dropped. A number
    and a vague count ("several") are one fact told two ways: only one is shown.
    """
    by_fact: dict[str, dict[str, list[int]]] = defaultdict(dict)
    values: dict[str, Any] = {}
    for article_id, facts in reports:
        for key, value in facts.items():
            token = json.dumps(value, sort_keys=True, ensure_ascii=False)
            by_fact[key].setdefault(token, []).append(article_id)
            values[token] = value
    merged: dict[str, Any] = {}
    detail: dict[str, list[dict[str, Any]]] = {}
    for key, options in by_fact.items():
        detail[key] = [{"value": values[t], "articles": ids} for t, ids in options.items()]
        if all(isinstance(values[t], list) for t in options):
            merged[key] = sorted({item for t in options for item in values[t]}, key=str)
        else:
            merged[key] = values[_best_supported(options)]
    _one_count(merged, by_fact)
    return merged, detail


def member_roles(members: Sequence[dict[str, Any]]) -> dict[int, str]:
    """What each member is to the event (see ROLES), from its account and its time."""
    reports = [m for m in members if m["role"] != "listed"]
    first = min(reports or members, key=_published_order)
    first_at = _published(first)
    roles: dict[int, str] = {}
    for m in members:
        if m["role"] == "listed":
            roles[m["article_id"]] = "listed"
        elif m is first:
            roles[m["article_id"]] = "first report"
        elif m["account"] != "report":
            roles[m["article_id"]] = m["account"]
        elif _published(m) - first_at >= FOLLOW_UP_AFTER:
            roles[m["article_id"]] = "follow-up"
        else:
            roles[m["article_id"]] = "report"
    return roles


def event_time(
    members: Sequence[dict[str, Any]], roles: dict[int, str]
) -> tuple[str, str, str, str]:
    """(start, end, precision, best instant): the sharpest estimate the members support.

    Only the sharpest members count, so a report saying "Sunday" never widens or moves
    "7:50 a.m." from another; among them, the largest group whose intervals agree, then
    its intersection. With no time named at all, the instant is shortly before the
    earliest report: its publication, or a day before it for a later account.
    """
    timed = [m for m in members if roles.get(m["article_id"]) != "listed"] or list(members)
    sharpest = min(PRECISION_ORDER.index(m["precision"]) for m in timed)
    group = _agreeing([m for m in timed if PRECISION_ORDER.index(m["precision"]) == sharpest])
    start = max(m["time_start"] for m in group)
    end = min(m["time_end"] for m in group)
    if start > end:
        earliest = min(group, key=_published_order)
        start, end = earliest["time_start"], earliest["time_end"]
    precision = PRECISION_ORDER[sharpest]
    low, high = parse_instant(start), parse_instant(end)
    if precision != "days":
        return start, end, precision, isoformat(low + (high - low) / 2)
    guesses = [
        _published(m) - (LATER_ACCOUNT_LAG if m["account"] == "confirmation" else timedelta(0))
        for m in timed
        if roles[m["article_id"]] in ("first report", "report", "confirmation")
    ]
    guess = min(guesses, default=high)
    return start, end, precision, isoformat(min(max(guess, low), high))


def _best_event(
    db: sqlite_utils.Database,
    monitor: str,
    match: Match,
    time: EventTime,
    article: dict[str, Any],
    story_id: int,
) -> int | None:
    """The compatible event most like the article, nearest before it; None if none fits."""
    since = isoformat(time.start - TIME_TOLERANCE)
    until = isoformat(time.end + TIME_TOLERANCE)
    terms = dedupe.title_terms(article["title"])
    published = _instant(article)
    best: tuple[float, float, int] | None = None
    for event in store.events.overlapping_events(db, monitor, since, until):
        if _conflicts(event.facts, match.facts):
            continue
        score = _similarity(db, event.id, story_id, terms)
        distance = abs((published - parse_instant(event.time_end)).total_seconds())
        key = (score, -distance, event.id)
        if best is None or key > best:
            best = key
    return None if best is None else best[2]


def _attach_held(db: sqlite_utils.Database, event_id: int, monitor: str, time: EventTime) -> None:
    """Held listings that fit the event just opened join it."""
    event = store.events.get_event(db, event_id)
    assert event is not None
    since = isoformat(time.start - TIME_TOLERANCE)
    until = isoformat(time.end + TIME_TOLERANCE)
    for held in store.events.held_matches(db, monitor, since, until):
        if _conflicts(event["facts"], json.loads(held["facts"])):
            continue
        store.events.release_held(db, held["article_id"], monitor)
        store.events.add_event_article(db, {**held, "event_id": event_id, "role": "listed"})


def _member_row(
    article: dict[str, Any], monitor: str, match: Match, time: EventTime
) -> dict[str, Any]:
    return {
        "article_id": article["id"],
        "monitor": monitor,
        "time_start": isoformat(time.start),
        "time_end": isoformat(time.end),
        "precision": time.precision,
        "phrase": time.phrase,
        "facts": json.dumps(dict(match.facts), sort_keys=True, ensure_ascii=False),
        "evidence": match.evidence,
        "account": match.account,
        "fact_evidence": json.dumps(dict(match.fact_evidence), sort_keys=True, ensure_ascii=False),
        "matched_at": article["fetched_at"],
    }


def _best_supported(options: dict[str, list[int]]) -> str:
    return max(options, key=lambda t: (len(options[t]), -min(options[t])))


def _one_count(merged: dict[str, Any], by_fact: dict[str, dict[str, list[int]]]) -> None:
    """One count, not a number beside "several": the largest any report states.

    Counts grow as a launch is tracked: Japan's first "a suspected ballistic missile"
    becomes "10 ballistic missiles" an hour later, and a state-media account naming "a
    hypersonic missile" does not undo the first reports' "several". A vague count stands
    for its lower bound ("several" 2, "more than 10" 11); a number wins a tie.
    """
    stated = [
        (_lower_bound(value), isinstance(value, int), key, value)
        for key in ("count", "count_text")
        for value in (json.loads(token) for token in by_fact.get(key, {}))
    ]
    if not stated:
        return
    _, _, key, value = max(stated)
    merged.pop("count", None)
    merged.pop("count_text", None)
    merged[key] = value


def _lower_bound(value: Any) -> int:
    if isinstance(value, int):
        return value
    found = re.search(r"\d+", str(value))
    return int(found.group()) + 1 if found else 2


def _agreeing(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The largest group of members whose intervals overlap one another's (chained),
    the earliest-published group winning ties."""
    groups: list[list[dict[str, Any]]] = []
    for m in sorted(members, key=lambda m: (m["time_start"], m["time_end"])):
        if groups and m["time_start"] <= min(x["time_end"] for x in groups[-1]):
            groups[-1].append(m)
        else:
            groups.append([m])
    return max(groups, key=lambda g: (len(g), -min(_published(x).timestamp() for x in g)))


def _published(member: dict[str, Any]) -> datetime:
    """When the member said what it said: a later headline speaks from when it was seen."""
    if member.get("headline") is not None:
        return parse_instant(member["matched_at"])
    return parse_instant(dedupe.story_time(member["published_utc"], member["fetched_at"]))


def _published_order(member: dict[str, Any]) -> tuple[datetime, int]:
    return _published(member), member["article_id"]


def _instant(article: dict[str, Any]) -> datetime:
    return parse_instant(dedupe.story_time(article["published_utc"], article["fetched_at"]))


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
    weights = {term: dedupe.idf(count, total) for term, count in df.items()}
    return max((dedupe.title_similarity(terms, other, weights) for other in others), default=0.0)


def _representative_title(members: list[dict[str, Any]], roles: dict[int, str]) -> str:
    """The earliest headline of the most-reported story (usually the wire's own), from
    reports rather than headline lists when there are any."""
    pool = [m for m in members if roles.get(m["article_id"]) != "listed"] or members
    sizes = Counter(m["story_id"] for m in pool)
    story = max(
        sizes,
        key=lambda s: (sizes[s], -min(m["article_id"] for m in pool if m["story_id"] == s)),
    )
    first = next(m for m in pool if m["story_id"] == story)
    return first["title"] or first["url"]


def _bounded(time: EventTime) -> EventTime:
    """Keep a monitor's interval within the span the event index can find."""
    if time.end - time.start <= store.events.MAX_EVENT_SPAN:
        return time
    return EventTime(time.end - store.events.MAX_EVENT_SPAN, time.end, "days", time.phrase)


def _default_time(article: dict[str, Any]) -> EventTime:
    moment = _instant(article)
    return EventTime(moment - DEFAULT_WINDOW, moment, "days", None)
