"""The migration that adds analysts' corrections and keeps event ids stable.

Registered by `schema` after every migration there (`schema` is at its size limit).
"""

from __future__ import annotations

import sqlite_utils


def m010_corrections_and_stable_event_ids(db: sqlite_utils.Database) -> None:
    """Analysts' corrections (kept: reprocess replays them, finding each event again by
    its 'anchor' articles), `events.dismissed` (derived: the replay sets it again), what
    a vanished event id became (`event_moves`), and the highest id ever given
    (`counters.event_id`): no id is given to a second event."""
    db.executescript(
        """
        CREATE TABLE corrections (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN
                ('dismiss', 'dismiss_member', 'move', 'merge', 'split')),
            monitor TEXT NOT NULL,
            event_id INTEGER NOT NULL,  -- the event corrected (merge: merged away)
            target_id INTEGER,          -- move: where to; merge: kept; split: new
            by TEXT NOT NULL,           -- who: the system user, or --by
            at TEXT NOT NULL,
            note TEXT                   -- why, in the analyst's words
        );
        CREATE INDEX corrections_event ON corrections(event_id);
        CREATE INDEX corrections_target ON corrections(target_id);
        CREATE TABLE correction_articles (
            correction_id INTEGER NOT NULL REFERENCES corrections(id),
            article_id INTEGER NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('subject', 'anchor', 'target_anchor')),
            PRIMARY KEY (correction_id, role, article_id)
        ) WITHOUT ROWID;
        CREATE INDEX correction_articles_article ON correction_articles(article_id, role);
        CREATE TABLE event_moves (
            old_id INTEGER PRIMARY KEY,        -- an event id that no longer exists
            new_id INTEGER,                    -- what it became (NULL: its reports left)
            reason TEXT NOT NULL CHECK (reason IN ('merged', 'rebuilt', 'emptied')),
            at TEXT NOT NULL
        );
        ALTER TABLE events ADD COLUMN dismissed INTEGER NOT NULL DEFAULT 0;
        INSERT OR IGNORE INTO counters (name, value)
            SELECT 'event_id', coalesce(max(id), 0) FROM events;
        """
    )
