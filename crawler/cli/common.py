"""What every `newsmon` command shares: the one place errors are reported, options, helpers.

Errors raised anywhere below are reported once, here, as one line naming the key, file
or URL, with the exit code their class carries (`crawler.errors`, see `crawler.cli`).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterable, Sequence
from typing import Any

import click

from crawler import config, store
from crawler.clock import Clock, ClockError
from crawler.errors import EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, NewsmonError
from crawler.report.csvout import csv_text, ndjson_lines
from crawler.report.table import json_text, table
from monitors.base import MonitorError

INTERRUPTED = (
    "interrupted: stopped between transactions; what was not stored yet is fetched by the next run"
)
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
NOW_OPTION = click.option(
    "--now", metavar="TIME", help="Pretend it is TIME (ISO 8601) [env NEWSMON_NOW]."
)
SENDS_ALERTS = ("run", "daemon", "notify")  # the commands that deliver alerts


class Failed(click.ClickException):
    """A library error, reported as "Error: <its one line>" with its exit code."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # click reads it from the instance


class NewsmonGroup(click.Group):
    """Every command's errors become one line and the exit code their class carries; every
    command also takes the global options after its name (`newsmon events --config x`)."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        from crawler.cli.globals import command_options

        cmd.params.extend(command_options())
        super().add_command(cmd, name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # `newsmon events | head -1`: the reader has all it wants
            stop_writing_stdout()
            ctx.exit(EXIT_BROKEN_PIPE)
        except (NewsmonError, MonitorError) as exc:
            if exc.exit_code == EXIT_INTERRUPTED:  # a poll or the daemon's start, cancelled
                click.echo(INTERRUPTED, err=True)
                ctx.exit(EXIT_INTERRUPTED)
            raise Failed(str(exc), exc.exit_code) from None
        except Exception as exc:  # a driver's error escaping the store: the database failed
            failure = store.db.as_store_error(exc)
            if failure is None:
                raise
            raise Failed(str(failure), failure.exit_code) from None


def load(ctx: click.Context) -> config.Config:
    """The config; commands that send alerts also have Apprise check each notify URL
    (a quarter of a second that a digest from cron should not pay)."""
    return config.load(ctx.obj["config_path"], check_targets=ctx.info_name in SENDS_ALERTS)


def clock(value: str | None) -> Clock:
    try:
        return Clock.from_option(value)
    except ClockError as exc:
        raise click.BadParameter(str(exc), param_hint="--now / NEWSMON_NOW") from None


def open_db(cfg: config.Config, *, read_only: bool = False, create: bool = True):
    """The database; `read_only` for commands that only look (no writer makes them wait).
    Those, and `create=False`, refuse a database that does not exist (exit 5)."""
    if read_only or not create:
        store.db.require(cfg.database, cfg.path)
    return store.db.open_db(cfg.database, read_only=read_only, create=create)


def setup_logging(level: str) -> None:
    logging.basicConfig(level=level, format=LOG_FORMAT, stream=sys.stderr, force=True)
    # newsmon reports every fetch failure itself, once; Scrapy's own account of
    # the same failures (with tracebacks) is only wanted when debugging.
    scrapy_level = logging.DEBUG if level == "DEBUG" else logging.CRITICAL
    logging.getLogger("scrapy").setLevel(scrapy_level)
    # APScheduler logs every job it adds, runs and removes at INFO: the daemon's own
    # line per poll says what happened; the scheduler's chatter is for debugging.
    scheduler_level = logging.DEBUG if level == "DEBUG" else max(logging.WARNING, _number(level))
    logging.getLogger("apscheduler").setLevel(scheduler_level)
    # Apprise logs each refused alert itself; newsmon reports it once, with the alert's
    # id and target (its own capture of Apprise's words still sees the records).
    logging.getLogger("apprise").propagate = level == "DEBUG"


def _number(level: str) -> int:
    return logging.getLevelNamesMapping()[level]


def stop_writing_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null, so neither a later write nor the
    flush at exit raises again (Python would print "Exception ignored ... BrokenPipeError")."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def show(
    rows: Sequence[dict[str, Any]], output: str | None, columns: Iterable[tuple[str, str]]
) -> None:
    """Rows as JSON, CSV or NDJSON (`output`, for scripts) or as an aligned table."""
    if output == "json":
        echo([json_text(rows)])
    elif output == "csv":
        click.echo(csv_text(rows), nl=False)
    elif output == "nl":
        echo(ndjson_lines(rows))
    else:
        echo(table(rows, columns))


def echo(lines: Iterable[str]) -> None:
    for line in lines:
        click.echo(line)
