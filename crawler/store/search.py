"""Full-text search over articles' titles and texts, in each backend's own engine.

SQLite: the FTS5 table `articles_fts` (porter stemming), kept by triggers. PostgreSQL:
a GIN index on the `english` tsvector of title and text (stemming too, as porter
does), maintained by PostgreSQL itself. Both match every word of the query (AND), and
rank the best match first.
"""

from __future__ import annotations

from typing import Any

from crawler.store.backend import is_postgres

VECTOR = "to_tsvector('english', coalesce(title, '') || ' ' || text)"


def create_index(db: Any) -> None:
    """The search index of a new database (migration m001)."""
    if is_postgres(db):
        db.execute(f"CREATE INDEX articles_fts ON articles USING GIN ({VECTOR})")
    else:
        db["articles"].enable_fts(["title", "text"], create_triggers=True, tokenize="porter")


def fts_query(text: str) -> str:
    """Quote each word so user text never hits FTS5 syntax errors (AND of the words)."""
    words = [w.replace('"', '""') for w in text.split()]
    return " ".join(f'"{w}"' for w in words) or '""'


def query_value(db: Any, text: str) -> str:
    """The parameter `matching_ids` and `ranked_join` expect for `text`."""
    return text if is_postgres(db) else fts_query(text)


def matching_ids(db: Any, param: str) -> str:
    """SQL selecting the ids of articles matching parameter `:param`."""
    if is_postgres(db):
        return f"SELECT id FROM articles WHERE {VECTOR} @@ plainto_tsquery('english', :{param})"
    return f"SELECT rowid FROM articles_fts WHERE articles_fts MATCH :{param}"


def ranked_join(db: Any, alias: str, param: str) -> tuple[str, str, str]:
    """(join, condition, order) restricting `alias` (articles) to matches of `:param`,
    best first."""
    if is_postgres(db):
        vector = VECTOR.replace("title", f"{alias}.title").replace(" text)", f" {alias}.text)")
        query = f"plainto_tsquery('english', :{param})"
        return "", f"{vector} @@ {query}", f"ts_rank({vector}, {query}) DESC, {alias}.id DESC"
    return (
        f"JOIN articles_fts ON articles_fts.rowid = {alias}.id",
        f"articles_fts MATCH :{param}",
        "articles_fts.rank",
    )
