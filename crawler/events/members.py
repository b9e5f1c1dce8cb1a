"""The rows of an event and its members, as the engine writes them."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from crawler import store, text
from crawler.clock import isoformat
from crawler.model import StoredArticle
from monitors.base import EventTime, Match


def create(
    db: sqlite_utils.Database,
    monitor: str,
    kind: str,
    title: str,
    member: dict[str, Any],
    time: EventTime,
    origin: str = "report",
) -> int:
    return store.events.create_event(
        db,
        {
            "monitor": monitor,
            "kind": kind,
            "title": title,
            "time_start": member["time_start"],
            "time_end": member["time_end"],
            "time_point": member["time_end"],
            "precision": time.precision,
            "first_seen": member["matched_at"],
            "last_updated": member["matched_at"],
            "article_count": 0,
            "outlet_count": 0,
            "origin": origin,
        },
    )


def add_member(
    db: sqlite_utils.Database,
    event_id: int,
    member: dict[str, Any],
    role: str,
    reason: dict[str, Any],
) -> None:
    store.events.add_event_article(
        db, {**member, "event_id": event_id, "role": role, "reason": to_json(reason)}
    )


def member_row(
    article: StoredArticle, monitor: str, match: Match, time: EventTime
) -> dict[str, Any]:
    return {
        "article_id": article.id,
        "monitor": monitor,
        "time_start": isoformat(time.start),
        "time_end": isoformat(time.end),
        "precision": time.precision,
        "phrase": time.phrase,
        "facts": to_json(dict(match.facts)),
        "evidence": match.evidence,
        "account": match.account,
        "fact_evidence": to_json(dict(match.fact_evidence)),
        "matched_at": article.fetched_at,
    }


def to_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def title_weights(db: sqlite_utils.Database, term_lists: list[list[str]]) -> dict[str, float]:
    vocabulary = set().union(*term_lists)
    df = store.stories.document_frequencies(db, vocabulary)
    total = df.pop(store.stories.TOTAL)
    return {term: text.idf(count, total) for term, count in df.items()}
