"""The schema: every change to the tables, as versioned migrations, in order.

The database is the shared state of cron runs and the daemon. `m001` is crawl state;
later migrations add the derived tables (stories, events: rebuilt by `reprocess`), digest
cursors, adaptive polling, the alert outbox, indexes and event roles.
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

from crawler.store import schema_corrections, schema_fleet, schema_monitors, search

MIGRATIONS = Migrations("newsmon")


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
    search.create_index(db)


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


@MIGRATIONS()
def m008_entry_languages(db: sqlite_utils.Database) -> None:
    """The language a feed declares for its items (RSS `<language>`, `xml:lang`, JSON Feed
    `language`): one of the hints an article's language is decided from."""
    db.executescript("ALTER TABLE entries ADD COLUMN language TEXT;")


@MIGRATIONS()
def m009_event_identity(db: sqlite_utils.Database) -> None:
    """Why each member is on its event, how an event opened, and follower events.

    `reason` (JSON) records the engine's decision for a member or a held match: what it
    was compared with, which facts agreed, the time overlap, the headline similarity.
    `held_matches.listing` tells a held headline list (several that agree open an
    event) from a held reaction. `events.origin` is `report`, or `lists` for an event
    opened by agreeing headline lists before any report; `events.parent_id` links a
    follower (an aftershock) to the event it follows. All derived: `newsmon reprocess`
    rebuilds them.
    """
    db.executescript(
        """
        ALTER TABLE event_articles ADD COLUMN reason TEXT NOT NULL DEFAULT '{}';
        ALTER TABLE held_matches ADD COLUMN listing INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE held_matches ADD COLUMN reason TEXT NOT NULL DEFAULT '{}';
        ALTER TABLE events ADD COLUMN origin TEXT NOT NULL DEFAULT 'report';
        ALTER TABLE events ADD COLUMN parent_id INTEGER;
        """
    )


# Analysts' corrections, event ids kept through reprocess, the fleet's leases and the
# monitors' failure counts (in
# modules of their own, this one being at its size limit); registered last, in order.
MIGRATIONS()(schema_corrections.m010_corrections_and_stable_event_ids)
MIGRATIONS()(schema_fleet.m011_host_leases_and_outbox_claims)
MIGRATIONS()(schema_monitors.m012_monitor_failures)
