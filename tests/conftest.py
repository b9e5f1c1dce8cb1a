"""Shared fixtures: a real loopback HTTP server, real config files, the real CLI.

Polls run `python -m crawler` in a subprocess: Twisted's reactor cannot be
restarted inside one process, and the subprocess is also exactly what cron
runs, exit codes and all.

A test that starts a process (the CLI through `newsmon`, `subprocess`, an alert's
courier, the extraction workers) or sends a signal (`os.kill`), itself or through a
helper or fixture of the tests, is marked
`system`, and so is one marked by hand for taking long: `pytest -m "not system"` is
the fast loop (docs/developing.md).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import types
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
import yaml

from crawler.loopback import LoopbackServer
from tests import postgres

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared" / "datasets"

# Names whose use starts or signals a process: the mark of a `system` test. Alert
# delivery (`crawler.alerts.deliver.deliver`) sends through a courier child process;
# `Workers` is the extraction pool of worker processes.
PROCESS_NAMES = frozenset(
    {"newsmon", "subprocess", "Popen", "kill", "killpg", "deliver", "Workers"}
)

FAST_FETCH = {
    "per_host_delay": "0s",
    "autothrottle": False,
    "retries": 0,
    "timeout": "5s",
    "extraction_workers": 1,
}


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as srv:
        yield srv


def write_config(
    directory: Path, outlets: list[dict], *, allow_private_networks: bool = True, **fetch: object
) -> Path:
    """A config for loopback outlets (so private networks are allowed unless a test says
    otherwise), with fast fetch settings; `fetch` overrides them."""
    config = {
        "database": "newsmon.db",
        "allow_private_networks": allow_private_networks,
        "fetch": {**FAST_FETCH, **fetch},
        "outlets": outlets,
    }
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def newsmon(
    *args: str, config: Path | None = None, env: dict[str, str] | None = None, timeout: float = 90
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "crawler"]
    if config is not None:
        command += ["--config", str(config)]
    return subprocess.run(
        [*command, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=config.parent if config else None,
    )


def query(config: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows of `sql` on the test's database (the `backend` fixture's, else newsmon.db)."""
    url = os.environ.get("NEWSMON_DATABASE")
    if url:
        from crawler.store.pgdb import PgDatabase

        db = PgDatabase.connect(url, url)
        try:
            cursor = db.execute(sql, list(params) or None)
            return [tuple(row) for row in cursor.fetchall()] if cursor.description else []
        finally:
            db.close()
    with closing(sqlite3.connect(config.parent / "newsmon.db")) as conn, conn:
        return conn.execute(sql, params).fetchall()


def dump(database) -> str:
    """Every row of every table of `database` (a path or a PostgreSQL URL), as text."""
    if isinstance(database, Path):
        with closing(sqlite3.connect(database)) as conn:
            return "\n".join(conn.iterdump())
    from crawler.store.pgdb import PgDatabase

    db = PgDatabase.connect(database.dsn, str(database))
    try:
        tables = db.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
        return "\n".join(
            repr(row) for (table,) in tables for row in db.execute(f"SELECT * FROM {table}")
        )
    finally:
        db.close()


def database_at(directory: Path):
    """The database a test in `directory` uses: the `backend` fixture's PostgreSQL
    database when it set one, else `directory`/newsmon.db."""
    from crawler.store.backend import DatabaseURL

    url = os.environ.get("NEWSMON_DATABASE")
    return DatabaseURL(url) if url else directory / "newsmon.db"


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[postgres.Cluster]:
    """One throw-away PostgreSQL server for the session (skips where none can start)."""
    cluster, why = postgres.start_cluster()
    if cluster is None:
        pytest.skip(why.splitlines()[0] if why else "no PostgreSQL server")
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, monkeypatch) -> Iterator[str]:
    """Runs the test on each backend: on PostgreSQL, NEWSMON_DATABASE names a fresh
    database, which the config, the CLI and `database_at` all follow."""
    if request.param == "sqlite":
        monkeypatch.delenv("NEWSMON_DATABASE", raising=False)
        yield "sqlite"
        return
    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.database()
    monkeypatch.setenv("NEWSMON_DATABASE", url)
    yield "postgresql"
    cluster.drop(url)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if isinstance(item, pytest.Function) and _starts_processes(item):
            item.add_marker(pytest.mark.system)


def _starts_processes(item: pytest.Function) -> bool:
    functions = [item.obj]
    info = getattr(item, "_fixtureinfo", None)
    for name in item.fixturenames:
        for fixturedef in info.name2fixturedefs.get(name, ()) if info else ():
            functions.append(fixturedef.func)
    seen: set[int] = set()
    return any(_uses(function, PROCESS_NAMES, seen) for function in functions)


def _uses(function: object, names: frozenset[str], seen: set[int]) -> bool:
    """Whether `function` names any of `names`, or calls a function of the tests that
    does (through module globals: helpers, builders, this conftest)."""
    function = getattr(function, "__wrapped__", function)
    code = getattr(function, "__code__", None)
    if code is None or id(code) in seen:
        return False
    seen.add(id(code))
    module_globals = getattr(function, "__globals__", {})
    for code_object in _code_objects(code):
        if names & set(code_object.co_names):
            return True
        for name in code_object.co_names:
            value = module_globals.get(name)
            if (
                isinstance(value, types.FunctionType)
                and value.__module__.startswith("tests")
                and _uses(value, names, seen)
            ):
                return True
    return False


def _code_objects(code: types.CodeType) -> Iterator[types.CodeType]:
    """A function's code and the code of the lambdas and functions nested in it."""
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_objects(const)
