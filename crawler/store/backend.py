"""The two backends behind one interface: SQLite (sqlite-utils) and PostgreSQL (psycopg 3).

Every store function takes a `Database`: either a `sqlite_utils.Database` or a
`PgDatabase`, which offers the same small surface (`execute`, `query`, `executescript`,
`atomic`, `conn.executemany`, `db[table].exists()`). Store SQL is written once, in
SQLite's spelling, and `PgDatabase` rewrites it for PostgreSQL (store.pgsql).

How to write a dialect-neutral query:

- Placeholders `?` or `:name`, never `%s`: they are rewritten for psycopg.
- New rows' ids with `INSERT ... RETURNING id` and `fetchone()[0]`, never
  `cursor.lastrowid` (PostgreSQL has none).
- Upserts as `INSERT OR IGNORE` (rewritten to `ON CONFLICT DO NOTHING`), `INSERT OR
  REPLACE` (rewritten to `ON CONFLICT (primary key) DO UPDATE`), or spelled out as
  `ON CONFLICT (...) DO UPDATE SET ... excluded.x`, which both read alike.
- Scalar `max(a, b)` / `min(a, b)` become GREATEST / LEAST; `LIKE` becomes ILIKE (SQLite's
  LIKE ignores ASCII case); `temp.t` becomes `pg_temp.t`; `json_each(:ids)` becomes
  `json_array_elements_text`. Case-insensitive equality: `lower(a) = lower(b)`, not
  `COLLATE NOCASE`.
- Whatever cannot be rewritten (full-text search, date arithmetic) asks
  `dialect(db)` and spells both (store.search, store.dialect helpers).
- Text columns compare byte-wise on both (PostgreSQL's columns are `COLLATE "C"`), and
  times are ISO 8601 text on both, so ordering and digests read the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Literal, Protocol

import sqlite_utils

Dialect = Literal["sqlite", "postgresql"]
Params = Sequence[Any] | Mapping[str, Any] | None
URL_SCHEMES = ("postgresql://", "postgres://")
_PASSWORD = re.compile(r"(://[^:/@]*:)[^@/]*@")


class Cursor(Protocol):
    """What store code reads from `execute`: rows as tuples."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Database(Protocol):
    """The surface store functions use, which both backends offer."""

    def execute(self, sql: str, parameters: Any = None) -> Any: ...

    def executescript(self, sql: str) -> Any: ...

    def query(self, sql: str, params: Any = None) -> Iterator[dict[str, Any]]: ...

    def atomic(self) -> Any: ...


class DatabaseURL(str):
    """A `postgresql://` URL in `database:`: not a path (no lock file, no size on disk).

    Printed (messages, `status`), it shows no password; `dsn` is the URL itself, for
    connecting only."""

    __slots__ = ()

    @property
    def dsn(self) -> str:
        return str.__str__(self)

    def __str__(self) -> str:
        return _PASSWORD.sub(r"\1***@", self.dsn)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __repr__(self) -> str:
        return f"DatabaseURL({str(self)!r})"

    @property
    def name(self) -> str:
        """The database's name, for messages and lock names."""
        return self.rsplit("/", 1)[-1].split("?", 1)[0] or "postgres"

    @property
    def stem(self) -> str:
        return self.name

    def exists(self) -> bool:
        return True  # the server answers; a missing database fails at connect


def is_url(value: object) -> bool:
    return isinstance(value, str) and value.startswith(URL_SCHEMES)


def location(value: str) -> DatabaseURL | None:
    """`value` as a database URL, or None when it is a path."""
    return DatabaseURL(value) if is_url(value) else None


def dialect(db: object) -> Dialect:
    """Which SQL `db` speaks."""
    return "postgresql" if getattr(db, "dialect", "sqlite") == "postgresql" else "sqlite"


def is_postgres(db: object) -> bool:
    return dialect(db) == "postgresql"


def continue_ids(db: Database, table: str) -> None:
    """New rows of `table` get ids after its highest, as SQLite gives them: PostgreSQL's
    sequence would go on from the highest id it ever gave (after a reprocess emptied
    the table, or a copy wrote ids itself)."""
    if is_postgres(db):
        db.execute(
            f"""SELECT setval(pg_get_serial_sequence('{table}', 'id'),
                              coalesce(max(id), 0) + 1, false) FROM {table}"""
        )


def sqlite_memory() -> sqlite_utils.Database:
    return sqlite_utils.Database(memory=True)


@contextmanager
def no_context() -> Iterator[None]:
    yield


@contextmanager
def pipelined(db: object) -> Iterator[None]:
    """A unit of work with fewer round trips on PostgreSQL: statements whose results are
    not read travel with the next one that is (`PgDatabase.pipelined`). Enter it before
    `db.atomic()`. On SQLite, where a statement is a function call, nothing changes."""
    if is_postgres(db):
        with db.pipelined():  # type: ignore[attr-defined]
            yield
    else:
        yield
