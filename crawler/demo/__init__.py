"""`newsmon demo`: the whole pipeline, offline, on bundled fictional outlets.

A loopback server serves `data/` (five outlets, five feed formats, the
4 January 2026 launch told by several of them, wire copies among them, plus
unrelated news); a config pointing at it is written next to a fresh database,
and two polls run: the first stores everything, the second shows that
unchanged feeds cost one request each and store nothing twice.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.resources import as_file, files
from pathlib import Path

import yaml

from crawler import config, store
from crawler.clock import Clock
from crawler.errors import UsageError
from crawler.loopback import LoopbackServer
from crawler.model import PollReport
from crawler.report import records
from crawler.report.table import cell, table
from crawler.report.wording import describe_when, format_instant

DEMO_NOW = "2026-01-28T00:00:00Z"  # just after the last bundled story
DEMO_LATER = "2026-01-28T01:00:00Z"  # a clock at which every demo feed is due again
DEMO_DATABASE = "newsmon.db"
MARKER = "# Written by `newsmon demo`"  # the first line of the config.yaml it writes


def default_directory() -> Path:
    """Where a demo without --dir writes: one folder in the user's cache, started over by
    each demo, that outlives it (its follow-up commands read it) and never piles up."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "newsmon" / "demo"


def program() -> str:
    """How to run this newsmon from any shell: `newsmon` when that is what PATH finds,
    else the script beside this Python (a venv nobody activated), else `python -m crawler`."""
    script = Path(sys.executable).parent / "newsmon"
    found = shutil.which("newsmon")
    if found and script.is_file() and Path(found).resolve() == script.resolve():
        return "newsmon"
    if script.is_file():
        return shlex.quote(str(script))
    return f"{shlex.quote(sys.executable)} -m crawler"


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
        "database": DEMO_DATABASE,
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
        f"{MARKER}: the bundled outlets on a loopback server.\n"
        + yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    return path


class DemoError(UsageError, RuntimeError):
    """--dir names a folder holding a config or database the demo did not write."""


def prepare(directory: Path) -> None:
    """Start the demo over in `directory`, so a rerun does not add a second set of feeds
    (the server's port changes) and every article again. Only what a demo wrote is
    removed."""
    path = directory / "config.yaml"
    database = directory / DEMO_DATABASE
    ours = path.is_file() and path.read_text(encoding="utf-8").startswith(MARKER)
    if path.exists() and not ours:
        raise DemoError(f"{path}: not written by `newsmon demo`; choose another --dir")
    if database.exists() and not ours:
        raise DemoError(f"{database}: not written by `newsmon demo`; choose another --dir")
    for suffix in ("", "-wal", "-shm"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)


def run(
    directory: Path | None, log_level: str, echo: Callable[[str], None], *, serve: bool = False
) -> None:
    """Serve the outlets, poll twice, and tell what was stored: `newsmon demo`. With
    `serve`, the outlets stay up until Ctrl-C, so `newsmon run` works on the config too."""
    from crawler import poll
    from crawler.fetch import reactor

    workdir = directory or default_directory()
    prepare(workdir)
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
        echo(f"\n{len(server.requests)} HTTP requests in all. Stored articles:\n")
        show(cfg, echo)
        for line in follow_up(path, serve):
            echo(line)
        if serve:
            wait_for_ctrl_c(server.base_url, echo)


def show(cfg: config.Config, echo: Callable[[str], None]) -> None:
    """The stored articles, then each event with its sources."""
    db = store.db.open_db(cfg.database)
    rows = [
        {**row, "published": row["published"] and format_instant(row["published"])}
        for row in store.articles.latest_articles(db, limit=100)
    ]
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
        echo(f"    when {describe_when(record)}; facts {json.dumps(record['facts'])}")
        for article in record["articles"]:
            copy = f" [{article['copy_relation']} copy]" if article["copy_of"] else ""
            echo(f"    - {cell(article['outlet'])}: {cell(article['title'])}{copy}")
    echo(f"\nDatabase: {cfg.database}")
    db.close()


def follow_up(path: Path, serve: bool) -> list[str]:
    """What to try next. The demo's clock stands at DEMO_NOW, weeks after its stories:
    commands that default to "the last 24 hours" of today's clock find nothing."""
    newsmon = f"{program()} --config {shlex.quote(str(path))}"
    lines = [
        f"The demo's clock is {DEMO_NOW} (its stories are from January 2026), so give the",
        "commands that look at recent times that clock (--since, --now):",
        f"  {newsmon} event 1",
        f"  {newsmon} events --since 2026-01-01",
        f"  {newsmon} digest --since 2026-01-01 --now {DEMO_NOW}",
        f"  {newsmon} articles --search missile",
    ]
    if serve:
        lines.append(f"  {newsmon} run --all --now {DEMO_LATER}")
    else:
        lines += [
            "Its outlets' server has stopped: `newsmon run` on this config finds them gone",
            "(`newsmon demo --serve` keeps them up until Ctrl-C).",
        ]
    lines.append("Running the demo again with this --dir starts it over.")
    return lines


def wait_for_ctrl_c(url: str, echo: Callable[[str], None]) -> None:
    """Keep the outlets' server up (its thread serves) until Ctrl-C or SIGTERM."""
    echo(f"\nServing the outlets on {url} until Ctrl-C.")
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    echo("Stopped serving.")
