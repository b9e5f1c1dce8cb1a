"""A PostgreSQL connection that answers like a `sqlite_utils.Database`.

Autocommit, as sqlite-utils leaves SQLite between statements; `atomic()` is a
transaction (a savepoint when nested), so a unit of work commits whole or not at all,
on either backend.

Each statement is a round trip to the server, which is most of what a unit of work
costs on PostgreSQL. Inside `pipelined()` (psycopg's pipeline mode) a statement whose
result nobody reads (an UPDATE, an INSERT without RETURNING, an advisory lock) is sent
without waiting: it travels with the next statement whose rows are read, and with the
COMMIT. Its error, if any, is raised there, and the transaction rolls back whole.

Numbers come back as Python ints and floats (never Decimal: `sum` of
an integer column is `numeric` in PostgreSQL), so results compare equal across backends.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import psycopg
from psycopg.adapt import Loader
from psycopg.rows import dict_row

from crawler.store.pgsql import translate

_PRIMARY_KEYS: dict[str, tuple[str, ...]] = {}
_PIPELINES = psycopg.Pipeline.is_supported()


class _NumberLoader(Loader):
    """numeric as int when whole, else float (SQLite's own answer)."""

    def load(self, data: Any) -> int | float:
        text = bytes(data).decode()
        if "." in text or "e" in text.lower() or text in ("NaN", "Infinity", "-Infinity"):
            number = float(text)
            return int(number) if number.is_integer() and "." not in text else number
        return int(text)


class _Empty:
    """The answer to a statement PostgreSQL has no use for (SQLite's PRAGMAs)."""

    rowcount = 0

    def fetchone(self) -> None:
        return None

    def fetchall(self) -> list[Any]:
        return []

    def __iter__(self) -> Iterator[Any]:
        return iter(())


class _Pending:
    """A statement's cursor in pipeline mode: its rows are fetched when read; its
    `rowcount` waits for the server's answer first."""

    def __init__(self, cursor: psycopg.Cursor[Any], pipeline: psycopg.Pipeline) -> None:
        self.cursor, self.pipeline = cursor, pipeline

    @property
    def rowcount(self) -> int:
        self.pipeline.sync()
        return self.cursor.rowcount

    def fetchone(self) -> Any:
        return self.cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return self.cursor.fetchall()

    def __iter__(self) -> Iterator[Any]:
        return iter(self.cursor)


class _Table:
    def __init__(self, db: PgDatabase, name: str) -> None:
        self.db, self.name = db, name

    def exists(self) -> bool:
        row = self.db.execute("SELECT to_regclass(?)", [self.name]).fetchone()
        return row is not None and row[0] is not None


class _Conn:
    """`db.conn`: what store code asks of the raw connection."""

    def __init__(self, db: PgDatabase) -> None:
        self.db = db

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        if rows:
            with self.db.raw.cursor() as cursor:
                cursor.executemany(self.db.sql(sql, params=True), rows)

    def execute(self, sql: str, parameters: Any = None) -> Any:
        return self.db.execute(sql, parameters)

    @property
    def in_transaction(self) -> bool:
        return self.db.raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    def commit(self) -> None:
        if self.in_transaction:
            self.db.raw.execute("COMMIT")

    def close(self) -> None:
        self.db.close()


class PgDatabase:
    """One PostgreSQL connection; `url` is the `database:` value (for messages)."""

    dialect = "postgresql"

    def __init__(self, raw: psycopg.Connection[Any], url: str) -> None:
        self.raw, self.url = raw, url
        raw.adapters.register_loader("numeric", _NumberLoader)
        self.conn = _Conn(self)
        self._pipeline: psycopg.Pipeline | None = None
        self._depth = 0  # transactions open inside the pipeline

    @classmethod
    def connect(cls, dsn: str, shown: str, *, read_only: bool = False) -> PgDatabase:
        """`shown`: the URL without its password, for messages."""
        raw = psycopg.connect(dsn, autocommit=True, connect_timeout=10)
        raw.execute("SET TIME ZONE 'UTC'")
        if read_only:
            raw.execute("SET default_transaction_read_only = on")
        return cls(raw, shown)

    def sql(self, sql: str, *, params: bool) -> str:
        return translate(sql, params=params, primary_key=self._primary_key)

    def _primary_key(self, table: str) -> tuple[str, ...]:
        if table not in _PRIMARY_KEYS:
            rows = self.raw.execute(
                """SELECT a.attname FROM pg_index i JOIN pg_attribute a
                   ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                   WHERE i.indrelid = to_regclass(%s) AND i.indisprimary
                   ORDER BY array_position(i.indkey, a.attnum)""",
                [table],
            ).fetchall()
            _PRIMARY_KEYS[table] = tuple(row[0] for row in rows)
        return _PRIMARY_KEYS[table]

    def execute(self, sql: str, parameters: Any = None) -> Any:
        if sql.lstrip()[:6].upper() == "PRAGMA":
            return _Empty()
        if parameters is None:
            cursor = self.raw.execute(self.sql(sql, params=False))
        else:
            cursor = self.raw.execute(self.sql(sql, params=True), parameters)
        return cursor if self._pipeline is None else _Pending(cursor, self._pipeline)

    def executescript(self, sql: str) -> None:
        self.raw.execute(self.sql(sql, params=False).encode())

    def query(self, sql: str, params: Any = None) -> Iterator[dict[str, Any]]:
        with self.raw.cursor(row_factory=dict_row) as cursor:
            if params is None:
                cursor.execute(self.sql(sql, params=False))
            else:
                cursor.execute(self.sql(sql, params=True), params)
            yield from cursor.fetchall()

    def stream(self, sql: str, params: Any = None) -> Iterator[tuple[Any, ...]]:
        """Rows as the server sends them, one at a time (no whole result in memory)."""
        with self.raw.cursor() as cursor:
            yield from cursor.stream(self.sql(sql, params=params is not None), params)

    def copy_in(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Rows into `table` through COPY: a bulk write, many times faster than INSERTs."""
        with self.raw.cursor() as cursor:
            sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with cursor.copy(sql.encode()) as copy:
                for row in rows:
                    copy.write_row(row)

    @contextmanager
    def atomic(self) -> Iterator[PgDatabase]:
        if self._pipeline is None:
            with self.raw.transaction():
                yield self
            return
        depth, pipeline = self._depth, self._pipeline
        savepoint = f"newsmon_{depth}"
        self.raw.execute("BEGIN" if depth == 0 else f"SAVEPOINT {savepoint}")
        self._depth += 1
        try:
            yield self
            # committed when atomic() returns; a savepoint's error is raised at its end,
            # as without the pipeline, so a caller catching it keeps the rest
            self.raw.execute("COMMIT" if depth == 0 else f"RELEASE SAVEPOINT {savepoint}")
            pipeline.sync()
        except BaseException:
            with suppress(psycopg.Error):  # what is still queued, and its error (raised)
                pipeline.sync()
            self.raw.execute("ROLLBACK" if depth == 0 else f"ROLLBACK TO SAVEPOINT {savepoint}")
            pipeline.sync()
            raise
        finally:
            self._depth = depth

    @contextmanager
    def pipelined(self) -> Iterator[PgDatabase]:
        """Statements whose results are not read wait for the next one that is (see the
        module's docstring). Enter it outside `atomic()`: inside a transaction begun
        without it, or nested, it changes nothing. No `stream` or `copy_in` inside."""
        if self._pipeline is not None or self.conn.in_transaction or not _PIPELINES:
            yield self  # (no pipelines: a libpq before 14, one round trip a statement)
            return
        with self.raw.pipeline() as pipeline:
            self._pipeline = pipeline
            try:
                yield self
            finally:
                self._pipeline = None

    def __getitem__(self, table: str) -> _Table:
        return _Table(self, table)

    def close(self) -> None:
        self.raw.close()
