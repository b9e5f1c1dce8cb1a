"""The `newsmon` command. Thin: each command loads config, calls one library
function and prints. Errors raised anywhere below are reported here, once,
as one line naming the key, file or URL, with a documented exit code:

    0  success
    1  some feeds failed (`run`), or a runtime error (database, I/O)
    2  invalid configuration or usage
    3  another newsmon process holds the poll lock
    4  the database belongs to a newer newsmon (left untouched)
  130  interrupted (Ctrl-C, SIGTERM): stopped between transactions
"""

from __future__ import annotations

import json
import logging
import sqlite3
import sys
import tempfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from crawler import __version__, config, digest, health, store, untrusted
from crawler.clock import Clock, ClockError, isoformat, parse_instant
from crawler.fetch import reactor
from crawler.lock import LockBusy, LockUnavailable, poll_lock, reader_lock
from crawler.progress import Progress

if TYPE_CHECKING:
    from crawler import poll

# Commands that poll import `poll`, `reactor` and `ingest` themselves: those pull in
# Scrapy, Twisted and trafilatura (about 0.6 s of CPU), which reading commands such as
# `digest` (run from cron, feed readers, scripts) should not pay for.
EXIT_FEEDS_FAILED = 1
EXIT_CONFIG = 2
EXIT_BUSY = 3
EXIT_NEWER_DATABASE = 4
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class ConfigProblem(click.ClickException):
    exit_code = EXIT_CONFIG


class Busy(click.ClickException):
    exit_code = EXIT_BUSY


def _load(ctx: click.Context) -> config.Config:
    try:
        return config.load(ctx.obj["config_path"])
    except config.ConfigError as exc:
        raise ConfigProblem(str(exc)) from None


def _clock(value: str | None) -> Clock:
    try:
        return Clock.from_option(value)
    except ClockError as exc:
        raise click.BadParameter(str(exc), param_hint="--now / NEWSMON_NOW") from None


def _instant(value: str, option: str):
    try:
        return parse_instant(value)
    except ClockError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


def _open(cfg: config.Config, *, read_only: bool = False):
    """The database; `read_only` for commands that only look (no writer makes them wait)."""
    try:
        return store.db.open_db(cfg.database, read_only=read_only)
    except store.db.StoreError as exc:
        raise click.ClickException(str(exc)) from None


def _setup_logging(level: str) -> None:
    logging.basicConfig(level=level, format=LOG_FORMAT, stream=sys.stderr, force=True)
    # newsmon reports every fetch failure itself, once; Scrapy's own account of
    # the same failures (with tracebacks) is only wanted when debugging.
    scrapy_level = logging.DEBUG if level == "DEBUG" else logging.CRITICAL
    logging.getLogger("scrapy").setLevel(scrapy_level)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
    _setup_logging(level)
    ctx.obj = {
        "config_path": config.resolve_path(str(config_path) if config_path else None),
        "log_level": level,
    }


@cli.command()
@click.option("--all", "every", is_flag=True, help="Poll every feed, due or not.")
@click.option("--outlet", metavar="NAME", help="Poll only this outlet's feeds (due or not).")
@click.option("--now", metavar="TIME", help="Pretend it is TIME (ISO 8601) [env NEWSMON_NOW].")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors (for cron mail).")
@click.pass_context
def run(ctx: click.Context, every: bool, outlet: str | None, now: str | None, quiet: bool) -> None:
    """Poll the feeds that are due, once, and store new articles.

    Safe under cron: a lock keeps two runs (or a run and the daemon) from
    overlapping; the second exits at once with code 3. Exit code 1 means some
    feeds failed (they are listed); the others were still polled.

    Example: newsmon run --outlet "Yonhap" -v
    """
    from crawler import poll

    cfg = _load(ctx)
    clock = _clock(now)
    try:
        report = poll.run_once(
            cfg,
            clock,
            every=every or outlet is not None,
            outlet=outlet,
            log_level=ctx.obj["log_level"],
        )
    except config.ConfigError as exc:
        raise ConfigProblem(str(exc)) from None
    except LockBusy as exc:
        raise Busy(str(exc)) from None
    except store.db.StoreError as exc:
        raise click.ClickException(str(exc)) from None
    _print_report(report, quiet)
    if report.feed_errors or report.fatal:
        ctx.exit(EXIT_FEEDS_FAILED)


def _print_report(report: poll.PollReport, quiet: bool) -> None:
    for error in report.feed_errors:
        click.echo(f"error: feed {error}", err=True)
    for error in report.page_errors:
        click.echo(f"error: page {error}", err=True)
    for error in report.item_errors:
        click.echo(f"error: item {error}", err=True)
    for error in report.fatal:
        click.echo(f"error: {error}", err=True)
    for error in report.alert_errors:  # reported, retried later; never fails the run
        click.echo(f"error: alert {error}", err=True)
    if not quiet:
        click.echo(report.summary())


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def feeds(ctx: click.Context, as_json: bool) -> None:
    """List outlets and the health of their feeds.

    Example: newsmon feeds --json | jq '.[] | select(.consecutive_errors > 0)'
    """
    cfg = _load(ctx)
    db = _open(cfg, read_only=True)
    rows = health.with_config(store.feeds.feed_health(db), cfg, Clock().now())
    _show(
        rows,
        as_json,
        [
            ("outlet", "outlet"),
            ("kind", "kind"),
            ("status", "last_status"),
            ("errors", "consecutive_errors"),
            ("last success", "last_success"),
            ("next due", "next_due"),
            ("articles", "articles"),
            ("url", "url"),
        ],
    )
    for row in rows:
        if row["last_error"]:
            click.echo(f"  {row['outlet']}: {row['url']}: {row['last_error']}")


@cli.command()
@click.option("--search", metavar="TEXT", help="Full-text search over titles and text.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def articles(ctx: click.Context, search: str | None, limit: int, as_json: bool) -> None:
    """Show the latest stored articles, or those matching --search.

    Example: newsmon articles --search "ballistic missile" --limit 5
    """
    cfg = _load(ctx)
    rows = store.articles.latest_articles(_open(cfg, read_only=True), limit=limit, search=search)
    _show(
        rows,
        as_json,
        [
            ("id", "id"),
            ("outlet", "outlet"),
            ("published", "published"),
            ("via", "text_method"),
            ("words", "word_count"),
            ("title", "title"),
        ],
    )


@cli.command()
@click.option("--monitor", metavar="NAME", help="Only this monitor's events.")
@click.option("--since", metavar="TIME", help="Only events seen or updated since TIME (ISO 8601).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def events(
    ctx: click.Context, monitor: str | None, since: str | None, limit: int, as_json: bool
) -> None:
    """List events, most recently active first: one line per real-world event.

    Example: newsmon events --monitor missile-launches --since 2026-01-01
    """
    cfg = _load(ctx)
    since_value = isoformat(_instant(since, "--since")) if since else None
    rows = store.events.list_events(
        _open(cfg, read_only=True), monitor=monitor, since=since_value, limit=limit
    )
    for row in rows:
        row["when"] = digest.describe_when(
            {
                "event_time": row.get("time_point") or row["time_start"],
                "event_time_start": row["time_start"],
                "event_time_end": row["time_end"],
                "event_time_precision": row["precision"],
            }
        )
    _show(
        rows,
        as_json,
        [
            ("id", "id"),
            ("monitor", "monitor"),
            ("when", "when"),
            ("articles", "article_count"),
            ("outlets", "outlet_count"),
            ("title", "title"),
        ],
    )


@cli.command()
@click.argument("event_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_context
def event(ctx: click.Context, event_id: int, as_json: bool) -> None:
    """Show one event: when, facts (with any disagreement) and every source.

    Example: newsmon event 1
    """
    cfg = _load(ctx)
    db = _open(cfg)
    row = store.events.get_event(db, event_id)
    if row is None:
        raise click.ClickException(f"no event with id {event_id}")
    record = digest.event_record(db, row)
    if as_json:
        click.echo(_json(record))
        return
    for line in _describe_event(record):
        click.echo(line)


def _describe_event(record: dict[str, Any]) -> list[str]:
    lines = [
        f"Event {record['id']} [{record['monitor']}]: {_cell(record['title'])}",
        f"  when:         {digest.describe_when(record)}",
        f"  first seen:   {record['first_seen']}   last updated: {record['last_updated']}",
        f"  reported by:  {record['article_count']} articles, {record['outlet_count']} outlets",
    ]
    for key, value in sorted(record["facts"].items()):
        options = record["fact_sources"].get(key, [])
        note = ""
        if len(options) > 1:
            differ = "; ".join(f"{_cell(o['value'])} in {len(o['articles'])}" for o in options)
            note = f"   (reports differ: {differ})"
        lines.append(f"  {key + ':':<16}{_cell(value)}{note}")
        source = record.get("fact_evidence", {}).get(key)
        if source:
            sentence = _cell(source["sentence"])
            lines.append(f"  {'':<16}from article {source['article']}: “{sentence}”")
    lines.append("  sources:")
    for article in record["articles"]:
        copy = ""
        if article["copy_of"]:
            copy = f"  [{article['copy_relation']} copy of article {article['copy_of']}]"
        lines.append(
            f"    {_cell(article['published'])}  {_cell(article['role'] or 'report'):<13} "
            f"{_cell(article['outlet'])}: {_cell(article['title'])}{copy}"
        )
        lines.append(f"      {_cell(article['url'])}")
    return lines


@cli.command()
@click.pass_context
def reprocess(ctx: click.Context) -> None:
    """Rebuild stories and events from stored articles (no fetching).

    Run it after changing a monitor or a threshold; it holds the poll lock and
    replaces the derived tables in one transaction.

    Example: newsmon reprocess
    """
    from crawler import ingest, poll

    cfg = _load(ctx)
    try:
        monitors = poll.build_monitors(cfg)
        with poll_lock(cfg.database):
            db = _open(cfg)
            total = store.db.counts(db)["articles"]
            bar = Progress("reprocess", total)
            try:
                count = ingest.reprocess(
                    db, monitors, cfg.stories, progress=bar.advance, aggregators=cfg.aggregators
                )
            finally:
                bar.close()
            totals = store.db.counts(db)
    except config.ConfigError as exc:
        raise ConfigProblem(str(exc)) from None
    except LockBusy as exc:
        raise Busy(str(exc)) from None
    click.echo(
        f"reprocessed {count} articles: {totals['stories']} stories, {totals['events']} events"
    )


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
@click.option("--now", metavar="TIME", help="Pretend it is TIME (ISO 8601) [env NEWSMON_NOW].")
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
    cfg = _load(ctx)
    clock_now = _clock(now).now()
    since_value = _instant(since, "--since") if since else None
    if reader is None:
        _digest(_open(cfg, read_only=True), fmt, None, since_value, monitor, output, clock_now)
        return
    try:
        with reader_lock(cfg.database, reader):  # two digests of one reader take turns
            _digest(_open(cfg), fmt, reader, since_value, monitor, output, clock_now)
    except LockBusy as exc:
        raise Busy(str(exc)) from None


def _digest(
    db: Any,
    fmt: str,
    reader: str | None,
    since: datetime | None,
    monitor: str | None,
    output: Path | None,
    now: datetime,
) -> None:
    """Select, render, write, and only then move the reader's cursor."""
    selection = digest.select(db, now=now, reader=reader, since=since, monitor=monitor)
    text = digest.render(
        fmt, selection.events, since=selection.since, generated=now, more=selection.more
    )
    if output is None:
        click.echo(text)
    else:
        try:
            digest.write_atomically(output, text)
        except OSError as exc:
            raise click.ClickException(f"{output}: cannot write the digest: {exc}") from None
    if reader:  # only once the digest is out: a failed write shows it again next time
        store.readers.save_reader_cursor(db, reader, selection.covers, isoformat(now))


@cli.command()
@click.pass_context
def daemon(ctx: click.Context) -> None:
    """Poll every feed on its own schedule until stopped (SIGTERM/SIGINT; SIGHUP reloads).

    Holds the poll lock, so `newsmon run` from cron beside it exits at once
    (code 3). One structured log line per poll at --log-level INFO.

    Example: newsmon --log-level INFO daemon
    """
    from crawler import daemon as daemon_module

    _load(ctx)  # a bad file is exit 2, before anything starts
    try:
        daemon_module.run_daemon(ctx.obj["config_path"], ctx.obj["log_level"])
    except config.ConfigError as exc:
        raise ConfigProblem(str(exc)) from None
    except LockBusy as exc:
        raise Busy(str(exc)) from None


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Feed health, daemon heartbeat and database size at a glance.

    Feeds failing for a long time are marked FAILING, never dropped.

    Example: newsmon status
    """
    cfg = _load(ctx)
    db = _open(cfg, read_only=True)
    now = Clock().now()
    report = health.status(db, cfg.database, now, cfg)
    if as_json:
        click.echo(_json(report))
        return
    for line in health.describe(report):
        click.echo(_cell(line))
    click.echo("")
    _table(health.feed_rows(report), health.FEED_COLUMNS)
    for feed in report["feeds"]:
        if feed["last_error"]:
            click.echo(f"  {_cell(feed['outlet'])}: {feed['url']}: {_cell(feed['last_error'])}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535))
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Browse the database in Datasette, with canned queries (needs the `web` extra).

    Example: newsmon serve --port 8001   # then open http://127.0.0.1:8001/
    """
    from crawler import serve as serve_module

    cfg = _load(ctx)
    try:
        serve_module.run(cfg, host=host, port=port)
    except serve_module.ServeError as exc:
        raise click.ClickException(str(exc)) from None


@cli.command("notify")
@click.option("--now", metavar="TIME", help="Pretend it is TIME (ISO 8601) [env NEWSMON_NOW].")
@click.pass_context
def notify_command(ctx: click.Context, now: str | None) -> None:
    """Send due alerts now (run and the daemon also send them after every poll).

    Lists alerts in trouble: `unknown` ones were being sent when a process died
    and are never sent again automatically (check the receiver).

    Example: newsmon notify
    """
    from crawler import notify, store

    cfg = _load(ctx)
    try:
        report = notify.run_pending(cfg, _clock(now))
    except LockBusy as exc:
        raise Busy(str(exc)) from None
    for error in report.errors:
        click.echo(f"error: alert {error}", err=True)
    click.echo(
        f"alerts: {report.enqueued} queued, {report.sent} sent, {report.retrying} to retry, "
        f"{report.failed} failed, {report.unknown} unknown"
    )
    db = _open(cfg)
    for row in store.outbox.problems(db):
        click.echo("  " + "  ".join(_cell(value) for value in row.values()))


@cli.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the demo's config.yaml and database [default: a temp dir].",
)
@click.pass_context
def demo(ctx: click.Context, directory: Path | None) -> None:
    """Run the whole pipeline offline on bundled outlets served from 127.0.0.1.

    Example: newsmon demo --dir /tmp/newsmon-demo
    """
    from crawler import demo as demo_module
    from crawler import poll
    from crawler.fetch import reactor

    workdir = directory or Path(tempfile.mkdtemp(prefix="newsmon-demo-"))
    clock = Clock.from_option(demo_module.DEMO_NOW)
    with demo_module.demo_server() as (server, data):
        path = demo_module.write_config(workdir, server, data)
        cfg = config.load(path)
        click.echo(f"Serving 5 fictional outlets on {server.base_url}; config {path}\n")

        async def two_polls() -> list[poll.PollReport]:
            return [
                await poll.poll_once(cfg, clock, every=True, log_level=ctx.obj["log_level"])
                for _ in range(2)
            ]

        first, second = reactor.run(two_polls)
        click.echo(f"First poll:  {first.summary()}")
        click.echo(f"Second poll: {second.summary()}")
        requests = len(server.requests)
    db = _open(cfg)
    click.echo(f"\n{requests} HTTP requests in all. Stored articles:\n")
    rows = store.articles.latest_articles(db, limit=100)
    _table(
        rows,
        [
            ("outlet", "outlet"),
            ("published", "published"),
            ("via", "text_method"),
            ("words", "word_count"),
            ("title", "title"),
        ],
    )
    events_rows = store.events.list_events(db, limit=100)
    click.echo(f"\nEvents ({len(events_rows)}): one per real-world event, every source under it\n")
    for row in sorted(events_rows, key=lambda r: r["time_start"]):
        record = digest.event_record(db, row)
        click.echo(f"[{record['id']}] {record['monitor']}: {_cell(record['title'])}")
        click.echo(
            f"    when {record['event_time_start']} .. {record['event_time_end']} "
            f"({record['event_time_precision']}); facts {json.dumps(record['facts'])}"
        )
        for article in record["articles"]:
            copy = f" [{article['copy_relation']} copy]" if article["copy_of"] else ""
            click.echo(f"    - {_cell(article['outlet'])}: {_cell(article['title'])}{copy}")
    click.echo(f"\nDatabase: {cfg.database}")
    click.echo(f"Try: newsmon --config {path} event 1")


def _show(
    rows: Sequence[dict[str, Any]], as_json: bool, columns: Iterable[tuple[str, str]]
) -> None:
    """Rows as JSON (for scripts) or as an aligned table (for people)."""
    if as_json:
        click.echo(_json(rows))
    else:
        _table(rows, columns)


def _json(value: Any) -> str:
    """JSON for scripts, with the controls and bidi overrides of feed text stripped."""
    return json.dumps(untrusted.for_output(value), indent=2, ensure_ascii=False)


def _table(rows: Sequence[dict[str, Any]], columns: Iterable[tuple[str, str]]) -> None:
    columns = list(columns)
    if not rows:
        click.echo("(none)")
        return
    cells = [[_cell(row.get(key)) for _, key in columns] for row in rows]
    widths = [max(len(head), *(len(r[i]) for r in cells)) for i, (head, _) in enumerate(columns)]
    widths[-1] = min(widths[-1], 70)
    click.echo("  ".join(h.ljust(w) for (h, _), w in zip(columns, widths, strict=True)).rstrip())
    for row in cells:
        click.echo("  ".join(c[:w].ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list | tuple):
        return ", ".join(_cell(item) for item in value)
    # Control characters (and bidi overrides) from feeds never reach the terminal raw.
    text = str(value)
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def main() -> None:
    try:
        cli(prog_name="newsmon")
    except reactor.Interrupted:  # a poll or the daemon's start, cancelled by a signal
        click.echo(
            "interrupted: stopped between transactions; what was not stored yet is fetched"
            " by the next run",
            err=True,
        )
        sys.exit(EXIT_INTERRUPTED)
    except store.db.NewerDatabase as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_NEWER_DATABASE)
    except (store.db.StoreError, LockUnavailable) as exc:  # e.g. under the daemon or reprocess
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except sqlite3.Error as exc:  # raised below any command: the database itself failed
        click.echo(f"Error: database error: {exc}", err=True)
        sys.exit(1)
