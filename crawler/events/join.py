"""Which event a matched article joins, or whether it opens one.

The rules are the engine's; what makes two reports one event is each monitor's
(`monitors.base.Identity`). An article matched by a monitor joins an existing event of
that monitor when

- time: the article's event-time interval and the event's, each widened by the
  monitor's `time_tolerance`, overlap (intervals are UTC, already shaped by the
  precision of what the text said: "around 7:50 a.m." is minutes, "Sunday" a local day,
  an interval beginning after the report's publication not the event's at all,
  no time word at all the monitor's `undated_window` before publication; a `follow-up`
  account reaches back the monitor's `follow_up_reach` before it);
- facts: every fact the monitor's identity names (an actor, a place, a magnitude)
  agrees when both state it (and a follower, an aftershock, never joins the event it
  follows); when no fact can be compared (one side states none of
  them), the headlines must be at least `min_similarity` alike.

When several events qualify, the one agreeing on more stated facts wins, then the one
whose headlines are most alike (the same story counts as identical), then the one more
outlets reported, then the one nearest before the article's publication. Support before
nearness: a report whose title and time cannot tell two events apart is most likely
about the event forty outlets cover for days, not the one-report event a misdated copy
opened the night before.

Otherwise the article opens a new event, unless its match cannot open one: a list of
other articles' headlines (an aggregator's page, `crawler.parse.listing`), or a match
the monitor marks `opens=False` (a reaction to an event). Such a match waits in
`held_matches` until a report opens an event it fits. Headline lists that agree are the
exception: when `lists_to_open` independent lists (different pages, different lead
headlines) carry one event and no report has come, the event opens from them; and a
list naming a follower (an aftershock) of a known event opens the follower's own event,
the followed event's reports being its other witness (`crawler.events.follow`).

Every member records why it is there (`reason`, JSON): what it was compared with,
which facts agreed, the time overlap and the similarity. `newsmon event ID --explain`
prints it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from crawler import store, stories, text
from crawler.clock import isoformat, parse_instant
from crawler.events import corrections
from crawler.events.follow import link_parent, open_follower, open_held_followers
from crawler.events.held import attach_held, open_from_lists
from crawler.events.identity import Verdict, compare, needs_alike_headlines, vague
from crawler.events.members import add_member, create, member_row, title_weights, to_json
from crawler.events.summary import refresh
from crawler.model import StoredArticle
from monitors.base import DEFAULT_IDENTITY, EventTime, Identity, Match

REJECTIONS_KEPT = 5  # per member, the events it was compared with and did not join


def assign(
    db: sqlite_utils.Database,
    article: StoredArticle,
    monitor: str,
    match: Match,
    story_id: int,
    *,
    identity: Identity = DEFAULT_IDENTITY,
    listing: bool = False,
    headline: str | None = None,
    title_language: str | None = None,
) -> tuple[int | None, bool]:
    """Attach a matched article to its event: (event id, whether it is new).

    A match that cannot open an event and fits none yet is held: (None, False), unless
    it makes enough agreeing headline lists to open one. `headline`: the title it
    matched with, when not the article's own (a later headline of a live story).
    """
    if corrections.held_out(db, article.id, monitor):  # an analyst took it out of its event
        return None, False
    time = _bounded(_reported(match.time, article, identity) or _default_time(article, identity))
    member = {**member_row(article, monitor, match, time), "headline": headline}
    terms = text.title_terms(headline or article.title)
    reach = identity.follow_up_reach if match.account == "follow-up" else None
    verdicts = _verdicts(db, monitor, match.facts, time, story_id, terms, identity, reach)
    chosen = _best(verdicts, article)
    compared = [v.summary() for v in verdicts if v is not chosen][:REJECTIONS_KEPT]
    role = "listed" if listing else match.account
    if chosen is not None:
        reason = {"decision": "joined", **chosen.summary(), "compared": compared}
        add_member(db, chosen.event_id, member, role, reason)
        refresh(db, chosen.event_id, identity, title_language)
        return chosen.event_id, False
    since = isoformat(time.start - identity.time_tolerance)
    merged = corrections.merged_into(
        db, monitor, since, isoformat(time.end + identity.time_tolerance)
    )
    if merged is not None:  # a later report of an event an analyst merged into another
        add_member(db, merged, member, role, {"decision": "joined", "merged_by": "analyst"})
        refresh(db, merged, identity, title_language)
        return merged, False
    if listing or not match.opens:
        reason = {"decision": "held", "compared": compared}
        store.events.hold_match(db, {**member, "listing": int(listing), "reason": to_json(reason)})
        if listing:
            opened = open_from_lists(db, monitor, member, match, time, terms, identity)
            if opened is None:
                opened = open_follower(db, monitor, match.kind, member, match.facts, identity)
            if opened is not None:
                refresh(db, opened, identity, title_language)
                return opened, True
        return None, False
    event_id = create(db, monitor, match.kind, article.title or article.url, member, time)
    add_member(db, event_id, member, role, {"decision": "opened", "compared": compared})
    attach_held(db, event_id, monitor, time, match.facts, terms, identity)
    link_parent(db, event_id, monitor, match.facts, time, identity)
    refresh(db, event_id, identity, title_language)
    for follower in open_held_followers(db, event_id, monitor, match.kind, identity):
        refresh(db, follower, identity, title_language)
    return event_id, True


def _verdicts(
    db: sqlite_utils.Database,
    monitor: str,
    facts: Any,
    time: EventTime,
    story_id: int,
    terms: list[str],
    identity: Identity,
    reach: timedelta | None = None,
) -> list[Verdict]:
    since = time.start - identity.time_tolerance
    if reach:  # a follow-up finds the event it follows, however long before its own words
        since = min(since, time.end - reach)
    until = time.end + identity.time_tolerance
    verdicts = []
    for event in store.events.overlapping_events(db, monitor, isoformat(since), isoformat(until)):
        verdict = compare(event.facts, facts, identity)
        verdict.event_id = event.id
        verdict.similarity = _similarity(db, event.id, story_id, terms)
        verdict.overlap_hours = _overlap_hours(event.time_start, event.time_end, since, until)
        alike = verdict.similarity >= identity.min_similarity
        if (
            verdict.fits
            and not alike
            and needs_alike_headlines(
                verdict, vague(time.precision) or vague(event.precision), identity
            )
        ):
            verdict.fits = False
            why = (
                f"{', '.join(verdict.unchecked)} stated by the report alone, one side "
                "names no time finer than days,"
                if verdict.agreed
                else f"no fact to agree on ({', '.join(verdict.unknown)} not stated)"
            )
            verdict.conflict = (
                f"{why} and headline similarity "
                f"{verdict.similarity:.2f} < {identity.min_similarity:.2f}"
            )
        verdict.outlets = event.outlet_count
        verdict.time_end = event.time_end
        verdicts.append(verdict)
    return verdicts


def _best(verdicts: list[Verdict], article: StoredArticle) -> Verdict | None:
    published = _instant(article)
    fitting = [v for v in verdicts if v.fits]
    if not fitting:
        return None
    return max(
        fitting, key=lambda v: v.key(abs((published - parse_instant(v.time_end)).total_seconds()))
    )


def _instant(article: StoredArticle) -> datetime:
    return parse_instant(stories.story_time(article.published_utc, article.fetched_at))


def _overlap_hours(start: str, end: str, since: datetime, until: datetime) -> float:
    low = max(parse_instant(start), since)
    high = min(parse_instant(end), until)
    return max((high - low).total_seconds() / 3600, 0.0)


def _similarity(db: sqlite_utils.Database, event_id: int, story_id: int, terms: list[str]) -> float:
    if story_id in store.events.event_story_ids(db, event_id):
        return 1.0
    others = [line.split() for line in store.events.event_terms(db, event_id)]
    weights = title_weights(db, [terms, *others])
    return max((text.title_similarity(terms, other, weights) for other in others), default=0.0)


def _bounded(time: EventTime) -> EventTime:
    """Keep a monitor's interval within the span the event index can find."""
    if time.end - time.start <= store.events.MAX_EVENT_SPAN:
        return time
    return EventTime(time.end - store.events.MAX_EVENT_SPAN, time.end, "days", time.phrase)


def _reported(
    time: EventTime | None, article: StoredArticle, identity: Identity
) -> EventTime | None:
    """The monitor's time, unless it begins after the report was published: an event is
    reported after it happens, so such words date something later (what followed it)."""
    if time is None or time.start <= _instant(article) + identity.time_tolerance:
        return time
    return None


def _default_time(article: StoredArticle, identity: Identity) -> EventTime:
    moment = _instant(article)
    return EventTime(moment - identity.undated_window, moment, "days", None)
