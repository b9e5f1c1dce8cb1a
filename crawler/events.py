"""Events: every article a monitor matched, grouped by the real-world event it reports.

An article matched by a monitor joins an existing event of that monitor when
three things agree:

- time: the article's event-time interval and the event's, each widened by
  TIME_TOLERANCE, overlap (intervals are UTC, already shaped by the precision
  of what the text said: "around 7:50 a.m." is minutes, "Sunday" a local day);
- facts: no hard conflict (different `actor`);
- text: the article is in a story already in the event, or its headline is
  similar enough (IDF-weighted cosine) to one of the event's headlines, or
  both times are sharp (the texts named the day or the hour, not just
  "recently"): the same actor doing the watched thing at the same stated time
  is the same event however differently it is worded.

Otherwise it opens a new event. So the 4 January launch and the 27 January
launch, worded almost identically, stay apart (their times never overlap),
while the next day's "state media says it was hypersonic", whose text says
"Sunday", joins the original. Everything an event shows (time, title, facts,
counts) is recomputed from its members, so no source's fact overwrites
another's: disagreeing values are kept, each with its articles.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import sqlite_utils

from crawler import dedupe, eventstore
from crawler.clock import isoformat, parse_instant
from monitors.base import EventTime, Match

TIME_TOLERANCE = timedelta(hours=3)
MIN_HEADLINE_SIMILARITY = 0.2
HARD_FACTS = ("actor",)  # values that must agree for two reports to be one event
PRECISION_ORDER = ("minute", "hour", "part_of_day", "day", "days")
SHARP_PRECISIONS = ("minute", "hour", "part_of_day", "day")
DEFAULT_WINDOW = timedelta(days=2)  # when a monitor gives no time: [published - 2 days, published]


def assign(
    db: sqlite_utils.Database,
    article: dict[str, Any],
    monitor: str,
    match: Match,
    story_id: int,
) -> tuple[int, bool]:
    """Attach a matched article to its event; returns (event id, whether it is new)."""
    time = _bounded(match.time or _default_time(article))
    since = isoformat(time.start - TIME_TOLERANCE)
    until = isoformat(time.end + TIME_TOLERANCE)
    terms = dedupe.title_terms(article["title"])
    best: tuple[float, int] | None = None
    for event in eventstore.overlapping_events(db, monitor, since, until):
        if _conflicts(event.facts, match.facts):
            continue
        score = _similarity(db, event.id, story_id, terms)
        sharp = time.precision in SHARP_PRECISIONS and event.precision in SHARP_PRECISIONS
        if (score >= MIN_HEADLINE_SIMILARITY or sharp) and (best is None or score > best[0]):
            best = (score, event.id)
    seen = article["fetched_at"]
    if best is None:
        event_id = eventstore.create_event(
            db,
            {
                "monitor": monitor,
                "kind": match.kind,
                "title": article["title"] or article["url"],
                "time_start": isoformat(time.start),
                "time_end": isoformat(time.end),
                "precision": time.precision,
                "first_seen": seen,
                "last_updated": seen,
                "article_count": 0,
                "outlet_count": 0,
            },
        )
    else:
        event_id = best[1]
    eventstore.add_event_article(
        db,
        {
            "event_id": event_id,
            "article_id": article["id"],
            "monitor": monitor,
            "time_start": isoformat(time.start),
            "time_end": isoformat(time.end),
            "precision": time.precision,
            "phrase": time.phrase,
            "facts": json.dumps(dict(match.facts), sort_keys=True, ensure_ascii=False),
            "evidence": match.evidence,
            "matched_at": seen,
        },
    )
    refresh(db, event_id)
    return event_id, best is None


def refresh(db: sqlite_utils.Database, event_id: int) -> None:
    """Recompute everything an event shows from its member articles."""
    members = eventstore.event_members(db, event_id)
    facts, sources = merge_facts([(m["article_id"], json.loads(m["facts"])) for m in members])
    start, end, precision = _event_interval(members)
    eventstore.update_event(
        db,
        event_id,
        {
            "title": _representative_title(members),
            "time_start": start,
            "time_end": end,
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
    breaking ties; the others stay in the detail, never silently dropped.
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
            token = max(options, key=lambda t: (len(options[t]), -min(options[t])))
            merged[key] = values[token]
    return merged, detail


def _conflicts(event_facts: dict[str, Any], facts: Any) -> bool:
    return any(
        key in event_facts and key in facts and event_facts[key] != facts[key] for key in HARD_FACTS
    )


def _similarity(db: sqlite_utils.Database, event_id: int, story_id: int, terms: list[str]) -> float:
    if story_id in eventstore.event_story_ids(db, event_id):
        return 1.0
    others = [line.split() for line in eventstore.event_terms(db, event_id)]
    vocabulary = set(terms).union(*others) if others else set(terms)
    df = eventstore.document_frequencies(db, vocabulary)
    total = df.pop(eventstore.TOTAL)
    weights = {term: dedupe.idf(count, total) for term, count in df.items()}
    return max((dedupe.title_similarity(terms, other, weights) for other in others), default=0.0)


def _event_interval(members: list[dict[str, Any]]) -> tuple[str, str, str]:
    """The intersection of the members' intervals; the most precise report when they disagree."""
    starts = [m["time_start"] for m in members]
    ends = [m["time_end"] for m in members]
    best = min(members, key=lambda m: (PRECISION_ORDER.index(m["precision"]), m["article_id"]))
    start, end = max(starts), min(ends)
    if start > end:
        return best["time_start"], best["time_end"], best["precision"]
    return start, end, best["precision"]


def _representative_title(members: list[dict[str, Any]]) -> str:
    """The earliest headline of the most-reported story: usually the wire's own."""
    sizes = Counter(m["story_id"] for m in members)
    story = max(
        sizes,
        key=lambda s: (sizes[s], -min(m["article_id"] for m in members if m["story_id"] == s)),
    )
    first = next(m for m in members if m["story_id"] == story)
    return first["title"] or first["url"]


def _bounded(time: EventTime) -> EventTime:
    """Keep a monitor's interval within the span the event index can find."""
    if time.end - time.start <= eventstore.MAX_EVENT_SPAN:
        return time
    return EventTime(time.end - eventstore.MAX_EVENT_SPAN, time.end, "days", time.phrase)


def _default_time(article: dict[str, Any]) -> EventTime:
    moment = parse_instant(dedupe.story_time(article["published_utc"], article["fetched_at"]))
    return EventTime(moment - DEFAULT_WINDOW, moment, "days", None)
