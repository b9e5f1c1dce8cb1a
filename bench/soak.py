"""Crash soak: kill -9 `newsmon run` (or the daemon) at random moments, again and again.

A loopback server publishes four outlets (the hand-written launch reports of
tests/data/events plus filler stories, pages answering slowly). A reference
database gets one uninterrupted run. The soak database gets N runs, each
killed with SIGKILL after a random delay, `PRAGMA integrity_check` after every
kill, then runs to completion. The two must hold the same articles and the
same events (each as the set of its articles' URLs).

    python -m bench.soak [--kills 25] [--mode run|daemon] [--seed 7]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

from crawler.loopback import LoopbackServer, Reply

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.builders import Item, article_page, page, rss, story  # noqa: E402

STORIES = {
    "wire": ["wire", "next-week"],
    "copy": ["wire-copy", "unrelated"],
    "peninsula": ["reworded", "followup"],
    "review": ["analysis"],
}
FILLER = 6  # extra unrelated pages per outlet
PAGE_DELAY = 0.08


@dataclass(frozen=True)
class Outcome:
    articles: frozenset[str]
    events: frozenset[frozenset[str]]
    integrity_failures: int = 0
    kills: int = 0


def publish(server: LoopbackServer) -> list[dict]:
    outlets = []
    for slug, names in STORIES.items():
        items = []
        for name in names:
            title, published, paragraphs = story(name)
            path = f"/{slug}/{name}.html"
            reply = Reply.static(article_page(title, paragraphs, published), "text/html")
            reply.delay = PAGE_DELAY
            server.routes[path] = reply
            items.append(Item(title, server.url(path), published=datetime.fromisoformat(published)))
        for i in range(FILLER):
            path = f"/{slug}/filler-{i}.html"
            reply = Reply.static(page(f"{slug} filler {i}", f"{slug} matter {i}"), "text/html")
            reply.delay = PAGE_DELAY
            server.routes[path] = reply
            items.append(Item(f"{slug} filler {i}", server.url(path)))
        server.routes[f"/{slug}.xml"] = Reply.static(rss(items), "application/rss+xml")
        outlets.append({"name": slug, "feeds": [server.url(f"/{slug}.xml")], "interval": "1m"})
    return outlets


def write_config(directory: Path, outlets: list[dict]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    document = {
        "database": "newsmon.db",
        "allow_private_networks": True,
        "fetch": {
            "per_host_delay": "0s",
            "autothrottle": False,
            "retries": 0,
            "timeout": "10s",
            "per_host_concurrency": 2,
            "extraction_workers": 1,
        },
        "outlets": outlets,
        "monitors": [{"name": "launches", "type": "missile_launch"}],
    }
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def command(cfg: Path, mode: str) -> list[str]:
    base = [sys.executable, "-m", "crawler", "--config", str(cfg)]
    return base + (["daemon"] if mode == "daemon" else ["run", "--all", "-q"])


def integrity_ok(cfg: Path) -> bool:
    database = cfg.parent / "newsmon.db"
    if not database.exists():
        return True
    with closing(sqlite3.connect(database)) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def outcome(cfg: Path, kills: int = 0, failures: int = 0) -> Outcome:
    with closing(sqlite3.connect(cfg.parent / "newsmon.db")) as conn:
        articles = frozenset(url for (url,) in conn.execute("SELECT url FROM articles"))
        events: dict[int, set[str]] = {}
        for event_id, url in conn.execute(
            "SELECT ea.event_id, a.url FROM event_articles ea JOIN articles a"
            " ON a.id = ea.article_id"
        ):
            events.setdefault(event_id, set()).add(url)
    return Outcome(articles, frozenset(frozenset(v) for v in events.values()), failures, kills)


def complete(cfg: Path) -> None:
    """Runs until nothing is pending (pages a kill interrupted are fetched again)."""
    for _ in range(5):
        subprocess.run(command(cfg, "run"), check=False, timeout=120, capture_output=True)
        with closing(sqlite3.connect(cfg.parent / "newsmon.db")) as conn:
            if not conn.execute("SELECT 1 FROM entries WHERE state = 'pending'").fetchone():
                return


def soak(cfg: Path, kills: int, mode: str, rng: random.Random) -> Outcome:
    failures = 0
    for _ in range(kills):
        process = subprocess.Popen(
            command(cfg, mode), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.3, 2.5))
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        failures += not integrity_ok(cfg)
    complete(cfg)
    return outcome(cfg, kills, failures)


def compare(kills: int, mode: str, seed: int, workdir: Path) -> tuple[Outcome, Outcome]:
    with LoopbackServer() as server:
        outlets = publish(server)
        reference_cfg = write_config(workdir / "reference", outlets)
        complete(reference_cfg)
        reference = outcome(reference_cfg)
        soaked = soak(write_config(workdir / "soak", outlets), kills, mode, random.Random(seed))
    return reference, soaked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=25)
    parser.add_argument("--mode", choices=["run", "daemon"], default="run")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.monotonic()
        reference, soaked = compare(args.kills, args.mode, args.seed, Path(tmp))
    same = reference.articles == soaked.articles and reference.events == soaked.events
    print(
        f"mode={args.mode} kills={soaked.kills} integrity failures={soaked.integrity_failures} "
        f"articles {len(soaked.articles)}/{len(reference.articles)} "
        f"events {len(soaked.events)}/{len(reference.events)} "
        f"{'IDENTICAL' if same else 'DIFFERENT'} ({time.monotonic() - started:.0f} s)"
    )
    if not same or soaked.integrity_failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
