"""`newsmon prune`: retention, so an archive polled for years stays a size one can keep.

Articles stored before the cutoff go, in batches of BATCH that are each one transaction
(`store.prune`): a kill between batches leaves a consistent database and a second run
goes on. Events never lose a source: every article an event stands on stays, and so do
the events. The similarity index is kept exact for the articles that remain: their
MinHash bands and title terms stay, the pruned ones' go through the same (key, time)
indexes the lookups use, and document frequencies go down by what each pruned headline
added. Stories are recounted; a story's headline vector keeps the weight its pruned
headlines added (weights are IDF as of when each joined, which cannot be taken back
exactly, and only articles within the story window of its members ever consult it).
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

import sqlite_utils

from crawler import store
from crawler.clock import isoformat
from crawler.progress import Progress
from crawler.report.wording import format_moment, plural
from crawler.store.prune import PruneCounts
from crawler.stories.minhash import band_keys, unpack

BATCH = 1000  # articles per transaction
LOG_BATCH = 10_000  # fetch log rows and entries per transaction


def prune(
    db: sqlite_utils.Database,
    cutoff: datetime,
    *,
    dry_run: bool = False,
    batch: int = BATCH,
    progress: Progress | None = None,
) -> PruneCounts:
    """Delete what was stored before `cutoff` (see the module); with `dry_run`, count it.
    The caller holds the poll lock for a real run."""
    stamp = isoformat(cutoff)
    kept = store.prune.prepare(db, stamp, helpers=not dry_run)
    try:
        if dry_run:
            return store.prune.would_delete(db, stamp, kept)
        counts = PruneCounts(kept=kept)
        if progress is not None:
            progress.add_total(store.prune.remaining(db))
        while doomed := store.prune.next_batch(db, batch):
            bands = [
                (key, item.at, item.id)
                for item in doomed
                if item.at is not None and (signature := unpack(item.minhash))
                for key in band_keys(signature)
            ]
            counts.add(store.prune.delete_batch(db, doomed, bands))
            if progress is not None:
                progress.advance(len(doomed))
        counts.add(store.prune.delete_logs(db, stamp, LOG_BATCH))
        counts.entries += store.prune.delete_stale_entries(db, stamp, LOG_BATCH)
        return counts
    finally:
        store.prune.finish(db)


def summary(counts: PruneCounts, cutoff: datetime, dry_run: bool, tz: tzinfo = UTC) -> str:
    """One line for people: what went (or would go), the cutoff in the display zone."""
    verb = "would delete" if dry_run else "deleted"
    return (
        f"{verb} what was stored before {format_moment(cutoff, tz)}: "
        f"{plural(counts.articles, 'article')} ({counts.kept} older ones kept: events stand "
        f"on them), {plural(counts.entries, 'entry')} ({counts.entry_keys} more kept as keys: "
        f"their feeds still list them), {plural(counts.fetches, 'fetch log row')}, "
        f"{plural(counts.runs, 'run')}, {plural(counts.html, 'page')} of HTML, "
        f"{plural(counts.revisions, 'revision')}, "
        f"{plural(counts.index, 'similarity-index entry')}, {plural(counts.stories, 'story')}"
    )
