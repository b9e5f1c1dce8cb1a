"""A correction as a person asks for it: from `newsmon event dismiss|move|merge|split`
or from a button of the web view, made one way and said one way.

Both ask with an `Asked` and a `Who`; `make` checks the bounds every asker shares (ids a
database can hold, a note of a few words) and hands it to the engine
(`events.corrections`: recorded with who, when and why, and applied, in one
transaction). A correction that cannot be made raises `CorrectionError` with its
one-line reason, which the CLI prints and the web view shows on the event page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo

import sqlite_utils

from crawler import ingest
from crawler.config import Config
from crawler.events import corrections
from crawler.events.corrections import CorrectionError, Who
from crawler.report.corrections import correction_record, correction_sentence
from crawler.store.corrections import Correction

KINDS = ("dismiss", "dismiss_member", "move", "merge", "split")
MAX_ID = 2**63 - 1  # SQLite's largest integer: a larger id is no id at all
MAX_IDS = 1000  # articles split off, or events merged, in one correction
MAX_NOTE = 500  # characters: a note says why in a few words
MAX_BY = 100  # characters of a name


@dataclass(frozen=True)
class Asked:
    """One correction asked for. `event_id`: the event dismissed, split or merged into
    (which keeps its id), or the event a moved article goes to; `articles`: the one
    dismissed or moved, or those split off; `others`: the events merged away."""

    kind: str
    event_id: int
    articles: tuple[int, ...] = ()
    others: tuple[int, ...] = ()


def make(db: sqlite_utils.Database, cfg: Config, asked: Asked, who: Who) -> list[Correction]:
    """Make the correction(s) asked for, as `cfg`'s monitors recompute events."""
    check(asked, who)
    shown = ingest.shown(ingest.build_monitors(cfg), ingest.Rules.from_config(cfg))
    event_id = asked.event_id
    if asked.kind == "dismiss":
        return [corrections.dismiss(db, event_id, who, shown=shown)]
    if asked.kind == "dismiss_member":
        (article_id,) = one_article(asked)
        return [corrections.dismiss_member(db, event_id, article_id, who, shown=shown)]
    if asked.kind == "move":
        (article_id,) = one_article(asked)
        return [corrections.move(db, article_id, event_id, who, shown=shown)]
    if asked.kind == "merge":
        return corrections.merge(db, event_id, asked.others, who, shown=shown)
    return [corrections.split(db, event_id, asked.articles, who, shown=shown)]


def check(asked: Asked, who: Who) -> None:
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
    if len(who.by) > MAX_BY or not who.by.strip():
        raise CorrectionError(f"who made the correction: a name of 1 to {MAX_BY} characters")
    if who.note is not None and len(who.note) > MAX_NOTE:
        raise CorrectionError(f"a note of at most {MAX_NOTE} characters ({len(who.note)} given)")


def ids(noun: str, values: Sequence[int]) -> None:
    if len(values) > MAX_IDS:
        raise CorrectionError(f"at most {MAX_IDS} {noun} ids in one correction")
    for value in values:
        if not 1 <= value <= MAX_ID:
            raise CorrectionError(f"no {noun} with id {value}")


def one_article(asked: Asked) -> tuple[int]:
    if len(asked.articles) != 1:
        raise CorrectionError("name one article")
    return (asked.articles[0],)


def said(made: Sequence[Correction], tz: tzinfo) -> list[str]:
    """One line per correction made, from the side of the event it leaves or joins:
    "event 12: Corrected: article 40 taken out, by kim, … (correction 3)"."""
    lines = []
    for correction in made:
        record = correction_record(correction)
        side = record["to_event"] or record["from_event"]
        sentence = correction_sentence(side, record, tz)
        lines.append(f"event {side}: {sentence} (correction {record['id']})")
    return lines
