"""`newsmon db copy`: one database's rows into another, SQLite and PostgreSQL either way.

Tables are copied in key order, in batches, each batch one transaction, so a copy
stopped at any point resumes from the last row the target holds and never writes a
row twice. Then each table is checked: its row count, and a digest (SHA-256 over its
rows in key order, each value as its declared type) computed alike on both sides. A
table whose digest still differs after resuming (the target held other rows, such as
the counters a new database starts with) is copied again whole, replacing by key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from crawler.store import copy as tables_sql

BATCH = 2_000


@dataclass(frozen=True)
class Checked:
    """One table after the copy: rows on each side, digests, and rows written now."""

    table: str
    source_rows: int
    target_rows: int
    source_digest: str
    target_digest: str
    written: int

    @property
    def same(self) -> bool:
        return self.source_rows == self.target_rows and self.source_digest == self.target_digest


def digest(db: Any, table: tables_sql.Table) -> str:
    """The table's rows in key order, hashed: equal on both sides when the rows are."""
    hashed = hashlib.sha256()
    for row in tables_sql.rows(db, table):
        hashed.update(repr(row).encode("utf-8", "surrogatepass"))
        hashed.update(b"\n")
    return hashed.hexdigest()


def _copy_rows(
    source: Any,
    target: Any,
    table: tables_sql.Table,
    after: tuple[Any, ...] | None,
    advance: Callable[[int], None],
) -> int:
    written, batch = 0, []
    for row in tables_sql.rows(source, table, after):
        batch.append(row)
        if len(batch) >= BATCH:
            tables_sql.write_batch(target, table, batch)
            written += len(batch)
            advance(len(batch))
            batch = []
    if batch:
        tables_sql.write_batch(target, table, batch)
        written += len(batch)
        advance(len(batch))
    return written


def copy_table(
    source: Any, target: Any, table: tables_sql.Table, advance: Callable[[int], None]
) -> Checked:
    """Copy what the target lacks of one table, then check it (copying it whole again
    when the check fails after a resume)."""
    if table.key:
        written = _copy_rows(
            source, target, table, tables_sql.last_position(target, table), advance
        )
    else:
        written = 0
    source_digest, target_digest = digest(source, table), digest(target, table)
    if source_digest != target_digest:
        if not table.key:
            tables_sql.clear(target, table)
        written += _copy_rows(source, target, table, None, advance)
        target_digest = digest(target, table)
    return Checked(
        table.name,
        tables_sql.count(source, table),
        tables_sql.count(target, table),
        source_digest,
        target_digest,
        written,
    )


def remaining(source: Any, target: Any) -> int:
    """Rows the source has beyond the target's: the progress bar's length."""
    return sum(
        max(0, tables_sql.count(source, t) - tables_sql.count(target, t))
        for t in tables_sql.tables()
    )


def copy(source: Any, target: Any, advance: Callable[[int], None]) -> list[Checked]:
    """Copy every table; what each check found, in schema order."""
    tables_sql.prepare_target(target)
    try:
        return [copy_table(source, target, table, advance) for table in tables_sql.tables()]
    finally:
        tables_sql.finish_target(target)
