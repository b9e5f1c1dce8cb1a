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
    with closing(sqlite3.connect(config.parent / "newsmon.db")) as conn, conn:
        return conn.execute(sql, params).fetchall()


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
