"""A digest in one of five formats, written so a reader of the file never sees half of it.

Text, Markdown, HTML and Atom show times in the display zone (`--tz`,
`display.timezone`); an Atom digest is a rolling window of the latest events
(`--atom-entries`, `display.atom_entries`), so a feed reader never finds it empty.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

import sqlite_utils

from crawler import store
from crawler.clock import isoformat
from crawler.config import DisplaySettings
from crawler.errors import NewsmonError
from crawler.files import replace_atomically
from crawler.report import records
from crawler.report.render_atom import render_atom
from crawler.report.render_html import render_html
from crawler.report.render_json import render_json
from crawler.report.render_markdown import render_markdown
from crawler.report.render_text import render_text

FORMATS = ("text", "markdown", "json", "html", "atom")


WINDOWED = ("atom",)  # formats that show the latest events, not only what changed


RENDERERS = {
    "text": render_text,
    "markdown": render_markdown,
    "json": render_json,
    "html": render_html,
    "atom": render_atom,
}


def render(
    fmt: str,
    events: list[dict[str, Any]],
    *,
    since: datetime,
    generated: datetime,
    more: int = 0,
    tz: tzinfo = UTC,
) -> str:
    """Render `events` in one of FORMATS; the CLI's --format maps straight onto this."""
    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown digest format {fmt!r}; choose one of {FORMATS}") from None
    return renderer(events, since=since, generated=generated, more=more, tz=tz)


class DigestError(NewsmonError, RuntimeError):
    """The digest could not be written where asked (a missing directory, no permission)."""


def publish(
    db: sqlite_utils.Database,
    fmt: str,
    reader: str | None,
    since: datetime | None,
    monitor: str | None,
    output: Path | None,
    now: datetime,
    *,
    tz: tzinfo = UTC,
    atom_entries: int = DisplaySettings.atom_entries,
    emit: Callable[[list[str]], None] | None = None,
    dismissed: bool = False,
) -> list[str]:
    """Select, render, write, and only then move the reader's cursor (a failed write shows
    the same events next time). Returns the digest's text to print when `output` is None,
    unless `emit` prints it here, before the cursor moves (a closed pipe is a failed write).

    An Atom digest holds the latest `atom_entries` events whatever the cursor says; the
    cursor only marks which of them are new or updated since the reader's last digest.
    """
    window = atom_entries if fmt in WINDOWED else 0
    selection = records.select(
        db, now=now, reader=reader, since=since, monitor=monitor, window=window, dismissed=dismissed
    )
    text = render(
        fmt,
        selection.events,
        since=selection.since,
        generated=now,
        more=selection.more,
        tz=tz,
    )
    left = []
    if output is not None:
        try:
            replace_atomically(output, text, make_folder=True)
        except OSError as exc:
            raise DigestError(f"{output}: cannot write the digest: {exc}") from None
    elif emit is not None:
        emit([text])
    else:
        left = [text]
    if reader:
        store.readers.save_reader_cursor(db, reader, selection.covers, isoformat(now))
    return left
