"""`newsmon db copy SOURCE TARGET`: an SQLite archive into PostgreSQL, or back.

SOURCE and TARGET are each a file path or a `postgresql://` URL; the target is created
(and migrated) when it does not exist. Both are held with the poll lock, so no poll
writes to either while the copy runs; a second run resumes and adds nothing twice.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from pathlib import Path

import click

from crawler import store
from crawler.cli import cli, common
from crawler.lock import poll_lock


def _where(value: str) -> Path | store.backend.DatabaseURL:
    url = store.backend.location(value)
    return url if url is not None else Path(value).resolve()


@cli.group("db", cls=common.NewsmonGroup)
def database() -> None:
    """Work on whole databases.

    Example: newsmon db copy newsmon.db postgresql://newsmon@localhost/newsmon
    """


@database.command("copy")
@click.argument("source")
@click.argument("target")
@click.pass_context
def copy(ctx: click.Context, source: str, target: str) -> None:
    """Copy every row of SOURCE into TARGET (each a file or a postgresql:// URL), in
    batches with a progress bar, then check both by row counts and digests per table.
    Run it again to resume an interrupted copy: it adds only what is missing.

    Example: newsmon db copy newsmon.db postgresql:///newsmon
    """
    from crawler import dbcopy
    from crawler.progress import Progress

    src, dst = _where(source), _where(target)
    if str(src) == str(dst):
        raise click.UsageError("SOURCE and TARGET are the same database")
    started = time.monotonic()
    with ExitStack() as stack:
        stack.enter_context(poll_lock(src))  # type: ignore[arg-type]
        stack.enter_context(poll_lock(dst))  # type: ignore[arg-type]
        source_db = store.db.open_db(src, read_only=True)
        target_db = store.db.open_db(dst)
        bar = Progress("db copy", dbcopy.remaining(source_db, target_db))
        try:
            checked = dbcopy.copy(source_db, target_db, bar.advance)
        finally:
            bar.close()
    written = sum(c.written for c in checked)
    for c in checked:
        mark = "ok" if c.same else "DIFFERS"
        click.echo(
            f"{c.table:22} {c.source_rows:>9} -> {c.target_rows:>9}  "
            f"sha256 {c.target_digest[:16]}  {mark}"
        )
    seconds = time.monotonic() - started
    click.echo(
        f"copied {written} rows in {seconds:.1f} s ({written / max(seconds, 1e-9):.0f} rows/s)"
    )
    wrong = [c.table for c in checked if not c.same]
    if wrong:
        raise click.ClickException(
            f"{dst}: differs from {src} in {', '.join(wrong)} (it holds rows the source "
            "has not: copy into an empty database)"
        )
