"""The analyst's pages read on threads and connections of their own.

Datasette runs every query, a visitor's included, on one small pool of threads; with
visitors' SQL turned on (`web.allow_sql`), a few slow queries fill that pool and the
events page waits behind them until each hits the time limit. Newsmon's pages use
READER_THREADS threads of their own instead, each with its own `mode=ro` connection,
under the same time limit, so what a visitor runs in Datasette never queues ahead of
the analyst's pages.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import sqlite_utils
from datasette.utils import sqlite_timelimit

from crawler import store

READER_THREADS = 2
T = TypeVar("T")

_executors: dict[str, ThreadPoolExecutor] = {}
_lock = threading.Lock()
_local = threading.local()


def executor(path: str) -> ThreadPoolExecutor:
    with _lock:
        if path not in _executors:
            _executors[path] = ThreadPoolExecutor(READER_THREADS, thread_name_prefix="newsmon")
        return _executors[path]


def connection(path: str) -> sqlite3.Connection:
    """This thread's read-only connection to `path`, opened once."""
    connections = _local.__dict__.setdefault("connections", {})
    if path not in connections:
        uri = f"{Path(path).resolve().as_uri()}?mode=ro"
        connections[path] = sqlite3.connect(uri, uri=True, check_same_thread=False)
    return connections[path]


async def read(path: str, fn: Callable[[sqlite_utils.Database], T], limit_ms: int) -> T:
    """Run `fn` on a read-only connection to `path`, in one read transaction (an event
    and its sources from the same commit), stopped after `limit_ms`."""

    def in_thread() -> T:
        conn = connection(path)
        db = sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)
        with store.db.snapshot(db), sqlite_timelimit(conn, limit_ms):
            return fn(db)

    return await asyncio.get_running_loop().run_in_executor(executor(path), in_thread)
