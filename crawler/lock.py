"""One `newsmon run` at a time per database, never beside a daemon (cron runs and
daemons share this lock), and one digest at a time per reader.

Daemons take the poll lock shared: several daemons on one machine poll one database
together, each claiming its hosts (`store.leases`), while a `newsmon run` (which takes
it exclusively) beside any of them exits at once instead of polling.

Advisory locks on files beside the database: the kernel drops them when the
holder dies, even by kill -9, so a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from crawler.errors import EXIT_BUSY, NewsmonError


class LockBusy(NewsmonError, RuntimeError):
    """Another newsmon process is polling this database."""

    exit_code = EXIT_BUSY


class LockUnavailable(NewsmonError, RuntimeError):
    """The lock file cannot be created (a read-only or missing directory, a bad path)."""


def lock_path(database: Path | str, kind: str | None = None) -> Path:
    """`<database>.lock` (the poll lock), or `<database>.<kind>.lock`. A PostgreSQL
    database (a URL) has no folder: its lock files are in the temporary folder, named
    by a hash of the URL (so they hold between processes of this machine)."""
    if isinstance(database, str):
        digest = hashlib.sha256(database.encode()).hexdigest()[:16]
        database = Path(tempfile.gettempdir()) / f"newsmon-{digest}"
    return database.with_name(f"{database.name}.{kind}.lock" if kind else f"{database.name}.lock")


@contextmanager
def poll_lock(database: Path | str, *, shared: bool = False) -> Iterator[bool]:
    """Exclusive for `newsmon run` and `notify`; `shared` for daemons. Yields True when
    no other poller of this machine holds it: every lease they left is a dead one's."""
    path = lock_path(database)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise LockUnavailable(f"{path}: cannot create the poll lock file: {exc.strerror}") from None
    try:
        alone = True
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not shared:
                    raise
                _share(fd)
                alone = False
            if shared and alone:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise LockBusy(
                f"another newsmon process (pid {holder}) is polling {database}; "
                f"this run exits without polling (lock file {path})"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield alone
    finally:
        os.close(fd)  # closing releases the lock


def _share(fd: int, wait: float = 1.0) -> None:
    """The lock shared, waiting a moment: another daemon starting may hold it exclusively
    for the instant it takes to find out whether it is alone. A `newsmon run` holding it
    longer makes this raise BlockingIOError."""
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.01)


READER_WAIT = 30.0  # seconds a digest waits for another digest of the same reader


@contextmanager
def reader_lock(database: Path | str, reader: str, wait: float = READER_WAIT) -> Iterator[None]:
    """Hold reader `reader`'s digest: from reading its cursor until the cursor is saved.

    Two digests of one reader at once both read the same cursor and showed the same
    events. The second now waits for the first and starts where it ended. Each reader
    locks one byte of `<database>.readers.lock` (POSIX record locks), so digests of
    different readers never wait for each other, and a digest that waits on a slow
    pipe holds no database lock (the crawler's writes go on).
    """
    path = lock_path(database, "readers")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise LockUnavailable(
            f"{path}: cannot create the reader lock file: {exc.strerror}"
        ) from None
    offset = int.from_bytes(hashlib.sha256(reader.encode("utf-8", "replace")).digest()[:4], "big")
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, offset)
                break
            except OSError:  # EAGAIN or EACCES: another digest of this reader
                if time.monotonic() >= deadline:
                    raise LockBusy(
                        f"another digest for reader {reader!r} has been running for over "
                        f"{wait:.0f} s; try again when it is done (lock file {path})"
                    ) from None
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)  # closing releases the lock
