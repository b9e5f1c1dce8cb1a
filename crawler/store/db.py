"""Opening the one SQLite file, and what counts as the database failing.

WAL mode, a busy timeout and the migrations on every open; a database written by a
newer newsmon (a migration this version does not know) is refused before anything is
written; read-only commands open it `query_only`, so a long writer never blocks them.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from crawler import __version__
from crawler.errors import EXIT_NEWER_DATABASE, EXIT_NO_DATABASE, NewsmonError
from crawler.store.backend import Database, DatabaseURL, is_postgres
from crawler.store.schema import MIGRATIONS

BUSY_TIMEOUT_MS = 30_000


class SqliteDatabase(sqlite_utils.Database):
    """sqlite-utils' database whose outermost `atomic()` is `BEGIN IMMEDIATE`.

    A deferred transaction that reads and then writes fails at once ("database is
    locked") when another process wrote in between, busy timeout or not; several
    daemons on one file would turn that into lost articles. IMMEDIATE takes the write
    lock first (waiting up to the busy timeout), so every unit of work that reads what
    it then writes (is this URL stored? which event does this article join?) runs
    alone, whichever process runs it.
    """

    immediate = True  # off on `query_only` connections, which SQLite refuses it

    @contextmanager
    def atomic(self) -> Iterator[sqlite_utils.Database]:
        if self.conn.in_transaction or not self.immediate:
            with super().atomic():  # a savepoint inside the outer transaction
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.conn.rollback()
            raise
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.rollback()
            raise


class StoreError(NewsmonError, RuntimeError):
    """The database cannot be opened or written (read-only file, full disk, corruption)."""


def is_database_failure(exc: BaseException) -> bool:
    """True when the database itself failed (I/O, full disk, read-only, corruption, a
    constraint, a lost server): every later write would fail too. A value the driver
    cannot bind is no such failure."""
    if isinstance(exc, sqlite3.Error):
        return not isinstance(exc, sqlite3.InterfaceError | sqlite3.ProgrammingError)
    psycopg = sys.modules.get("psycopg")  # loaded only when a PostgreSQL database is open
    return (
        psycopg is not None
        and isinstance(exc, psycopg.Error)
        and not isinstance(exc, psycopg.InterfaceError | psycopg.DataError)
    )


def database_errors() -> tuple[type[BaseException], ...]:
    """The exceptions a failing database raises, for `except` at the edges."""
    psycopg = sys.modules.get("psycopg")
    return (sqlite3.Error, StoreError) + ((psycopg.Error,) if psycopg is not None else ())


def as_store_error(exc: BaseException) -> StoreError | None:
    """A database driver's error that escaped a command, as the StoreError it means (None
    for anything else): the CLI reports the database failing without naming a driver."""
    if isinstance(exc, database_errors()) and not isinstance(exc, StoreError):
        return StoreError(f"database error: {exc}")
    return None


class NewerDatabase(NewsmonError, RuntimeError):
    """The database was written by a newer newsmon (a migration this one does not know)."""

    exit_code = EXIT_NEWER_DATABASE


class MissingDatabase(NewsmonError, RuntimeError):
    """A command that only reads was pointed at a database that does not exist."""

    exit_code = EXIT_NO_DATABASE


def require(path: Path | DatabaseURL, config: Path | None = None) -> None:
    """Raise MissingDatabase unless `path` exists: a mistyped `database:` must not leave
    an empty database (and its directories) behind and show nothing as if all were well.
    A PostgreSQL database is looked for when it is opened (the server says)."""
    if isinstance(path, DatabaseURL):
        return
    if not path.exists():
        raise MissingDatabase(
            f"{path}: no such database (the first poll creates it: run `newsmon run` first, "
            f"or check `database:` in {config or 'the config'})"
        )


def open_db(path: Path | DatabaseURL, *, read_only: bool = False, create: bool = True) -> Any:
    """Open (creating and migrating) the database: SQLite in WAL mode, or PostgreSQL.

    A database that a newer newsmon has migrated is refused before anything is
    written: this version would write rows its schema no longer describes.
    `read_only` connections (status, feeds, articles, digests without a reader)
    never write, so in WAL mode no writer can make them wait; they, and callers that
    pass `create=False`, never create the file either (MissingDatabase).
    """
    if isinstance(path, DatabaseURL):
        return _open_postgres(path, read_only=read_only)
    if read_only or not create:
        require(path)
    if read_only:
        try:
            return _open(path, read_only=True)
        except StoreError as exc:
            fallback = _open_unwritable(path)
            if fallback is None:
                raise exc from None
            return fallback
    return _open(path, read_only=False)


def _open(path: Path, *, read_only: bool) -> sqlite_utils.Database:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
        db = SqliteDatabase(conn, execute_plugins=False)  # no plugin scan: 28 ms
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _refuse_newer(db, path)
        db.execute("PRAGMA foreign_keys = ON")
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")
        if MIGRATIONS.pending(db):  # a read, so readers of a current database never write
            with _migrating(path) as lock:
                if MIGRATIONS.pending(db):  # another process may have just done it
                    MIGRATIONS.apply(db)
                    lock.unlink()  # done: later opens find nothing pending
        if read_only:
            db.execute("PRAGMA query_only = ON")
            db.immediate = False
    except (sqlite3.Error, OSError) as exc:
        raise StoreError(f"{path}: cannot open database: {exc}") from None
    return db


@contextmanager
def _migrating(path: Path) -> Iterator[Path]:
    """One process migrates at a time: daemons started together on a new database would
    each create the same tables (a migration's script commits as it goes, so SQLite's
    own write lock cannot hold it whole). The kernel drops the lock if the holder dies.

    The migrator removes the lock file while it still holds it: whoever waits on it
    then finds nothing pending, and whoever comes later never needs it."""
    lock = path.with_name(f"{path.name}.migrate.lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield lock
    finally:
        os.close(fd)


def _open_postgres(url: DatabaseURL, *, read_only: bool) -> Database:
    from crawler.store import pgopen

    try:
        import psycopg
    except ImportError:
        raise StoreError(
            f"{url.name}: PostgreSQL needs psycopg: pip install 'newsmon[postgresql]'"
        ) from None
    try:
        db = pgopen.connect(url)
    except pgopen.MissingPgDatabase as exc:
        raise MissingDatabase(
            f"{url.name}: no such database on the server ({exc}); create it first "
            "(createdb, or CREATE DATABASE)"
        ) from None
    except psycopg.Error as exc:
        raise StoreError(f"{url.name}: cannot open database: {exc}".strip()) from None
    try:
        unknown = pgopen.prepare(db, url.name, read_only=read_only)
    except psycopg.Error as exc:
        db.close()
        raise StoreError(f"{url.name}: cannot open database: {exc}".strip()) from None
    if unknown:
        db.close()
        raise NewerDatabase(pgopen.newer_message(url.name, unknown))
    return db


def _open_unwritable(path: Path) -> sqlite_utils.Database | None:
    """A database in a folder newsmon cannot write (a read-only mount, a copy handed to an
    analyst): WAL mode needs its -shm file beside the database, so the normal open fails.
    Read it with SQLite's read-only, then immutable mode (no one can be writing where no
    file can be created). None when it cannot be read this way either, or needs a
    migration (which would be a write)."""
    base = path.resolve().as_uri()
    for query in ("mode=ro", "mode=ro&immutable=1"):
        try:
            conn = sqlite3.connect(f"{base}?{query}", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
            db = sqlite_utils.Database(conn, execute_plugins=False)
            db.execute("PRAGMA query_only = ON")
            _refuse_newer(db, path)
            if MIGRATIONS.pending(db):
                conn.close()
                return None
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error:
            continue
        return db
    return None


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


def size_bytes(db: Database, database: Path | DatabaseURL) -> int:
    """What the database takes: SQLite's file with its -wal and -shm, or PostgreSQL's
    own count of the database's size."""
    if isinstance(database, DatabaseURL):
        return int(db.execute("SELECT pg_database_size(current_database())").fetchone()[0])
    return sum(
        p.stat().st_size
        for p in database.parent.glob(database.name + "*")
        if p.suffix != ".lock" and p.is_file()
    )


def counts(db: Database) -> dict[str, int]:
    return {
        table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("outlets", "feeds", "entries", "articles", "fetches", "stories", "events")
    }


@contextmanager
def snapshot(db: Database) -> Iterator[None]:
    """One read transaction: everything read inside sees the same committed state."""
    db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ" if is_postgres(db) else "BEGIN")
    try:
        yield
    finally:
        db.execute("COMMIT")
