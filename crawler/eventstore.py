"""SQL for the derived tables: stories, the similarity index and events.

Everything here can be rebuilt from `articles` (`newsmon reprocess`). Every
lookup goes through an index with a bounded result, so assigning one new
article costs the same with a thousand or a million stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlite_utils

from crawler.clock import isoformat, parse_instant

DERIVED_TABLES = (
    "held_matches",
    "event_articles",
    "events",
    "article_links",
    "minhash_bands",
    "title_terms",
    "term_df",
    "article_features",
    "story_terms",
    "stories",
)
TOTAL = ""  # the term_df row holding the number of indexed titles
POSTINGS_PER_TERM = 200
MAX_EVENT_SPAN = timedelta(days=7)  # the widest interval a monitor gives is 2 days


@dataclass(frozen=True)
class Candidate:
    article_id: int
    story_id: int
    minhash: bytes | None
    terms: str


@dataclass(frozen=True)
class EventRow:
    id: int
    monitor: str
    time_start: str
    time_end: str
    precision: str
    facts: dict[str, Any]


# -- stories ------------------------------------------------------------------


def exact_duplicate(db: sqlite_utils.Database, text_hash: str, article_id: int) -> int | None:
    row = db.execute(
        "SELECT id FROM articles WHERE text_hash = ? AND id != ? AND story_id IS NOT NULL"
        " ORDER BY id LIMIT 1",
        [text_hash, article_id],
    ).fetchone()
    return row[0] if row else None


def band_candidates(
    db: sqlite_utils.Database, keys: Sequence[int], since: str, until: str, article_id: int
) -> list[Candidate]:
    if not keys:
        return []
    marks = ",".join("?" * len(keys))
    rows = db.execute(
        f"""SELECT DISTINCT article_id FROM minhash_bands
            WHERE band_key IN ({marks}) AND at BETWEEN ? AND ? AND article_id != ?
            LIMIT 500""",
        [*keys, since, until, article_id],
    )
    return _load_candidates(db, [row[0] for row in rows])


def stories_with_terms(
    db: sqlite_utils.Database, terms: Iterable[str], since: str, until: str, article_id: int
) -> list[int]:
    """Stories with an article inside the window whose headline has one of `terms`."""
    stories: set[int] = set()
    for term in terms:
        rows = db.execute(
            """SELECT DISTINCT a.story_id FROM (
                   SELECT article_id FROM title_terms
                   WHERE term = ? AND at BETWEEN ? AND ? AND article_id != ?
                   ORDER BY at DESC LIMIT ?) t
               JOIN articles a ON a.id = t.article_id WHERE a.story_id IS NOT NULL""",
            [term, since, until, article_id, POSTINGS_PER_TERM],
        )
        stories.update(row[0] for row in rows)
    return sorted(stories)


def story_vector(
    db: sqlite_utils.Database, story_id: int, terms: Sequence[str]
) -> tuple[dict[str, float], float, int]:
    """(weights of `terms` in the story's headline vector, its squared norm, first article)."""
    marks = ",".join("?" * len(terms))
    weights = dict(
        db.execute(
            f"SELECT term, weight FROM story_terms WHERE story_id = ? AND term IN ({marks})",
            [story_id, *terms],
        )
    )
    norm2, first = db.execute(
        "SELECT norm2, first_article FROM stories WHERE id = ?", [story_id]
    ).fetchone()
    return weights, norm2, first


def add_story_terms(db: sqlite_utils.Database, story_id: int, weights: dict[str, float]) -> None:
    """Add a headline to the story's vector, keeping its squared norm current."""
    if not weights:
        return
    old = story_vector(db, story_id, list(weights))[0]
    delta = sum((old.get(t, 0.0) + w) ** 2 - old.get(t, 0.0) ** 2 for t, w in weights.items())
    db.conn.executemany(
        """INSERT INTO story_terms (story_id, term, weight) VALUES (?, ?, ?)
           ON CONFLICT (story_id, term) DO UPDATE SET weight = weight + excluded.weight""",
        [(story_id, term, weight) for term, weight in weights.items()],
    )
    db.execute("UPDATE stories SET norm2 = norm2 + ? WHERE id = ?", [delta, story_id])


def _load_candidates(db: sqlite_utils.Database, ids: Iterable[int]) -> list[Candidate]:
    wanted = sorted(set(ids))
    if not wanted:
        return []
    marks = ",".join("?" * len(wanted))
    rows = db.execute(
        f"""SELECT f.article_id, a.story_id, f.minhash, f.terms
            FROM article_features f JOIN articles a ON a.id = f.article_id
            WHERE f.article_id IN ({marks}) AND a.story_id IS NOT NULL
            ORDER BY f.article_id""",
        wanted,
    ).fetchall()
    return [Candidate(*row) for row in rows]


def document_frequencies(db: sqlite_utils.Database, terms: Iterable[str]) -> dict[str, int]:
    wanted = [*set(terms), TOTAL]
    marks = ",".join("?" * len(wanted))
    found = dict(db.execute(f"SELECT term, df FROM term_df WHERE term IN ({marks})", wanted))
    return {term: found.get(term, 0) for term in wanted}


def index_article(
    db: sqlite_utils.Database,
    article_id: int,
    at: str,
    minhash: bytes | None,
    band_keys: Sequence[int],
    terms: Sequence[str],
) -> None:
    db.execute(
        "INSERT OR REPLACE INTO article_features (article_id, at, minhash, terms)"
        " VALUES (?, ?, ?, ?)",
        [article_id, at, minhash, " ".join(terms)],
    )
    db.conn.executemany(
        "INSERT INTO minhash_bands (band_key, at, article_id) VALUES (?, ?, ?)",
        [(key, at, article_id) for key in band_keys],
    )
    db.conn.executemany(
        "INSERT INTO title_terms (term, at, article_id) VALUES (?, ?, ?)",
        [(term, at, article_id) for term in terms],
    )
    db.conn.executemany(
        "INSERT INTO term_df (term, df) VALUES (?, 1) ON CONFLICT (term) DO UPDATE SET df = df + 1",
        [(term,) for term in [*terms, TOTAL]],
    )


def new_story(db: sqlite_utils.Database, article_id: int, title: str | None, at: str) -> int:
    story_id = db.execute(
        "INSERT INTO stories (first_article, title, first_at, last_at) VALUES (?, ?, ?, ?)",
        [article_id, title, at, at],
    ).lastrowid
    db.execute("UPDATE articles SET story_id = ? WHERE id = ?", [story_id, article_id])
    return story_id


def join_story(
    db: sqlite_utils.Database,
    article_id: int,
    story_id: int,
    at: str,
    original_id: int,
    relation: str,
    similarity: float,
) -> None:
    """Add an article to a story and record which article copies which.

    The copy is the later of the two by their own times: a wire original
    fetched after its syndicated copy is still the original.
    """
    db.execute("UPDATE articles SET story_id = ? WHERE id = ?", [story_id, article_id])
    db.execute(
        """UPDATE stories SET size = size + 1, first_at = min(first_at, ?),
           last_at = max(last_at, ?) WHERE id = ?""",
        [at, at, story_id],
    )
    if relation == "title":  # same story, own words: not a copy
        return
    other_at = db.execute(
        "SELECT at FROM article_features WHERE article_id = ?", [original_id]
    ).fetchone()
    copy, original = article_id, original_id
    if other_at is not None and at < other_at[0]:
        copy, original = original_id, article_id
    db.execute(
        "INSERT OR REPLACE INTO article_links (article_id, original_id, relation, similarity)"
        " VALUES (?, ?, ?, ?)",
        [copy, original, relation, round(similarity, 4)],
    )


def merge_stories(db: sqlite_utils.Database, keep: int, drop: int) -> None:
    """Fold story `drop` into `keep`: members, headline vector, bounds."""
    db.execute("UPDATE articles SET story_id = ? WHERE story_id = ?", [keep, drop])
    db.execute(
        """INSERT INTO story_terms (story_id, term, weight)
           SELECT ?, term, weight FROM story_terms WHERE story_id = ? AND true
           ON CONFLICT (story_id, term) DO UPDATE SET weight = weight + excluded.weight""",
        [keep, drop],
    )
    db.execute("DELETE FROM story_terms WHERE story_id = ?", [drop])
    db.execute(
        """UPDATE stories SET
             size = size + (SELECT size FROM stories WHERE id = :drop),
             first_at = min(first_at, (SELECT first_at FROM stories WHERE id = :drop)),
             last_at = max(last_at, (SELECT last_at FROM stories WHERE id = :drop)),
             first_article = min(first_article, (SELECT first_article FROM stories
                                                 WHERE id = :drop)),
             norm2 = (SELECT coalesce(sum(weight * weight), 0) FROM story_terms
                      WHERE story_id = :keep)
           WHERE id = :keep""",
        {"keep": keep, "drop": drop},
    )
    db.execute("DELETE FROM stories WHERE id = ?", [drop])


# -- events -------------------------------------------------------------------


def overlapping_events(
    db: sqlite_utils.Database, monitor: str, since: str, until: str
) -> list[EventRow]:
    """Events of `monitor` whose time interval overlaps [since, until].

    No event spans more than MAX_EVENT_SPAN, which bounds the index range
    scanned: the lookup costs the same with ten events or a million.
    """
    earliest = isoformat(parse_instant(since) - MAX_EVENT_SPAN)
    rows = db.execute(
        """SELECT id, monitor, time_start, time_end, precision, facts FROM events
           WHERE monitor = ? AND time_start BETWEEN ? AND ? AND time_end >= ?
           ORDER BY time_start DESC LIMIT 50""",
        [monitor, earliest, until, since],
    ).fetchall()
    return [EventRow(*row[:5], json.loads(row[5])) for row in rows]


def event_story_ids(db: sqlite_utils.Database, event_id: int) -> set[int]:
    return {
        row[0]
        for row in db.execute(
            """SELECT DISTINCT a.story_id FROM event_articles ea JOIN articles a
               ON a.id = ea.article_id WHERE ea.event_id = ?""",
            [event_id],
        )
    }


def event_terms(db: sqlite_utils.Database, event_id: int) -> list[str]:
    return [
        row[0]
        for row in db.execute(
            """SELECT f.terms FROM event_articles ea JOIN article_features f
               ON f.article_id = ea.article_id WHERE ea.event_id = ? LIMIT 100""",
            [event_id],
        )
    ]


def _next_change(db: sqlite_utils.Database) -> int:
    return db.execute(
        "UPDATE counters SET value = value + 1 WHERE name = 'event_change' RETURNING value"
    ).fetchone()[0]


def create_event(db: sqlite_utils.Database, row: dict[str, Any]) -> int:
    seq = _next_change(db)
    row = {**row, "created_seq": seq, "change_seq": seq}
    columns = ", ".join(row)
    marks = ", ".join(f":{key}" for key in row)
    return db.execute(f"INSERT INTO events ({columns}) VALUES ({marks})", row).lastrowid


def update_event(db: sqlite_utils.Database, event_id: int, changes: dict[str, Any]) -> None:
    changes = {**changes, "change_seq": _next_change(db)}
    sets = ", ".join(f"{key} = :{key}" for key in changes)
    db.execute(f"UPDATE events SET {sets} WHERE id = :id", {**changes, "id": event_id})


def latest_change(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT value FROM counters WHERE name = 'event_change'").fetchone()[0]


def events_changed(
    db: sqlite_utils.Database, after: int, upto: int, monitor: str | None = None, limit: int = 500
) -> list[dict[str, Any]]:
    """Events written after change `after`, up to `upto`, oldest change first."""
    clause, params = ("AND monitor = ?", [monitor]) if monitor else ("", [])
    rows = db.query(
        f"""SELECT * FROM events WHERE change_seq > ? AND change_seq <= ? {clause}
            ORDER BY change_seq LIMIT ?""",
        [after, upto, *params, limit],
    )
    return [_decode(row) for row in rows]


def change_before(db: sqlite_utils.Database, since: str, monitor: str | None, latest: int) -> int:
    """Where a reader new to the database starts: just before the first change to an
    event updated since `since` (its creation, if it was first seen since then), so those
    created since count as new; `latest` when no event was updated since."""
    clause = "AND monitor = :monitor" if monitor else ""
    first = db.execute(
        f"""SELECT min(CASE WHEN first_seen >= :since THEN created_seq ELSE change_seq END)
            FROM events WHERE last_updated >= :since {clause}""",
        {"since": since, "monitor": monitor},
    ).fetchone()[0]
    return latest if first is None else first - 1


def count_events_changed(
    db: sqlite_utils.Database, after: int, upto: int, monitor: str | None = None
) -> int:
    clause, params = ("AND monitor = ?", [monitor]) if monitor else ("", [])
    return db.execute(
        f"SELECT count(*) FROM events WHERE change_seq > ? AND change_seq <= ? {clause}",
        [after, upto, *params],
    ).fetchone()[0]


def reader_cursor(db: sqlite_utils.Database, reader: str) -> int | None:
    row = db.execute("SELECT cursor FROM readers WHERE name = ?", [reader]).fetchone()
    return row[0] if row else None


def reader_updated(db: sqlite_utils.Database, reader: str) -> str:
    return db.execute("SELECT updated FROM readers WHERE name = ?", [reader]).fetchone()[0]


def save_reader_cursor(db: sqlite_utils.Database, reader: str, cursor: int, now: str) -> None:
    with db.atomic():
        db.execute(
            """INSERT INTO readers (name, cursor, updated) VALUES (?, ?, ?)
               ON CONFLICT (name) DO UPDATE SET cursor = max(cursor, excluded.cursor),
               updated = excluded.updated""",
            [reader, cursor, now],
        )


def add_event_article(db: sqlite_utils.Database, row: dict[str, Any]) -> None:
    columns = ", ".join(row)
    marks = ", ".join(f":{key}" for key in row)
    db.execute(f"INSERT OR REPLACE INTO event_articles ({columns}) VALUES ({marks})", row)


def set_roles(db: sqlite_utils.Database, event_id: int, roles: dict[int, str]) -> None:
    db.conn.executemany(
        "UPDATE event_articles SET role = ? WHERE event_id = ? AND article_id = ? AND role != ?",
        [(role, event_id, article_id, role) for article_id, role in roles.items()],
    )


def hold_match(db: sqlite_utils.Database, row: dict[str, Any]) -> None:
    """Keep a match that may join an event but cannot open one, until one opens."""
    columns = ", ".join(row)
    marks = ", ".join(f":{key}" for key in row)
    db.execute(f"INSERT OR REPLACE INTO held_matches ({columns}) VALUES ({marks})", row)


def held_matches(
    db: sqlite_utils.Database, monitor: str, since: str, until: str
) -> list[dict[str, Any]]:
    """Held matches of `monitor` whose interval overlaps [since, until] (bounded like events)."""
    earliest = isoformat(parse_instant(since) - MAX_EVENT_SPAN)
    return [
        dict(row)
        for row in db.query(
            """SELECT * FROM held_matches
               WHERE monitor = ? AND time_start BETWEEN ? AND ? AND time_end >= ?
               ORDER BY article_id LIMIT 200""",
            [monitor, earliest, until, since],
        )
    ]


def is_member(db: sqlite_utils.Database, article_id: int, monitor: str) -> bool:
    """Has `monitor` already matched this article (in an event, or held)?"""
    return (
        db.execute(
            """SELECT 1 FROM event_articles WHERE article_id = ? AND monitor = ?
               UNION ALL SELECT 1 FROM held_matches WHERE article_id = ? AND monitor = ?""",
            [article_id, monitor, article_id, monitor],
        ).fetchone()
        is not None
    )


def release_held(db: sqlite_utils.Database, article_id: int, monitor: str) -> None:
    db.execute(
        "DELETE FROM held_matches WHERE article_id = ? AND monitor = ?", [article_id, monitor]
    )


MEMBERS = """SELECT ea.event_id, ea.article_id, ea.time_start, ea.time_end, ea.precision,
                     ea.phrase, ea.facts, ea.evidence, ea.matched_at, ea.account, ea.role,
                     ea.fact_evidence, ea.headline, a.url,
                     coalesce(ea.headline, a.title) AS title,
                     a.published, a.published_utc, a.fetched_at, a.story_id, o.name AS outlet,
                     l.original_id AS copy_of, l.relation AS copy_relation
              FROM event_articles ea
              JOIN articles a ON a.id = ea.article_id
              LEFT JOIN outlets o ON o.id = a.outlet_id
              LEFT JOIN article_links l ON l.article_id = a.id"""
MEMBERS_ORDER = "coalesce(a.published_utc, a.fetched_at), a.id"
IDS_PER_QUERY = 500  # well under SQLite's smallest limit on bound parameters (999)


def event_members(db: sqlite_utils.Database, event_id: int) -> list[dict[str, Any]]:
    """Every article of an event with what its monitor read from it."""
    return [
        dict(row)
        for row in db.query(
            f"{MEMBERS} WHERE ea.event_id = ? ORDER BY {MEMBERS_ORDER}",
            [event_id],
        )
    ]


def members_of_events(
    db: sqlite_utils.Database, event_ids: Sequence[int]
) -> dict[int, list[dict[str, Any]]]:
    """`event_members` of many events, in one query per IDS_PER_QUERY events.

    A digest shows up to 500 events: one query each cost more than all the rows they read.
    """
    members: dict[int, list[dict[str, Any]]] = {event_id: [] for event_id in event_ids}
    for i in range(0, len(event_ids), IDS_PER_QUERY):
        chunk = list(event_ids[i : i + IDS_PER_QUERY])
        marks = ",".join("?" * len(chunk))
        rows = db.query(
            f"{MEMBERS} WHERE ea.event_id IN ({marks}) ORDER BY ea.event_id, {MEMBERS_ORDER}",
            chunk,
        )
        for row in rows:
            members[row["event_id"]].append(row)
    return members


def get_event(db: sqlite_utils.Database, event_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM events WHERE id = ?", [event_id]))
    return _decode(rows[0]) if rows else None


def list_events(
    db: sqlite_utils.Database,
    *,
    monitor: str | None = None,
    since: str | None = None,
    upto: int | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Events first seen or updated since `since` (and changed no later than change
    `upto`), newest activity first."""
    where, params = _event_filter(monitor, since, upto)
    rows = db.query(
        f"SELECT * FROM events {where} ORDER BY last_updated DESC, id DESC LIMIT ?",
        [*params, limit],
    )
    return [_decode(row) for row in rows]


def count_events(
    db: sqlite_utils.Database,
    *,
    monitor: str | None = None,
    since: str | None = None,
    upto: int | None = None,
) -> int:
    where, params = _event_filter(monitor, since, upto)
    return db.execute(f"SELECT count(*) FROM events {where}", params).fetchone()[0]


def _event_filter(
    monitor: str | None, since: str | None, upto: int | None
) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if monitor:
        clauses.append("monitor = ?")
        params.append(monitor)
    if since:
        clauses.append("last_updated >= ?")
        params.append(since)
    if upto is not None:
        # "+": keep SQLite off the change_seq index, which this bound barely narrows
        # (it is nearly every event); the time or monitor index is the selective one.
        clauses.append("+change_seq <= ?")
        params.append(upto)
    return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["facts"] = json.loads(row["facts"])
    row["fact_sources"] = json.loads(row["fact_sources"])
    return row


def clear_derived(db: sqlite_utils.Database) -> None:
    db.execute("UPDATE articles SET story_id = NULL")
    for table in DERIVED_TABLES:
        db.execute(f"DELETE FROM {table}")


def articles_in_order(db: sqlite_utils.Database) -> Iterable[int]:
    """Ids of stored articles in the order the crawler stored them (reprocess replays it)."""
    yield from (row[0] for row in db.execute("SELECT id FROM articles ORDER BY id"))


def article_row(db: sqlite_utils.Database, article_id: int) -> dict[str, Any]:
    """An article with its outlet and what its feed entry said (summary, content)."""
    return next(
        db.query(
            """SELECT a.id, a.url, a.title, a.text, a.text_hash, a.published, a.published_utc,
                      a.fetched_at, a.language, a.story_id, o.name AS outlet, e.summary,
                      e.content
               FROM articles a LEFT JOIN outlets o ON o.id = a.outlet_id
               LEFT JOIN entries e ON e.id = (SELECT min(id) FROM entries
                                             WHERE article_id = a.id)
               WHERE a.id = ?""",
            [article_id],
        )
    )
