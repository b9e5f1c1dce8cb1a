"""What a reading command checks before it shows anything: the names typed, the health.

`events --monitor nope` must not print nothing and exit 0, as if the monitor had simply
found nothing: a typo says so, with the names that would work. `status` is also a
health check: its exit code says whether feeds are failing or the daemon went silent.
"""

from __future__ import annotations

from typing import Any

import click
import sqlite_utils

from crawler import config, store
from crawler.errors import EXIT_DAEMON_SILENT, EXIT_FAILED
from crawler.report.wording import plural


def known_monitor(cfg: config.Config, db: sqlite_utils.Database, name: str | None) -> None:
    """Refuse (exit 2) a --monitor that is neither configured nor in the database."""
    if name is None:
        return
    known = sorted({m.name for m in cfg.monitors} | set(store.events.monitor_names(db)))
    if name not in known:
        names = (
            f"known: {', '.join(known)}"
            if known
            else f"{cfg.path} lists none and the database has no events"
        )
        raise click.BadParameter(f"no monitor named {name!r} ({names})", param_hint="--monitor")


def health(report: dict[str, Any]) -> tuple[int, list[str]]:
    """`status`'s exit code and what made it non-zero: 6 when the daemon's heartbeat is
    stale, else 1 when configured feeds are FAILING, else 0."""
    failing = [feed for feed in report["feeds"] if feed["failing"]]
    problems = []
    code = 0
    if failing:
        code = EXIT_FAILED
        problems.append(
            f"{plural(len(failing), 'feed')} FAILING ({store.feeds.FAILING_AFTER_ERRORS} or more "
            f"failed polls in a row): "
            + ", ".join(f"{feed['outlet']} {feed['url']}" for feed in failing)
        )
    if report["daemon"]["state"] == "not responding":
        code = EXIT_DAEMON_SILENT
        problems.append(
            f"the daemon (pid {report['daemon']['pid']}) is not responding: last heartbeat "
            f"{report['daemon']['heartbeat_age_s']} s ago"
        )
    return code, problems
