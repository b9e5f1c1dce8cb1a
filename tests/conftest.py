"""Shared fixtures: a real loopback HTTP server, real config files, the real CLI.

Polls run `python -m crawler` in a subprocess: Twisted's reactor cannot be
restarted inside one process, and the subprocess is also exactly what cron
runs, exit codes and all.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
import yaml

from crawler.loopback import LoopbackServer

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared" / "datasets"

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
