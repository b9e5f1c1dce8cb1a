"""`newsmon event ID` shows one event; `newsmon event dismiss|move|merge|split` corrects.

Showing reads the database read-only. A correction is one transaction: recorded (who,
when, why) and applied at once; the engine and `reprocess` keep honouring it.
"""

from __future__ import annotations

from typing import Any

import click

from crawler import correct, store
from crawler.cli import cli, common, options
from crawler.events import corrections
from crawler.report import records
from crawler.report.asked import Asked, said
from crawler.report.corrections import correction_record
from crawler.report.table import event_lines, json_text


class EventGroup(common.NewsmonGroup):
    """`newsmon event 5` is `newsmon event show 5`: an id is not a subcommand's name."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands:
            return "show", self.commands["show"], args
        return super().resolve_command(ctx, args)


@cli.group(cls=EventGroup)
def event() -> None:
    """Show one event (`newsmon event ID`), or correct one: dismiss a false event or a
    wrong source, move a source to another event, merge events, split one.

    Corrections record who made them (the system user, or --by), when and why (--note).
    They hold for later reports and through `newsmon reprocess`; see docs/corrections.md.

    Example: newsmon event 12 && newsmon event dismiss 12 --article 40 --note "a newsletter"
    """


@event.command("show")
@click.argument("event_id", type=int)
@options.record_options
@click.option(
    "--explain",
    is_flag=True,
    help="Say for each source why it is on the event: what it was compared with, which "
    "facts agreed, the time overlap and the headline similarity.",
)
@click.pass_context
def show(
    ctx: click.Context, event_id: int, tz_name: str | None, as_json: bool, explain: bool
) -> None:
    """Show one event: when, facts (with any disagreement), its corrections and every
    source. An id merged away or rebuilt under another shows what it became.

    Example: newsmon event 1 --explain --tz Asia/Seoul
    """
    cfg = common.load(ctx)
    zone = options.display_zone(cfg, tz_name)
    db = common.open_db(cfg, read_only=True)
    current = corrections.resolve(db, event_id)
    row = store.events.get_event(db, current)
    if row is None:
        raise click.ClickException(_gone(db, event_id))
    if current != event_id:
        click.echo(f"event {event_id} is now event {current}", err=True)
    record = records.event_record(db, row, explain=explain)
    common.echo([json_text(record)] if as_json else event_lines(record, zone))


def _gone(db: Any, event_id: int) -> str:
    if store.corrections.move_of(db, event_id) is None:
        return f"no event with id {event_id}"
    return f"event {event_id} no longer exists: none of its sources is in an event now"


BY_OPTION = click.option(
    "--by", metavar="NAME", help="Who makes the correction [default: the system user]."
)
NOTE_OPTION = click.option("--note", metavar="TEXT", help="Why, in a few words (kept with it).")


def correction_options(function: Any) -> Any:
    """--by, --note, --now and --format: what every correction takes."""
    return BY_OPTION(NOTE_OPTION(common.NOW_OPTION(options.json_option(function))))


def article_ids(value: str) -> list[int]:
    try:
        ids = [int(part) for part in value.replace(" ", "").split(",") if part]
    except ValueError:
        raise click.BadParameter(
            f"{value!r}: article ids separated by commas, e.g. 40,41", param_hint="--articles"
        ) from None
    if not ids:
        raise click.BadParameter("name at least one article id", param_hint="--articles")
    return ids


def _correct(
    ctx: click.Context,
    by: str | None,
    note: str | None,
    now: str | None,
    as_json: bool,
    kind: str,
    event_id: int,
    **what: tuple[int, ...],
) -> None:
    """Open the database, make the correction(s) (`crawler.correct`, as the web view's
    buttons do) and say what changed."""
    cfg = common.load(ctx)
    db = common.open_db(cfg, create=False)
    by = by or corrections.current_user()
    asked = Asked(kind, event_id, by, common.clock(now).now(), note, **what)
    made = correct.make(db, cfg, asked)
    if as_json:
        made_records = [correction_record(correction) for correction in made]
        common.echo([json_text(made_records if len(made_records) > 1 else made_records[0])])
        return
    common.echo(said(made, options.display_zone(cfg, None)))


@event.command("dismiss")
@click.argument("event_id", type=int)
@click.option(
    "--article",
    "article_id",
    type=int,
    metavar="ID",
    help="Dismiss only this source (a wrong member), not the whole event.",
)
@correction_options
@click.pass_context
def dismiss(
    ctx: click.Context,
    event_id: int,
    article_id: int | None,
    by: str | None,
    note: str | None,
    now: str | None,
    as_json: bool,
) -> None:
    """Dismiss a false event (hidden from digests, no more alerts), or with --article one
    wrong source (it leaves the event and joins no event of that monitor again).

    Example: newsmon event dismiss 12 --article 40 --note "an off-topic newsletter"
    """
    if article_id is None:
        _correct(ctx, by, note, now, as_json, "dismiss", event_id)
    else:
        _correct(ctx, by, note, now, as_json, "dismiss_member", event_id, articles=(article_id,))


@event.command("move")
@click.argument("article_id", type=int)
@click.option("--to", "to_event", type=int, required=True, metavar="ID", help="The event.")
@correction_options
@click.pass_context
def move(
    ctx: click.Context,
    article_id: int,
    to_event: int,
    by: str | None,
    note: str | None,
    now: str | None,
    as_json: bool,
) -> None:
    """Move a source (an article id, as `newsmon event ID` lists them) to the event it
    belongs to; it stays there.

    Example: newsmon event move 41 --to 12 --note "reports the 28 January launch"
    """
    _correct(ctx, by, note, now, as_json, "move", to_event, articles=(article_id,))


@event.command("merge")
@click.argument("event_id", type=int)
@click.argument("others", type=int, nargs=-1, required=True)
@correction_options
@click.pass_context
def merge(
    ctx: click.Context,
    event_id: int,
    others: tuple[int, ...],
    by: str | None,
    note: str | None,
    now: str | None,
    as_json: bool,
) -> None:
    """Merge events of one monitor into the first: it keeps its id, the others' ids lead
    to it, and later reports of any of them join it.

    Example: newsmon event merge 12 15 16 --note "one launch, reported in three time zones"
    """
    _correct(ctx, by, note, now, as_json, "merge", event_id, others=others)


@event.command("split")
@click.argument("event_id", type=int)
@click.option(
    "--articles",
    "articles",
    required=True,
    metavar="A,B...",
    help="The sources (article ids) that form the new event.",
)
@correction_options
@click.pass_context
def split(
    ctx: click.Context,
    event_id: int,
    articles: str,
    by: str | None,
    note: str | None,
    now: str | None,
    as_json: bool,
) -> None:
    """Split sources off an event into a new event of their own; they stay apart.

    Example: newsmon event split 12 --articles 40,41 --note "the drills, not the launch"
    """
    ids = tuple(article_ids(articles))
    _correct(ctx, by, note, now, as_json, "split", event_id, articles=ids)
