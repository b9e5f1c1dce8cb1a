"""Opening the one SQLite file, and what counts as the database failing.

WAL mode, a busy timeout and the migrations on every open; a database written by a
newer newsmon (a migration this version does not know) is refused before anything is
written; read-only commands open it `query_only`, so a long writer never blocks them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from crawler import __version__
from crawler.errors import EXIT_NEWER_DATABASE, EXIT_NO_DATABASE, NewsmonError
from crawler.store.schema import MIGRATIONS

BUSY_TIMEOUT_MS = 30_000


class StoreError(NewsmonError, RuntimeError):
    """The database cannot be opened or written (read-only file, full disk, corruption)."""


def is_database_failure(exc: BaseException) -> bool:
    """True when SQLite itself failed (I/O, full disk, read-only, corruption, a constraint):
    every later write would fail too. A value SQLite cannot bind is no such failure."""
    return isinstance(exc, sqlite3.Error) and not isinstance(
        exc, sqlite3.InterfaceError | sqlite3.ProgrammingError
    )


def as_store_error(exc: BaseException) -> StoreError | None:
    """A database driver's error that escaped a command, as the StoreError it means (None
    for anything else): the CLI reports the database failing without naming a driver."""
    if isinstance(exc, sqlite3.Error):
        return StoreError(f"database error: {exc}")
    return None


class NewerDatabase(NewsmonError, RuntimeError):
    """The database was written by a newer newsmon (a migration this one does not know)."""

    exit_code = EXIT_NEWER_DATABASE


class MissingDatabase(NewsmonError, RuntimeError):
    """A command that only reads was pointed at a database that does not exist."""

    exit_code = EXIT_NO_DATABASE


def require(path: Path, config: Path | None = None) -> None:
    """Raise MissingDatabase unless `path` exists: a mistyped `database:` must not leave
    an empty database (and its directories) behind and show nothing as if all were well."""
    if not path.exists():
        raise MissingDatabase(
            f"{path}: no such database (the first poll creates it: run `newsmon run` first, "
            f"or check `database:` in {config or 'the config'})"
        )


def open_db(path: Path, *, read_only: bool = False, create: bool = True) -> sqlite_utils.Database:
    """Open (creating and migrating) the database in WAL mode.

    A database that a newer newsmon has migrated is refused before anything is
    written: this version would write rows its schema no longer describes.
    `read_only` connections (status, feeds, articles, digests without a reader)
    never write, so in WAL mode no writer can make them wait; they, and callers that
    pass `create=False`, never create the file either (MissingDatabase).
    """
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
        db = sqlite_utils.Database(conn, execute_plugins=False)  # no plugin scan: 28 ms
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _refuse_newer(db, path)
        db.execute("PRAGMA foreign_keys = ON")
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")
        if MIGRATIONS.pending(db):  # a read, so readers of a current database never write
            MIGRATIONS.apply(db)
        if read_only:
            db.execute("PRAGMA query_only = ON")
    except (sqlite3.Error, OSError) as exc:
        raise StoreError(f"{path}: cannot open database: {exc}") from None
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


def counts(db: sqlite_utils.Database) -> dict[str, int]:
    return {
        table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("outlets", "feeds", "entries", "articles", "fetches", "stories", "events")
    }


@contextmanager
def snapshot(db: sqlite_utils.Database) -> Iterator[None]:
    """One read transaction: everything read inside sees the same committed state."""
    db.execute("BEGIN")
    try:
        yield
    finally:
        db.execute("COMMIT")
