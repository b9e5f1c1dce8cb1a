"""What an event shows, recomputed from its members each time one joins.

- time: the best-supported sharp estimate: among the groups of reports whose
  intervals agree, the one the fewest timed reports contradict, then the sharper
  (minute > hour > part of day > day > days), then the larger. So a stated clock
  ("around 7:50 a.m.") sets the time over day words that contain it, and a lone
  part-of-day word read in the wrong zone cannot outvote reports that contradict it.
  `time_point` is one best instant: the middle of the interval, or, when no report
  names any time, shortly before the earliest report (the actor's own account comes
  the monitor's `confirmation_lag` after the event);
- facts: no source overwrites another, disagreeing values are kept with their
  articles, and each fact merges by the monitor's rule (`monitors.base.Identity`):
  majority, union, max, most precise; a quantity told two ways is shown once;
- roles: the earliest member is the first report; others are reports,
  confirmations (the actor's own account), follow-ups (reactions, or reports a day
  or more after the first) or listed (an aggregator's headline).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, get_args

import sqlite_utils

from crawler import store, stories
from crawler.clock import isoformat, parse_instant
from monitors.base import DEFAULT_IDENTITY, Identity, Precision

PRECISION_ORDER: tuple[Precision, ...] = get_args(Precision)  # sharpest first


FOLLOW_UP_AFTER = timedelta(hours=24)  # a report this long after the first is a follow-up


@dataclass(frozen=True)
class Shown:
    """How events are recomputed outside a poll (corrections, their replay): each
    monitor's identity, by name, and the language events are titled in."""

    identities: Mapping[str, Identity] = field(default_factory=dict)
    title_language: str | None = None

    def refresh(self, db: sqlite_utils.Database, event_id: int, monitor: str | None = None) -> None:
        if monitor is None:
            event = store.events.get_event(db, event_id)
            monitor = event["monitor"] if event else ""
        identity = self.identities.get(monitor, DEFAULT_IDENTITY)
        refresh(db, event_id, identity, self.title_language)


SHOWN = Shown()


# What a member is to its event: the first report, a later report, the actor's own
# confirmation, a reaction or an analysis, a follow-up, or a headline list.
Role = Literal[
    "first report", "report", "confirmation", "reaction", "analysis", "follow-up", "listed"
]
ROLES: tuple[Role, ...] = get_args(Role)


def refresh(
    db: sqlite_utils.Database,
    event_id: int,
    identity: Identity = DEFAULT_IDENTITY,
    title_language: str | None = None,
) -> None:
    """Recompute everything an event shows from its member articles."""
    # One order for everything below: when each member said what it said (a later
    # headline from when it was seen), so the first report and a fact's tie-break agree.
    members = sorted(store.events.event_members(db, event_id), key=_published_order)
    facts, sources = merge_facts(
        [(m["article_id"], json.loads(m["facts"])) for m in members], identity
    )
    roles = member_roles(members)
    start, end, precision, point = event_time(members, roles, identity)
    store.events.set_roles(db, event_id, dict(roles))  # the store takes them as text
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
    identity: Identity = DEFAULT_IDENTITY,
) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """(best value per fact, every value with the articles that reported it).

    `reports` come earliest first (by publication). Each fact merges by the identity's
    rule for it: `union` (the default for lists: a follow-up naming the type adds to
    the picture), `max` (a count that grows as the event is tracked), `most_precise`
    (the deepest place the reports support: "Taiwan" and "Taiwan / Hualien County" make
    the latter), `majority` (the default: the most sources, the earliest report breaking
    ties, by its place in `reports`, not its id: ids follow fetch order, which
    concurrent fetches shuffle). Other values stay in the detail, never silently
    dropped. Facts the identity groups in `one_of` are one quantity told two ways (a
    number and "several"): only the largest is shown.
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
        rule = identity.merge.get(key)
        if rule == "most_precise":
            merged[key] = _most_precise(options, values)
        elif rule == "max":
            merged[key] = max((values[t] for t in options), key=_magnitude)
        elif rule == "union" or (
            rule is None and all(isinstance(values[t], list) for t in options)
        ):
            merged[key] = sorted({item for t in options for item in _as_list(values[t])}, key=str)
        else:
            merged[key] = values[_best_supported(options, place)]
    for group in identity.one_of:
        _one_of(merged, by_fact, group)
    return merged, detail


def member_roles(members: Sequence[dict[str, Any]]) -> dict[int, Role]:
    """What each member is to the event (see ROLES), from its account and its time.

    A reaction or an analysis is never the first report, even when published before
    it (it is held until a report opens the event): it keeps its own role beside it.
    """
    reports = [m for m in members if m["role"] != "listed"]
    direct = [m for m in reports if m["account"] not in ("reaction", "analysis")]
    first = min(direct or reports or members, key=_published_order)
    first_at = _published(first)
    roles: dict[int, Role] = {}
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
    members: Sequence[dict[str, Any]],
    roles: Mapping[int, Role],
    identity: Identity = DEFAULT_IDENTITY,
) -> tuple[str, str, str, str]:
    """(start, end, precision, best instant): the best-supported sharp estimate.

    Candidates are the groups of equally sharp members whose intervals agree, at every
    precision. The one the fewest members contradict wins (a member contradicts a
    candidate when its interval does not overlap it: "Tuesday" contradicts "Monday
    night", not "3:50 p.m. Tuesday"; a report naming no time contradicts nothing),
    then the sharper, then the larger; its interval is the group's intersection (a
    follow-up's days bound only its end: the event came before the account, however
    long before). So a
    stated clock sets the time over day words that contain it, the time improves as
    better reports arrive, and one misread part of day cannot outvote the reports
    that contradict it. With no time named at all, the instant is shortly before the
    earliest report: its publication, or `confirmation_lag` before it for the
    actor's own account.
    """
    timed = [m for m in members if roles.get(m["article_id"]) != "listed"] or list(members)
    start, end, precision = _best_supported_time(timed)
    low, high = parse_instant(start), parse_instant(end)
    if precision != "days":
        return start, end, precision, isoformat(low + (high - low) / 2)
    lag = identity.confirmation_lag
    guesses = [
        _published(m) - (lag if m["account"] == "confirmation" else timedelta(0))
        for m in timed
        if roles[m["article_id"]] in ("first report", "report", "confirmation")
    ]
    guess = min(guesses, default=high)
    return start, end, precision, isoformat(min(max(guess, low), high))


def _best_supported(options: dict[str, list[int]], place: dict[int, int]) -> str:
    return max(options, key=lambda t: (len(options[t]), -min(place[a] for a in options[t])))


def _best_supported_time(timed: Sequence[dict[str, Any]]) -> tuple[str, str, str]:
    # only reports that name a time can contradict one; the days before a publication
    # are a default, not a statement (and feeds misdate items)
    spans = [
        (parse_instant(m["time_start"]), parse_instant(m["time_end"]))
        for m in timed
        if m["precision"] != "days"
    ]
    best: tuple[int, int, int] | None = None
    chosen: tuple[str, str, str] = ("", "", "days")
    for rank, precision in enumerate(PRECISION_ORDER):
        sharp = [m for m in timed if m["precision"] == precision]
        if not sharp:
            continue
        for group in _agreeing_groups(sharp):
            # a follow-up's days say only that the event came before the account
            bounded = [m["time_start"] for m in group if not _open_start(m)]
            start = max(bounded) if bounded else min(m["time_start"] for m in group)
            end = min(m["time_end"] for m in group)
            if start > end:
                earliest = min(group, key=_published_order)
                start, end = earliest["time_start"], earliest["time_end"]
            low, high = parse_instant(start), parse_instant(end)
            against = sum(1 for a, b in spans if not _overlap(a, b, low, high))
            key = (-against, -rank, len(group))
            if best is None or key > best:
                best, chosen = key, (start, end, precision)
    return chosen


def _open_start(member: dict[str, Any]) -> bool:
    return bool(member["account"] == "follow-up" and member["precision"] == "days")


def _overlap(a: datetime, b: datetime, low: datetime, high: datetime) -> bool:
    """Do [a, b] and [low, high] share a moment (more than a shared end)?"""
    if a == b or low == high:
        return max(a, low) <= min(b, high)
    return a < high and low < b


def _one_of(
    merged: dict[str, Any], by_fact: dict[str, dict[str, list[int]]], group: tuple[str, ...]
) -> None:
    """One quantity, not a number beside "several": the largest any report states.

    Counts grow as an event is tracked: Japan's first "a suspected ballistic missile"
    becomes "10 ballistic missiles" an hour later, and a later account naming "a
    hypersonic missile" does not undo the first reports' "several". A vague quantity
    stands for its lower bound ("several" 2, "more than 10" 11); a number wins a tie.
    """
    stated = [
        (_magnitude(value), _is_number(value), key, value)
        for key in group
        for value in (json.loads(token) for token in by_fact.get(key, {}))
    ]
    if not stated:
        return
    _, _, key, value = max(stated, key=lambda s: (s[0], s[1]))
    for other in group:
        merged.pop(other, None)
    merged[key] = value


def _magnitude(value: Any) -> float:
    """A value's size for `max`: a number itself, a vague quantity its lower bound."""
    if _is_number(value):
        return float(value)
    found = re.search(r"\d+", str(value))
    return int(found.group()) + 1 if found else 2


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _most_precise(options: dict[str, list[int]], values: dict[str, Any]) -> Any:
    """The deepest path the reports support: walk down from the broadest name, at each
    level to the child most reports name (a report of "Taiwan / Hualien" also supports
    "Taiwan"), while at least half of the reports at that level name it. So one
    headline naming the city where buildings swayed does not make the event's place,
    which later reports would then contradict."""
    support: Counter[tuple[str, ...]] = Counter()
    shown: dict[tuple[str, ...], list[str]] = {}
    for token, articles in options.items():
        path = _as_list(values[token])
        for depth in range(1, len(path) + 1):
            key = tuple(str(p).casefold() for p in path[:depth])
            support[key] += len(articles)
            shown.setdefault(key, [str(p) for p in path[:depth]])
    prefix: tuple[str, ...] = ()
    reports = sum(len(articles) for articles in options.values())
    while True:
        children = [k for k in support if len(k) == len(prefix) + 1 and k[: len(prefix)] == prefix]
        if not children:
            break
        child = max(children, key=lambda k: (support[k], k))
        if 2 * support[child] < (support[prefix] if prefix else reports):
            break
        prefix = child
    return shown.get(prefix, [])


def _agreeing_groups(members: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Members whose intervals overlap one another's (chained), in groups; the
    earliest-published group first, so it wins ties."""
    groups: list[list[dict[str, Any]]] = []
    for m in sorted(members, key=lambda m: (m["time_start"], m["time_end"])):
        if groups and m["time_start"] <= min(x["time_end"] for x in groups[-1]):
            groups[-1].append(m)
        else:
            groups.append([m])
    return sorted(groups, key=lambda g: min(_published(x).timestamp() for x in g))


def _published(member: dict[str, Any]) -> datetime:
    """When the member said what it said: a later headline speaks from when it was seen."""
    if member.get("headline") is not None:
        return parse_instant(member["matched_at"])
    return parse_instant(stories.story_time(member["published_utc"], member["fetched_at"]))


def _published_order(member: dict[str, Any]) -> tuple[datetime, int]:
    return _published(member), member["article_id"]


def _representative_title(
    members: list[dict[str, Any]], roles: Mapping[int, Role], language: str | None = None
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
    title: str = first["title"] or first["url"]
    return title
