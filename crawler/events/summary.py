"""What an event shows, recomputed from its members each time one joins.

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

from crawler import store, stories
from crawler.clock import isoformat, parse_instant

PRECISION_ORDER = ("minute", "hour", "part_of_day", "day", "days")


FOLLOW_UP_AFTER = timedelta(hours=24)  # a report this long after the first is a follow-up


LATER_ACCOUNT_LAG = timedelta(days=1)  # how long after a launch its state-media account comes


ROLES = ("first report", "report", "confirmation", "reaction", "analysis", "follow-up", "listed")


def refresh(db: sqlite_utils.Database, event_id: int, title_language: str | None = None) -> None:
    """Recompute everything an event shows from its member articles."""
    # One order for everything below: when each member said what it said (a later
    # headline from when it was seen), so the first report and a fact's tie-break agree.
    members = sorted(store.events.event_members(db, event_id), key=_published_order)
    facts, sources = merge_facts([(m["article_id"], json.loads(m["facts"])) for m in members])
    roles = member_roles(members)
    start, end, precision, point = event_time(members, roles)
    store.events.set_roles(db, event_id, roles)
    store.events.update_event(
        db,
        event_id,
        {
            "title": _representative_title(members, roles, title_language),
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

    `reports` come earliest first (by publication). Lists (e.g. missile types) are
    unions: a follow-up naming the type adds to the picture. Other values go by the
    most sources, the earliest report breaking ties (by its place in `reports`, not its
    id: ids follow fetch order, which concurrent fetches shuffle); the others stay in
    the detail, never silently dropped. A number and a vague count ("several") are one
    fact told two ways: only one is shown.
    """
    place = {article_id: i for i, (article_id, _) in reversed(list(enumerate(reports)))}
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
            merged[key] = values[_best_supported(options, place)]
    _one_count(merged, by_fact)
    return merged, detail


def member_roles(members: Sequence[dict[str, Any]]) -> dict[int, str]:
    """What each member is to the event (see ROLES), from its account and its time.

    A reaction or an analysis is never the first report, even when published before
    it (it is held until a report opens the event): it keeps its own role beside it.
    """
    reports = [m for m in members if m["role"] != "listed"]
    direct = [m for m in reports if m["account"] not in ("reaction", "analysis")]
    first = min(direct or reports or members, key=_published_order)
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


def _best_supported(options: dict[str, list[int]], place: dict[int, int]) -> str:
    return max(options, key=lambda t: (len(options[t]), -min(place[a] for a in options[t])))


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
    return parse_instant(stories.story_time(member["published_utc"], member["fetched_at"]))


def _published_order(member: dict[str, Any]) -> tuple[datetime, int]:
    return _published(member), member["article_id"]


def _representative_title(
    members: list[dict[str, Any]], roles: dict[int, str], language: str | None = None
) -> str:
    """The earliest headline of the most-reported story (usually the wire's own), from
    reports rather than headline lists when there are any, in `language` when a member
    is written in it, else in the language of the first report."""
    pool = [m for m in members if roles.get(m["article_id"]) != "listed"] or members
    first = next((m for m in pool if roles.get(m["article_id"]) == "first report"), pool[0])
    wanted = language if any(m["language"] == language for m in pool) else first["language"]
    pool = [m for m in pool if m["language"] == wanted] or pool
    sizes = Counter(m["story_id"] for m in pool)
    story = max(
        sizes,
        key=lambda s: (sizes[s], -min(m["article_id"] for m in pool if m["story_id"] == s)),
    )
    first = next(m for m in pool if m["story_id"] == story)
    return first["title"] or first["url"]
