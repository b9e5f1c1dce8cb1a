"""Idle polling: 1,000 unchanged feeds on 50 hosts, newsmon vs a sequential feedparser loop.

Fifty loopback servers (127.0.0.2 to 127.0.0.51) each publish 20 feeds and
answer every request after 50 ms, standing in for internet round trips. A
first `newsmon run --all` learns the validators (and caches robots.txt); then
every round times, one after the other:

- baseline: `feedparser.parse(url, etag=..., modified=...)` over the 1,000
  feeds in a plain sequential loop (all 304);
- newsmon: one `newsmon run --all`, process start-up included (all 304).

It counts the feed requests newsmon sent, the most requests any host was
answering at once (against `per_host_concurrency`) and the gaps between two
requests to one host as the servers saw them (against `per_host_delay`, which
Scrapy randomises between 0.5x and 1.5x between dispatches; a busy event loop
can send one request late and the next on time, so single gaps can be shorter).

    python -m bench.idle [--repeat 3] [--delay 0.1s] [--profile out.folded]
"""

from __future__ import annotations

import argparse
import itertools
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, closing
from pathlib import Path

import feedparser
import yaml

from bench.common import median, py_spy
from crawler.loopback import LoopbackServer, Reply

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.builders import Item, rss  # noqa: E402

HOSTS = [f"127.0.0.{n}" for n in range(2, 52)]
FEEDS_PER_HOST = 20
LATENCY = 0.05
CONCURRENCY = 2


def publish(servers: list[LoopbackServer]) -> list[dict]:
    outlets = []
    for host, server in enumerate(servers):
        feeds = []
        for n in range(FEEDS_PER_HOST):
            path = f"/feed{n}.xml"
            items = [Item(f"Story {host}-{n}-{i}", server.url(f"/s/{n}/{i}")) for i in range(3)]
            reply = Reply.static(rss(items), "application/rss+xml")
            reply.delay = LATENCY
            server.routes[path] = reply
            feeds.append(server.url(path))
        server.routes["/robots.txt"] = Reply(
            body=b"User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"}
        )
        server.routes["/robots.txt"].delay = LATENCY
        outlets.append({"name": f"host {host}", "feeds": feeds, "fetch_pages": False})
    return outlets


def newsmon(cfg: Path, profile: Path | None = None) -> float:
    command = [sys.executable, "-m", "crawler", "--config", str(cfg), "run", "--all", "-q"]
    if profile is not None:
        command = py_spy(command, profile)
    started = time.perf_counter()
    subprocess.run(command, cwd=cfg.parent, check=False)
    return time.perf_counter() - started


def validators(cfg: Path) -> list[tuple[str, str | None, str | None]]:
    with closing(sqlite3.connect(cfg.parent / "newsmon.db")) as db:
        return db.execute("SELECT url, etag, last_modified FROM feeds ORDER BY id").fetchall()


def baseline(feeds: list[tuple[str, str | None, str | None]]) -> tuple[float, int]:
    started = time.perf_counter()
    not_modified = 0
    for url, etag, modified in feeds:
        result = feedparser.parse(url, etag=etag, modified=modified)
        not_modified += result.get("status") == 304
    return time.perf_counter() - started, not_modified


def politeness(servers: list[LoopbackServer], since: float) -> dict[str, float]:
    """Feed requests, the most at once on one host, the shortest gap between two on one
    host, and when the first and the last request arrived (seconds after the start)."""
    requests, shortest, first, last, means = 0, float("inf"), float("inf"), 0.0, []
    for server in servers:
        starts = sorted(s.at for s in server.requests if s.at >= since and s.path.endswith(".xml"))
        requests += len(starts)
        gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
        shortest = min([shortest, *gaps])
        if gaps:
            means.append(sum(gaps) / len(gaps))
        if starts:
            first, last = min(first, starts[0] - since), max(last, starts[-1] - since)
    return {
        "requests": requests,
        "most": max(server.max_in_flight for server in servers),
        "gap": shortest,
        "mean_gap": min(means) if means else 0.0,
        "first": first,
        "last": last,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--delay", default="0.1s", help="per_host_delay for newsmon")
    parser.add_argument("--profile", type=Path, help="profile one idle run (py-spy, folded stacks)")
    args = parser.parse_args()
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        servers = [stack.enter_context(LoopbackServer(host=host)) for host in HOSTS]
        config = {
            "database": "newsmon.db",
            "allow_private_networks": True,
            "fetch": {"per_host_concurrency": CONCURRENCY, "per_host_delay": args.delay},
            "outlets": publish(servers),
        }
        cfg = Path(tmp) / "config.yaml"
        cfg.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        warm = newsmon(cfg)
        feeds = validators(cfg)
        print(f"{len(feeds)} feeds on {len(servers)} hosts; first run (all 200) {warm:.1f} s")
        if args.profile:
            print(f"profiled idle run: {newsmon(cfg, args.profile):.2f} s -> {args.profile}")
            return
        ours, theirs, ratios = [], [], []
        for round_ in range(args.repeat):
            base, not_modified = baseline(feeds)
            for server in servers:
                server.max_in_flight = 0
            since = time.monotonic()
            run = newsmon(cfg)
            seen = politeness(servers, since)
            theirs.append(base)
            ours.append(run)
            ratios.append(base / run)
            print(
                f"round {round_ + 1}: feedparser loop {base:.1f} s ({not_modified} x 304), "
                f"newsmon {run:.2f} s ({seen['requests']} feed requests, the first after "
                f"{seen['first']:.2f} s, the last after {seen['last']:.2f} s; at most "
                f"{seen['most']} at once per host; per host, the mean gap between requests "
                f"was at least {seen['mean_gap'] * 1000:.0f} ms, the shortest "
                f"{seen['gap'] * 1000:.0f} ms): {base / run:.1f}x"
            )
    print(
        f"median: feedparser loop {median(theirs):.1f} s, newsmon run --all "
        f"{median(ours):.2f} s, {median(ratios):.1f}x faster (target >= 10x; "
        f"per_host_concurrency {CONCURRENCY}, per_host_delay {args.delay})"
    )


if __name__ == "__main__":
    main()
