"""The global options (--config, --log-level, -v), before a command's name or after it.

`newsmon --config x.yaml events` and `newsmon events --config x.yaml` mean the same: an
analyst adds an option at the end of the line they just ran, and click alone accepts
group options only before the command. The group reads them first (`group_options`);
each command gets its own copies (`command_options`, added by `NewsmonGroup`) that, when
given after its name, replace what the group set in the shared `ctx.obj`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from crawler import config
from crawler.cli.common import setup_logging

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
CONFIG_HELP = f"Configuration file [default: ./config.yaml, or ${config.ENV_VAR}]."
LOG_LEVEL_HELP = "Log detail on stderr."
VERBOSE_HELP = "Same as --log-level INFO."


def group_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """--config, --log-level and -v on the `newsmon` group itself."""
    for option in reversed(
        [
            click.option(
                "--config",
                "config_path",
                type=click.Path(dir_okay=False, path_type=Path),
                help=CONFIG_HELP,
            ),
            click.option(
                "--log-level",
                type=click.Choice(LOG_LEVELS, case_sensitive=False),
                default="WARNING",
                show_default=True,
                help=LOG_LEVEL_HELP,
            ),
            click.option("-v", "--verbose", is_flag=True, help=VERBOSE_HELP),
        ]
    ):
        function = option(function)
    return function


def settings(config_path: Path | None, log_level: str, verbose: bool) -> dict[str, Any]:
    """What the group's options decide, as every command reads it from `ctx.obj`."""
    level = "INFO" if verbose else log_level.upper()
    setup_logging(level)
    return {
        "config_path": config.resolve_path(str(config_path) if config_path else None),
        "log_level": level,
    }


def command_options() -> list[click.Option]:
    """Fresh copies of the global options for one command (a command's parameters are
    its own objects); they change the settings only when given."""
    return [
        click.Option(
            ["--config", "config_path"],
            type=click.Path(dir_okay=False, path_type=Path),
            expose_value=False,
            callback=_set_config,
            help=CONFIG_HELP,
        ),
        click.Option(
            ["--log-level"],
            type=click.Choice(LOG_LEVELS, case_sensitive=False),
            expose_value=False,
            callback=_set_level,
            help=LOG_LEVEL_HELP,
        ),
        click.Option(
            ["-v", "--verbose"],
            is_flag=True,
            expose_value=False,
            callback=lambda ctx, _, on: _set_level(ctx, None, "INFO" if on else None),
            help=VERBOSE_HELP,
        ),
    ]


def _set_config(ctx: click.Context, _: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.ensure_object(dict)["config_path"] = config.resolve_path(str(value))


def _set_level(ctx: click.Context, _: click.Parameter | None, value: str | None) -> None:
    if value is not None:
        level = value.upper()
        setup_logging(level)
        ctx.ensure_object(dict)["log_level"] = level
