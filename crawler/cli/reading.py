"""Commands that look: feeds, articles, events, event, digest, status, serve.

They open the database read-only (a long writer never makes them wait), except a digest
with --reader, which moves its cursor.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from crawler import store
from crawler.cli import checks, cli, common
from crawler.clock import isoformat
from crawler.lock import reader_lock
from crawler.report import digest, records, wording
from crawler.report import status as health
from crawler.report.table import (
    ARTICLE_COLUMNS,
    EVENT_COLUMNS,
    FEED_COLUMNS,
    event_lines,
    json_text,
)

if TYPE_CHECKING:
    pass

ALL_FEEDS_OPTION = click.option(
    "--all", "show_retired", is_flag=True, help="Also show retired feeds (no longer configured)."
)


@cli.command()
@common.JSON_OPTION
@ALL_FEEDS_OPTION
@click.pass_context
def feeds(ctx: click.Context, as_json: bool, show_retired: bool) -> None:
    """List outlets and the health of their feeds (FAILING: 3 failed polls in a row).

    Feeds removed from the config are kept (their history) as retired: --all shows them.

    Example: newsmon feeds --json | jq '.[] | select(.consecutive_errors > 0)'
    """
    cfg = common.load(ctx)
    db = common.open_db(cfg, read_only=True)
    rows = health.shown_feeds(
        health.with_config(store.feeds.feed_health(db), cfg, common.clock(None).now()),
        show_retired=show_retired,
    )
    common.show([{**row, "state": health.feed_state(row)} for row in rows], as_json, FEED_COLUMNS)
    if not as_json:  # the JSON has them as last_error: stdout is the document alone
        for row in rows:
            if row["last_error"]:
                click.echo(f"  {row['outlet']}: {row['url']}: {row['last_error']}")


@cli.command()
@click.option("--search", metavar="TEXT", help="Full-text search over titles and text.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000))
@common.JSON_OPTION
@click.pass_context
def articles(ctx: click.Context, search: str | None, limit: int, as_json: bool) -> None:
    """Show the latest stored articles, or those matching --search.

    Example: newsmon articles --search "ballistic missile" --limit 5
    """
    cfg = common.load(ctx)
    rows = store.articles.latest_articles(
        common.open_db(cfg, read_only=True), limit=limit, search=search
    )
    common.show(rows, as_json, ARTICLE_COLUMNS)


@cli.command()
@click.option("--monitor", metavar="NAME", help="Only this monitor's events.")
@click.option("--since", metavar="TIME", help="Only events seen or updated since TIME (ISO 8601).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000))
@common.JSON_OPTION
@click.pass_context
def events(
    ctx: click.Context, monitor: str | None, since: str | None, limit: int, as_json: bool
) -> None:
    """List events, most recently active first: one line per real-world event.

    Example: newsmon events --monitor missile-launches --since 2026-01-01
    """
    cfg = common.load(ctx)
    since_value = isoformat(common.instant(since, "--since")) if since else None
    db = common.open_db(cfg, read_only=True)
    checks.known_monitor(cfg, db, monitor)
    rows = store.events.list_events(db, monitor=monitor, since=since_value, limit=limit)
    common.show(
        [{**row, "when": wording.describe_row_when(row)} for row in rows], as_json, EVENT_COLUMNS
    )


@cli.command()
@click.argument("event_id", type=int)
@common.JSON_OPTION
@click.pass_context
def event(ctx: click.Context, event_id: int, as_json: bool) -> None:
    """Show one event: when, facts (with any disagreement) and every source.

    Example: newsmon event 1
    """
    cfg = common.load(ctx)
    db = common.open_db(cfg, read_only=True)
    row = store.events.get_event(db, event_id)
    if row is None:
        raise click.ClickException(f"no event with id {event_id}")
    record = records.event_record(db, row)
    common.echo([json_text(record)] if as_json else event_lines(record))


@cli.command("digest")
@click.option(
    "--format", "fmt", type=click.Choice(digest.FORMATS), default="text", show_default=True
)
@click.option("--reader", metavar="NAME", help="Show what is new since NAME's last digest.")
@click.option("--since", metavar="TIME", help="Events seen or updated since TIME instead.")
@click.option("--monitor", metavar="NAME", help="Only this monitor's events.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE (atomically replaced) instead of standard output.",
)
@common.NOW_OPTION
@click.pass_context
def digest_command(
    ctx: click.Context,
    fmt: str,
    reader: str | None,
    since: str | None,
    monitor: str | None,
    output: Path | None,
    now: str | None,
) -> None:
    """Show the events new or updated since the last digest (or since a time).

    With --reader the position is kept in the database: the next digest for
    that reader starts exactly where this one ended. Events updated with new
    sources are shown as updates. JSON and Atom are for programs and feed
    readers; the JSON schema is documented in the README and kept stable.

    Example: newsmon digest --reader analyst --format html --output /srv/www/digest.html
    """
    cfg = common.load(ctx)
    clock_now = common.clock(now).now()
    since_value = common.instant(since, "--since") if since else None
    db = common.open_db(cfg, read_only=reader is None, create=False)
    checks.known_monitor(cfg, db, monitor)
    if reader is None:
        common.echo(digest.publish(db, fmt, None, since_value, monitor, output, clock_now))
        return
    with reader_lock(cfg.database, reader):  # two digests of one reader take turns
        # printed before the cursor moves: a reader gone mid-way (`| head`) sees it again
        digest.publish(db, fmt, reader, since_value, monitor, output, clock_now, common.echo)


@cli.command()
@common.JSON_OPTION
@ALL_FEEDS_OPTION
@click.pass_context
def status(ctx: click.Context, as_json: bool, show_retired: bool) -> None:
    """Feed health, daemon heartbeat and database size at a glance; a health check.

    Feeds whose last 3 polls failed are marked FAILING, never dropped. Exit code 1 when
    any feed is FAILING, 6 when the daemon's heartbeat is stale, else 0.

    Example: newsmon status || mail -s "newsmon needs a look" ops@example.org
    """
    cfg = common.load(ctx)
    db = common.open_db(cfg, read_only=True)
    report = health.status(
        db, cfg.database, common.clock(None).now(), cfg, show_retired=show_retired
    )
    common.echo([json_text(report)] if as_json else health.lines(report))
    code, problems = checks.health(report)
    for problem in problems:
        click.echo(f"status: {problem}", err=True)
    ctx.exit(code)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535))
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Browse the database in Datasette, with canned queries (needs the `web` extra).

    Example: newsmon serve --port 8001   # then open http://127.0.0.1:8001/
    """
    from crawler.report import serve as serve_module

    serve_module.run(common.load(ctx), host=host, port=port)
