"""Commands that manage the outlets and the archive: opml export/import, add, check, prune.

`add` and `check` fetch through Scrapy like a poll (imported when they run, as in
`polling`); `opml` and `prune` never touch the network. Outlets added by `opml import`
and `add` go to the outlets file (`config.outlets_file`), never into config.yaml itself.
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import overload
from urllib.parse import urlsplit

import click

from crawler import config, store
from crawler.cli import cli, common, options
from crawler.clock import ClockError, format_span, parse_duration
from crawler.config import outlets_file
from crawler.files import replace_atomically
from crawler.lock import poll_lock
from crawler.report.table import cell, json_text
from crawler.report.wording import plural
from crawler.schedule import MIN_INTERVAL

MIN_AGE = timedelta(days=1)  # `prune --older-than 180` (seconds!) must not empty the archive
INTERVAL_OPTION = click.option(
    "--interval", metavar="DURATION", help="Poll interval of the new outlets (e.g. 15m)."
)
DRY_RUN_OPTION = click.option(
    "--dry-run", is_flag=True, help="Show what would change; write nothing."
)


@overload
def duration(text: str, option: str, minimum: timedelta) -> timedelta: ...
@overload
def duration(text: str | None, option: str, minimum: timedelta) -> timedelta | None: ...
def duration(text: str | None, option: str, minimum: timedelta) -> timedelta | None:
    """An option's duration, read as config.yaml reads one, refused below `minimum`
    (a usage error, before anything is fetched or written)."""
    if text is None:
        return None
    try:
        value = parse_duration(text)
    except ClockError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None
    if value is None:
        raise click.BadParameter(
            f"{text!r} is not a duration (e.g. 15m, 2h, 180d)", param_hint=option
        )
    if value < minimum:
        raise click.BadParameter(
            f"{text!r} is shorter than {format_span(minimum)}", param_hint=option
        )
    return value


def load_any(ctx: click.Context) -> config.Config:
    """The config, which may list no outlets yet (these commands add the first ones)."""
    return config.load(ctx.obj["config_path"], check_targets=False, require_outlets=False)


def apply(cfg: config.Config, plan: outlets_file.Plan, dry_run: bool) -> None:
    """Write a plan's outlets (unless a dry run) and say what was added and left out."""
    for line in plan.skipped:
        click.echo(f"skipped {line}")
    for line in plan.renamed:
        click.echo(f"renamed {line}")
    if not plan.outlets:
        click.echo("nothing to add")
        return
    target = outlets_file.target(cfg)
    changed = [] if dry_run else outlets_file.write(cfg, plan.outlets)
    verb = "would add" if dry_run else "added"
    click.echo(
        f"{verb} {plural(len(plan.outlets), 'outlet')} ({plural(plan.feeds, 'feed')}) to {target}"
    )
    for outlet in plan.outlets:
        for url in [*outlet.get("feeds", ()), *outlet.get("sitemaps", ())]:
            click.echo(f"  + {outlet['name']}: {url}")
    if str(cfg.path) in changed:
        click.echo(f"{cfg.path}: appended `outlets_file: {outlets_file.DEFAULT_NAME}`")
    if changed:
        click.echo("a running daemon polls them after a reload (SIGHUP)")


@cli.group(cls=common.NewsmonGroup)
def opml() -> None:
    """Move outlets between newsmon and feed readers (OPML 2.0).

    Example: newsmon opml export > outlets.opml && newsmon opml import feedly.opml
    """


@opml.command("export")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def opml_export(ctx: click.Context, file: Path | None) -> None:
    """Write every configured feed as OPML 2.0 (to FILE, atomically, or standard output).

    Feedly, Miniflux, NetNewsWire and Inoreader import it. Sitemaps are left out.

    Example: newsmon opml export outlets.opml
    """
    from crawler import opml as opml_module

    cfg = load_any(ctx)
    text, sitemaps = opml_module.write(cfg, common.clock(None).now())
    if file is None:
        click.echo(text, nl=False)
    else:
        try:
            replace_atomically(file, text)
        except OSError as exc:
            raise common.Failed(f"{file}: cannot write: {exc.strerror or exc}", 1) from None
        click.echo(f"wrote {text.count('<outline ')} feeds to {file}", err=True)
    if sitemaps:
        click.echo(
            f"note: {plural(sitemaps, 'sitemap')} left out (feed readers cannot read them)",
            err=True,
        )


@opml.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@INTERVAL_OPTION
@DRY_RUN_OPTION
@click.pass_context
def opml_import(ctx: click.Context, file: Path, interval: str | None, dry_run: bool) -> None:
    """Add the feeds of an OPML file (a feed reader's export) as outlets.

    Each feed becomes an outlet named by its title (feeds with the same title become
    one outlet); folders are flattened. Feeds already configured are skipped, invalid
    outlines reported (exit 1; the valid ones are still added). Outlets go to the
    outlets file (see docs/configuration.md), written atomically.

    Example: newsmon opml import feedly.opml --interval 30m --dry-run
    """
    from crawler import opml as opml_module

    duration(interval, "--interval", MIN_INTERVAL)
    source = "<stdin>" if str(file) == "-" else str(file)
    try:
        if str(file) == "-":
            body = sys.stdin.buffer.read(opml_module.MAX_BYTES + 1)
        else:
            with file.open("rb") as handle:
                body = handle.read(opml_module.MAX_BYTES + 1)
        found = opml_module.read(body, source)
    except OSError as exc:
        raise common.Failed(f"{source}: cannot read: {exc.strerror or exc}", 1) from None
    with outlets_file.writing(ctx.obj["config_path"]):
        cfg = load_any(ctx)
        apply(cfg, outlets_file.plan(cfg, found.feeds, interval), dry_run)
    for problem in found.problems:
        click.echo(f"error: outline {problem}", err=True)
    if found.problems:
        ctx.exit(1)


@cli.command()
@click.argument("url")
@click.option("--name", help="The outlet's name [default: the feed's title].")
@INTERVAL_OPTION
@DRY_RUN_OPTION
@click.pass_context
def add(
    ctx: click.Context, url: str, name: str | None, interval: str | None, dry_run: bool
) -> None:
    """Find a site's feed (or news sitemap), check it has entries, and add it as an outlet.

    URL may be the feed itself or any page of the site: the page's advertised feeds,
    then the usual paths (/feed, /rss.xml, /atom.xml, ...) and robots.txt's news
    sitemaps are tried, each fetched and parsed. Exit 1 when none works.

    Example: newsmon add https://www.example.org/ --interval 15m
    """
    from crawler import discover
    from crawler.fetch import reactor

    duration(interval, "--interval", MIN_INTERVAL)
    if "://" not in url:
        url = f"https://{url}"
    cfg = load_any(ctx)
    found = reactor.run(lambda: discover.discover(cfg, url, log_level=ctx.obj["log_level"]))
    for tried, where, verdict in found.tried:
        click.echo(f"tried {tried} ({where}): {verdict}")
    if found.found is None:
        raise common.Failed(f"{url}: no feed or news sitemap with entries found", 1)
    host = (urlsplit(found.found.url).hostname or url).removeprefix("www.")
    label = name or found.found.title or found.page_title or host
    candidate = outlets_file.Candidate(label, found.found.url, found.found.kind)
    with outlets_file.writing(ctx.obj["config_path"]):
        cfg = load_any(ctx)
        plan = outlets_file.plan(cfg, [candidate], interval)
        if name and plan.renamed:
            raise click.BadParameter(f"an outlet named {name!r} exists", param_hint="--name")
        apply(cfg, plan, dry_run)


@cli.command()
@click.argument("url")
@click.option(
    "--entry", "number", type=click.IntRange(1), help="Check the Nth entry [default: the first]."
)
@options.json_option
@options.TZ_OPTION
@click.pass_context
def check(
    ctx: click.Context, url: str, number: int | None, as_json: bool, tz_name: str | None
) -> None:
    """Fetch, parse and extract one feed (or sitemap) and one of its articles, storing nothing.

    Shows the feed's format, title, entries and refused items, then the entry's
    article as a poll would store it (title, time, language, words, text method, first
    lines) and which configured monitors match it. Exit 1 when the feed cannot be
    fetched or parsed.

    Example: newsmon check https://en.yna.co.kr/RSS/news.xml --entry 3
    """
    from crawler import check as check_module
    from crawler.fetch import reactor
    from crawler.ingest import build_monitors

    cfg = load_any(ctx)
    zone = options.display_zone(cfg, tz_name)
    monitors = build_monitors(cfg)
    now = common.clock(None).now()
    try:
        report = reactor.run(
            lambda: check_module.check(
                cfg, url, monitors, now, number=number, log_level=ctx.obj["log_level"]
            )
        )
    except check_module.NoSuchEntry as exc:
        raise click.BadParameter(str(exc), param_hint="--entry") from None
    # the lines quote a feed and a page nobody has vetted yet: nothing may steer the terminal
    common.echo([json_text(report)] if as_json else map(cell, check_module.lines(report, zone)))


@cli.command()
@click.option("--older-than", "age", metavar="DURATION", required=True, help="e.g. 180d")
@DRY_RUN_OPTION
@click.option("--vacuum", is_flag=True, help="Then give the freed space back (rewrites the file).")
@common.NOW_OPTION
@options.TZ_OPTION
@click.pass_context
def prune(
    ctx: click.Context, age: str, dry_run: bool, vacuum: bool, now: str | None, tz_name: str | None
) -> None:
    """Delete articles stored more than DURATION ago, keeping every event and its sources.

    Their entries, HTML, revisions and similarity-index rows go too, and fetch logs
    and runs older than that. Holds the poll lock (a poll beside it exits 3, and it
    exits 3 beside a poll); each batch of 1,000 articles is one transaction, so an
    interrupted prune loses nothing and the next one continues.

    Example: newsmon prune --older-than 180d --dry-run
    """
    from crawler import prune as prune_module
    from crawler.progress import Progress

    cutoff = common.clock(now).now() - duration(age, "--older-than", MIN_AGE)
    cfg = common.load(ctx)
    zone = options.display_zone(cfg, tz_name)
    store.db.require(cfg.database, cfg.path)  # a mistyped `database:` is exit 5, no lock file
    started = time.monotonic()
    if dry_run:
        db = common.open_db(cfg, create=False)
        counts = prune_module.prune(db, cutoff, dry_run=True)
        click.echo(prune_module.summary(counts, cutoff, dry_run=True, tz=zone))
        return
    with poll_lock(cfg.database):
        db = common.open_db(cfg, create=False)
        bar = Progress("prune")
        try:
            counts = prune_module.prune(db, cutoff, progress=bar)
        finally:
            bar.close()
        click.echo(
            f"{prune_module.summary(counts, cutoff, dry_run=False, tz=zone)} "
            f"in {time.monotonic() - started:.1f} s"
        )
        if vacuum:
            before = store.db.size_bytes(db, cfg.database)
            store.prune.vacuum(db)
            after = store.db.size_bytes(db, cfg.database)
            click.echo(f"vacuumed: {before / 2**20:.1f} MiB -> {after / 2**20:.1f} MiB")
        db.close()
