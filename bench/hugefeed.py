"""A 100,000-entry feed beside ten ordinary ones, in one `newsmon run --all`.

Feed parsing runs on the worker pool, so while feedparser spends most of a
minute on the huge feed, the event loop keeps downloading and storing the
ordinary outlets' articles. This measures it: wall time, when the small
outlets' pages were stored relative to the huge feed's entries, entries
stored, and the peak resident memory of newsmon's main process and of its
workers (sampled from /proc every 50 ms).

    python -m bench.hugefeed [--entries 100000]
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

import yaml

from bench.common import watch
from crawler.loopback import LoopbackServer, Reply

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.builders import Item, page, rss  # noqa: E402

SMALL_FEEDS = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    args = parser.parse_args()
    with LoopbackServer() as server, tempfile.TemporaryDirectory() as tmp:
        article = Reply.static(page("Harbour works", "harbour works"), "text/html")
        huge_items = [Item(f"Item {i}", server.url(f"/huge/{i}")) for i in range(args.entries)]
        for i in range(args.entries):
            server.routes[f"/huge/{i}"] = article
        huge = rss(huge_items)
        server.routes["/huge.xml"] = Reply.static(huge, "application/rss+xml")
        outlets = [{"name": "Huge", "feeds": [server.url("/huge.xml")]}]
        for n in range(SMALL_FEEDS):
            items = [Item(f"Small {n}", server.url(f"/small/{n}"))]
            server.routes[f"/small/{n}"] = Reply.static(
                page(f"Small story {n}", f"small topic {n}"), "text/html"
            )
            server.routes[f"/small{n}.xml"] = Reply.static(rss(items), "application/rss+xml")
            outlets.append({"name": f"Small {n}", "feeds": [server.url(f"/small{n}.xml")]})
        config = {
            "database": "newsmon.db",
            "allow_private_networks": True,
            "fetch": {"max_bytes": "64MiB", "timeout": "300s", "per_host_delay": "0s"},
            "outlets": outlets,
        }
        cfg = Path(tmp) / "config.yaml"
        cfg.write_text(yaml.safe_dump(config), encoding="utf-8")
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "crawler", "--config", str(cfg), "run", "--all", "-q"],
            cwd=tmp,
        )
        usage = watch(process)
        wall = time.monotonic() - started
        with closing(sqlite3.connect(Path(tmp) / "newsmon.db")) as db:
            entries = db.execute(
                "SELECT count(*), min(first_seen) FROM entries e JOIN feeds f ON f.id = e.feed_id "
                "WHERE f.config_url = ?",
                (server.url("/huge.xml"),),
            ).fetchone()
            small_done = db.execute(
                "SELECT max(a.fetched_at) FROM articles a WHERE a.url LIKE '%/small/%'"
            ).fetchone()[0]
            small_articles = db.execute(
                "SELECT count(*) FROM articles WHERE url LIKE '%/small/%'"
            ).fetchone()[0]
            total = db.execute("SELECT count(*) FROM articles").fetchone()[0]
            run_start = db.execute("SELECT min(started) FROM runs").fetchone()[0]
    print(f"feed: {args.entries:,} entries, {len(huge) / 2**20:.1f} MiB; exit {process.returncode}")
    print(f"wall {wall:.1f} s; entries stored {entries[0]:,}; articles {total}")
    print(
        f"run started {run_start}; small outlets: {small_articles}/{SMALL_FEEDS} stored, "
        f"the last at {small_done}; the huge feed's entries recorded at {entries[1]}"
    )
    print(
        f"peak RSS: main process {usage.main_peak_kib / 1024:.0f} MiB, "
        f"workers {usage.workers_peak_kib / 1024:.0f} MiB"
    )


if __name__ == "__main__":
    main()
