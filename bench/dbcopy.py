"""`newsmon db copy` of a generated archive into PostgreSQL: rows per second, and that a
second (resumed) copy adds nothing.

The archive is an SQLite database of N articles (default 100k), each with its feed
entry and URL key, written straight into the tables (with the full-text index the
triggers keep): the copy's work is rows, not crawling. The PostgreSQL database is made
on the server given for the run and dropped after it.

    python -m bench.dbcopy --postgres postgresql://user@host/postgres [--articles 100000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from bench.growth import scratch_database
from crawler import dbcopy, store

WORDS = [f"w{i}" for i in range(5_000)]


def build_archive(path: Path, articles: int, rng: random.Random) -> int:
    """An SQLite archive of `articles` articles; its total rows."""
    db = store.db.open_db(path)
    with db.atomic():
        db.execute("INSERT INTO outlets (name) VALUES ('bench')")
        db.execute(
            "INSERT INTO feeds (outlet_id, config_url, url, kind, interval_s, next_due)"
            " VALUES (1, 'https://bench.example/rss', 'https://bench.example/rss',"
            " 'feed', 900, '2026-01-01T00:00:00Z')"
        )
    for start in range(0, articles, 5_000):
        ids = range(start + 1, min(start + 5_000, articles) + 1)
        rows = []
        for n in ids:
            at = f"2026-01-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00Z"
            text = " ".join(rng.choices(WORDS, k=100))
            title = " ".join(rng.choices(WORDS, k=8))
            rows.append((n, f"https://bench.example/{n}", title, at, text, f"h{n}", at))
        with db.atomic():
            db.conn.executemany(
                "INSERT INTO articles (id, url, outlet_id, feed_id, title, published_utc, text,"
                " text_method, text_hash, word_count, fetched_at)"
                " VALUES (?, ?, 1, 1, ?, ?, ?, 'trafilatura', ?, 100, ?)",
                rows,
            )
            db.conn.executemany(
                "INSERT INTO entries (feed_id, entry_key, link, title, first_seen, last_seen,"
                " state, article_id) VALUES (1, ?, ?, ?, ?, ?, 'done', ?)",
                [(f"k{r[0]}", r[1], r[2], r[3], r[3], r[0]) for r in rows],
            )
            db.conn.executemany(
                "INSERT INTO article_urls (url_key, article_id) VALUES (?, ?)",
                [(r[1], r[0]) for r in rows],
            )
    total = sum(store.db.counts(db).values())
    db.close()
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", required=True, help="a PostgreSQL server (a URL)")
    parser.add_argument("--articles", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, scratch_database(args.postgres) as url:
        source = Path(tmp) / "archive.db"
        started = time.perf_counter()
        build_archive(source, args.articles, random.Random(7))
        print(f"archive: {args.articles} articles in {time.perf_counter() - started:.1f} s")
        for run in ("first copy", "second copy"):
            source_db = store.db.open_db(source, read_only=True)
            target_db = store.db.open_db(url)
            started = time.perf_counter()
            checked = dbcopy.copy(source_db, target_db, lambda _: None)
            seconds = time.perf_counter() - started
            written = sum(c.written for c in checked)
            rows = sum(c.source_rows for c in checked)
            same = all(c.same for c in checked)
            print(
                f"{run}: {written} rows written of {rows} in {seconds:.1f} s "
                f"({written / seconds:.0f} rows/s written, {rows / seconds:.0f} rows/s checked),"
                f" counts and digests {'equal' if same else 'DIFFER'}"
            )
            source_db.close()
            target_db.close()


if __name__ == "__main__":
    main()
