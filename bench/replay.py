"""Syndication on feed-replay-aug2026: 25 snapshots of 41 real feeds, replayed.

Each snapshot's feed bodies are served on a loopback server at /<feed>.xml
(with ETags, so an unchanged feed answers 304) and polled by the real crawler
with the clock set to the snapshot's time. Pages are not fetched
(`fetch_pages: false`: the links point at the real outlets and this runs
offline); articles are what the feeds carry. Reports stored articles,
stories, cross-feed copies and a random sample of merged pairs to check by eye.

    python -m bench.replay [--sample 15] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import random
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import yaml

from bench.common import REPLAY_FETCH, dataset
from crawler import config, poll, store
from crawler.clock import Clock
from crawler.config import StorySettings
from crawler.fetch import reactor
from crawler.loopback import LoopbackServer, Reply
from crawler.model import PollReport


def snapshots(folder: Path) -> list[tuple[int, dict[str, str]]]:
    by_time: dict[int, dict[str, str]] = defaultdict(dict)
    with (folder / "manifest.csv").open() as handle:
        for row in csv.DictReader(handle):
            by_time[int(row["unixtime"])][row["feed"]] = row["blob"]
    return sorted(by_time.items())


def write_config(
    workdir: Path, server: LoopbackServer, feeds: list[str], stories: dict[str, float]
) -> Path:
    document = {
        "stories": stories,
        "database": "replay.db",
        "allow_private_networks": True,
        "fetch": {**REPLAY_FETCH, "obey_robots": True},
        "outlets": [
            {
                "name": feed,
                "feeds": [server.url(f"/{feed}.xml")],
                "interval": "1m",
                "fetch_pages": False,
            }
            for feed in feeds
        ],
    }
    path = workdir / "config.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def replay(
    folder: Path, workdir: Path, stories: dict[str, float]
) -> tuple[config.Config, list[PollReport], float]:
    plan = snapshots(folder)
    feeds = sorted({feed for _, blobs in plan for feed in blobs})
    with LoopbackServer() as server:
        cfg = config.load(write_config(workdir, server, feeds, stories))

        async def run_all() -> list[PollReport]:
            reports = []
            for moment, blobs in plan:
                for feed, blob in blobs.items():
                    body = gzip.decompress((folder / "blobs" / f"{blob}.xml.gz").read_bytes())
                    server.routes[f"/{feed}.xml"] = Reply.static(body, "application/rss+xml")
                clock = Clock(datetime.fromtimestamp(moment, UTC))
                reports.append(await poll.poll_once(cfg, clock, every=True))
            return reports

        started = time.perf_counter()
        reports = reactor.run(run_all)
        return cfg, reports, time.perf_counter() - started


def summarise(cfg: config.Config, sample: int) -> None:
    db = store.db.open_db(cfg.database)
    one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
    print(f"articles stored:            {one('SELECT count(*) FROM articles')}")
    print(f"entries seen:               {one('SELECT count(*) FROM entries')}")
    print(f"stories:                    {one('SELECT count(*) FROM stories')}")
    print(f"stories with >1 article:    {one('SELECT count(*) FROM stories WHERE size > 1')}")
    sizes = [row[0] for row in db.execute("SELECT size FROM stories ORDER BY size DESC LIMIT 5")]
    print(f"largest stories:            {sizes}")
    print(
        "stories across >1 feed:     "
        + str(
            one(
                """SELECT count(*) FROM (SELECT story_id FROM articles GROUP BY story_id
           HAVING count(DISTINCT feed_id) > 1)"""
            )
        )
    )
    pairs = list(
        db.query(
            """SELECT l.relation, l.similarity, fa.config_url AS copy_feed, a.title AS copy_title,
                  fo.config_url AS original_feed, o.title AS original_title
           FROM article_links l
           JOIN articles a ON a.id = l.article_id JOIN articles o ON o.id = l.original_id
           JOIN feeds fa ON fa.id = a.feed_id JOIN feeds fo ON fo.id = o.feed_id
           WHERE a.feed_id != o.feed_id"""
        )
    )
    by_relation = defaultdict(int)
    for pair in pairs:
        by_relation[pair["relation"]] += 1
    print(f"cross-feed copies:          {len(pairs)} {dict(by_relation)}")
    titled = list(
        db.query(
            """SELECT a.title, o.title AS other, fa.config_url AS feed, fo.config_url AS other_feed
           FROM articles a JOIN stories s ON s.id = a.story_id
           JOIN articles o ON o.id = s.first_article
           JOIN feeds fa ON fa.id = a.feed_id JOIN feeds fo ON fo.id = o.feed_id
           WHERE a.id != o.id AND a.feed_id != o.feed_id"""
        )
    )
    print(f"cross-feed story members:   {len(titled)} (copies plus same-story headlines)")
    rng = random.Random(7)
    print(f"\nsample of {sample} cross-feed copies (copy  <=  original):")
    for pair in rng.sample(pairs, min(sample, len(pairs))):
        print(
            f"  [{pair['relation']} {pair['similarity']:.2f}] "
            f"{feed_name(pair['copy_feed'])}: {pair['copy_title'][:70]!r}\n"
            f"      <= {feed_name(pair['original_feed'])}: {pair['original_title'][:70]!r}"
        )
    print(f"\nsample of {sample} same-story headlines from other feeds:")
    for row in rng.sample(titled, min(sample, len(titled))):
        print(
            f"  {feed_name(row['feed'])}: {row['title'][:70]!r}\n"
            f"      ~ {feed_name(row['other_feed'])}: {row['other'][:70]!r}"
        )


def feed_name(url: str) -> str:
    return url.rsplit("/", 1)[1].removesuffix(".xml")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=15)
    parser.add_argument("--keep", type=Path, help="keep the database in this folder")
    parser.add_argument("--headline", type=float, default=StorySettings.headline)
    parser.add_argument("--merge", type=float, default=StorySettings.headline_merge)
    args = parser.parse_args()
    folder = dataset("feed-replay-aug2026")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        stories = {"headline": args.headline, "headline_merge": args.merge}
        cfg, reports, elapsed = replay(folder, workdir, stories)
        print(
            f"{len(reports)} polls in {elapsed:.1f} s; "
            f"{sum(r.not_modified for r in reports)} answers were 304, "
            f"{sum(len(r.feed_errors) for r in reports)} feed errors"
        )
        summarise(cfg, args.sample)


if __name__ == "__main__":
    main()
