"""The `newsmon` command: click commands only (`polling`, `reading`), over `common`.

Each command loads the config, calls one library function and prints. Errors raised
anywhere below are reported once, through one map from error type to exit code
(`common.exit_codes`), as one line naming the key, file or URL:

    0  success
    1  some feeds failed (`run`), or a runtime error (database, I/O)
    2  invalid configuration or usage
    3  another newsmon process holds the poll lock
    4  the database belongs to a newer newsmon (left untouched)
  130  interrupted (Ctrl-C, SIGTERM): stopped between transactions
"""

from __future__ import annotations

from pathlib import Path

import click

from crawler import __version__, config
from crawler.cli.common import NewsmonGroup, setup_logging


@click.group(cls=NewsmonGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsmon")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"Configuration file [default: ./config.yaml, or ${config.ENV_VAR}].",
)
@click.option(
    "--log-level",
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
    default="WARNING",
    show_default=True,
    help="Log detail on stderr.",
)
@click.option("-v", "--verbose", is_flag=True, help="Same as --log-level INFO.")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, log_level: str, verbose: bool) -> None:
    """newsmon: polls news feeds and sitemaps politely, stores clean articles,
    and reports each real-world event once.

    Example: newsmon run && newsmon articles --search missile
    """
    level = "INFO" if verbose else log_level.upper()
    setup_logging(level)
    ctx.obj = {
        "config_path": config.resolve_path(str(config_path) if config_path else None),
        "log_level": level,
    }


def main() -> None:
    cli(prog_name="newsmon")


# The commands register themselves on `cli` when imported.
from crawler.cli import article, polling, reading  # noqa: E402, F401
