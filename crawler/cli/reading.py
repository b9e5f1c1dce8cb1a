"""Commands that look: feeds, articles, events, digest, status, serve (`event`: `event`).

They open the database read-only (a long writer never makes them wait), except a digest
with --reader, which moves its cursor.
"""

from __future__ import annotations

import functools
from pathlib import Path

import click

from crawler import fleet, store
from crawler.cli import checks, cli, common, options
from crawler.cli.options import SINCE_HELP
from crawler.clock import isoformat
from crawler.lock import reader_lock
from crawler.report import digest, records, vocabulary, wording
from crawler.report import status as health
from crawler.report.table import (
    ARTICLE_COLUMNS,
    EVENT_COLUMNS,
    FEED_COLUMNS,
    json_text,
)
from crawler.report.wording import format_instant

ALL_FEEDS_OPTION = click.option(
    "--all", "show_retired", is_flag=True, help="Also show retired feeds (no longer configured)."
)


@cli.command()
@options.output_options
@ALL_FEEDS_OPTION
@options.TZ_OPTION
@click.pass_context
def feeds(ctx: click.Context, output: str | None, show_retired: bool, tz_name: str | None) -> None:
    """List outlets and the health of their feeds (FAILING: 3 failed polls in a row).

    Feeds removed from the config are kept (their history) as retired: --all shows them.

    Example: newsmon feeds --format json | jq '.[] | select(.consecutive_errors > 0)'
    """
    cfg = common.load(ctx)
    zone = options.display_zone(cfg, tz_name)
    db = common.open_db(cfg, read_only=True)
    now = common.clock(None).now()
    rows = health.shown_feeds(
        health.with_config(store.feeds.feed_health(db, now), cfg, now),
        show_retired=show_retired,
    )
    shown = rows if output else [health.shown_times(row, zone) for row in rows]
    common.show([vocabulary.feed(row) for row in shown], output, FEED_COLUMNS)
    if output is None:  # machine output has them as last_error: stdout is the document alone
        common.echo(health.error_lines(rows))


@cli.command()
@click.option("--search", metavar="TEXT", help="Full-text search over titles and text.")
@click.option("--outlet", metavar="NAME", help="Only this outlet's articles (any case).")
@click.option("--since", metavar="TIME", help=f"Only articles stored since TIME: {SINCE_HELP}.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000))
@options.TZ_OPTION
@options.output_options
@click.pass_context
def articles(
    ctx: click.Context,
    search: str | None,
    outlet: str | None,
    since: str | None,
    limit: int,
    tz_name: str | None,
    output: str | None,
) -> None:
    """Show the latest stored articles, or those matching --search.

    Example: newsmon articles --outlet Yonhap --since 2h --search "ballistic missile"
    """
    cfg = common.load(ctx)
    zone = options.display_zone(cfg, tz_name)
    start = options.since(since, common.clock(None).now())
    db = common.open_db(cfg, read_only=True)
    if outlet is not None:
        known = store.lookups.outlet_names(db)
        if outlet.casefold() not in {name.casefold() for name in known}:
            listed = ", ".join(known[:20]) + (", ..." if len(known) > 20 else "")
            raise click.BadParameter(
                f"no outlet named {outlet!r} (known: {listed or 'none yet'})",
                param_hint="--outlet",
            )
    rows = store.articles.latest_articles(
        db,
        limit=limit + 1,  # one more says whether the limit cut the list
        search=search,
        outlet=outlet,
        since=isoformat(start) if start else None,
    )
    more, rows = len(rows) > limit, rows[:limit]
    if output is None:
        rows = [
            {**row, "published": row["published"] and format_instant(row["published"], zone)}
            for row in rows
        ]
    if output is None and not rows and start is not None:
        click.echo(f"(no articles stored since {wording.format_moment(start, zone)})")
        return
    common.show(rows, output, ARTICLE_COLUMNS)
    if output is None and more:
        order = "best matches first" if search else "newest first"
        click.echo(f"({limit} shown, {order}; more match: --limit {limit * 5} shows more)")


@cli.command()
@click.option("--monitor", metavar="NAME", help="Only this monitor's events.")
@click.option(
    "--since", metavar="TIME", help=f"Only events seen or updated since TIME: {SINCE_HELP}."
)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000))
@options.TZ_OPTION
@options.output_options
@click.pass_context
def events(
    ctx: click.Context,
    monitor: str | None,
    since: str | None,
    limit: int,
    tz_name: str | None,
    output: str | None,
) -> None:
    """List events, most recently active first: one line per real-world event.

    Example: newsmon events --monitor missile-launches --since 7d --tz Asia/Seoul
    """
    cfg = common.load(ctx)
    zone = options.display_zone(cfg, tz_name)
    start = options.since(since, common.clock(None).now())
    db = common.open_db(cfg, read_only=True)
    checks.known_monitor(cfg, db, monitor)
    rows = [
        records.event_summary(row)
        for row in store.events.list_events(
            db, monitor=monitor, since=isoformat(start) if start else None, limit=limit
        )
    ]
    if output is None:
        rows = [
            {
                **row,
                "when": wording.describe_when(row, zone),
                "title": f"(dismissed) {row['title']}" if row["dismissed"] else row["title"],
            }
            for row in rows
        ]
    if output is None and not rows and start is not None:
        click.echo(f"(no events since {wording.format_moment(start, zone)})")
        return
    common.show(rows, output, EVENT_COLUMNS)


@cli.command("digest")
@click.option(
    "--format", "fmt", type=click.Choice(digest.FORMATS), default="text", show_default=True
)
@click.option("--reader", metavar="NAME", help="Show what is new since NAME's last digest.")
@click.option(
    "--since", metavar="TIME", help=f"Events seen or updated since TIME instead: {SINCE_HELP}."
)
@click.option("--monitor", metavar="NAME", help="Only this monitor's events.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE (atomically replaced) instead of standard output.",
)
@click.option(
    "--atom-entries",
    type=click.IntRange(1, 10_000),
    metavar="N",
    help="Atom: the feed holds the latest N events [default: display.atom_entries, else 50].",
)
@click.option(
    "--dismissed", is_flag=True, help="Also show the events an analyst dismissed as false."
)
@options.TZ_OPTION
@common.NOW_OPTION
@click.pass_context
def digest_command(
    ctx: click.Context,
    fmt: str,
    reader: str | None,
    since: str | None,
    monitor: str | None,
    output: Path | None,
    atom_entries: int | None,
    dismissed: bool,
    tz_name: str | None,
    now: str | None,
) -> None:
    """Show the events new or updated since the last digest (or since a time).

    With --reader the position is kept in the database: the next digest for
    that reader starts exactly where this one ended. Events updated with new
    sources are shown as updates. JSON and Atom are for programs and feed
    readers; the JSON schema is documented in docs/output.md and kept stable. An
    Atom digest always holds the latest events (--atom-entries); the reader's
    position only marks which of them are new or updated.

    Example: newsmon digest --reader analyst --format html --output /srv/www/digest.html
    """
    cfg = common.load(ctx)
    if atom_entries is not None and fmt not in digest.WINDOWED:
        raise click.UsageError(f"--atom-entries applies to --format atom, not {fmt}")
    publish = functools.partial(
        digest.publish,
        tz=options.display_zone(cfg, tz_name),
        atom_entries=atom_entries or cfg.display.atom_entries,
        dismissed=dismissed,
    )
    clock_now = common.clock(now).now()
    since_value = options.since(since, clock_now)
    db = common.open_db(cfg, read_only=reader is None, create=False)
    checks.known_monitor(cfg, db, monitor)
    if reader is None:
        common.echo(publish(db, fmt, None, since_value, monitor, output, clock_now))
        return
    with reader_lock(cfg.database, reader):  # two digests of one reader take turns
        # printed before the cursor moves: a reader gone mid-way (`| head`) sees it again
        publish(db, fmt, reader, since_value, monitor, output, clock_now, emit=common.echo)


@cli.command()
@options.json_option
@ALL_FEEDS_OPTION
@options.TZ_OPTION
@click.pass_context
def status(ctx: click.Context, as_json: bool, show_retired: bool, tz_name: str | None) -> None:
    """Feed health, daemon heartbeat and database size at a glance; a health check.

    Feeds whose last 3 polls failed are marked FAILING, never dropped. Exit code 1 when
    any feed is FAILING, 6 when the daemon's heartbeat is stale, else 0.

    Example: newsmon status || mail -s "newsmon needs a look" ops@example.org
    """
    cfg = common.load(ctx)
    zone = options.display_zone(cfg, tz_name)
    db = common.open_db(cfg, read_only=True)
    now = common.clock(None).now()
    lease = fleet.lease_ttl(cfg)
    report = health.status(db, cfg.database, now, cfg, show_retired=show_retired, lease=lease)
    common.echo([json_text(vocabulary.status(report))] if as_json else health.lines(report, zone))
    code, problems = checks.health(report)
    for problem in problems:
        click.echo(f"status: {problem}", err=True)
    ctx.exit(code)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535))
@options.TZ_OPTION
@click.option(
    "--corrections",
    is_flag=True,
    help="Offer correction buttons on the event pages (as `web.corrections: true`): "
    "dismiss, move, merge, split. Whoever reaches the server can then correct events.",
)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, tz_name: str | None, corrections: bool) -> None:
    """The web view: latest events, each with its sources, and feed health (Datasette;
    needs the `web` extra). Datasette's tables and JSON API are one click away.

    Example: newsmon serve --port 8001   # then open http://127.0.0.1:8001/
    """
    from crawler import correct
    from crawler.report import serve as serve_module

    cfg = common.load(ctx)
    options.display_zone(cfg, tz_name)  # a wrong --tz is refused before anything listens
    serve_module.run(
        cfg,
        host=host,
        port=port,
        zone_name=tz_name,
        corrections=corrections,
        corrector=correct.attempt,
    )
