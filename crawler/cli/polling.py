"""Commands that poll, rebuild or send: run, daemon, reprocess, notify, demo.

They import Scrapy, Twisted and trafilatura (through `poll`, `reactor`, `ingest`) only
when they run: about 0.6 s of CPU that reading commands should not pay for.
"""

from __future__ import annotations

from pathlib import Path

import click

from crawler import store
from crawler.cli import cli, common, options
from crawler.errors import EXIT_FAILED
from crawler.lock import poll_lock
from crawler.progress import Progress
from crawler.report import status as health
from crawler.report.wording import plural


@cli.command()
@click.option("--all", "every", is_flag=True, help="Poll every feed, due or not.")
@click.option("--outlet", metavar="NAME", help="Poll only this outlet's feeds (due or not).")
@common.NOW_OPTION
@click.option("-q", "--quiet", is_flag=True, help="Print only errors (for cron mail).")
@options.TZ_OPTION
@click.pass_context
def run(
    ctx: click.Context,
    every: bool,
    outlet: str | None,
    now: str | None,
    quiet: bool,
    tz_name: str | None,
) -> None:
    """Poll the feeds that are due, once, and store new articles.

    Safe under cron: a lock keeps two runs (or a run and the daemon) from
    overlapping; the second exits at once with code 3. Exit code 1 means some
    feeds failed (they are listed); the others were still polled. When nothing is
    due it says when the next poll is, and which feeds wait out a backoff after
    failed polls (--all polls them now).

    Example: newsmon run --outlet "Yonhap" -v
    """
    from crawler import poll

    cfg = common.load(ctx)
    zone = options.display_zone(cfg, tz_name)
    clock = common.clock(now)
    report = poll.run_once(
        cfg,
        clock,
        every=every or outlet is not None,
        outlet=outlet,
        log_level=ctx.obj["log_level"],
    )
    for line in report.error_lines():
        click.echo(line, err=True)
    if not quiet:
        click.echo(report.summary())
    if not quiet and not report.feeds_polled and not every and outlet is None:
        waiting = store.feeds.waiting_feeds(common.open_db(cfg, read_only=True))
        common.echo(health.nothing_due(waiting, clock.now(), zone))
    if report.feed_errors or report.fatal:
        ctx.exit(EXIT_FAILED)


@cli.command()
@click.pass_context
def reprocess(ctx: click.Context) -> None:
    """Rebuild stories and events from stored articles (no fetching).

    Run it after changing a monitor or a threshold; it holds the poll lock and
    replaces the derived tables in one transaction. Events keep their ids (each
    rebuilt event takes the id of the event it mostly is), analysts' corrections are
    applied again, and alerts and digests announce only what really changed.

    Example: newsmon reprocess
    """
    from crawler import ingest

    cfg = common.load(ctx)
    monitors = ingest.build_monitors(cfg)
    with poll_lock(cfg.database):
        db = common.open_db(cfg)
        bar = Progress("reprocess", store.db.counts(db)["articles"])
        try:
            done = ingest.reprocess(
                db, monitors, ingest.Rules.from_config(cfg), progress=bar.advance
            )
        finally:
            bar.close()
        totals = store.db.counts(db)
    click.echo(
        f"reprocessed {plural(done.articles, 'article')}: {plural(totals['stories'], 'story')}, "
        f"{plural(totals['events'], 'event')}"
    )
    kept = done.events
    line = f"event ids: {kept.kept} kept ({kept.unchanged} unchanged), {kept.new} new"
    if kept.moved:
        line += f", {kept.moved} no longer used (`newsmon event ID` shows what they became)"
    if done.corrections or done.corrections_gone:
        line += f"; corrections: {done.corrections} replayed"
        if done.corrections_gone:
            line += f", {done.corrections_gone} whose events are gone"
    click.echo(line)


@cli.command()
@click.option(
    "--metrics-port",
    type=click.IntRange(1, 65535),
    help="Serve Prometheus metrics on this port [default: config's daemon.metrics_port; none].",
)
@click.option(
    "--metrics-host",
    metavar="IP",
    help="Address for --metrics-port [default: config's daemon.metrics_host, 127.0.0.1].",
)
@click.pass_context
def daemon(ctx: click.Context, metrics_port: int | None, metrics_host: str | None) -> None:
    """Poll every feed on its own schedule until stopped (SIGTERM/SIGINT; SIGHUP reloads).

    Holds the poll lock, so `newsmon run` from cron beside it exits at once
    (code 3). One structured log line per poll at --log-level INFO.

    Example: newsmon --log-level INFO daemon --metrics-port 9464
    """
    from crawler import hangup

    hangup.defer()  # a reload sent while it starts must not end it
    from crawler import daemon as daemon_module

    cfg = common.load(ctx)  # a bad file is exit 2, before anything starts
    address = None
    if metrics_port is not None:
        address = (metrics_host or cfg.daemon.metrics_host, metrics_port)
    elif metrics_host is not None:
        raise click.BadParameter("needs --metrics-port", param_hint="--metrics-host")
    daemon_module.run_daemon(ctx.obj["config_path"], ctx.obj["log_level"], address)


@cli.command("notify")
@common.NOW_OPTION
@click.option(
    "--resend-failed",
    is_flag=True,
    help="Send the failed alerts again (after fixing their target), with 8 fresh attempts.",
)
@options.TZ_OPTION
@click.pass_context
def notify_command(
    ctx: click.Context, now: str | None, resend_failed: bool, tz_name: str | None
) -> None:
    """Send due alerts now (run and the daemon also send them after every poll).

    Lists alerts in trouble, each once with its last error: `unknown` ones were being
    sent when a process died and are never sent again automatically (check the
    receiver); `failed` ones ran out of attempts or were refused by their receiver
    (HTTP 401, 404...); `pending` ones with an error are retried later. Exit code 1
    when alerts were tried and none got through.

    Example: newsmon notify --resend-failed
    """
    from crawler.alerts import deliver

    cfg = common.load(ctx)
    zone = options.display_zone(cfg, tz_name)
    store.db.require(cfg.database, cfg.path)  # alerts come from polls: no database, none due
    report = deliver.run_pending(cfg, common.clock(now), resend_failed=resend_failed)
    click.echo(report.summary())
    common.echo(deliver.problem_lines(common.open_db(cfg), zone))  # this run's failures too
    if report.all_failed:
        ctx.exit(1)


@cli.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the demo's config.yaml and database "
    "[default: ~/.cache/newsmon/demo, or $XDG_CACHE_HOME/newsmon/demo]; "
    "a second demo there starts over.",
)
@click.option("--serve", is_flag=True, help="Keep the outlets' server up until Ctrl-C.")
@click.pass_context
def demo(ctx: click.Context, directory: Path | None, serve: bool) -> None:
    """Run the whole pipeline offline on bundled outlets served from 127.0.0.1.

    Its clock is 2026-01-28: give follow-up commands --since 2026-01-01 (and digest
    --now 2026-01-28T00:00:00Z); it prints them, runnable as printed from any shell.

    Example: newsmon demo --dir ./demo
    """
    from crawler import demo as demo_module

    demo_module.run(directory, ctx.obj["log_level"], click.echo, serve=serve)
