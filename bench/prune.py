"""Retention on a large archive: `prune` of a generated database, timed and checked.

The archive is built through the crawler's own per-article path (`bench.growth`: real
sentences and headlines, one article every 5 minutes, the launch and earthquake
monitors; an earthquake headline every QUAKE_EVERY articles), with a fetch log row per
article and the page HTML of one in ten. Then everything stored more than
`--keep-days` before the last article is pruned, and the result is checked: integrity,
foreign keys, every event source still there, document frequencies equal to a recount,
no band or title term of a deleted article.

    python -m bench.prune [--articles 60000] [--keep-days 100]
"""

from __future__ import annotations

import argparse
import gzip
import random
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from bench.growth import MINUTES_APART, START, Corpus, add_synthetic
from crawler import config, prune, store
from monitors import build

QUAKE_EVERY = 500


def build_archive(db, count: int, rng: random.Random) -> None:
    corpus = Corpus(rng)
    monitors = [
        build(config.MonitorConfig("launches", "missile_launch")),
        build(config.MonitorConfig("quakes", "keywords", {"include": ["earthquake"]})),
    ]
    db.execute("INSERT INTO outlets (name) VALUES ('bench')")
    db.execute(
        "INSERT INTO feeds (outlet_id, config_url, url, kind, interval_s, next_due)"
        " VALUES (1, 'https://bench.example/rss', 'https://bench.example/rss',"
        " 'feed', 900, '2026-01-01T00:00:00Z')"
    )
    for n in range(count):
        title, text = corpus.article(n)
        if n % QUAKE_EVERY == 0:  # something for events to stand on, across the archive
            title = f"Strong earthquake shakes coastal region ({n})"
        when = START + timedelta(minutes=MINUTES_APART * n)
        add_synthetic(db, monitors, 1, n, f"https://bench.example/{n}", title, text, when)
        at = when.isoformat().replace("+00:00", "Z")
        with db.atomic():
            db.execute(
                "INSERT INTO fetches (feed_id, url, kind, status, bytes, fetched_at)"
                " VALUES (1, ?, 'page', 200, 50000, ?)",
                [f"https://bench.example/{n}", at],
            )
            if n % 10 == 0:
                db.execute(
                    "INSERT INTO article_html (article_id, html_gz) VALUES"
                    " ((SELECT max(id) FROM articles), ?)",
                    [gzip.compress(rng.randbytes(2000))],
                )
        if n % 10_000 == 0 and n:
            print(f"  {n} articles stored", flush=True)


def check(db) -> list[str]:
    problems = []
    if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
        problems.append("integrity_check failed")
    if db.execute("PRAGMA foreign_key_check").fetchall():
        problems.append("foreign keys broken")
    missing = db.execute(
        "SELECT count(*) FROM event_articles WHERE article_id NOT IN (SELECT id FROM articles)"
    ).fetchone()[0]
    if missing:
        problems.append(f"{missing} event sources gone")
    df = Counter()
    for (terms,) in db.execute("SELECT terms FROM article_features"):
        df.update(terms.split())
    df[""] = db.execute("SELECT count(*) FROM article_features").fetchone()[0]
    if dict(db.execute("SELECT term, df FROM term_df").fetchall()) != dict(df):
        problems.append("term_df differs from a recount")
    for table in ("minhash_bands", "title_terms"):
        orphans = db.execute(
            f"SELECT count(*) FROM {table} WHERE article_id NOT IN (SELECT id FROM articles)"
        ).fetchone()[0]
        if orphans:
            problems.append(f"{orphans} {table} rows of deleted articles")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=60_000)
    parser.add_argument("--keep-days", type=int, default=100)
    args = parser.parse_args()
    rng = random.Random(14)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "prune.db"
        db = store.db.open_db(path)
        started = time.perf_counter()
        build_archive(db, args.articles, rng)
        last = START + timedelta(minutes=MINUTES_APART * (args.articles - 1))
        cutoff = last - timedelta(days=args.keep_days)
        counts = store.db.counts(db)
        events = counts["events"]
        sources = db.execute("SELECT count(DISTINCT article_id) FROM event_articles").fetchone()
        print(
            f"built {counts['articles']} articles, {events} events ({sources[0]} sources), "
            f"{path.stat().st_size / 2**20:.0f} MiB in {time.perf_counter() - started:.0f} s"
        )
        started = time.perf_counter()
        expected = prune.prune(db, cutoff, dry_run=True)
        print(f"dry run: {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        done = prune.prune(db, cutoff)
        seconds = time.perf_counter() - started
        print(prune.summary(done, cutoff, dry_run=False))
        print(f"prune: {seconds:.1f} s ({done.articles / seconds:.0f} articles/s)")
        print(f"dry run counted the same: {expected == done}")
        problems = check(db)
        print(f"checks: {'; '.join(problems) if problems else 'all passed'}")
        size = path.stat().st_size
        started = time.perf_counter()
        store.prune.vacuum(db)
        print(
            f"vacuum: {size / 2**20:.0f} MiB -> {path.stat().st_size / 2**20:.0f} MiB "
            f"in {time.perf_counter() - started:.1f} s"
        )
        db.close()


if __name__ == "__main__":
    main()
