"""Options the reading commands share, spelt as the tools analysts already know spell them.

`--json`, `--csv` and `--nl` (newline-delimited JSON) as sqlite-utils has them; `--since`
taking `7d`, `2h` or `30m` as well as an ISO date; `--tz ZONE` (else `display.timezone`,
else UTC) for every time shown to people. A bad value is a usage error (exit 2) naming
the option and the value.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any, TypeVar

import click

from crawler import config
from crawler.cli.common import JSON_OPTION
from crawler.clock import ClockError, parse_since, zone

F = TypeVar("F", bound=Callable[..., Any])


OUTPUTS = (
    ("--json", "json", "Print a JSON array for scripts."),
    ("--csv", "csv", "Print CSV (a header, then one line per row)."),
    ("--nl", "nl", "Print newline-delimited JSON: one object per line."),
)


def output_options(command: F) -> F:
    """--json / --csv / --nl, into one `output` parameter (None: a table for people)."""
    for flag, value, text in reversed(OUTPUTS):
        command = click.option(flag, "output", flag_value=value, help=text)(command)
    return command


TZ_OPTION = click.option(
    "--tz",
    "tz_name",
    metavar="ZONE",
    help="Show times in ZONE, e.g. Asia/Seoul [default: display.timezone, else UTC].",
)


def record_options(command: F) -> F:
    """--tz and --json: what a command showing one record (`event`, `article`) takes."""
    return TZ_OPTION(JSON_OPTION(command))


SINCE_HELP = "a span back from now (7d, 2h, 30m) or an ISO 8601 time"


def since(value: str | None, now: datetime, option: str = "--since") -> datetime | None:
    """`--since` as an instant; `7d` counts back from `now` (the `--now` clock)."""
    if value is None:
        return None
    try:
        return parse_since(value, now)
    except ClockError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


def display_zone(cfg: config.Config, name: str | None) -> tzinfo:
    """The zone times are shown in: `--tz`, else config.yaml's `display.timezone`."""
    if name is None:
        return zone(cfg.display.timezone)  # checked when the config was read
    try:
        return zone(name)
    except ClockError as exc:
        raise click.BadParameter(str(exc), param_hint="--tz") from None
