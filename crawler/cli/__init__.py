"""The `newsmon` command: click commands only (`polling`, `reading`, `tools`), over `common`.

Each command loads the config, calls one library function and prints. Errors raised
anywhere below derive from `crawler.errors.NewsmonError` (or `monitors.base.MonitorError`)
and carry their exit code; `common.NewsmonGroup` reports each once, as one line naming
the key, file or URL (docs/errors.md):

    0  success
    1  some feeds failed (`run`), every alert tried failed (`notify`), or a runtime
       error (database, I/O)
    2  invalid configuration or usage
    3  another newsmon process holds the poll lock
    4  the database belongs to a newer newsmon (left untouched)
    5  a command that reads was pointed at a database that does not exist (none is made)
    6  `status`: the daemon's heartbeat is stale (1: some feeds are FAILING)
  130  interrupted (Ctrl-C, SIGTERM): stopped between transactions
  141  standard output was closed by its reader (`newsmon events | head -1`)
"""

from __future__ import annotations

from pathlib import Path

import click

from crawler import __version__
from crawler.cli.common import NewsmonGroup
from crawler.cli.globals import group_options, settings


@click.group(cls=NewsmonGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsmon")
@group_options
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, log_level: str, verbose: bool) -> None:
    """newsmon: polls news feeds and sitemaps politely, stores clean articles,
    and reports each real-world event once.

    --config, --log-level and -v may also follow the command.

    Example: newsmon run && newsmon articles --search missile
    """
    ctx.obj = settings(config_path, log_level, verbose)


def main() -> None:
    cli(prog_name="newsmon")


# The commands register themselves on `cli` when imported.
from crawler.cli import article, database, event, polling, reading, tools  # noqa: E402, F401
