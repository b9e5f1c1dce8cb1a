"""`newsmon serve`: a real Datasette on loopback, asked through its JSON API.

The server runs as `python -m crawler ... serve` in a subprocess, exactly as a
user starts it, on a real database built by `store.db.open_db`.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.error import URLError
from urllib.parse import urlencode
from urllib.request import urlopen

import pytest

from crawler import config
from crawler.clock import isoformat
from crawler.report import serve
from crawler.store.db import open_db
from tests.conftest import ROOT, newsmon, write_config

STARTUP_TIMEOUT_S = 30
STOP_TIMEOUT_S = 10
DB = "newsmon"
EVENT_TITLE = "Test missile launched over the sea"
ARTICLE_URL = "https://wire.example/2026/01/launch"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(path: Path) -> int:
    """One outlet with a healthy and a failing feed, an article in a story, and its event."""
    db = open_db(path)
    now = isoformat(datetime.now(UTC))
    with db.conn:
        db.execute("INSERT INTO outlets (id, name) VALUES (1, 'Wire')")
        db.execute(
            """INSERT INTO feeds (id, outlet_id, config_url, url, kind, interval_s, next_due,
                                  last_status, last_success, consecutive_errors, last_error)
               VALUES (1, 1, 'https://wire.example/rss', 'https://wire.example/rss', 'feed',
                       600, :now, 200, :now, 0, NULL),
                      (2, 1, 'https://wire.example/map.xml', 'https://wire.example/map.xml',
                       'sitemap', 600, :now, 503, NULL, 4, 'HTTP 503')""",
            {"now": now},
        )
        db.execute(
            """INSERT INTO articles (id, url, outlet_id, feed_id, title, published, published_utc,
                                     text, text_method, text_hash, word_count, fetched_at)
               VALUES (1, :url, 1, 1, :title, '2026-01-04T09:12:00+09:00', '2026-01-04T00:12:00Z',
                       'A missile was launched.', 'trafilatura', 'abc', 4, :now)""",
            {"url": ARTICLE_URL, "title": EVENT_TITLE, "now": now},
        )
        db.execute(
            """INSERT INTO stories (id, first_article, title, first_at, last_at)
               VALUES (1, 1, :title, :now, :now)""",
            {"title": EVENT_TITLE, "now": now},
        )
        db.execute("UPDATE articles SET story_id = 1 WHERE id = 1")
        db.execute(
            """INSERT INTO events (id, monitor, kind, title, time_start, time_end, precision,
                                   first_seen, last_updated, article_count, outlet_count)
               VALUES (7, 'missile-launches', 'missile_launch', :title, '2026-01-03T22:35:00Z',
                       '2026-01-03T23:05:00Z', 'minute', :now, :now, 1, 1)""",
            {"title": EVENT_TITLE, "now": now},
        )
        db.execute(
            """INSERT INTO event_articles (event_id, article_id, monitor, facts, matched_at)
               VALUES (7, 1, 'missile-launches', '{}', :now)""",
            {"now": now},
        )
    db.conn.close()
    return 7


def get_json(base: str, path: str, **params: str) -> Any:
    query = f"?{urlencode(params)}" if params else ""
    with urlopen(f"{base}{path}{query}", timeout=10) as response:
        return json.load(response)


def wait_until_up(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"serve exited with {proc.returncode}:\n{log.read_text()}")
        try:
            get_json(base, "/-/versions.json")
            return
        except (URLError, ConnectionError):
            time.sleep(0.2)
    pytest.fail(f"serve did not answer within {STARTUP_TIMEOUT_S}s:\n{log.read_text()}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """The base URL of a running `newsmon serve`, and the seeded event's id."""
    directory = tmp_path_factory.mktemp("serve")
    cfg = write_config(directory, [{"name": "Wire", "feeds": ["https://wire.example/rss"]}])
    event_id = seed(directory / "newsmon.db")
    port = free_port()
    log = directory / "serve.log"
    command = [sys.executable, "-m", "crawler", "--config", str(cfg), "serve", "--port", str(port)]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, cwd=directory, env=dict(os.environ)
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, proc, log)
        yield base, event_id
    finally:
        stop(proc)


def test_latest_events_lists_the_event(site: tuple[str, int]) -> None:
    base, event_id = site
    rows = get_json(base, f"/{DB}/latest_events.json", _shape="array")
    assert [row["id"] for row in rows] == [event_id]
    event = rows[0]
    assert event["title"] == EVENT_TITLE
    assert event["monitor"] == "missile-launches"
    assert (event["time_start"], event["time_end"], event["precision"]) == (
        "2026-01-03T22:35:00Z",
        "2026-01-03T23:05:00Z",
        "minute",
    )
    assert (event["article_count"], event["outlet_count"]) == (1, 1)


def test_event_sources_lists_its_articles(site: tuple[str, int]) -> None:
    base, event_id = site
    rows = get_json(base, f"/{DB}/event_sources.json", id=str(event_id), _shape="array")
    shown = ("article_id", "outlet", "published", "title", "url", "copy_of", "copy_relation")
    assert [{key: row[key] for key in shown} for row in rows] == [
        {
            "article_id": 1,
            "outlet": "Wire",
            "published": "2026-01-04T09:12:00+09:00",
            "title": EVENT_TITLE,
            "url": ARTICLE_URL,
            "copy_of": None,
            "copy_relation": None,
        }
    ]
    assert get_json(base, f"/{DB}/event_sources.json", id="999", _shape="array") == []


def test_feed_queries(site: tuple[str, int]) -> None:
    base, _ = site
    health = get_json(base, f"/{DB}/feed_health.json", _shape="array")
    by_url = {row["url"]: row for row in health}
    assert by_url["https://wire.example/rss"]["articles_24h"] == 1
    assert by_url["https://wire.example/map.xml"]["consecutive_errors"] == 4
    failing = get_json(base, f"/{DB}/failing_feeds.json", _shape="array")
    assert [row["url"] for row in failing] == ["https://wire.example/map.xml"]


def test_database_page_hides_internal_tables(site: tuple[str, int]) -> None:
    base, _ = site
    tables = get_json(base, f"/{DB}.json")["tables"]
    visible = {table["name"] for table in tables if not table["hidden"]}
    assert {"outlets", "feeds", "articles", "events", "event_articles"} <= visible
    assert not visible & set(serve.hidden_tables())
    assert not any(name.startswith("articles_fts_") for name in visible)


def test_metadata_is_published(site: tuple[str, int]) -> None:
    base, _ = site
    published = get_json(base, "/-/metadata.json")
    assert published["title"] == "newsmon"
    tables = published["databases"][DB]["tables"]
    assert tables["events"]["description"] == serve.TABLE_DESCRIPTIONS["events"]
    assert tables["term_df"]["hidden"] is True


def test_missing_database_is_refused_before_listening(tmp_path: Path) -> None:
    cfg = write_config(tmp_path, [{"name": "Wire", "feeds": ["https://wire.example/rss"]}])
    port = free_port()
    result = newsmon("serve", "--port", str(port), config=cfg, timeout=60)
    assert result.returncode == 5  # as every command that only reads
    assert "no such database" in result.stderr and "run `newsmon run` first" in result.stderr
    assert "Serving" not in result.stderr
    assert not (tmp_path / "newsmon.db").exists()


def test_missing_datasette_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = config.load(write_config(tmp_path, [{"name": "W", "feeds": ["https://w.example/"]}]))
    monkeypatch.setitem(sys.modules, "datasette.app", None)
    with pytest.raises(serve.ServeError) as raised:
        serve.run(cfg, host="127.0.0.1", port=free_port())
    hint = str(raised.value)
    assert hint == serve.install_hint()
    assert f"cd {ROOT} && {sys.executable} -m pip install -e '.[web]'" in hint  # this clone


def test_the_install_hint_works_from_a_clone_and_for_an_installed_newsmon(tmp_path: Path) -> None:
    command = serve.install_hint(ROOT).split(": ", 1)[1]  # this checkout is a clone
    words = shlex.split(command)
    assert words == ["cd", str(ROOT), "&&", sys.executable, "-m", "pip", "install", "-e", ".[web]"]
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "datasette" in " ".join(extras["optional-dependencies"]["web"])  # what it installs
    installed = serve.install_hint(tmp_path / "site-packages")
    assert installed.endswith(f"{sys.executable} -m pip install 'newsmon[web]'")


def test_canned_queries_run_on_a_read_only_connection(tmp_path: Path) -> None:
    """Every canned query is valid SQL for the schema and needs no write access."""
    path = tmp_path / "newsmon.db"
    event_id = seed(path)
    cfg = config.load(write_config(tmp_path, [{"name": "W", "feeds": ["https://w.example/"]}]))
    queries = serve.metadata(cfg)["databases"][DB]["queries"]
    assert {"latest_events", "event_sources", "feed_health", "failing_feeds"} <= set(queries)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for name, query in queries.items():
            assert "write" not in query, name
            conn.execute(query["sql"], {"id": event_id}).fetchall()
    finally:
        conn.close()
