"""`newsmon demo`: the whole pipeline, offline, on bundled fictional outlets.

A loopback server serves `data/` (five outlets, five feed formats, the
4 January 2026 launch told by several of them, wire copies among them, plus
unrelated news); a config pointing at it is written next to a fresh database,
and two polls run: the first stores everything, the second shows that
unchanged feeds cost one request each and store nothing twice.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.resources import as_file, files
from pathlib import Path

import yaml

from crawler import config, store
from crawler.clock import Clock
from crawler.loopback import LoopbackServer
from crawler.model import PollReport
from crawler.report import records
from crawler.report.table import cell, table

DEMO_NOW = "2026-01-28T00:00:00Z"  # just after the last bundled story


@contextmanager
def demo_server() -> Iterator[tuple[LoopbackServer, Path]]:
    """Serve the bundled outlets; yields the server and the demo data folder."""
    with as_file(files("crawler.demo") / "data") as root, LoopbackServer() as server:
        server.serve_directory(root)
        yield server, root


def write_config(directory: Path, server: LoopbackServer, data: Path) -> Path:
    outlets = yaml.safe_load((data / "outlets.yaml").read_text(encoding="utf-8"))["outlets"]
    for outlet in outlets:
        for key in ("feeds", "sitemaps"):
            outlet[key] = [server.url(path) for path in outlet.get(key, [])]
            if not outlet[key]:
                del outlet[key]
    config = {
        "database": "newsmon.db",
        "allow_private_networks": True,  # the demo's outlets live on 127.0.0.1
        "fetch": {
            "per_host_delay": "0s",
            "per_host_concurrency": 4,
            "timeout": "10s",
            "autothrottle": False,
        },
        "outlets": outlets,
        "monitors": [{"name": "missile-launches", "type": "missile_launch"}],
    }
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "config.yaml"
    path.write_text(
        "# Written by `newsmon demo`: the bundled outlets on a loopback server.\n"
        + yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    return path


def run(directory: Path | None, log_level: str, echo: Callable[[str], None]) -> None:
    """Serve the outlets, poll twice, and tell what was stored: `newsmon demo`."""
    from crawler import poll
    from crawler.fetch import reactor

    workdir = directory or Path(tempfile.mkdtemp(prefix="newsmon-demo-"))
    clock = Clock.from_option(DEMO_NOW)
    with demo_server() as (server, data):
        path = write_config(workdir, server, data)
        cfg = config.load(path)
        echo(f"Serving 5 fictional outlets on {server.base_url}; config {path}\n")

        async def two_polls() -> list[PollReport]:
            return [
                await poll.poll_once(cfg, clock, every=True, log_level=log_level) for _ in range(2)
            ]

        first, second = reactor.run(two_polls)
        echo(f"First poll:  {first.summary()}")
        echo(f"Second poll: {second.summary()}")
        requests = len(server.requests)
    db = store.db.open_db(cfg.database)
    echo(f"\n{requests} HTTP requests in all. Stored articles:\n")
    rows = store.articles.latest_articles(db, limit=100)
    columns = [
        ("outlet", "outlet"),
        ("published", "published"),
        ("via", "text_method"),
        ("words", "word_count"),
        ("title", "title"),
    ]
    for line in table(rows, columns):
        echo(line)
    events = store.events.list_events(db, limit=100)
    echo(f"\nEvents ({len(events)}): one per real-world event, every source under it\n")
    for row in sorted(events, key=lambda r: r["time_start"]):
        record = records.event_record(db, row)
        echo(f"[{record['id']}] {record['monitor']}: {cell(record['title'])}")
        echo(
            f"    when {record['event_time_start']} .. {record['event_time_end']} "
            f"({record['event_time_precision']}); facts {json.dumps(record['facts'])}"
        )
        for article in record["articles"]:
            copy = f" [{article['copy_relation']} copy]" if article["copy_of"] else ""
            echo(f"    - {cell(article['outlet'])}: {cell(article['title'])}{copy}")
    echo(f"\nDatabase: {cfg.database}")
    echo(f"Try: newsmon --config {path} event 1")
