"""Flat growth: the time to add one article with 1k, 10k and 100k already stored.

"Adding" is the crawler's whole per-article path after extraction:
`ingest.add_article` (store + exact/near/headline dedupe + monitors + events)
in its own transaction, on a real SQLite file. The archive is built through
the same path. Articles are synthetic but made of real text: sentences from
the extraction-benchmark pages and headlines from story-clusters-uci, one
article every 5 minutes (288 a day), so the 3-day story window is already full
(864 articles) when the 1k figure is taken: what grows is the archive alone.

    python -m bench.growth [--sizes 1000 10000 100000] [--probe 300]
        [--postgres postgresql://user@host/db]

With `--postgres`, the same articles are added on SQLite and then on PostgreSQL (a
fresh database made on that server for the run, and dropped after it), and the cost
per article on PostgreSQL is printed as a ratio of SQLite's at each size.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import dataset
from crawler import config, ingest, store
from crawler.model import ArticleRecord, PendingEntry
from crawler.parse.articles import _utc
from crawler.text import text_hash
from monitors import build

START = datetime(2026, 1, 1, tzinfo=UTC)
MINUTES_APART = 5


class Corpus:
    def __init__(self, rng: random.Random):
        bench_folder = dataset("extraction-benchmark")
        uci = dataset("story-clusters-uci")
        truth = json.loads((bench_folder / "ground-truth.json").read_text(encoding="utf-8"))
        self.sentences = [
            s.strip() + "."
            for item in truth.values()
            for s in item["articleBody"].split(". ")
            if 40 < len(s) < 300
        ]
        with (uci / "uci-news-aggregator.first6366.csv").open(encoding="utf-8") as handle:
            self.titles = [row["TITLE"] for row in csv.DictReader(handle)]
        self.rng = rng

    def article(self, n: int) -> tuple[str, str]:
        title = f"{self.rng.choice(self.titles)} ({n})"
        body = " ".join(self.rng.sample(self.sentences, self.rng.randint(8, 16)))
        return title, body


def add(db, monitors, corpus: Corpus, n: int, feed_id: int) -> float:
    title, text = corpus.article(n)
    at = START + timedelta(minutes=MINUTES_APART * n)
    return add_synthetic(db, monitors, feed_id, n, f"https://bench.example/{n}", title, text, at)


def add_synthetic(
    db, monitors, feed_id: int, n: int, url: str, title: str, text: str, at: datetime
) -> float:
    """One article through the crawler's whole per-article path, as if just extracted;
    returns the seconds `ingest.add_article` took (the entry row is the feed's work)."""
    published = at.isoformat(timespec="seconds")
    entry_id = db.execute(
        "INSERT INTO entries (feed_id, entry_key, link, title, first_seen, last_seen)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        [feed_id, f"k{n}", url, title, published, published],
    ).fetchone()[0]
    entry = PendingEntry(entry_id, feed_id, url, title, None, published, None, None, 0)
    record = ArticleRecord(
        url=url,
        fetched_url=url,
        title=title,
        author=None,
        published=published,
        published_utc=_utc(published),
        language="en",
        site_name=None,
        description=None,
        text=text,
        text_method="trafilatura",
        text_hash=text_hash(text),
    )
    started = time.perf_counter()
    ingest.add_article(db, entry, record, monitors, now=at)
    return time.perf_counter() - started


def grow(database, sizes: list[int], probe: int) -> list[dict]:
    """Time `probe` additions at each archive size in `sizes` (same articles each call)."""
    corpus = Corpus(random.Random(42))
    monitors = [
        build(config.MonitorConfig("launches", "missile_launch")),
        build(config.MonitorConfig("quakes", "keywords", {"include": ["earthquake"]})),
    ]
    results = []
    db = store.db.open_db(database)
    db.execute("INSERT INTO outlets (name) VALUES ('bench')")
    db.execute(
        "INSERT INTO feeds (outlet_id, config_url, url, kind, interval_s, next_due)"
        " VALUES (1, 'https://bench.example/rss', 'https://bench.example/rss',"
        " 'feed', 900, '2026-01-01T00:00:00Z')"
    )
    stored = 0
    for size in sorted(sizes):
        fill_started = time.perf_counter()
        while stored < size:
            add(db, monitors, corpus, stored, 1)
            stored += 1
        fill = time.perf_counter() - fill_started
        timings = [add(db, monitors, corpus, stored + i, 1) for i in range(probe)]
        stored += probe
        row = {
            "backend": store.backend.dialect(db),
            "stored": size,
            "median_ms": round(statistics.median(timings) * 1000, 2),
            "p90_ms": round(statistics.quantiles(timings, n=10)[-1] * 1000, 2),
            "fill_s": round(fill, 1),
            "db_mb": round(store.db.size_bytes(db, database) / 2**20, 1),
        }
        results.append(row)
        print(json.dumps(row), flush=True)
    db.close()
    return results


def report(results: list[dict]) -> None:
    base = results[0]["median_ms"]
    for row in results:
        print(
            f"{row['backend']:>10} {row['stored']:>7} stored: {row['median_ms']} ms per article "
            f"({row['median_ms'] / base:.2f}x the {results[0]['stored']} figure)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--probe", type=int, default=300, help="articles timed at each size")
    parser.add_argument("--postgres", help="also run on this PostgreSQL server (a URL)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = grow(Path(tmp) / "growth.db", args.sizes, args.probe)
    report(sqlite)
    if not args.postgres:
        return
    with scratch_database(args.postgres) as url:
        postgres = grow(url, args.sizes, args.probe)
    report(postgres)
    for lite, pg in zip(sqlite, postgres, strict=True):
        ratio = pg["median_ms"] / lite["median_ms"]
        print(f"{lite['stored']:>7} stored: PostgreSQL/SQLite per article {ratio:.2f}x")


@contextmanager
def scratch_database(server: str) -> Iterator[store.backend.DatabaseURL]:
    """A new database on `server` for one run, dropped after it."""
    import psycopg

    name = f"newsmon_bench_{os.getpid()}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield store.backend.DatabaseURL(server.rsplit("/", 1)[0] + "/" + name)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
