"""What each page of the web view shows, read from one snapshot of the database.

Plain functions of a `sqlite_utils.Database`: the plugin runs them on Datasette's
read-only connection, and they reuse what the digests and `newsmon status` already
decide, so the browser says what the terminal says. An event is the digest's record
(`records.event_record`) described in the digest's words (`wording`); a failing feed is
what `store.feeds.feed_state` calls it, judged against config.yaml as `status` judges it.
Every feed-supplied string is cleaned here and escaped by the templates.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

import sqlite_utils

from crawler import store
from crawler.config import Config
from crawler.report import records
from crawler.report.corrections import correction_sentences
from crawler.report.labels import disputed, fact_label, fact_text
from crawler.report.status import with_config
from crawler.report.web import activity
from crawler.report.web.fields import Field, fact_fields
from crawler.report.web.filters import PAGE_SIZE, Filters
from crawler.report.wording import (
    UNTITLED,
    clean,
    describe_counts,
    describe_when,
    format_instant,
    format_published,
    plural,
    relative,
    safe_url,
)

DEFAULT_ROLE = "report"  # members stored before roles existed
OVERDUE = "overdue by {}"  # a next poll time gone by: the feed waits for the next run
# Feed states (store.feeds.FEED_STATES, worst first) as the feed-health table words them.
STATE_LABELS = {
    "failing": "FAILING",
    "erroring": "errors",
    "new": "not polled yet",
    "ok": "ok",
    "inactive": "inactive",
}


@dataclass(frozen=True)
class SourceRef:
    """A pointer to one source row of the event page (its number and anchor)."""

    number: int
    outlet: str
    anchor: str


@dataclass(frozen=True)
class Source:
    """One article of an event, as its row on the event page."""

    number: int
    article_id: Any
    anchor: str
    outlet: str
    title: str
    url: str | None  # only http(s) URLs become links
    unlinked_url: str  # shown as text when the URL is no http(s) URL
    published: str
    language: str
    role: str
    copy_of: SourceRef | None
    copy_relation: str
    evidence: str


@dataclass(frozen=True)
class ReportedValue:
    """One value of a fact and the sources that gave it."""

    text: str
    sources: list[SourceRef]


@dataclass(frozen=True)
class FactRow:
    """A fact on the event page: the value shown, and every value reported."""

    label: str
    shown: str
    values: list[ReportedValue]
    evidence: str
    evidence_source: SourceRef | None
    differ: bool  # `labels.disputed`: as the digests say it


@dataclass(frozen=True)
class EventView:
    """An event as the landing page lists it; `sources` and `fact_rows` on its own page."""

    id: int
    title: str
    monitor: str
    kind: str
    when: str
    interval: str
    precision: str
    counts: str
    first_seen: str
    last_updated: str
    facts: list[Field]
    outlets: list[str]
    notes: list[str]
    sources: list[Source] = field(default_factory=list)
    fact_rows: list[FactRow] = field(default_factory=list)
    dismissed: bool = False
    corrections: list[str] = field(default_factory=list)  # on its own page, one sentence each


def latest_events(
    db: sqlite_utils.Database,
    *,
    now: datetime,
    tz: tzinfo = UTC,
    filters: Filters | None = None,
    configured: Collection[str] | None = None,
) -> dict[str, Any]:
    """The landing page: events matching the filters, most recently active first, a
    page of PAGE_SIZE at a time, and a chart of them per day."""
    filters = filters or Filters()
    query = store.browse.resolve(db, filters.query(tz))
    offset = (filters.page - 1) * PAGE_SIZE
    rows = store.browse.find_events(db, query, limit=PAGE_SIZE, offset=offset)
    members = store.events.members_of_events(db, [row["id"] for row in rows])
    total = store.browse.count_found(db, query)
    return {
        "events": [event_view(records.event_record(db, r, members[r["id"]]), tz=tz) for r in rows],
        "total": total,
        "first": offset + 1,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "filters": filters,
        "monitor": filters.monitor,
        "monitors": store.events.monitor_names(db),
        "outlets": store.browse.outlet_names(db),
        "timeline": activity.timeline(db, query, filters, now=now, tz=tz),
        "health": store.feeds.state_counts(db, configured),
    }


def event_page(
    db: sqlite_utils.Database,
    event_id: int,
    *,
    now: datetime,
    tz: tzinfo = UTC,
    configured: Collection[str] | None = None,
) -> dict[str, Any]:
    """One event with every source and every value its facts were given; `event` is None
    when there is no such event."""
    row = store.events.get_event(db, event_id)
    event = None if row is None else event_view(records.event_record(db, row), detail=True, tz=tz)
    return {"event": event, "health": store.feeds.state_counts(db, configured)}


def feed_health(
    db: sqlite_utils.Database, *, now: datetime, tz: tzinfo = UTC, cfg: Config | None = None
) -> dict[str, Any]:
    """Every feed, failing first, then erroring, new, healthy and inactive ones, judged
    against config.yaml as it is now when `cfg` is given (as `newsmon status` does)."""
    feeds = feed_views(db, now, tz, cfg)
    configured = configured_urls(cfg)
    return {
        "feeds": feeds,
        "health": store.feeds.state_counts(db, configured),
        "now": format_instant(now, tz),
    }


def configured_urls(cfg: Config | None) -> set[str] | None:
    """config.yaml's feed URLs: what `store.feeds.state_counts` judges retirement by."""
    if cfg is None:
        return None
    return {source.url for outlet in cfg.outlets for source in outlet.sources}


def event_view(record: dict[str, Any], *, detail: bool = False, tz: tzinfo = UTC) -> EventView:
    """The digest's record of an event, in words; sources and fact rows with `detail`."""
    articles = [a for a in record.get("articles") or [] if isinstance(a, dict)]
    sources = sources_of(articles, tz)
    outlets = list(dict.fromkeys(s.outlet for s in sources))
    return EventView(
        id=int(record["id"]),
        title=clean(record.get("title")) or UNTITLED,
        monitor=clean(record.get("monitor")),
        kind=clean(record.get("kind")),
        when=describe_when(record, tz),
        interval=describe_interval(record, tz),
        precision=clean(record.get("event_time_precision")),
        counts=describe_counts(record),
        first_seen=format_instant(record.get("first_seen"), tz),
        last_updated=format_instant(record.get("last_updated"), tz),
        facts=fact_fields(record.get("facts")),
        outlets=outlets,
        notes=role_notes(sources),
        sources=sources if detail else [],
        fact_rows=fact_rows(record, sources) if detail else [],
        dismissed=bool(record.get("dismissed")),
        corrections=correction_sentences(record, tz) if detail else [],
    )


def describe_interval(record: dict[str, Any], tz: tzinfo = UTC) -> str:
    """The interval the reports allow, both ends, whatever the precision."""
    start = format_instant(record.get("event_time_start"), tz)
    end = format_instant(record.get("event_time_end"), tz)
    return start if start == end else f"{start} – {end}"


def sources_of(articles: list[dict[str, Any]], tz: tzinfo = UTC) -> list[Source]:
    """Numbered source rows, earliest first; a copy points at the row it copies."""
    refs = {
        a.get("id"): SourceRef(n, clean(a.get("outlet")) or "unknown outlet", f"source-{n}")
        for n, a in enumerate(articles, start=1)
    }
    sources = []
    for n, article in enumerate(articles, start=1):
        url = safe_url(article.get("url"))
        sources.append(
            Source(
                number=n,
                article_id=article.get("id"),
                anchor=f"source-{n}",
                outlet=refs[article.get("id")].outlet,
                title=clean(article.get("title")) or UNTITLED,
                url=url,
                unlinked_url="" if url else clean(article.get("url")),
                published=format_published(article.get("published") or "", tz),
                language=clean(article.get("language")),
                role=clean(article.get("role")) or DEFAULT_ROLE,
                copy_of=refs.get(article.get("copy_of")),
                copy_relation=clean(article.get("copy_relation")),
                evidence=clean(article.get("evidence")),
            )
        )
    return sources


def role_notes(sources: list[Source]) -> list[str]:
    """ "1 confirmation", "2 reactions", "1 copy": what else than reports the event holds."""
    notes = []
    for role in ("confirmation", "reaction", "analysis", "follow-up", "listed"):
        count = sum(s.role == role for s in sources)
        if count:
            notes.append(
                f"{count} analyses" if role == "analysis" and count != 1 else plural(count, role)
            )
    copies = sum(s.copy_of is not None for s in sources)
    if copies:
        notes.append("1 copy" if copies == 1 else f"{copies} copies")
    return notes


def fact_rows(record: dict[str, Any], sources: list[Source]) -> list[FactRow]:
    """Every fact with each value reported and its sources; facts shown first, then
    values the event does not show (a count a vaguer "several" outranks). Keys that
    read alike are one row ("count" and "count_text" are both the count, as in the
    digests)."""
    facts, given = _dict_at(record, "facts"), _dict_at(record, "fact_sources")
    evidence = _dict_at(record, "fact_evidence")
    by_id = {s.article_id: SourceRef(s.number, s.outlet, s.anchor) for s in sources}
    keys_by_label: dict[str, list[str]] = {}
    for key in [*facts, *(k for k in given if k not in facts)]:
        keys_by_label.setdefault(fact_label(key), []).append(key)
    rows = []
    for label, keys in keys_by_label.items():
        values = [
            ReportedValue(
                fact_text(key, option.get("value")),
                [by_id[a] for a in option.get("articles") or [] if a in by_id],
            )
            for key in keys
            for option in given.get(key) or []
            if isinstance(option, dict)
        ]
        shown_key = next((key for key in keys if key in facts), None)
        said = _dict_at(evidence, shown_key) if shown_key is not None else {}
        rows.append(
            FactRow(
                label=label,
                shown=fact_text(shown_key, facts[shown_key]) if shown_key else "",
                values=values,
                evidence=clean(said.get("sentence")),
                evidence_source=by_id.get(said.get("article")),
                differ=disputed(facts[shown_key] if shown_key is not None else None, len(values)),
            )
        )
    return rows


def _dict_at(values: dict[str, Any], key: str) -> dict[str, Any]:
    """The mapping stored under `key`; empty when there is none (the JSON may be old)."""
    value = values.get(key)
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class FeedView:
    """One feed's row on the feed-health page."""

    state: str
    state_label: str
    outlet: str
    kind: str
    url: str | None
    url_text: str
    last_status: str
    errors: int
    last_success: str
    last_success_ago: str
    last_polled: str
    next_due: str
    next_due_in: str
    articles: int
    articles_24h: int
    last_error: str


def feed_views(
    db: sqlite_utils.Database, now: datetime, tz: tzinfo = UTC, cfg: Config | None = None
) -> list[FeedView]:
    """Every feed as the feed-health page shows it, worst state first."""
    rows = store.feeds.feed_health(db, now)
    if cfg is not None:
        rows = with_config(rows, cfg, now)
    order = store.feeds.FEED_STATES
    views = [feed_view(row, now, tz) for row in rows]
    return sorted(views, key=lambda v: (order.index(v.state), -v.errors, v.outlet, v.url_text))


def feed_view(row: dict[str, Any], now: datetime, tz: tzinfo = UTC) -> FeedView:
    state = store.feeds.feed_state(
        bool(row.get("active")), row.get("consecutive_errors") or 0, row.get("last_polled")
    )
    return FeedView(
        state=state,
        state_label=STATE_LABELS[state],
        outlet=clean(row.get("outlet")),
        kind=clean(row.get("kind")),
        url=safe_url(row.get("url")),
        url_text=clean(row.get("url")),
        last_status=clean(row.get("last_status")),
        errors=int(row.get("consecutive_errors") or 0),
        last_success=(
            format_instant(row["last_success"], tz) if row.get("last_success") else "never"
        ),
        last_success_ago=relative(row.get("last_success"), now),
        last_polled=format_instant(row["last_polled"], tz) if row.get("last_polled") else "never",
        next_due=format_instant(row["next_due"], tz) if row.get("next_due") else "",
        next_due_in=relative(row.get("next_due"), now, past=OVERDUE) if row.get("active") else "",
        articles=int(row.get("articles") or 0),
        articles_24h=int(row.get("articles_24h") or 0),
        last_error=clean(row.get("last_error")),
    )
