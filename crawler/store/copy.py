"""The SQL of `newsmon db copy`: every table's rows, read and written in key order.

The tables, their columns, keys and types come from the migrations themselves (applied
to an in-memory SQLite database), so both sides are described alike whatever the
backend. Values are read as their declared type (SQLite may hold an integer in a TEXT
column; PostgreSQL may not), so a row reads the same on both sides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from crawler.store.backend import Database, continue_ids, is_postgres, sqlite_memory
from crawler.store.schema import MIGRATIONS

Row = tuple[Any, ...]
SKIPPED = ("_sqlite_migrations", "newsmon_migrations", "articles_fts", "sqlite_")


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    types: tuple[str, ...]
    key: tuple[str, ...]  # the primary key; () for the tables that have none

    @property
    def order(self) -> tuple[str, ...]:
        """What rows are read in: the key, else every column."""
        return self.key or self.columns


@cache
def tables() -> tuple[Table, ...]:
    """Every table newsmon keeps, in the order the migrations create them."""
    memory = sqlite_memory()
    MIGRATIONS.apply(memory)
    found = []
    for (name,) in memory.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid"
    ).fetchall():
        if name.startswith(SKIPPED):
            continue
        info = memory.execute(f"PRAGMA table_info({name})").fetchall()
        key = tuple(row[1] for row in sorted(info, key=lambda r: r[5]) if row[5])
        found.append(Table(name, tuple(row[1] for row in info), tuple(row[2] for row in info), key))
    return tuple(found)


def _reader(kind: str) -> Callable[[Any], Any]:
    kind = kind.upper()
    if "INT" in kind:
        return int
    if kind in ("REAL", "FLOAT", "DOUBLE"):
        return float
    if kind == "BLOB":
        return bytes
    return str


def _typed(table: Table, row: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(
        None if value is None else _reader(kind)(value)
        for kind, value in zip(table.types, row, strict=True)
    )


def count(db: Database, table: Table) -> int:
    return int(db.execute(f"SELECT count(*) FROM {table.name}").fetchone()[0])


def rows(db: Database, table: Table, after: tuple[Any, ...] | None = None) -> Iterator[Row]:
    """Every row after position `after` (a row's `order` values; None: from the first),
    in order, read as it streams (a 100k-article table is never all in memory)."""
    order = ", ".join(table.order)
    where = ""
    if after is not None:
        where = f"WHERE ({order}) > ({', '.join('?' for _ in table.order)})"
    sql = f"SELECT {', '.join(table.columns)} FROM {table.name} {where} ORDER BY {order}"
    params = list(after) if after is not None else None
    stream = db.stream(sql, params) if is_postgres(db) else db.execute(sql, params or [])  # type: ignore[attr-defined]
    for row in stream:
        yield _typed(table, row)


def position(table: Table, row: Sequence[Any]) -> tuple[Any, ...]:
    """The `order` values of `row`: where the next batch starts."""
    return tuple(row[table.columns.index(column)] for column in table.order)


def last_position(db: Database, table: Table) -> tuple[Any, ...] | None:
    """The last row the target has, by key: where a resumed copy starts."""
    if not table.key:
        return None
    descending = ", ".join(f"{column} DESC" for column in table.key)
    row = db.execute(
        f"SELECT {', '.join(table.key)} FROM {table.name} ORDER BY {descending} LIMIT 1"
    ).fetchone()
    return None if row is None else _typed(_key_table(table), row)


def _key_table(table: Table) -> Table:
    types = tuple(table.types[table.columns.index(column)] for column in table.key)
    return Table(table.name, table.key, types, table.key)


def write_batch(db: Database, table: Table, rows: list[tuple[Any, ...]]) -> None:
    """Write `rows` in one transaction; a row whose key is already there is replaced
    (the migrations seed `counters`), so writing a batch twice adds nothing."""
    verb = "INSERT OR REPLACE" if table.key else "INSERT"
    marks = ", ".join("?" for _ in table.columns)
    sql = f"{verb} INTO {table.name} ({', '.join(table.columns)}) VALUES ({marks})"
    with db.atomic():
        db.conn.executemany(sql, rows)  # type: ignore[attr-defined]


def clear(db: Database, table: Table) -> None:
    """Empty a keyless table of the target: it is copied whole, never resumed."""
    with db.atomic():
        db.execute(f"DELETE FROM {table.name}")


def prepare_target(db: Database) -> None:
    """SQLite checks foreign keys row by row; the copy writes tables in schema order
    (an entry before the article it leads to), and ends consistent."""
    if not is_postgres(db):
        db.execute("PRAGMA foreign_keys = OFF")


def finish_target(db: Database) -> None:
    """PostgreSQL's id sequences continue after the highest id copied."""
    if not is_postgres(db):
        db.execute("PRAGMA foreign_keys = ON")
        return
    for table in tables():
        if table.key == ("id",):
            continue_ids(db, table.name)
