"""Every SQL statement newsmon runs, and the schema's migrations.

The database is the shared state of cron runs and the daemon: feed polling
state, the entries each feed has announced, the articles fetched for them and
a log of every HTTP fetch. A unit of work (one feed's response, one article)
is one transaction, so a kill at any moment leaves either the whole unit or
none of it, and the next run continues from what is committed.
"""

from __future__ import annotations

import gzip
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from crawler import __version__
from crawler.clock import isoformat
from crawler.config import Config
from crawler.urls import identity

BUSY_TIMEOUT_MS = 30_000
MIGRATIONS = Migrations("newsmon")


class StoreError(RuntimeError):
    """The database cannot be opened or written (read-only file, full disk, corruption)."""


def is_database_failure(exc: BaseException) -> bool:
    """True when SQLite itself failed (I/O, full disk, read-only, corruption, a constraint):
    every later write would fail too. A value SQLite cannot bind is no such failure."""
    return isinstance(exc, sqlite3.Error) and not isinstance(
        exc, sqlite3.InterfaceError | sqlite3.ProgrammingError
    )


@MIGRATIONS()
def m001_initial(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE outlets (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE
        );
        CREATE TABLE feeds (
            id INTEGER PRIMARY KEY,
            outlet_id INTEGER NOT NULL REFERENCES outlets(id),
            config_url TEXT NOT NULL UNIQUE,   -- identity: the URL as written in config.yaml
            url TEXT NOT NULL,                 -- where it lives now (after permanent redirects)
            kind TEXT NOT NULL CHECK (kind IN ('feed', 'sitemap')),
            active INTEGER NOT NULL DEFAULT 1,
            interval_s INTEGER NOT NULL,
            ignore_validators INTEGER NOT NULL DEFAULT 0,
            fetch_pages INTEGER NOT NULL DEFAULT 1,
            etag TEXT,
            last_modified TEXT,
            body_hash TEXT,
            last_status INTEGER,
            last_error TEXT,
            consecutive_errors INTEGER NOT NULL DEFAULT 0,
            last_polled TEXT,
            last_success TEXT,
            next_due TEXT NOT NULL,
            entries_total INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX feeds_due ON feeds(active, next_due);
        CREATE TABLE fetches (
            id INTEGER PRIMARY KEY,
            feed_id INTEGER REFERENCES feeds(id),
            url TEXT NOT NULL,
            kind TEXT NOT NULL,                -- feed | sitemap | page
            status INTEGER,                    -- HTTP status, NULL when no response
            bytes INTEGER,
            duration_ms INTEGER,
            error TEXT,
            fetched_at TEXT NOT NULL
        );
        CREATE INDEX fetches_feed ON fetches(feed_id, fetched_at);
        CREATE TABLE entries (
            id INTEGER PRIMARY KEY,
            feed_id INTEGER NOT NULL REFERENCES feeds(id),
            entry_key TEXT NOT NULL,           -- GUID, else link, else hash of title+content
            link TEXT,                         -- canonical link, if any
            title TEXT,
            author TEXT,
            published TEXT,
            summary TEXT,
            content TEXT,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            article_id INTEGER REFERENCES articles(id),
            UNIQUE (feed_id, entry_key)
        );
        CREATE INDEX entries_pending ON entries(feed_id, state);
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,          -- canonical URL
            fetched_url TEXT,
            outlet_id INTEGER REFERENCES outlets(id),
            feed_id INTEGER REFERENCES feeds(id),
            title TEXT,
            author TEXT,
            published TEXT,                    -- ISO 8601 with the source's own offset
            published_utc TEXT,
            language TEXT,
            site_name TEXT,
            description TEXT,
            text TEXT NOT NULL,
            text_method TEXT NOT NULL,         -- trafilatura | feed_content | feed_summary
            text_hash TEXT NOT NULL,
            word_count INTEGER NOT NULL,
            fetched_at TEXT NOT NULL
        );
        CREATE INDEX articles_fetched ON articles(fetched_at);
        CREATE INDEX articles_text_hash ON articles(text_hash);
        CREATE TABLE article_urls (
            url_key TEXT PRIMARY KEY,   -- urls.identity() of every URL leading to the article
            article_id INTEGER NOT NULL REFERENCES articles(id)
        );
        CREATE TABLE article_html (
            article_id INTEGER PRIMARY KEY REFERENCES articles(id),
            html_gz BLOB NOT NULL
        );
        CREATE TABLE robots (
            origin TEXT PRIMARY KEY,           -- scheme://host:port
            body BLOB NOT NULL,
            status INTEGER NOT NULL,
            fetched_at TEXT NOT NULL
        );
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            started TEXT NOT NULL,
            finished TEXT,
            pid INTEGER,
            feeds_polled INTEGER,
            not_modified INTEGER,
            new_articles INTEGER,
            errors INTEGER
        );
        """
    )
    db["articles"].enable_fts(["title", "text"], create_triggers=True, tokenize="porter")


@MIGRATIONS()
def m002_stories_and_events(db: sqlite_utils.Database) -> None:
    """Derived tables: rebuilt from articles by `newsmon reprocess`."""
    db.executescript(
        """
        ALTER TABLE articles ADD COLUMN story_id INTEGER REFERENCES stories(id);
        CREATE INDEX articles_story ON articles(story_id);
        CREATE TABLE stories (
            id INTEGER PRIMARY KEY,
            first_article INTEGER NOT NULL,    -- the earliest copy: the original, as far as we know
            title TEXT,
            first_at TEXT NOT NULL,
            last_at TEXT NOT NULL,
            size INTEGER NOT NULL DEFAULT 1,
            norm2 REAL NOT NULL DEFAULT 0      -- squared length of the story's headline vector
        );
        CREATE TABLE story_terms (             -- the story's headline vector: IDF summed per term
            story_id INTEGER NOT NULL,
            term TEXT NOT NULL,
            weight REAL NOT NULL,
            PRIMARY KEY (story_id, term)
        ) WITHOUT ROWID;
        CREATE TABLE article_links (           -- which article is a copy of which
            article_id INTEGER PRIMARY KEY,
            original_id INTEGER NOT NULL,
            relation TEXT NOT NULL CHECK (relation IN ('exact', 'near', 'title')),
            similarity REAL NOT NULL
        );
        CREATE TABLE article_features (
            article_id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,                  -- published (UTC), else fetched: the story clock
            minhash BLOB,                      -- NULL for texts too short to sketch
            terms TEXT NOT NULL                -- title terms, space-separated
        );
        CREATE TABLE minhash_bands (band_key INTEGER NOT NULL, at TEXT NOT NULL,
                                    article_id INTEGER NOT NULL);
        CREATE INDEX minhash_bands_key ON minhash_bands(band_key, at);
        CREATE TABLE title_terms (term TEXT NOT NULL, at TEXT NOT NULL,
                                  article_id INTEGER NOT NULL);
        CREATE INDEX title_terms_term ON title_terms(term, at);
        CREATE TABLE term_df (term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            monitor TEXT NOT NULL,
            kind TEXT NOT NULL,
            title TEXT NOT NULL,               -- a representative headline
            time_start TEXT NOT NULL,          -- UTC bounds of when it happened
            time_end TEXT NOT NULL,
            precision TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            last_updated TEXT NOT NULL,
            facts TEXT NOT NULL DEFAULT '{}',        -- JSON: the best-supported value of each fact
            fact_sources TEXT NOT NULL DEFAULT '{}', -- JSON: every value with its articles
            article_count INTEGER NOT NULL,
            outlet_count INTEGER NOT NULL
        );
        CREATE INDEX events_monitor_time ON events(monitor, time_start);
        CREATE INDEX events_first_seen ON events(first_seen);
        CREATE INDEX events_last_updated ON events(last_updated);
        CREATE TABLE event_articles (
            event_id INTEGER NOT NULL REFERENCES events(id),
            article_id INTEGER NOT NULL REFERENCES articles(id),
            monitor TEXT NOT NULL,
            time_start TEXT,
            time_end TEXT,
            precision TEXT,
            phrase TEXT,
            facts TEXT NOT NULL,
            evidence TEXT,
            matched_at TEXT NOT NULL,
            PRIMARY KEY (article_id, monitor)
        );
        CREATE INDEX event_articles_event ON event_articles(event_id);
        """
    )


@MIGRATIONS()
def m003_digest_cursors(db: sqlite_utils.Database) -> None:
    """A change sequence on events, so digests resume exactly where a reader left off.

    The sequence comes from `counters`, which reprocess does not clear, so it
    only ever grows: every write of an event takes the next value inside its
    transaction, and SQLite serialises writers, so sequence order is commit
    order.
    """
    db.executescript(
        """
        CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
        INSERT INTO counters (name, value) VALUES ('event_change', 0);
        ALTER TABLE events ADD COLUMN created_seq INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE events ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX events_change_seq ON events(change_seq);
        CREATE TABLE readers (
            name TEXT PRIMARY KEY,             -- who reads digests (--reader)
            cursor INTEGER NOT NULL,           -- the last change_seq they were shown
            updated TEXT NOT NULL
        );
        """
    )


@MIGRATIONS()
def m004_adaptive_polling_and_daemon(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        ALTER TABLE feeds ADD COLUMN min_interval_s INTEGER;  -- NULL: fixed interval
        ALTER TABLE feeds ADD COLUMN max_interval_s INTEGER;
        CREATE INDEX entries_feed_seen ON entries(feed_id, first_seen);
        CREATE INDEX articles_feed ON articles(feed_id, fetched_at);
        CREATE TABLE daemon (
            id INTEGER PRIMARY KEY CHECK (id = 1),  -- one daemon per database
            pid INTEGER NOT NULL,
            started TEXT NOT NULL,
            heartbeat TEXT NOT NULL,
            config TEXT NOT NULL,
            stopped TEXT
        );
        """
    )


@MIGRATIONS()
def m005_outbox(db: sqlite_utils.Database) -> None:
    """Alerts waiting for, or done with, delivery: one row per (target, event, reason).

    Rows name the target, never its URL, so no secret reaches the database. The
    outbox's high-water mark starts at the current event change, so upgrading
    an existing database announces only what happens from now on.
    """
    db.executescript(
        """
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,            -- also the receivers' idempotency key
            target TEXT NOT NULL,              -- notify target NAME from config.yaml
            event_id INTEGER NOT NULL,         -- events.id (no FK: reprocess rebuilds events)
            reason TEXT NOT NULL CHECK (reason IN ('new', 'update')),
            change_seq INTEGER NOT NULL,       -- the event change this row announces
            facts TEXT NOT NULL,               -- JSON: the facts this row announces
            facts_hash TEXT NOT NULL,          -- sha256 of the canonical facts JSON
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN
                ('pending', 'sending', 'sent', 'failed', 'unknown', 'skipped')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt TEXT NOT NULL,
            last_error TEXT,                   -- redacted: never holds the target URL
            created TEXT NOT NULL,
            finished TEXT                      -- when it became sent, failed or unknown
        );
        CREATE INDEX outbox_due ON outbox(state, next_attempt);
        CREATE INDEX outbox_target_event ON outbox(target, event_id, id);
        CREATE UNIQUE INDEX outbox_new_once ON outbox(target, event_id) WHERE reason = 'new';
        INSERT OR IGNORE INTO counters (name, value)
            SELECT 'outbox_seq', value FROM counters WHERE name = 'event_change';
        """
    )


@MIGRATIONS()
def m006_event_indexes_per_monitor(db: sqlite_utils.Database) -> None:
    """`digest --monitor` and `events --monitor` read one monitor's recent changes; with
    only (monitor, time_start) SQLite read all of that monitor's events, then sorted."""
    db.executescript(
        """
        CREATE INDEX events_monitor_updated ON events(monitor, last_updated);
        CREATE INDEX events_monitor_change ON events(monitor, change_seq);
        """
    )


@MIGRATIONS()
def m007_event_roles_and_held_matches(db: sqlite_utils.Database) -> None:
    """What each report is to its event, matches waiting for an event to open, and
    headlines an outlet gave a stored article later.

    `role` is recomputed with the event (first report, report, confirmation, follow-up,
    listed); `account` is what the monitor read (report, confirmation, follow-up);
    `fact_evidence` keeps the sentence each fact came from; `headline` the title a
    member matched with when it is not the article's first. `events.time_point` is the
    single best estimate of when it happened. A headline list (an aggregator's page) may
    join an event but never opens one: its match waits in `held_matches` until a report
    opens a compatible event. All these are derived: `newsmon reprocess` rebuilds them.

    `article_revisions` is crawl state: a live story keeps its URL while its headline
    changes ("... Nuclear Warheads, Seoul Says" became "North Korea Fires Missiles..."),
    and each new headline is read again. `after_article` (the newest article when it
    was seen) lets reprocess replay revisions in the order the crawler met them.
    """
    db.executescript(
        """
        ALTER TABLE event_articles ADD COLUMN account TEXT NOT NULL DEFAULT 'report';
        ALTER TABLE event_articles ADD COLUMN role TEXT NOT NULL DEFAULT 'report';
        ALTER TABLE event_articles ADD COLUMN fact_evidence TEXT NOT NULL DEFAULT '{}';
        ALTER TABLE event_articles ADD COLUMN headline TEXT;
        CREATE TABLE article_revisions (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            after_article INTEGER NOT NULL,    -- max(articles.id) when it was seen
            seen_at TEXT NOT NULL,
            title TEXT NOT NULL,
            text TEXT,                         -- plain text, when a page was read again
            summary TEXT,                      -- else the feed's own text
            content TEXT,
            applied INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX article_revisions_pending ON article_revisions(applied, id);
        CREATE INDEX article_revisions_order ON article_revisions(after_article, id);
        ALTER TABLE events ADD COLUMN time_point TEXT;
        UPDATE events SET time_point = time_start;
        CREATE TABLE held_matches (
            article_id INTEGER NOT NULL,
            monitor TEXT NOT NULL,
            time_start TEXT NOT NULL,
            time_end TEXT NOT NULL,
            precision TEXT NOT NULL,
            phrase TEXT,
            facts TEXT NOT NULL,
            evidence TEXT,
            account TEXT NOT NULL,
            fact_evidence TEXT NOT NULL,
            headline TEXT,
            matched_at TEXT NOT NULL,
            PRIMARY KEY (article_id, monitor)
        );
        CREATE INDEX held_matches_time ON held_matches(monitor, time_start);
        CREATE INDEX entries_article ON entries(article_id);
        """
    )


@dataclass(frozen=True)
class FeedState:
    """A feed's row: what the poller needs to send a conditional request."""

    id: int
    outlet: str
    config_url: str
    url: str
    kind: str
    interval_s: int
    ignore_validators: bool
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    consecutive_errors: int
    fetch_pages: bool = True
    min_interval_s: int | None = None
    max_interval_s: int | None = None


@dataclass(frozen=True)
class Entry:
    """One item a feed or sitemap announced, in the common model of every format."""

    key: str
    link: str | None
    title: str | None = None
    author: str | None = None
    published: str | None = None
    summary: str | None = None
    content: str | None = None
    problem: str | None = None  # why the item was refused (`untrusted`): stored as failed


@dataclass(frozen=True)
class FeedUpdate:
    """What storing one feed answer added: new entries to fetch, newly refused items."""

    new: int = 0
    refused: tuple[str, ...] = ()


@dataclass(frozen=True)
class PendingEntry:
    id: int
    feed_id: int
    link: str | None
    title: str | None
    author: str | None
    published: str | None
    summary: str | None
    content: str | None
    attempts: int


@dataclass(frozen=True)
class ArticleRecord:
    """An article ready to store: extracted text plus metadata, canonical URL first."""

    url: str
    fetched_url: str | None
    title: str | None
    author: str | None
    published: str | None
    published_utc: str | None
    language: str | None
    site_name: str | None
    description: str | None
    text: str
    text_method: str
    text_hash: str
    html: bytes | None = None


class NewerDatabase(RuntimeError):
    """The database was written by a newer newsmon (a migration this one does not know)."""


def open_db(path: Path, *, read_only: bool = False) -> sqlite_utils.Database:
    """Open (creating and migrating) the database in WAL mode.

    A database that a newer newsmon has migrated is refused before anything is
    written: this version would write rows its schema no longer describes.
    `read_only` connections (status, feeds, articles, digests without a reader)
    never write, so in WAL mode no writer can make them wait.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
        db = sqlite_utils.Database(conn, execute_plugins=False)  # no plugin scan: 28 ms
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _refuse_newer(db, path)
        db.execute("PRAGMA foreign_keys = ON")
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")
        if MIGRATIONS.pending(db):  # a read, so readers of a current database never write
            MIGRATIONS.apply(db)
        if read_only:
            db.execute("PRAGMA query_only = ON")
    except (sqlite3.Error, OSError) as exc:
        raise StoreError(f"{path}: cannot open database: {exc}") from None
    return db


def _refuse_newer(db: sqlite_utils.Database, path: Path) -> None:
    """Raise NewerDatabase when the file records a migration this version does not have."""
    if not db["_sqlite_migrations"].exists():
        return
    known = {m.name for m in MIGRATIONS.pending(sqlite_utils.Database(memory=True))}
    applied = [m.name for m in MIGRATIONS.applied(db)]
    unknown = [name for name in applied if name not in known]
    if unknown:
        raise NewerDatabase(
            f"{path}: the database was upgraded by a newer newsmon (migration "
            f"{', '.join(unknown)}, unknown to newsmon {__version__}); refusing to use it. "
            "Upgrade newsmon, or point `database:` at another file."
        )


def sync_outlets(db: sqlite_utils.Database, config: Config, now: datetime) -> None:
    """Make the feeds table match config.yaml; feeds no longer configured go inactive."""
    stamp = isoformat(now)
    with db.atomic():
        configured: list[str] = []
        for outlet in config.outlets:
            db.execute("INSERT OR IGNORE INTO outlets (name) VALUES (?)", [outlet.name])
            outlet_id = db.execute(
                "SELECT id FROM outlets WHERE name = ?", [outlet.name]
            ).fetchone()[0]
            for source in outlet.sources:
                configured.append(source.url)
                db.execute(
                    """
                    INSERT INTO feeds (outlet_id, config_url, url, kind, interval_s,
                                       min_interval_s, max_interval_s,
                                       ignore_validators, fetch_pages, next_due)
                    VALUES (:outlet_id, :url, :url, :kind, :interval, :min, :max,
                            :ignore, :pages, :now)
                    ON CONFLICT (config_url) DO UPDATE SET
                        outlet_id = excluded.outlet_id, kind = excluded.kind,
                        interval_s = excluded.interval_s, fetch_pages = excluded.fetch_pages,
                        min_interval_s = excluded.min_interval_s,
                        max_interval_s = excluded.max_interval_s,
                        ignore_validators = excluded.ignore_validators, active = 1
                    """,
                    {
                        "outlet_id": outlet_id,
                        "url": source.url,
                        "kind": source.kind,
                        "interval": int(outlet.interval.total_seconds()),
                        "ignore": int(source.ignore_validators),
                        "pages": int(outlet.fetch_pages),
                        "min": _seconds(outlet.min_interval),
                        "max": _seconds(outlet.max_interval),
                        "now": stamp,
                    },
                )
        marks = ",".join("?" * len(configured))
        db.execute(f"UPDATE feeds SET active = 0 WHERE config_url NOT IN ({marks})", configured)


def _seconds(value: timedelta | None) -> int | None:
    return None if value is None else int(value.total_seconds())


def entries_per_day(
    db: sqlite_utils.Database, feed_id: int, now: datetime, window: timedelta
) -> float:
    """New entries a feed announced per day over the past `window`: its publishing rate."""
    count = db.execute(
        "SELECT count(*) FROM entries WHERE feed_id = ? AND first_seen >= ?",
        [feed_id, isoformat(now - window)],
    ).fetchone()[0]
    return count / (window.total_seconds() / 86400)


def due_feeds(
    db: sqlite_utils.Database, now: datetime, *, every: bool = False, outlet: str | None = None
) -> list[FeedState]:
    clauses = ["f.active = 1"]
    params: list[Any] = []
    if not every:  # due, or holding entries a killed run left unfetched
        clauses.append(
            "(f.next_due <= ? OR EXISTS (SELECT 1 FROM entries e"
            " WHERE e.feed_id = f.id AND e.state = 'pending'))"
        )
        params.append(isoformat(now))
    if outlet is not None:
        clauses.append("o.name = ? COLLATE NOCASE")
        params.append(outlet)
    rows = db.execute(
        f"""
        SELECT f.id, o.name, f.config_url, f.url, f.kind, f.interval_s, f.ignore_validators,
               f.etag, f.last_modified, f.body_hash, f.consecutive_errors, f.fetch_pages,
               f.min_interval_s, f.max_interval_s
        FROM feeds f JOIN outlets o ON o.id = f.outlet_id
        WHERE {" AND ".join(clauses)}
        ORDER BY f.next_due, f.id
        """,
        params,
    ).fetchall()
    return [
        FeedState(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            bool(r[6]),
            r[7],
            r[8],
            r[9],
            r[10],
            bool(r[11]),
            r[12],
            r[13],
        )
        for r in rows
    ]


def record_feed_success(
    db: sqlite_utils.Database,
    feed: FeedState,
    *,
    now: datetime,
    status: int,
    next_due: datetime,
    url: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    body_hash: str | None = None,
    entries: Sequence[Entry] = (),
    note: str | None = None,
) -> FeedUpdate:
    """Store a feed's answer and its new entries in one transaction.

    Refused items (`Entry.problem`) are stored as `failed` entries with their
    reason; `note` (which items were refused) becomes the feed's `last_error`
    while the poll itself counts as a success.
    """
    stamp = isoformat(now)
    with db.atomic():
        new, refused = 0, []
        for entry in entries:
            inserted = db.execute(
                """
                INSERT OR IGNORE INTO entries (feed_id, entry_key, link, title, author,
                    published, summary, content, first_seen, last_seen, state, last_error)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    feed.id,
                    entry.key,
                    entry.link,
                    entry.title,
                    entry.author,
                    entry.published,
                    entry.summary,
                    entry.content,
                    stamp,
                    stamp,
                    "pending" if entry.problem is None else "failed",
                    entry.problem,
                ],
            ).rowcount
            if inserted and entry.problem is not None:
                refused.append(entry.problem)
            elif inserted:
                new += 1
            elif entry.problem is None:  # known entry: a retitled item stays the same entry
                article = db.execute(
                    "SELECT article_id FROM entries WHERE feed_id = ? AND entry_key = ?",
                    [feed.id, entry.key],
                ).fetchone()
                db.execute(
                    "UPDATE entries SET title = ?, last_seen = ?"
                    " WHERE feed_id = ? AND entry_key = ?",
                    [entry.title, stamp, feed.id, entry.key],
                )
                if article and article[0] is not None and entry.title:
                    record_revision(
                        db,
                        article[0],
                        entry.title,
                        now=now,
                        summary=entry.summary,
                        content=entry.content,
                    )
        changes: dict[str, Any] = {
            "last_status": status,
            "last_error": note,
            "consecutive_errors": 0,
            "last_polled": stamp,
            "last_success": stamp,
            "next_due": isoformat(next_due),
        }
        if status != 304:
            changes.update(etag=etag, last_modified=last_modified)
        if body_hash is not None:
            changes["body_hash"] = body_hash
        if url is not None:
            changes["url"] = url
        sets = ", ".join(f"{k} = :{k}" for k in changes)
        db.execute(
            f"UPDATE feeds SET {sets}, entries_total = entries_total + :new WHERE id = :id",
            {**changes, "new": new, "id": feed.id},
        )
    return FeedUpdate(new, tuple(refused))


def record_feed_failure(
    db: sqlite_utils.Database,
    feed: FeedState,
    *,
    now: datetime,
    status: int | None,
    error: str,
    next_due: datetime,
) -> None:
    with db.atomic():
        db.execute(
            """
            UPDATE feeds SET last_status = ?, last_error = ?, last_polled = ?,
                consecutive_errors = consecutive_errors + 1, next_due = ?
            WHERE id = ?
            """,
            [status, error, isoformat(now), isoformat(next_due), feed.id],
        )


def log_fetch(
    db: sqlite_utils.Database,
    *,
    feed_id: int | None,
    url: str,
    kind: str,
    status: int | None,
    size: int | None,
    duration: float | None,
    error: str | None,
    now: datetime,
) -> None:
    with db.atomic():
        db.execute(
            """
            INSERT INTO fetches (feed_id, url, kind, status, bytes, duration_ms, error, fetched_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                feed_id,
                url,
                kind,
                status,
                size,
                None if duration is None else round(duration * 1000),
                error,
                isoformat(now),
            ],
        )


def pending_entries(db: sqlite_utils.Database, feed_id: int, limit: int) -> list[PendingEntry]:
    rows = db.execute(
        """
        SELECT id, feed_id, link, title, author, published, summary, content, attempts
        FROM entries WHERE feed_id = ? AND state = 'pending'
        ORDER BY published IS NULL, published DESC, id LIMIT ?  -- newest news first
        """,
        [feed_id, limit],
    ).fetchall()
    return [PendingEntry(*row) for row in rows]


def article_for_url(db: sqlite_utils.Database, url: str) -> int | None:
    row = db.execute(
        "SELECT article_id FROM article_urls WHERE url_key = ?", [identity(url)]
    ).fetchone()
    return row[0] if row else None


def record_revision(
    db: sqlite_utils.Database,
    article_id: int,
    title: str,
    *,
    now: datetime,
    text: str | None = None,
    summary: str | None = None,
    content: str | None = None,
) -> bool:
    """Note a new headline for a stored article, to be read again; False when the
    headline is the one already stored or last noted (compared case- and space-folded)."""
    seen = (
        db.execute(
            """SELECT title FROM article_revisions WHERE article_id = ? ORDER BY id DESC LIMIT 1""",
            [article_id],
        ).fetchone()
        or db.execute("SELECT title FROM articles WHERE id = ?", [article_id]).fetchone()
    )
    if seen is None or _folded(seen[0]) == _folded(title):
        return False
    db.execute(
        """INSERT INTO article_revisions (article_id, after_article, seen_at, title, text,
                                          summary, content)
           VALUES (?, (SELECT max(id) FROM articles), ?, ?, ?, ?, ?)""",
        [article_id, isoformat(now), title, text, summary, content],
    )
    return True


def pending_revisions(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    return [
        dict(r) for r in db.query("SELECT * FROM article_revisions WHERE applied = 0 ORDER BY id")
    ]


def revisions_in_order(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every revision in the order the crawler met it (reprocess replays them)."""
    return [dict(r) for r in db.query("SELECT * FROM article_revisions ORDER BY after_article, id")]


def mark_revision_applied(db: sqlite_utils.Database, revision_id: int) -> None:
    db.execute("UPDATE article_revisions SET applied = 1 WHERE id = ?", [revision_id])


def _folded(title: str | None) -> str:
    return " ".join((title or "").casefold().split())


def link_entry(db: sqlite_utils.Database, entry_id: int, article_id: int, url: str) -> None:
    """An entry whose link leads to an article already stored: no fetch, just a link."""
    with db.atomic():
        db.execute(
            "INSERT OR IGNORE INTO article_urls (url_key, article_id) VALUES (?, ?)",
            [identity(url), article_id],
        )
        db.execute(
            "UPDATE entries SET state = 'done', article_id = ? WHERE id = ?", [article_id, entry_id]
        )


def store_article(
    db: sqlite_utils.Database,
    entry: PendingEntry,
    article: ArticleRecord,
    *,
    now: datetime,
    aliases: Iterable[str] = (),
) -> tuple[int, bool]:
    """Store one article with its URL aliases and close its entry: (article id, was new)."""
    stamp = isoformat(now)
    with db.atomic():
        existing = article_for_url(db, article.url)
        created = existing is None
        if existing is None:
            outlet_id = db.execute(
                "SELECT outlet_id FROM feeds WHERE id = ?", [entry.feed_id]
            ).fetchone()[0]
            existing = db.execute(
                """
                INSERT INTO articles (url, fetched_url, outlet_id, feed_id, title, author,
                    published, published_utc, language, site_name, description, text,
                    text_method, text_hash, word_count, fetched_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    article.url,
                    article.fetched_url,
                    outlet_id,
                    entry.feed_id,
                    article.title,
                    article.author,
                    article.published,
                    article.published_utc,
                    article.language,
                    article.site_name,
                    article.description,
                    article.text,
                    article.text_method,
                    article.text_hash,
                    len(article.text.split()),
                    stamp,
                ],
            ).lastrowid
            if article.html is not None:
                db.execute(
                    "INSERT INTO article_html (article_id, html_gz) VALUES (?, ?)",
                    [existing, gzip.compress(article.html, compresslevel=6)],
                )
        for url in {article.url, *aliases}:
            db.execute(
                "INSERT OR IGNORE INTO article_urls (url_key, article_id) VALUES (?, ?)",
                [identity(url), existing],
            )
        db.execute(
            "UPDATE entries SET state = 'done', article_id = ?, last_error = NULL WHERE id = ?",
            [existing, entry.id],
        )
    return existing, created


def record_entry_failure(
    db: sqlite_utils.Database, entry_id: int, error: str, *, give_up: bool
) -> None:
    with db.atomic():
        db.execute(
            "UPDATE entries SET attempts = attempts + 1, last_error = ?, state = ? WHERE id = ?",
            [error, "failed" if give_up else "pending", entry_id],
        )


def feed_due(db: sqlite_utils.Database, feed_id: int) -> tuple[str, int]:
    """(next due time, interval in seconds) of one feed."""
    return tuple(
        db.execute("SELECT next_due, interval_s FROM feeds WHERE id = ?", [feed_id]).fetchone()
    )


def daemon_started(db: sqlite_utils.Database, pid: int, now: datetime, config: Path) -> None:
    stamp = isoformat(now)
    with db.atomic():
        db.execute(
            """INSERT OR REPLACE INTO daemon (id, pid, started, heartbeat, config, stopped)
               VALUES (1, ?, ?, ?, ?, NULL)""",
            [pid, stamp, stamp, str(config)],
        )


def daemon_heartbeat(db: sqlite_utils.Database, now: datetime) -> None:
    with db.atomic():
        db.execute("UPDATE daemon SET heartbeat = ? WHERE id = 1", [isoformat(now)])


def daemon_stopped(db: sqlite_utils.Database, now: datetime) -> None:
    with db.atomic():
        db.execute(
            "UPDATE daemon SET stopped = ?, heartbeat = ? WHERE id = 1",
            [isoformat(now), isoformat(now)],
        )


def daemon_state(db: sqlite_utils.Database) -> dict[str, Any] | None:
    rows = list(db.query("SELECT pid, started, heartbeat, config, stopped FROM daemon"))
    return rows[0] if rows else None


def cached_robots(db: sqlite_utils.Database, origin: str, fresh_after: datetime) -> bytes | None:
    row = db.execute(
        "SELECT body FROM robots WHERE origin = ? AND fetched_at > ?",
        [origin, isoformat(fresh_after)],
    ).fetchone()
    return row[0] if row else None


def save_robots(
    db: sqlite_utils.Database, origin: str, body: bytes, status: int, now: datetime
) -> None:
    with db.atomic():
        db.execute(
            "INSERT OR REPLACE INTO robots (origin, body, status, fetched_at) VALUES (?, ?, ?, ?)",
            [origin, body, status, isoformat(now)],
        )


def start_run(db: sqlite_utils.Database, now: datetime, pid: int) -> int:
    with db.atomic():
        return db.execute(
            "INSERT INTO runs (started, pid) VALUES (?, ?)", [isoformat(now), pid]
        ).lastrowid


def finish_run(db: sqlite_utils.Database, run_id: int, now: datetime, **counts: int) -> None:
    with db.atomic():
        db.execute(
            """UPDATE runs SET finished = ?, feeds_polled = ?, not_modified = ?,
               new_articles = ?, errors = ? WHERE id = ?""",
            [
                isoformat(now),
                counts["feeds_polled"],
                counts["not_modified"],
                counts["new_articles"],
                counts["errors"],
                run_id,
            ],
        )


# -- reading ------------------------------------------------------------------


def feed_health(db: sqlite_utils.Database, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every feed's polling state, with its articles in the 24 hours before `now`."""
    since = isoformat(now - timedelta(days=1)) if now else ""
    return [
        dict(row)
        for row in db.query(
            """
            SELECT o.name AS outlet, f.kind, f.url, f.config_url, f.active, f.last_status,
                   f.last_polled, f.last_success, f.consecutive_errors, f.last_error,
                   f.next_due, f.entries_total,
                   (SELECT count(*) FROM articles a WHERE a.feed_id = f.id) AS articles,
                   (SELECT count(*) FROM articles a
                    WHERE a.feed_id = f.id AND a.fetched_at >= :since) AS articles_24h
            FROM feeds f JOIN outlets o ON o.id = f.outlet_id
            ORDER BY o.name, f.id
            """,
            {"since": since},
        )
    ]


def latest_articles(
    db: sqlite_utils.Database, *, limit: int, search: str | None = None
) -> list[dict[str, Any]]:
    select = """
        SELECT a.id, a.url, a.title, a.published, a.text_method, a.word_count, a.fetched_at,
               o.name AS outlet, substr(a.text, 1, 300) AS excerpt
        FROM articles a LEFT JOIN outlets o ON o.id = a.outlet_id
    """
    if search:
        rows = db.query(
            select
            + """
            JOIN articles_fts ON articles_fts.rowid = a.id
            WHERE articles_fts MATCH :q ORDER BY articles_fts.rank LIMIT :limit
            """,
            {"q": _fts_query(search), "limit": limit},
        )
    else:
        rows = db.query(
            select + " ORDER BY a.fetched_at DESC, a.id DESC LIMIT :limit", {"limit": limit}
        )
    return [dict(row) for row in rows]


def _fts_query(text: str) -> str:
    """Quote each word so user text never hits FTS5 syntax errors (AND of the words)."""
    words = [w.replace('"', '""') for w in text.split()]
    return " ".join(f'"{w}"' for w in words) or '""'


def counts(db: sqlite_utils.Database) -> dict[str, int]:
    return {
        table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("outlets", "feeds", "entries", "articles", "fetches", "stories", "events")
    }
