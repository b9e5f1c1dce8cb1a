"""Stories and their similarity index: MinHash bands, headline terms and document
frequencies.

Every lookup goes through an index with a bounded result, so assigning one new article
costs the same with a thousand or a million stored. All of it is derived: `reprocess`
rebuilds it from `articles`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import sqlite_utils

TOTAL = ""  # the term_df row holding the number of indexed titles


POSTINGS_PER_TERM = 200


@dataclass(frozen=True)
class Candidate:
    article_id: int
    story_id: int
    minhash: bytes | None
    terms: str


@dataclass(frozen=True)
class Lookups:
    """What placing an article reads before deciding anything: the document frequencies
    of its headline terms, the article it repeats word for word, and the articles
    sharing a MinHash band with it."""

    df: dict[str, int]
    exact: int | None
    near: list[int]


def lookups(
    db: sqlite_utils.Database,
    article_id: int,
    *,
    terms: Sequence[str],
    text_hash: str | None,
    band_keys: Sequence[int],
    since: str,
    until: str,
) -> Lookups:
    """The three reads, each sent before any is read: one round trip on PostgreSQL in
    pipeline mode. A missing `text_hash` or no `band_keys` skips that read."""
    df = _document_frequencies(db, terms) if terms else None
    exact = (
        db.execute(
            "SELECT id FROM articles WHERE text_hash = ? AND id != ? AND story_id IS NOT NULL"
            " ORDER BY id LIMIT 1",
            [text_hash, article_id],
        )
        if text_hash is not None
        else None
    )
    marks = ",".join("?" * len(band_keys))
    near = (
        db.execute(
            f"""SELECT DISTINCT article_id FROM minhash_bands
                WHERE band_key IN ({marks}) AND at BETWEEN ? AND ? AND article_id != ?
                LIMIT 500""",
            [*band_keys, since, until, article_id],
        )
        if band_keys
        else None
    )
    found = dict(df.fetchall()) if df is not None else {}
    exact_row = exact.fetchone() if exact is not None else None
    return Lookups(
        {term: found.get(term, 0) for term in [*set(terms), TOTAL]} if terms else {},
        exact_row[0] if exact_row else None,
        [row[0] for row in near.fetchall()] if near is not None else [],
    )


def story_of(db: sqlite_utils.Database, article_id: int) -> int:
    row = db.execute("SELECT story_id FROM articles WHERE id = ?", [article_id]).fetchone()
    return cast(int, row[0])


def near_candidates(db: sqlite_utils.Database, article_ids: Iterable[int]) -> list[Candidate]:
    """The indexed articles among `article_ids` (`Lookups.near`), with their stories."""
    return _load_candidates(db, article_ids)


def stories_with_terms(
    db: sqlite_utils.Database, terms: Iterable[str], since: str, until: str, article_id: int
) -> list[int]:
    """Stories with an article inside the window whose headline has one of `terms`: each
    term's latest postings, all terms in one statement (one round trip on PostgreSQL)."""
    terms = list(terms)
    if not terms:
        return []
    posting = """SELECT article_id FROM (SELECT article_id FROM title_terms
                     WHERE term = ? AND at BETWEEN ? AND ? AND article_id != ?
                     ORDER BY at DESC LIMIT ?) p{}"""
    union = " UNION ALL ".join(posting.format(i) for i in range(len(terms)))
    params = [p for term in terms for p in (term, since, until, article_id, POSTINGS_PER_TERM)]
    rows = db.execute(
        f"""SELECT DISTINCT a.story_id FROM ({union}) t
            JOIN articles a ON a.id = t.article_id WHERE a.story_id IS NOT NULL""",
        params,
    )
    return sorted(row[0] for row in rows)


@dataclass(frozen=True)
class StoryVector:
    """What the headline test reads of a story: the weights of the asked terms in its
    headline vector, its squared norm and its first article."""

    weights: dict[str, float]
    norm2: float
    first_article: int


def story_vectors(
    db: sqlite_utils.Database, story_ids: Sequence[int], terms: Sequence[str]
) -> dict[int, StoryVector]:
    """Every story's vector over `terms`, in one statement however many stories. The
    term rows are looked up by (story, term), the primary key, whatever plan the server
    keeps for the statement."""
    if not story_ids:
        return {}
    stories, words = ",".join("?" * len(story_ids)), ",".join("?" * len(terms)) or "NULL"
    rows = db.execute(
        f"""SELECT id, norm2, first_article, NULL, NULL FROM stories WHERE id IN ({stories})
            UNION ALL
            SELECT story_id, NULL, NULL, term, weight FROM story_terms
            WHERE story_id IN ({stories}) AND term IN ({words})""",
        [*story_ids, *story_ids, *terms],
    ).fetchall()
    weights: dict[int, dict[str, float]] = {}
    for story_id, _, _, term, weight in rows:
        if term is not None:
            weights.setdefault(story_id, {})[term] = weight
    return {
        story_id: StoryVector(weights.get(story_id, {}), norm2, first)
        for story_id, norm2, first, term, _ in rows
        if term is None
    }


def story_weights(
    db: sqlite_utils.Database, story_id: int, terms: Sequence[str]
) -> dict[str, float]:
    """The weights of `terms` in the story's headline vector (absent terms: none)."""
    marks = ",".join("?" * len(terms))
    return dict(
        db.execute(
            f"SELECT term, weight FROM story_terms WHERE story_id = ? AND term IN ({marks})",
            [story_id, *terms],
        )
    )


def add_story_terms(
    db: sqlite_utils.Database,
    story_id: int,
    weights: dict[str, float],
    *,
    new_story: bool = False,
) -> None:
    """Add a headline to the story's vector, keeping its squared norm current. A story
    just made (`new_story`) has no terms yet: nothing to read."""
    if not weights:
        return
    old = {} if new_story else story_weights(db, story_id, list(weights))
    delta = sum((old.get(t, 0.0) + w) ** 2 - old.get(t, 0.0) ** 2 for t, w in weights.items())
    db.execute(
        f"""INSERT INTO story_terms (story_id, term, weight) VALUES {_rows(len(weights), 3)}
            ON CONFLICT (story_id, term)
            DO UPDATE SET weight = story_terms.weight + excluded.weight""",
        [value for term, weight in weights.items() for value in (story_id, term, weight)],
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
    terms = list(terms)
    found = dict(_document_frequencies(db, terms).fetchall())
    return {term: found.get(term, 0) for term in [*set(terms), TOTAL]}


def _document_frequencies(db: sqlite_utils.Database, terms: Iterable[str]) -> Any:
    """The statement reading the terms' and the total's frequencies (rows not read yet)."""
    wanted = [*set(terms), TOTAL]
    marks = ",".join("?" * len(wanted))
    return db.execute(f"SELECT term, df FROM term_df WHERE term IN ({marks})", wanted)


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
    if band_keys:
        db.execute(
            "INSERT INTO minhash_bands (band_key, at, article_id)"
            f" VALUES {_rows(len(band_keys), 3)}",
            [value for key in band_keys for value in (key, at, article_id)],
        )
    if terms:
        db.execute(
            f"INSERT INTO title_terms (term, at, article_id) VALUES {_rows(len(terms), 3)}",
            [value for term in terms for value in (term, at, article_id)],
        )
    counts = Counter([*terms, TOTAL])
    db.execute(
        f"INSERT INTO term_df (term, df) VALUES {_rows(len(counts), 2)}"
        " ON CONFLICT (term) DO UPDATE SET df = term_df.df + excluded.df",
        [value for term, count in counts.items() for value in (term, count)],
    )


def _rows(count: int, width: int) -> str:
    """`count` rows of `width` placeholders, for one multi-row INSERT: one statement
    however many rows (one round trip and one execution on PostgreSQL)."""
    row = "(" + ", ".join("?" * width) + ")"
    return ", ".join([row] * count)


def new_story(db: sqlite_utils.Database, article_id: int, title: str | None, at: str) -> int:
    story_id = db.execute(
        "INSERT INTO stories (first_article, title, first_at, last_at) VALUES (?, ?, ?, ?)"
        " RETURNING id",
        [article_id, title, at, at],
    ).fetchone()[0]
    db.execute("UPDATE articles SET story_id = ? WHERE id = ?", [story_id, article_id])
    return int(story_id)


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
           ON CONFLICT (story_id, term)
           DO UPDATE SET weight = story_terms.weight + excluded.weight""",
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
