"""Making a correction asked for (`report.asked.Asked`): the one path of `newsmon event
dismiss|move|merge|split` and of the web view's buttons.

`make` checks the bounds every asker shares (ids a database can hold, a note of a few
words, a name) and hands the correction to the engine (`events.corrections`: recorded
with who, when and why, and applied, in one transaction). One that cannot be made
raises `CorrectionError` with its one-line reason; `attempt` says it instead, for the
web view, which shows it on the event page as the CLI prints it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

import sqlite_utils

from crawler import ingest
from crawler.config import Config
from crawler.events import corrections
from crawler.events.corrections import CorrectionError, Who
from crawler.report.asked import KINDS, MAX_BY, MAX_ID, MAX_IDS, MAX_NOTE, Asked, Said, said
from crawler.store.corrections import Correction


def make(db: sqlite_utils.Database, cfg: Config, asked: Asked) -> list[Correction]:
    """Make the correction(s) asked for, as `cfg`'s monitors recompute events."""
    check(asked)
    who = Who(asked.by, asked.at, asked.note)
    shown = ingest.shown(ingest.build_monitors(cfg), ingest.Rules.from_config(cfg))
    event_id = asked.event_id
    if asked.kind == "dismiss":
        return [corrections.dismiss(db, event_id, who, shown=shown)]
    if asked.kind == "dismiss_member":
        return [corrections.dismiss_member(db, event_id, one_article(asked), who, shown=shown)]
    if asked.kind == "move":
        return [corrections.move(db, one_article(asked), event_id, who, shown=shown)]
    if asked.kind == "merge":
        return corrections.merge(db, event_id, asked.others, who, shown=shown)
    return [corrections.split(db, event_id, asked.articles, who, shown=shown)]


def attempt(db: sqlite_utils.Database, cfg: Config, asked: Asked, tz: tzinfo) -> Said:
    """`make`, and say what was made (times in `tz`), or why nothing was."""
    try:
        return Said(said(make(db, cfg, asked), tz), refused=False)
    except CorrectionError as exc:
        return Said([f"Not corrected: {exc}"], refused=True)


def check(asked: Asked) -> None:
    """The bounds of any correction, whoever asks."""
    if asked.kind not in KINDS:
        raise CorrectionError(f"unknown correction {asked.kind!r}")
    ids("event", [asked.event_id])
    ids("article", asked.articles)
    ids("event", asked.others)
    if asked.kind == "merge" and not asked.others:
        raise CorrectionError("name at least one event to merge")
    if asked.kind == "split" and not asked.articles:
        raise CorrectionError("name at least one article to split off")
    if len(asked.by) > MAX_BY or not asked.by.strip():
        raise CorrectionError(f"who made the correction: a name of 1 to {MAX_BY} characters")
    if asked.note is not None and len(asked.note) > MAX_NOTE:
        raise CorrectionError(f"a note of at most {MAX_NOTE} characters ({len(asked.note)} given)")


def ids(noun: str, values: Sequence[int]) -> None:
    if len(values) > MAX_IDS:
        raise CorrectionError(f"at most {MAX_IDS} {noun} ids in one correction")
    for value in values:
        if not 1 <= value <= MAX_ID:
            raise CorrectionError(f"no {noun} with id {value}")


def one_article(asked: Asked) -> int:
    if len(asked.articles) != 1:
        raise CorrectionError("name one article")
    return asked.articles[0]
