"""Throughput: real pages through the whole pipeline vs bare trafilatura on two processes.

The 181 pages of `../shared/datasets/extraction-benchmark`, repeated under
distinct URLs (`--copies` times each: the copies are the wire-syndication case),
are announced by RSS feeds spread over eight loopback hosts (127.0.0.2-9), and
one `newsmon run --all` fetches, extracts, dedupes, runs the monitors and
stores them all: start-up, robots.txt and feed parsing included.

Baseline, in the same run: `trafilatura.extract(html)` with default settings
over the same pages on a 2-process pool (the pool's start-up included).
Runs alternate (baseline, newsmon, baseline, ...); medians of `--repeat`.
A last run with `keep_html: true` gives the database size with raw HTML.

    python -m bench.throughput [--copies 11] [--repeat 3] [--profile out.folded]
"""

from __future__ import annotations

import argparse
import gzip
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, closing
from pathlib import Path

import trafilatura
import yaml

from bench.common import dataset, median, py_spy, watch
from crawler.loopback import LoopbackServer, Reply

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.builders import Item, rss  # noqa: E402

HOSTS = [f"127.0.0.{n}" for n in range(2, 10)]
PER_FEED = 100


def load_pages() -> list[bytes]:
    folder = dataset("extraction-benchmark")
    return [gzip.decompress(path.read_bytes()) for path in sorted(folder.glob("html/*.html.gz"))]


def bare_extract(html: bytes) -> int:
    return len(trafilatura.extract(html) or "")


def baseline(pages: list[bytes], copies: int) -> float:
    """Pages per second of bare trafilatura on a 2-process pool."""
    work = pages * copies
    started = time.perf_counter()
    with ProcessPoolExecutor(2) as pool:
        for _ in pool.map(bare_extract, work, chunksize=4):
            pass
    return len(work) / (time.perf_counter() - started)


def publish(servers: list[LoopbackServer], pages: list[bytes], copies: int) -> list[dict]:
    """Every copy of every page at its own URL, in feeds of PER_FEED items per host."""
    items: dict[int, list[Item]] = {i: [] for i in range(len(servers))}
    n = 0
    for copy in range(copies):
        for index, html in enumerate(pages):
            host = n % len(servers)
            path = f"/{copy}/{index}.html"
            servers[host].routes[path] = Reply.static(html, "text/html; charset=utf-8")
            items[host].append(Item(f"Page {index} copy {copy}", servers[host].url(path)))
            n += 1
    outlets = []
    for host, server in enumerate(servers):
        for start in range(0, len(items[host]), PER_FEED):
            name = f"h{host}-{start // PER_FEED}"
            server.routes[f"/{name}.xml"] = Reply.static(
                rss(items[host][start : start + PER_FEED]), "application/rss+xml"
            )
            outlets.append({"name": name, "feeds": [server.url(f"/{name}.xml")]})
    return outlets


def pipeline(outlets: list[dict], keep_html: bool, profile: Path | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        config = {
            "database": "newsmon.db",
            "allow_private_networks": True,
            "fetch": {
                "per_host_delay": "0s",
                "autothrottle": False,
                "max_new_per_feed": PER_FEED,
                "keep_html": keep_html,
            },
            "outlets": outlets,
            "monitors": [{"name": "missile-launches", "type": "missile_launch"}],
        }
        cfg = Path(tmp) / "config.yaml"
        cfg.write_text(yaml.safe_dump(config), encoding="utf-8")
        command = [sys.executable, "-m", "crawler", "--config", str(cfg), "run", "--all", "-q"]
        if profile is not None:
            command = py_spy(command, profile)
        started = time.perf_counter()
        usage = watch(subprocess.Popen(command, cwd=tmp))
        wall = time.perf_counter() - started
        with closing(sqlite3.connect(Path(tmp) / "newsmon.db")) as db:
            articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
            pages = db.execute("SELECT count(*) FROM entries WHERE state = 'done'").fetchone()[0]
        size = (Path(tmp) / "newsmon.db").stat().st_size
        return {
            "pages_per_s": pages / wall,
            "pages": pages,
            "articles": articles,
            "bytes": size,
            "main_ms": usage.main_cpu / pages * 1000,
            "workers_ms": usage.workers_cpu / pages * 1000,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=11)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--profile",
        type=Path,
        help="profile the main process with py-spy (folded stacks) into this file",
    )
    args = parser.parse_args()
    pages = load_pages()
    with ExitStack() as stack:
        servers = [stack.enter_context(LoopbackServer(host=host)) for host in HOSTS]
        outlets = publish(servers, pages, args.copies)
        total = len(pages) * args.copies
        print(f"{total} pages ({len(pages)} x {args.copies}) in {len(outlets)} feeds")
        if args.profile:
            run = pipeline(outlets, keep_html=False, profile=args.profile)
            print(f"profiled run: {run['pages_per_s']:.1f} pages/s -> {args.profile}")
            return
        base, ours, ratios = [], [], []
        for i in range(args.repeat):
            base.append(baseline(pages, args.copies))
            run = pipeline(outlets, keep_html=False, profile=None)
            ours.append(run["pages_per_s"])
            ratios.append(ours[-1] / base[-1])
            print(
                f"round {i + 1}: baseline {base[-1]:.1f} pages/s, newsmon {ours[-1]:.1f} "
                f"pages/s ({run['pages']} pages, {run['articles']} articles; CPU per page: "
                f"{run['main_ms']:.1f} ms main process, {run['workers_ms']:.1f} ms workers), "
                f"ratio {ratios[-1]:.2f}"
            )
        with_html = pipeline(outlets, keep_html=True, profile=None)
    per_k = 1000 / run["articles"] / 2**20
    print(
        f"median: baseline {median(base):.1f} pages/s, newsmon {median(ours):.1f} pages/s, "
        f"ratio {median(ratios):.2f} (target >= 0.8)"
    )
    print(
        f"database per 1,000 articles: {run['bytes'] * per_k:.1f} MiB without raw HTML, "
        f"{with_html['bytes'] * per_k:.1f} MiB with keep_html"
    )


if __name__ == "__main__":
    main()
