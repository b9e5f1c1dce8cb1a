"""Options the reading commands share, spelt as the tools analysts already know spell them.

`--format json` (or `csv`, `nl`: newline-delimited JSON) as `digest --format` spells it,
one option for every command that prints data; `--json`, `--csv` and `--nl` still work
as hidden spellings of the same (sqlite-utils has them); `--since`
taking `7d`, `2h` or `30m` as well as an ISO date; `--tz ZONE` (else `display.timezone`,
else UTC) for every time shown to people. A bad value is a usage error (exit 2) naming
the option and the value.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any, TypeVar

import click

from crawler import config
from crawler.clock import ClockError, parse_since, zone

F = TypeVar("F", bound=Callable[..., Any])


OUTPUTS = ("table", "json", "csv", "nl")
FORMAT_HELP = (
    "table for people; json (an array), csv (a header, then one line per row) or nl "
    "(newline-delimited JSON: one object per line) for scripts."
)


def output_options(command: F) -> F:
    """--format table|json|csv|nl (and the hidden --json / --csv / --nl), into one
    `output` parameter: None for a table, else the machine format."""

    @functools.wraps(command)
    def chosen(*args: Any, output_format: str, output_alias: str | None, **kwargs: Any) -> Any:
        output = _one_format(output_format, output_alias, "table")
        return command(*args, output=None if output == "table" else output, **kwargs)

    for value in reversed(OUTPUTS[1:]):
        chosen = click.option(f"--{value}", "output_alias", flag_value=value, hidden=True)(chosen)
    option = click.option(
        "--format",
        "output_format",
        type=click.Choice(OUTPUTS),
        default="table",
        show_default=True,
        help=FORMAT_HELP,
    )
    return option(chosen)  # type: ignore[return-value]


def json_option(command: F) -> F:
    """--format text|json (and the hidden --json) for a command that shows one record or
    report, into one `as_json` parameter."""

    @functools.wraps(command)
    def chosen(*args: Any, output_format: str, output_alias: str | None, **kwargs: Any) -> Any:
        as_json = _one_format(output_format, output_alias, "text") == "json"
        return command(*args, as_json=as_json, **kwargs)

    chosen = click.option("--json", "output_alias", flag_value="json", hidden=True)(chosen)
    option = click.option(
        "--format",
        "output_format",
        type=click.Choice(("text", "json")),
        default="text",
        show_default=True,
        help="text for people, json for scripts.",
    )
    return option(chosen)  # type: ignore[return-value]


def _one_format(chosen: str, alias: str | None, default: str) -> str:
    """--format, or the hidden flag spelling one; both, when they disagree, is an error."""
    if alias is None:
        return chosen
    if chosen not in (default, alias):
        raise click.UsageError(f"--{alias} and --format {chosen} ask for two formats")
    return alias


TZ_OPTION = click.option(
    "--tz",
    "tz_name",
    metavar="ZONE",
    help="Show times in ZONE, e.g. Asia/Seoul [default: display.timezone, else UTC].",
)


def record_options(command: F) -> F:
    """--tz and --format json: what a command showing one record (`event`, `article`)
    takes."""
    return TZ_OPTION(json_option(command))


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
