"""Several daemons on one database: how much faster a round ends, and nothing done twice.

`--feeds` feeds (1,000) on 20 loopback hosts (127.0.0.1-20), each feed announcing a
new item every round (its text in the feed: `fetch_pages: false`, so a round is the
polling and storing, not page extraction). One, two, then three daemons (separate
processes, one SQLite file, or `--database postgresql://...`) each finish `--timed`
rounds; a round is started by making every feed due and sending the daemons SIGHUP,
and ends when every feed has been polled. Reported: each fleet's median round and
its ratio to one daemon's (targets: two <= 0.6x, three <= 0.45x), and the highest
request rate any host saw in a 1 s window against the configured per-host rate.

Then the kill run: three daemons over `--rounds` rounds (50); in every fifth round
one daemon is killed with kill -9 at a random moment and started again after the
round. Reported: how long until every host it held was polled again (against one
interval), and over all rounds: articles lost (announced, never stored), duplicate
articles, duplicate events (the launch reports of tests/test_events.py, announced
on four hosts in round one, open two) and alerts received twice.

    python -m bench.fleet [--feeds 1000] [--rounds 50] [--timed 2] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack, closing
from datetime import UTC, datetime
from pathlib import Path

import yaml

from crawler.loopback import LoopbackServer, Reply

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.builders import Item, article_page, rss, story  # noqa: E402

HOSTS = [f"127.0.0.{n}" for n in range(1, 21)]
PER_HOST_DELAY = 0.05  # configured: at most 1 / 0.05 = 20 requests a second per host
INTERVAL = "10m"  # rounds are started by the bench, never by the interval
LAUNCHES = ["wire", "wire-copy", "reworded", "followup", "next-week", "unrelated", "analysis"]
HOOK = "/hook"
ROUND_TIMEOUT = 300.0


class Site:
    """The 20 hosts: each feed's items follow the bench's round counter; four more feeds
    (one on each of the first four hosts) announce the launch reports in round one."""

    def __init__(self, stack: ExitStack, feeds: int):
        self.round = 0
        self.servers = [stack.enter_context(LoopbackServer(host)) for host in HOSTS]
        self.feeds: list[str] = []
        for n in range(feeds):
            server = self.servers[n % len(self.servers)]
            server.routes[f"/feed{n}.xml"] = self._notices(server, n)
            self.feeds.append(server.url(f"/feed{n}.xml"))
        self.launch_feeds: list[str] = []
        reports: dict[int, list[Item]] = {}
        for n, name in enumerate(LAUNCHES):
            server = self.servers[n % 4]
            title, published, paragraphs = story(name)
            page = article_page(title, paragraphs, published)
            server.routes[f"/{name}.html"] = Reply.static(page, "text/html")
            at = datetime.fromisoformat(published)
            reports.setdefault(n % 4, []).append(Item(title, server.url(f"/{name}.html"), None, at))
        for n, items in reports.items():
            self.servers[n].routes["/launches.xml"] = self._launches(items)
            self.launch_feeds.append(self.servers[n].url("/launches.xml"))
        self.receiver = stack.enter_context(LoopbackServer())
        self.receiver.routes[HOOK] = Reply(200, b"ok")

    def _notices(self, server: LoopbackServer, n: int):
        def answer(seen) -> Reply:
            items = [
                Item(f"Notice {n} of round {r}", server.url(f"/n{n}/{r}"), f"{n}-{r}", None,
                     f"Notice number {n} for round {r}.")
                for r in range(max(self.round - 1, 1), self.round + 1)
            ]  # fmt: skip
            return Reply.static(rss(items), "application/rss+xml")

        return answer

    def _launches(self, items: list[Item]):
        def answer(seen) -> Reply:
            return Reply.static(rss(items if self.round >= 1 else []), "application/rss+xml")

        return answer

    @property
    def all_feeds(self) -> int:
        return len(self.feeds) + len(self.launch_feeds)

    def outlets(self) -> list[dict]:
        notices = [
            {"name": f"Outlet {n}", "feeds": [url], "interval": INTERVAL, "fetch_pages": False}
            for n, url in enumerate(self.feeds)
        ]
        launches = [
            {"name": f"Launch desk {n}", "feeds": [url], "interval": INTERVAL}
            for n, url in enumerate(self.launch_feeds)
        ]
        return notices + launches

    def requests(self) -> list[tuple[str, str, float]]:
        """(host, path, time) of every request any host answered."""
        return [
            (HOSTS[i], seen.path, seen.at)
            for i, server in enumerate(self.servers)
            for seen in list(server.requests)
        ]


def write_config(folder: Path, site: Site, database: str) -> Path:
    document = {
        "database": database,
        "allow_private_networks": True,
        "fetch": {
            "per_host_delay": f"{PER_HOST_DELAY}s",
            "per_host_concurrency": 1,
            "autothrottle": False,
            "retries": 0,
            "timeout": "10s",
            "obey_robots": False,
            "extraction_workers": 1,
        },
        "monitors": [{"name": "launches", "type": "missile_launch"}],
        "notify": [{"name": "ops", "url": f"json://127.0.0.1:{site.receiver.port}{HOOK}"}],
        "outlets": site.outlets(),
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


class Fleet:
    """Daemon processes on one config; the database read through sqlite3 (or psql)."""

    def __init__(self, cfg: Path, database: str):
        self.cfg, self.database = cfg, database
        self.daemons: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        log = (self.cfg.parent / "daemons.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "crawler", "--config", str(self.cfg), "daemon"],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.cfg.parent,
        )
        self.daemons.append(process)
        return process

    def stop(self) -> None:
        for process in self.daemons:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.daemons:
            try:
                process.wait(timeout=120)
            except subprocess.TimeoutExpired:  # reported, then stopped for good
                print(f"daemon {process.pid} did not stop within 120 s of SIGTERM; killed")
                log = (self.cfg.parent / "daemons.log").read_text(errors="replace")
                print("\n".join(log.splitlines()[-15:]))
                process.kill()
                process.wait()
        self.daemons = []

    def rows(self, sql: str) -> list[tuple]:
        if self.database.startswith("postgresql://"):
            import psycopg

            with psycopg.connect(self.database) as conn:
                cursor = conn.execute(sql.replace("?", "%s"))
                return cursor.fetchall() if cursor.description is not None else []
        with closing(sqlite3.connect(self.cfg.parent / self.database, timeout=60)) as conn, conn:
            return conn.execute(sql).fetchall()

    def alive(self) -> int:
        try:
            return self.rows("SELECT count(*) FROM fleet")[0][0]
        except Exception:  # the first daemon has not created the schema yet
            return 0

    def start_round(self) -> float:
        """Every feed due now; SIGHUP makes each daemon look at once."""
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.rows(f"UPDATE feeds SET next_due = '{stamp}'")
        started = time.monotonic()
        for process in self.daemons:
            if process.poll() is None:
                process.send_signal(signal.SIGHUP)
        return started

    def polled_since(self, stamp: str) -> int:
        return self.rows(f"SELECT count(*) FROM feeds WHERE last_polled >= '{stamp}'")[0][0]


def now_stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def run_round(site: Site, fleet: Fleet, kill_at: float | None = None) -> dict:
    """One round; with `kill_at`, one daemon is killed that many seconds in."""
    site.round += 1
    stamp = now_stamp()
    time.sleep(1.0)  # last_polled has whole seconds: a round's polls come after `stamp`
    started = fleet.start_round()
    killed, held, killed_at = None, set(), None
    while fleet.polled_since(stamp) < site.all_feeds:
        if kill_at is not None and killed is None and time.monotonic() - started >= kill_at:
            killed = random.choice([p for p in fleet.daemons if p.poll() is None])
            os.kill(killed.pid, signal.SIGKILL)
            killed.wait()
            killed_at = time.monotonic()
            held = {
                host
                for host, holder in fleet.rows("SELECT host, holder FROM host_leases")
                if holder and f":{killed.pid}:" in holder
            }
        if time.monotonic() - started > ROUND_TIMEOUT:
            raise SystemExit(f"round {site.round}: not every feed was polled in time")
        time.sleep(0.1)
    ended = time.monotonic()
    retaken = None
    if killed is not None:
        fleet.daemons.remove(killed)
        later = [at for host, _, at in site.requests() if host in held and at > killed_at]
        retaken = (max(later) - killed_at) if later else 0.0
    return {"seconds": ended - started, "killed": killed is not None, "retaken": retaken}


def wait_alive(fleet: Fleet, daemons: int) -> None:
    """Until every daemon has registered: a round is shared among those alive."""
    deadline = time.monotonic() + 120
    while fleet.alive() < daemons and time.monotonic() < deadline:
        time.sleep(0.2)


def max_rate(site: Site) -> float:
    """The most requests one host answered in any 1 s window."""
    best = 0
    by_host: dict[str, list[float]] = {}
    for host, _, at in site.requests():
        by_host.setdefault(host, []).append(at)
    for times in by_host.values():
        times.sort()
        low = 0
        for high, at in enumerate(times):
            while at - times[low] > 1.0:
                low += 1
            best = max(best, high - low + 1)
    return float(best)


def timed(feeds: int, daemons: int, rounds: int, database: str | None) -> tuple[float, float]:
    """Median round of `daemons` daemons, and the highest per-host rate seen."""
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="newsmon-fleet-") as tmp:
        site = Site(stack, feeds)
        db = database or "newsmon.db"
        fleet = Fleet(write_config(Path(tmp), site, db), db)
        try:
            for _ in range(daemons):
                fleet.start()
            wait_alive(fleet, daemons)
            run_round(site, fleet)  # the first round stores the schema's first rows
            times = [run_round(site, fleet)["seconds"] for _ in range(rounds)]
        finally:
            fleet.stop()
        return sorted(times)[len(times) // 2], max_rate(site)


def kill_run(feeds: int, rounds: int, seed: int, database: str | None) -> dict:
    random.seed(seed)
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="newsmon-fleet-") as tmp:
        site = Site(stack, feeds)
        db = database or "newsmon.db"
        fleet = Fleet(write_config(Path(tmp), site, db), db)
        results = []
        try:
            for _ in range(3):
                fleet.start()
            wait_alive(fleet, 3)
            for number in range(1, rounds + 1):
                kill_at = random.uniform(0.2, 3.0) if number % 5 == 0 else None
                results.append(run_round(site, fleet, kill_at))
                while len(fleet.daemons) < 3:
                    fleet.start()
            time.sleep(5)  # the last alerts
            articles = fleet.rows("SELECT url FROM articles")
            events = fleet.rows("SELECT count(*) FROM events")[0][0]
            alerts = fleet.rows("SELECT count(*) FROM outbox")[0][0]
        finally:
            fleet.stop()
        announced = {f"{url.rsplit('/', 1)[0]}/n{n}/{r}" for n, url in enumerate(site.feeds)
                     for r in range(1, rounds + 1)}  # fmt: skip
        urls = Counter(url for (url,) in articles)
        hits = [
            json.loads(seen.body)["message"].rsplit(" ", 1)[1] for seen in site.receiver.hits(HOOK)
        ]
        return {
            "rounds": rounds,
            "kills": sum(r["killed"] for r in results),
            "retaken_max_s": max((r["retaken"] for r in results if r["killed"]), default=None),
            "lost": len(announced - set(urls)),
            "duplicate_articles": sum(c - 1 for c in urls.values()),
            "events": events,
            "alerts": alerts,
            "alerts_received": len(hits),
            "alerts_received_twice": len(hits) - len(set(hits)),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--timed", type=int, default=2, help="timed rounds per fleet size")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", help="a postgresql:// URL (default: a SQLite file)")
    parser.add_argument("--skip-timing", action="store_true")
    args = parser.parse_args()
    if not args.skip_timing:
        rounds = {}
        for daemons in (1, 2, 3):
            rounds[daemons], rate = timed(args.feeds, daemons, args.timed, args.database)
            print(
                f"{daemons} daemon(s): median round {rounds[daemons]:.1f} s "
                f"({rounds[daemons] / rounds[1]:.2f}x of one); "
                f"max per-host rate {rate:.0f}/s (configured {1 / PER_HOST_DELAY:.0f}/s)",
                flush=True,
            )
    report = kill_run(args.feeds, args.rounds, args.seed, args.database)
    print("kill run: " + ", ".join(f"{k} {v}" for k, v in report.items()), flush=True)
    print("interval: 10 min (600 s); a lease lasts 3 request timeouts (30 s)")


if __name__ == "__main__":
    main()
