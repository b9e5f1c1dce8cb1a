"""`newsmon article ID`: one stored article, its full text, story, copies and events.

A reading command like those in `reading` (read-only, no Scrapy), in a module of its
own so that each command module stays small.
"""

from __future__ import annotations

import click

from crawler.cli import cli, common, options
from crawler.report.article import article_lines, article_record
from crawler.report.table import json_text


@cli.command()
@click.argument("article_id", type=int)
@options.record_options
@click.pass_context
def article(ctx: click.Context, article_id: int, tz_name: str | None, as_json: bool) -> None:
    """Show one article: metadata, full text, its story and copies, and the events it
    belongs to with its role in each.

    Example: newsmon article 5 --format json | jq '.events[] | {id, role}'
    """
    cfg = common.load(ctx)
    zone = options.display_zone(cfg, tz_name)
    record = article_record(common.open_db(cfg, read_only=True), article_id)
    if record is None:
        raise click.ClickException(f"no article with id {article_id}")
    common.echo([json_text(record)] if as_json else article_lines(record, zone))
