"""Memory of the daemon over many poll cycles: resident size and its trend.

Target: over 500 poll cycles of 100 feeds, resident memory at most 300 MB
and no upward trend (the median of the last 100 cycles within 10% of the
median of cycles 100-200).

Method. The real daemon (`python -m crawler --config CFG -v daemon`) runs as a
subprocess against loopback servers (several hosts, 127.0.0.1-127.0.0.N, one
outlet and one feed each, `interval: 1m`). A feed's minimum interval is one
minute, so to run cycles back to back without changing newsmon, the bench
sets every feed's `next_due` to the past in the SQLite file after each cycle
(WAL: written while the daemon is idle) and sends SIGHUP: `Daemon.reload`
calls `_schedule_all`, which schedules feeds that are due at once, together
(no jitter: that is kept for scheduled polls). A cycle ends with the
daemon's `poll done:` log line after which no feed is left due; the feeds
polled in it are summed from those lines (a cycle may take several batches).

Each cycle most feeds answer 304 (conditional GET); `--new` feeds (rotating)
publish one new item whose page is served, so every cycle also goes through
extraction (worker processes), dedupe, the `missile_launch` monitor, events
and storage. Pages are, in turn: real pages of
`../shared/datasets/extraction-benchmark` (when present, else built pages),
synthetic articles made of real sentences, and every tenth a launch report
of tests/data/events moved back by whole weeks (a new event each time).

After each cycle: VmRSS of the daemon's main process, the sum of VmRSS over
its descendants (multiprocessing's resource tracker, the extraction
forkserver and its workers), and, since that sum counts the pages the
workers share with the forkserver more than once, the PSS of them all
(/proc/PID/smaps_rollup). MB = 10^6 bytes.

    python -m bench.memory [--cycles 500] [--feeds 100] [--csv cycles.csv]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import queue
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path

import yaml

from bench.common import DATASETS, descendants, median, rss_kib
from crawler.clock import isoformat
from crawler.loopback import LoopbackServer, Reply

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.builders import Item, article_page, page, rss, story  # noqa: E402

LIMIT_MB = 300.0
TREND_SHARE = 0.10
FEED_WINDOW = 10  # items a feed keeps; older pages leave the server
LAUNCH_EVERY = 10  # every tenth new article is a launch report
CYCLE_TIMEOUT = 600.0
EVENT_STORIES = ["wire", "wire-copy", "reworded", "followup", "next-week", "analysis", "unrelated"]
SUMMARY = re.compile(
    r"poll done: polled (\d+) feeds: (\d+) not modified, (\d+) unchanged, (\d+) new entries, "
    r"(\d+) new articles, (\d+) new events, (\d+) feed errors, (\d+) page errors"
)
TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


# -- article texts ------------------------------------------------------------------


class Corpus:
    """Varied pages: real ones when the dataset is there, synthetic ones always."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.real_pages = _real_pages()
        self.sentences = _sentences()

    @property
    def source(self) -> str:
        real = f"{len(self.real_pages)} real pages" if self.real_pages else "built pages"
        return f"{real} + synthetic ({len(self.sentences)} sentences) + launch reports"

    def article(self, n: int, now: datetime) -> tuple[str, bytes, datetime]:
        """The n-th new article: (feed title, page HTML, published)."""
        if n % LAUNCH_EVERY == 0:
            return self._launch(n // LAUNCH_EVERY)
        if n % 2:
            return self._real(n // 2, now)
        return self._synthetic(n, now)

    def _launch(self, k: int) -> tuple[str, bytes, datetime]:
        title, published, paragraphs = story(EVENT_STORIES[k % len(EVENT_STORIES)])
        moved = datetime.fromisoformat(published) - timedelta(weeks=k // len(EVENT_STORIES) + 1)
        return title, article_page(title, paragraphs, moved.isoformat()), moved

    def _real(self, k: int, now: datetime) -> tuple[str, bytes, datetime]:
        if not self.real_pages:
            topic = " ".join(self.rng.sample(self.rng.choice(self.sentences).split(), 6))
            title = f"Council update {k}: {topic}"
            return title, page(title, topic, published=now.isoformat()), now
        html = self.real_pages[k % len(self.real_pages)]
        match = TITLE.search(html)
        title = unescape(match.group(1).decode("utf-8", "replace")).strip() if match else ""
        return title or f"Report {k}", html, now

    def _synthetic(self, n: int, now: datetime) -> tuple[str, bytes, datetime]:
        count = min(len(self.sentences), self.rng.randint(8, 16))
        paragraphs = self.rng.sample(self.sentences, count)
        title = f"{' '.join(self.rng.choice(self.sentences).split()[:9])} ({n})"
        return title, article_page(title, paragraphs, now.isoformat()), now


def _real_pages() -> list[bytes]:
    folder = DATASETS / "extraction-benchmark" / "html"
    if not folder.is_dir():
        return []
    return [gzip.decompress(path.read_bytes()) for path in sorted(folder.glob("*.html.gz"))]


def _sentences() -> list[str]:
    truth = DATASETS / "extraction-benchmark" / "ground-truth.json"
    if truth.is_file():
        bodies = [item["articleBody"] for item in json.loads(truth.read_text("utf-8")).values()]
    else:
        bodies = [" ".join(story(name)[2]) for name in EVENT_STORIES]
    return [s.strip() + "." for body in bodies for s in body.split(". ") if 40 < len(s) < 300]


# -- the outlets ----------------------------------------------------------------------


@dataclass
class Feed:
    server: LoopbackServer
    index: int
    items: deque[Item] = field(default_factory=deque)
    pages: deque[str] = field(default_factory=deque)

    @property
    def path(self) -> str:
        return f"/feed{self.index:03d}.xml"

    def publish(self, title: str, html: bytes, published: datetime, n: int) -> None:
        """One new item on top of the feed; its page served; the oldest falls off."""
        path = f"/f{self.index:03d}/a{n}.html"
        self.server.routes[path] = Reply.static(html, "text/html; charset=utf-8")
        self.items.appendleft(Item(title, self.server.url(path), published=published))
        self.pages.appendleft(path)
        while len(self.items) > FEED_WINDOW:
            self.items.pop()
            self.server.routes.pop(self.pages.pop(), None)
        body = rss(list(self.items), title=f"Outlet {self.index:03d}")
        self.server.routes[self.path] = Reply.static(body, "application/rss+xml")


class Newsroom:
    """Every feed, and who publishes next (`per_cycle` feeds a cycle, in turn)."""

    def __init__(self, servers: list[LoopbackServer], feeds: int, corpus: Corpus):
        self.feeds = [Feed(servers[i % len(servers)], i) for i in range(feeds)]
        self.corpus = corpus
        self.published = 0
        self._turn = 0

    def publish_to(self, feed: Feed) -> None:
        now = datetime.now(UTC).replace(microsecond=0)
        title, html, published = self.corpus.article(self.published, now)
        feed.publish(title, html, published, self.published)
        self.published += 1

    def publish_all(self) -> None:
        for feed in self.feeds:
            self.publish_to(feed)

    def publish_round(self, per_cycle: int) -> None:
        for _ in range(per_cycle):
            self.publish_to(self.feeds[self._turn % len(self.feeds)])
            self._turn += 1

    def outlets(self) -> list[dict]:
        return [
            {"name": f"Outlet {f.index:03d}", "feeds": [f.server.url(f.path)], "interval": "1m"}
            for f in self.feeds
        ]


def write_config(directory: Path, outlets: list[dict]) -> Path:
    document = {
        "database": "newsmon.db",
        "allow_private_networks": True,
        "fetch": {"per_host_delay": "0s", "autothrottle": False, "retries": 0, "timeout": "20s"},
        "outlets": outlets,
        "monitors": [{"name": "missile-launches", "type": "missile_launch"}],
    }
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


# -- the daemon -------------------------------------------------------------------------


class Daemon:
    """`newsmon daemon` as a subprocess; its stderr lines arrive on a queue."""

    def __init__(self, cfg: Path):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "crawler", "--config", str(cfg), "-v", "daemon"],
            cwd=cfg.parent,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.problems: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stderr:
            if " WARNING " in line or " ERROR " in line or "Traceback" in line:
                self.problems.append(line.rstrip())
            self.lines.put(line)
        self.lines.put(None)

    def next_line(self, deadline: float) -> str:
        try:
            line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise RuntimeError("the daemon went quiet: no cycle end before the timeout") from None
        if line is None:
            raise RuntimeError(f"the daemon exited (code {self.process.wait()})")
        return line

    def wait_for(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.next_line(deadline):
            pass

    def memory_kib(self) -> tuple[int, int, int, int]:
        """(main VmRSS, VmRSS summed over descendants, PSS of all, number of descendants)."""
        main, children = self.process.pid, descendants(self.process.pid)
        pss = sum(pss_kib(pid) for pid in [main, *children])
        return rss_kib(main), sum(rss_kib(c) for c in children), pss, len(children)

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


@dataclass
class Cycle:
    number: int
    seconds: float
    batches: int
    feeds_polled: int
    not_modified: int
    new_articles: int
    new_events: int
    errors: int
    main_kib: int
    children_kib: int
    pss_kib: int
    children: int


def pss_kib(pid: int) -> int:
    """Proportional set size: shared pages (the workers share the forkserver's) counted once."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def connect(cfg: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(cfg.parent / "newsmon.db", timeout=30, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 30000")
    return conn


def still_due(conn: sqlite3.Connection, stamp: str) -> int:
    """Active feeds not polled since they were made due at `stamp` (a poll moves next_due
    at least one interval past the poll)."""
    return conn.execute(
        "SELECT count(*) FROM feeds WHERE active = 1 AND next_due <= ?", [stamp]
    ).fetchone()[0]


def make_due(conn: sqlite3.Connection) -> str:
    """Every feed due a minute ago; returns that instant as stored."""
    stamp = isoformat(datetime.now(UTC) - timedelta(minutes=1))
    conn.execute("UPDATE feeds SET next_due = ? WHERE active = 1", [stamp])
    return stamp


def wait_cycle(daemon: Daemon, conn: sqlite3.Connection, stamp: str, number: int) -> Cycle:
    """Read `poll done:` lines until no feed made due at `stamp` is left."""
    started = time.monotonic()
    deadline = started + CYCLE_TIMEOUT
    counts = [0] * 8
    batches = 0
    while True:
        match = SUMMARY.search(daemon.next_line(deadline))
        if not match:
            continue
        batches += 1
        counts = [a + int(b) for a, b in zip(counts, match.groups(), strict=True)]
        if still_due(conn, stamp) == 0:
            break
    main_kib, children_kib, pss, children = daemon.memory_kib()
    polled, not_modified, _, _, articles, events, feed_errors, page_errors = counts
    return Cycle(
        number,
        time.monotonic() - started,
        batches,
        polled,
        not_modified,
        articles,
        events,
        feed_errors + page_errors,
        main_kib,
        children_kib,
        pss,
        children,
    )


def run_cycles(daemon: Daemon, newsroom: Newsroom, cfg: Path, args) -> list[Cycle]:
    daemon.wait_for("daemon started", timeout=120)
    conn = connect(cfg)
    cycles = [wait_cycle(daemon, conn, isoformat(datetime.now(UTC)), 1)]
    report_progress(cycles[-1], args.cycles)
    for number in range(2, args.cycles + 1):
        newsroom.publish_round(args.new)
        stamp = make_due(conn)
        daemon.process.send_signal(signal.SIGHUP)
        cycles.append(wait_cycle(daemon, conn, stamp, number))
        report_progress(cycles[-1], args.cycles)
    conn.close()
    return cycles


def report_progress(cycle: Cycle, total: int) -> None:
    if cycle.number == 1 or cycle.number % max(1, total // 10) == 0:
        print(
            f"  cycle {cycle.number}: {cycle.seconds:.1f} s, {cycle.batches} batches, "
            f"{cycle.feeds_polled} feeds, {cycle.new_articles} articles; "
            f"main {mb(cycle.main_kib):.0f} MB, children {mb(cycle.children_kib):.0f} MB, "
            f"PSS of all {mb(cycle.pss_kib):.0f} MB",
            flush=True,
        )


# -- the verdict ---------------------------------------------------------------------------


def mb(kib: float) -> float:
    return kib * 1024 / 1e6


def windows(total: int) -> tuple[list[int], range, range]:
    """Checkpoints and the two compared windows: for 500 cycles, 1, 100, ..., 500;
    cycles 100-200; cycles 401-500."""
    fifth = max(1, total // 5)
    checkpoints = sorted({1, *range(fifth, total + 1, fifth), total})
    return checkpoints, range(fifth, 2 * fifth + 1), range(total - fifth + 1, total + 1)


def verdict_row(name: str, values: dict[int, float], total: int) -> str:
    checkpoints, early, late = windows(total)
    peak = max(values.values())
    base = median([values[c] for c in early if c in values])
    last = median([values[c] for c in late if c in values])
    ratio = last / base
    cells = " ".join(f"{mb(values[c]):>6.1f}" for c in checkpoints if c in values)
    within = "PASS" if abs(ratio - 1) <= TREND_SHARE else "FAIL"
    under = "PASS" if mb(peak) <= LIMIT_MB else "FAIL"
    return (
        f"{name:<14}{cells} {mb(peak):>6.1f} {mb(base):>8.1f} {mb(last):>8.1f} "
        f"{ratio:>6.3f}  {under:<7} {within}"
    )


def print_report(cycles: list[Cycle], args, corpus: Corpus, wall: float, exit_code: int) -> None:
    total = len(cycles)
    checkpoints, early, late = windows(total)
    later = cycles[1:] or cycles
    print(
        f"newsmon daemon memory: {total}/{args.cycles} cycles of {args.feeds} feeds on "
        f"{args.hosts} hosts, {args.new} new items a cycle; pages: {corpus.source}"
    )
    print(
        f"duration {wall:.0f} s; seconds per cycle after the first: median "
        f"{median([c.seconds for c in later]):.1f}, max {max(c.seconds for c in later):.1f}; "
        f"batches per cycle: median {median([c.batches for c in later]):.0f}, "
        f"max {max(c.batches for c in later)}"
    )
    polled = [c.feeds_polled for c in cycles]
    print(
        f"feeds polled per cycle: min {min(polled)}, max {max(polled)}; 304s per cycle after "
        f"the first: median {median([c.not_modified for c in later]):.0f}; articles stored "
        f"{sum(c.new_articles for c in cycles)} ({cycles[0].new_articles} in cycle 1, then "
        f"{min(c.new_articles for c in later)}-{max(c.new_articles for c in later)} a cycle); "
        f"events {sum(c.new_events for c in cycles)}; feed/page errors "
        f"{sum(c.errors for c in cycles)}; worker processes "
        f"{min(c.children for c in cycles)}-{max(c.children for c in cycles)}"
    )
    head = " ".join(f"{'c' + str(c):>6}" for c in checkpoints)
    early_name = f"c{early.start}-{early.stop - 1}"
    late_name = f"c{late.start}-{late.stop - 1}"
    print(
        f"\nRSS (MB)      {head} {'peak':>6} {early_name:>8} {late_name:>8} {'ratio':>6}  "
        f"{'<=300MB':<7} within 10%"
    )
    main = {c.number: c.main_kib for c in cycles}
    both = {c.number: c.main_kib + c.children_kib for c in cycles}
    print(verdict_row("main", main, total))
    print(verdict_row("main+children", both, total))
    print(verdict_row("PSS, all", {c.number: c.pss_kib for c in cycles}, total))
    print(f"\ndaemon exit code after SIGTERM: {exit_code} ({'PASS' if exit_code == 0 else 'FAIL'})")


def write_csv(path: Path, cycles: list[Cycle]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(Cycle.__dataclass_fields__)
        for cycle in cycles:
            writer.writerow(vars(cycle).values())


# -- main ------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=500)
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--hosts", type=int, default=4, help="loopback hosts 127.0.0.1-N")
    parser.add_argument("--new", type=int, default=2, help="feeds publishing a new item a cycle")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--csv", type=Path, help="write every cycle's figures here")
    return parser.parse_args()


def start_servers(hosts: int) -> list[LoopbackServer]:
    return [LoopbackServer(host=f"127.0.0.{i + 1}").start() for i in range(hosts)]


def main() -> None:
    args = parse_args()
    corpus = Corpus(random.Random(args.seed))
    servers = start_servers(args.hosts)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            newsroom = Newsroom(servers, args.feeds, corpus)
            newsroom.publish_all()
            cfg = write_config(Path(tmp), newsroom.outlets())
            started = time.monotonic()
            daemon = Daemon(cfg)
            try:
                cycles = run_cycles(daemon, newsroom, cfg, args)
            except RuntimeError as exc:
                sys.exit(f"failed: {exc}\n" + "\n".join(daemon.problems[-20:]))
            finally:
                exit_code = daemon.stop()
            wall = time.monotonic() - started
    finally:
        for server in servers:
            server.stop()
    if args.csv:
        write_csv(args.csv, cycles)
    print_report(cycles, args, corpus, wall, exit_code)
    for line in daemon.problems[:10]:
        print(f"daemon: {line}")
    if exit_code != 0:
        sys.exit(1)


if __name__ == "__main__":
    main()
