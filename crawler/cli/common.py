"""What every `newsmon` command shares: the one error-to-exit-code map, options, helpers.

Errors raised anywhere below are reported once, here, as one line naming the key, file
or URL, with the exit code `exit_codes` gives its type (see `crawler.cli`).
"""

from __future__ import annotations

import logging
import sqlite3
import sys
from collections.abc import Iterable, Sequence
from typing import Any

import click

from crawler import config, store
from crawler.clock import Clock, ClockError, parse_instant
from crawler.lock import LockBusy, LockUnavailable
from crawler.report import digest
from crawler.report.table import json_text, table

EXIT_FEEDS_FAILED = 1
EXIT_CONFIG = 2
EXIT_BUSY = 3
EXIT_NEWER_DATABASE = 4
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
INTERRUPTED = (
    "interrupted: stopped between transactions; what was not stored yet is fetched by the next run"
)
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
NOW_OPTION = click.option(
    "--now", metavar="TIME", help="Pretend it is TIME (ISO 8601) [env NEWSMON_NOW]."
)
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
SENDS_ALERTS = ("run", "daemon", "notify")  # the commands that deliver alerts


def exit_codes() -> dict[type[BaseException], int]:
    """Library errors and the exit code each means (imported lazily, like the commands)."""
    from crawler.report.serve import ServeError

    return {
        config.ConfigError: EXIT_CONFIG,
        LockBusy: EXIT_BUSY,
        store.db.NewerDatabase: EXIT_NEWER_DATABASE,
        store.db.StoreError: 1,
        LockUnavailable: 1,
        ServeError: 1,
        digest.DigestError: 1,
        sqlite3.Error: 1,  # raised below any command: the database itself failed
    }


class Failed(click.ClickException):
    """A library error, reported as "Error: <its one line>" with its exit code."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code


class NewsmonGroup(click.Group):
    """Every command's errors go through one map to one line and one exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        from crawler.fetch.reactor import Interrupted

        try:
            return super().invoke(ctx)
        except Interrupted:  # a poll or the daemon's start, cancelled by a signal
            click.echo(INTERRUPTED, err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except Exception as exc:
            for kind, code in exit_codes().items():
                if isinstance(exc, kind):
                    database = isinstance(exc, sqlite3.Error)
                    raise Failed(f"database error: {exc}" if database else str(exc), code) from None
            raise


def load(ctx: click.Context) -> config.Config:
    """The config; commands that send alerts also have Apprise check each notify URL
    (a quarter of a second that a digest from cron should not pay)."""
    return config.load(ctx.obj["config_path"], check_targets=ctx.info_name in SENDS_ALERTS)


def clock(value: str | None) -> Clock:
    try:
        return Clock.from_option(value)
    except ClockError as exc:
        raise click.BadParameter(str(exc), param_hint="--now / NEWSMON_NOW") from None


def instant(value: str, option: str):
    try:
        return parse_instant(value)
    except ClockError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


def open_db(cfg: config.Config, *, read_only: bool = False):
    """The database; `read_only` for commands that only look (no writer makes them wait)."""
    return store.db.open_db(cfg.database, read_only=read_only)


def setup_logging(level: str) -> None:
    logging.basicConfig(level=level, format=LOG_FORMAT, stream=sys.stderr, force=True)
    # newsmon reports every fetch failure itself, once; Scrapy's own account of
    # the same failures (with tracebacks) is only wanted when debugging.
    scrapy_level = logging.DEBUG if level == "DEBUG" else logging.CRITICAL
    logging.getLogger("scrapy").setLevel(scrapy_level)


def show(rows: Sequence[dict[str, Any]], as_json: bool, columns: Iterable[tuple[str, str]]) -> None:
    """Rows as JSON (for scripts) or as an aligned table (for people)."""
    echo([json_text(rows)] if as_json else table(rows, columns))


def echo(lines: Iterable[str]) -> None:
    for line in lines:
        click.echo(line)
