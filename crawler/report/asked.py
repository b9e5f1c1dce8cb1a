"""A correction as a person asks for it, from `newsmon event dismiss|move|merge|split`
or from the web view's buttons, and what was made, said in one line each.

Plain data and wording only: `crawler.correct` makes what is asked (the one path for
both), and hands the web view its `attempt` as a `Corrector` (`newsmon serve` passes
it in), so the pages never reach past the store themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

import sqlite_utils

from crawler.config import Config
from crawler.report.corrections import correction_record, correction_sentence
from crawler.store.corrections import Correction

KINDS = ("dismiss", "dismiss_member", "move", "merge", "split")
MAX_ID = 2**63 - 1  # SQLite's largest integer: a larger id is no id at all
MAX_IDS = 1000  # articles split off, or events merged, in one correction
MAX_NOTE = 500  # characters: a note says why in a few words
MAX_BY = 100  # characters of a name


@dataclass(frozen=True)
class Asked:
    """One correction asked for, by whom, when and why. `event_id`: the event
    dismissed, split or merged into (which keeps its id), or the event a moved article
    goes to; `articles`: the one dismissed or moved, or those split off; `others`: the
    events merged away."""

    kind: str
    event_id: int
    by: str
    at: datetime
    note: str | None = None
    articles: tuple[int, ...] = ()
    others: tuple[int, ...] = ()


@dataclass(frozen=True)
class Said:
    """What became of a correction asked for: a line for each made, or why none was."""

    lines: list[str]
    refused: bool


# Makes what is asked on a read-write database, as config.yaml's monitors recompute
# events; times in the zone given (`crawler.correct.attempt`).
Corrector = Callable[[sqlite_utils.Database, Config, Asked, tzinfo], Said]


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
