"""From a stored article to stories and events, in the article's own transaction.

The crawler calls `add_article`; `newsmon reprocess` calls `reprocess`, which
replays every stored article through the same function in the order they
were stored, so it rebuilds exactly what the live runs built.

A stored article can come back with a new headline: a live story keeps its URL while
its outlet retitles it ("... Nuclear Warheads, Seoul Says" became "North Korea Fires
Missiles After Dismissing Trump Overtures"), or a feed retitles an item. Each new
headline is a revision, read by the monitors again (`apply_revisions`); the article
keeps its first text and story, and joins an event through the revision's headline.
Reprocess replays revisions where the crawler met them.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from crawler import events, store, stories
from crawler.clock import isoformat, parse_instant
from crawler.config import Config, ConfigError, StorySettings
from crawler.dates import parse_date
from crawler.events import corrections, event_ids
from crawler.model import ArticleRecord, MonitorFailure, PendingEntry, StoredArticle
from crawler.parse import listing
from crawler.text import html_to_text
from monitors import build
from monitors.base import ArticleView, Match, Monitor, identity_of

LOGGER = logging.getLogger(__name__)
DEFAULT_STORIES = StorySettings()


@dataclass(frozen=True)
class Rules:
    """What config.yaml says about turning stored articles into stories and events."""

    stories: StorySettings = DEFAULT_STORIES
    aggregators: frozenset[str] = frozenset()  # outlets whose items are headline lists
    title_language: str | None = None  # events are titled in it when a member is

    @classmethod
    def from_config(cls, config: Config) -> Rules:
        return cls(config.stories, config.aggregators, config.events.title_language)


DEFAULT_RULES = Rules()


@dataclass(frozen=True)
class Outcome:
    article_id: int
    created: bool
    story_id: int | None = None
    copy_of: int | None = None
    events: tuple[int, ...] = ()
    new_events: int = 0


def add_article(
    db: sqlite_utils.Database,
    entry: PendingEntry,
    record: ArticleRecord,
    monitors: Sequence[Monitor],
    *,
    now: datetime,
    aliases: Iterable[str] = (),
    rules: Rules = DEFAULT_RULES,
    failures: list[MonitorFailure] | None = None,
) -> Outcome:
    """Store an article, its story and its events as one unit of work. A monitor that
    raises costs only its own reading; each such failure is appended to `failures`."""
    with store.backend.pipelined(db), db.atomic():
        article_id, created = store.articles.store_article(
            db, entry, record, now=now, aliases=aliases
        )
        if not created:
            new = 0
            if record.title and store.entries.record_revision(
                db, article_id, record.title, now=now, text=record.text
            ):
                new = apply_revisions(db, monitors, rules, failures)
            return Outcome(article_id, False, new_events=new)
        return process_article(db, article_id, monitors, rules, failures)


def link_entry(
    db: sqlite_utils.Database,
    entry: PendingEntry,
    article_id: int,
    monitors: Sequence[Monitor],
    *,
    now: datetime,
    rules: Rules = DEFAULT_RULES,
    failures: list[MonitorFailure] | None = None,
) -> int:
    """An entry whose link leads to a stored article: linked, and read again when its
    headline is new. Returns the new events it opened."""
    with db.atomic():
        store.entries.link_entry(db, entry.id, article_id, entry.link or "")
        if entry.title and store.entries.record_revision(
            db, article_id, entry.title, now=now, summary=entry.summary, content=entry.content
        ):
            return apply_revisions(db, monitors, rules, failures)
    return 0


def apply_revisions(
    db: sqlite_utils.Database,
    monitors: Sequence[Monitor],
    rules: Rules = DEFAULT_RULES,
    failures: list[MonitorFailure] | None = None,
) -> int:
    """Read every headline not yet read again; returns the new events they opened."""
    new = 0
    for revision in store.entries.pending_revisions(db):
        with db.atomic():
            new += apply_revision(db, revision, monitors, rules, failures)
            store.entries.mark_revision_applied(db, revision["id"])
    return new


def apply_revision(
    db: sqlite_utils.Database,
    revision: dict[str, Any],
    monitors: Sequence[Monitor],
    rules: Rules = DEFAULT_RULES,
    failures: list[MonitorFailure] | None = None,
) -> int:
    """The monitors read the new headline (with its text); a monitor the article is not
    yet matched by may now match it. The caller holds the transaction."""
    row = store.derived.article_row(db, revision["article_id"])
    if row.story_id is None:
        return 0  # the article itself is not processed yet (reprocess replays it later)
    text = revision["text"] or html_to_text(revision["content"] or revision["summary"]) or ""
    seen = revision["seen_at"]  # the new headline speaks from when it was seen
    revised = replace(
        row,
        title=revision["title"],
        text=text,
        summary=revision["summary"],
        content=revision["content"],
        published=seen,
        published_utc=seen,
        fetched_at=seen,
    )
    is_list = _is_list(revised, rules.aggregators)
    view = _view(revised, is_list)
    new = 0
    for monitor in monitors:
        if store.events.is_member(db, row.id, monitor.name):
            continue
        match = _match(monitor, view, failures)
        if match is not None:
            _, created = events.assign(
                db,
                revised,
                monitor.name,
                match,
                row.story_id,
                identity=identity_of(monitor),
                listing=is_list,
                headline=revision["title"],
                title_language=rules.title_language,
            )
            new += created
    return new


def process_article(
    db: sqlite_utils.Database,
    article_id: int,
    monitors: Sequence[Monitor],
    rules: Rules = DEFAULT_RULES,
    failures: list[MonitorFailure] | None = None,
) -> Outcome:
    """Story and events for one stored article; the caller holds the transaction.

    A list of other articles' headlines (an outlet marked `aggregator`, or a page that
    reads as one) is shown to the monitors as its own lead headline only: the other
    headlines it lists are other outlets' reports, not its own.
    """
    row = store.derived.article_row(db, article_id)
    at = stories.story_time(row.published_utc, row.fetched_at)
    store.leases.serialise(db, "stories")  # another process's copy joins the same story
    decision = stories.assign_story(
        db,
        article_id,
        title=row.title,
        text=row.text,
        text_hash=row.text_hash,
        at=at,
        settings=rules.stories,
    )
    is_list = _is_list(row, rules.aggregators)
    view = _view(row, is_list)
    matched, new = [], 0
    for monitor in monitors:
        match = _match(monitor, view, failures)
        if match is not None:  # two reports of one launch at once open one event
            store.leases.serialise(db, f"events:{monitor.name}")
            event_id, created = events.assign(
                db,
                row,
                monitor.name,
                match,
                decision.story_id,
                identity=identity_of(monitor),
                listing=is_list,
                title_language=rules.title_language,
            )
            if event_id is not None:
                matched.append(event_id)
            new += created
    return Outcome(article_id, True, decision.story_id, decision.original_id, tuple(matched), new)


def read_by_monitors(
    row: StoredArticle, monitors: Sequence[Monitor], aggregators: frozenset[str] = frozenset()
) -> tuple[list[tuple[str, Match]], bool]:
    """(each monitor's match, whether it reads as a headline list): what `process_article`
    would see, for an article not stored (`newsmon check`)."""
    is_list = _is_list(row, aggregators)
    view = _view(row, is_list)
    matches = [(m.name, match) for m in monitors if (match := _match(m, view)) is not None]
    return matches, is_list


def build_monitors(config: Config) -> list[Monitor]:
    """The configured monitors; a bad monitor block is a configuration error."""
    built = []
    for i, monitor in enumerate(config.monitors):
        try:
            built.append(build(monitor))
        except ValueError as exc:
            raise ConfigError(f"{config.path}: monitors[{i}] ({monitor.name}): {exc}") from None
        except Exception as exc:  # a plugin tripping over a value (a 300-character zone name)
            problem = f"{type(exc).__name__}: {str(exc)[:200]}"
            raise ConfigError(f"{config.path}: monitors[{i}] ({monitor.name}): {problem}") from None
    return built


def shown(monitors: Sequence[Monitor], rules: Rules) -> events.Shown:
    """How corrections recompute the events of these monitors."""
    return events.Shown({m.name: identity_of(m) for m in monitors}, rules.title_language)


def _is_list(row: StoredArticle, aggregators: frozenset[str]) -> bool:
    return row.outlet in aggregators or listing.is_listing(row.text, row.summary, row.content)


def _view(row: StoredArticle, is_list: bool) -> ArticleView:
    """What the monitors read: for a list of headlines, only its own lead headline."""
    at = stories.story_time(row.published_utc, row.fetched_at)
    return ArticleView(
        url=row.url,
        title=listing.lead_headline(row.title or "") if is_list else row.title or "",
        text="" if is_list else row.text,
        published=parse_date(row.published) or parse_instant(at),
        language=row.language,
        outlet=row.outlet,
    )


def _match(
    monitor: Monitor, view: ArticleView, failures: list[MonitorFailure] | None = None
) -> Match | None:
    """The monitor's reading of the article; None when it raised (logged, and counted in
    `failures`): a monitor's bug must not cost the article or the other monitors."""
    try:
        return monitor.match(view)
    except Exception as exc:
        LOGGER.exception("monitor %s failed on %s", monitor.name, view.url)
        if failures is not None:
            error = f"{type(exc).__name__}: {exc}"[:300]
            failures.append(MonitorFailure(monitor.name, view.url, error))
        return None


@dataclass(frozen=True)
class Rebuilt:
    """What a reprocess did: articles replayed, event ids kept, corrections replayed."""

    articles: int
    events: event_ids.Kept
    corrections: int = 0
    corrections_gone: int = 0  # their events no longer exist (a monitor removed, say)


def reprocess(
    db: sqlite_utils.Database,
    monitors: Sequence[Monitor],
    rules: Rules = DEFAULT_RULES,
    progress: Callable[[], None] | None = None,
    now: datetime | None = None,
) -> Rebuilt:
    """Rebuild stories and events from stored articles, all in one transaction.

    Analysts' corrections are replayed on the rebuilt events, and each event keeps the
    id (and the place in the change sequence) of the event it mostly is
    (`events.event_ids`): alerts and digests announce only what the rebuild changed.
    """
    with db.atomic():
        before = event_ids.remember(db)
        store.derived.clear_derived(db)
        revisions = deque(store.entries.revisions_in_order(db))
        count = 0
        for article_id in list(store.derived.articles_in_order(db)):
            process_article(db, article_id, monitors, rules)
            while revisions and revisions[0]["after_article"] <= article_id:
                revision = revisions.popleft()
                apply_revision(db, revision, monitors, rules)
                store.entries.mark_revision_applied(db, revision["id"])
            count += 1
            if progress is not None:
                progress()
        applied, skipped = corrections.replay(db, shown(monitors, rules))
        kept = event_ids.restore(db, before, isoformat(now or datetime.now(UTC)))
    return Rebuilt(count, kept, applied, skipped)
