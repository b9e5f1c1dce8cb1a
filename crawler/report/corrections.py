"""An event's corrections as its record carries them, and as one sentence each.

The record (JSON) keeps the facts: kind, who, when, the note, the articles acted on and
the events on either side. The sentence says it from this event's side ("article 12
moved here from event 3"), so every digest format and `newsmon event ID` read alike.
"""

from __future__ import annotations

from datetime import UTC, tzinfo
from typing import Any

import sqlite_utils

from crawler import store
from crawler.report.wording import clean, format_instant
from crawler.store.corrections import Correction


def correction_records(db: sqlite_utils.Database, event_id: int) -> list[dict[str, Any]]:
    """Every correction naming this event, oldest first."""
    return [correction_record(c) for c in store.corrections.of_events(db, [event_id])]


def correction_record(correction: Correction) -> dict[str, Any]:
    return {
        "id": correction.id,
        "kind": correction.kind,
        "by": correction.by,
        "corrected": correction.at,
        "note": correction.note,
        "articles": list(correction.subjects),
        "from_event": correction.event_id,
        "to_event": correction.target_id,
    }


def correction_sentence(event_id: int, correction: dict[str, Any], tz: tzinfo = UTC) -> str:
    """One correction, from the side of event `event_id`, with who, when and why."""
    kind = correction["kind"]
    articles = correction.get("articles") or []
    listed = ", ".join(str(a) for a in articles)
    noun = "article" if len(articles) == 1 else "articles"
    here = correction.get("to_event") == event_id
    if kind == "dismiss":
        what = "dismissed as a false event"
    elif kind == "dismiss_member":
        what = f"{noun} {listed} taken out"
    elif kind == "move":
        what = (
            f"{noun} {listed} moved here from event {correction['from_event']}"
            if here
            else f"{noun} {listed} moved to event {correction['to_event']}"
        )
    elif kind == "merge":
        what = (
            f"event {correction['from_event']} merged into this one"
            if here
            else f"merged into event {correction['to_event']}"
        )
    else:
        what = (
            f"split off from event {correction['from_event']} ({noun} {listed})"
            if here
            else f"{noun} {listed} split off into event {correction['to_event']}"
        )
    note = f": {clean(correction['note'])}" if correction.get("note") else ""
    when = format_instant(correction["corrected"], tz)
    return f"Corrected: {what}, by {clean(correction['by'])}, {when}{note}"


def correction_sentences(event: dict[str, Any], tz: tzinfo = UTC) -> list[str]:
    return [correction_sentence(event["id"], c, tz) for c in event.get("corrections") or []]
