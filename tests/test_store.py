"""The database as shared state: who may use it, and who waits for whom."""

from __future__ import annotations

import hashlib
import random
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from crawler import config, store
from tests.builders import entry_with_record
from tests.conftest import database_at, newsmon, query, write_config

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def digest_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "command",
    [("run", "--all"), ("status",), ("feeds",), ("digest",), ("reprocess",), ("daemon",)],
)
def test_a_database_from_a_newer_newsmon_is_refused_untouched(tmp_path, command):
    """An unknown migration means a newer schema; this version must not write to it."""
    cfg = write_config(tmp_path, [{"name": "A", "feeds": ["http://127.0.0.1:9/f.xml"]}])
    store.db.open_db(tmp_path / "newsmon.db").close()  # the schema, as a first poll makes it
    query(
        cfg,
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('newsmon', 'm099_from_the_future', '2027-01-01')",
    )
    query(cfg, "PRAGMA wal_checkpoint(TRUNCATE)")
    database = tmp_path / "newsmon.db"
    before = digest_of(database)
    result = newsmon(*command, config=cfg, timeout=30)
    assert result.returncode == 4, result.stderr
    assert "upgraded by a newer newsmon (migration m099_from_the_future" in result.stderr
    assert "Traceback" not in result.stderr
    assert digest_of(database) == before
    wal = database.with_name("newsmon.db-wal")
    assert not wal.exists() or wal.stat().st_size == 0


def build_archive(cfg: Path, count: int) -> None:
    """`count` stored articles of random words (no stories or events yet): work for
    `reprocess`, written straight through the storage functions the crawler uses."""
    db = store.db.open_db(cfg.parent / "newsmon.db")
    store.feeds.sync_outlets(db, config.load(cfg), T0)
    rng = random.Random(11)
    vocabulary = [f"word{i}" for i in range(3_000)]
    with db.atomic():
        for i in range(count):
            at = (T0 + timedelta(minutes=5 * i)).isoformat()
            title = " ".join(rng.choices(vocabulary, k=8))
            text = " ".join(rng.choices(vocabulary, k=300))
            link = f"https://wire.example/{i}"
            entry, record = entry_with_record(db, link, link, title, text, at)
            store.articles.store_article(db, entry, record, now=T0)
    db.close()


def writer_holds_the_lock(database: Path) -> bool:
    with closing(sqlite3.connect(database, timeout=0)) as probe:
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return True
        probe.rollback()
        return False


def test_status_and_feeds_do_not_wait_for_a_long_reprocess(tmp_path):
    """Neither writes (a sync of the feeds table would wait behind a long `reprocess` and
    fail after 30 s with "database is locked"). In WAL mode readers need not wait."""
    cfg = write_config(tmp_path, [{"name": "Wire", "feeds": ["http://127.0.0.1:9/rss.xml"]}])
    build_archive(cfg, 6_000)
    database = tmp_path / "newsmon.db"
    reprocess = subprocess.Popen(
        [sys.executable, "-m", "crawler", "--config", str(cfg), "reprocess"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while not writer_holds_the_lock(database):
            assert reprocess.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        started = time.monotonic()
        status = newsmon("status", config=cfg, timeout=20)
        feeds = newsmon("feeds", "--json", config=cfg, timeout=20)
        articles = newsmon("articles", "--limit", "1", config=cfg, timeout=20)
        elapsed = time.monotonic() - started
        assert reprocess.poll() is None, "reprocess ended before the readers did"
    finally:
        reprocess.kill()  # its one transaction is rolled back; nothing else to wait for
        reprocess.communicate(timeout=30)
    for result in (status, feeds, articles):
        assert result.returncode == 0, result.stderr
    assert elapsed < 8
    assert "6000 articles" in status.stdout and '"outlet": "Wire"' in feeds.stdout


@pytest.mark.parametrize(
    ("errors", "interval", "due"),
    [
        (0, "1m", timedelta(minutes=1)),  # shortened: due by the new interval, not the old
        (0, "2h", timedelta(hours=2)),  # lengthened
        (2, "1m", timedelta(minutes=4)),  # a backoff stays a backoff, by the new interval
        (0, "1h", timedelta(hours=1)),  # unchanged: the stored next poll stands
    ],
)
def test_a_changed_interval_reschedules_from_the_last_poll(
    tmp_path, backend, errors, interval, due
):
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    url = "http://127.0.0.1:9/feed.xml"
    path = write_config(tmp_path, [{"name": "A", "feeds": [url], "interval": "1h"}])
    db = store.db.open_db(database_at(tmp_path))
    store.feeds.sync_outlets(db, config.load(path), t0)
    [feed] = store.feeds.due_feeds(db, t0)
    for _ in range(errors):
        store.feeds.record_feed_failure(
            db, feed, now=t0, status=503, error="HTTP 503", next_due=t0 + timedelta(hours=2)
        )
    if not errors:
        store.feeds.record_feed_success(
            db, feed, now=t0, status=200, next_due=t0 + timedelta(hours=1)
        )
    path.write_text(path.read_text().replace("interval: 1h", f"interval: {interval}"))
    store.feeds.sync_outlets(db, config.load(path), t0 + timedelta(seconds=10))
    assert store.feeds.feed_due(db, feed.id)[0] == (t0 + due).isoformat().replace("+00:00", "Z")


ROBOTS = "INSERT INTO robots (origin, body, status, fetched_at) VALUES (?, '', 200, '2026')"
REFUSED = (sqlite3.IntegrityError, psycopg.IntegrityError)


def test_a_pipelined_unit_of_work_commits_whole_or_not_at_all(tmp_path, backend):
    """On PostgreSQL, statements whose results nobody reads wait for the next one read;
    a failure among them still undoes its savepoint only, or else the whole unit, and an
    UPDATE's count is still the server's."""
    db = store.db.open_db(database_at(tmp_path))
    with store.backend.pipelined(db), db.atomic():
        db.execute(ROBOTS, ["http://a"])
        with pytest.raises(REFUSED), db.atomic():
            db.execute(ROBOTS, ["http://b"])
            db.execute(ROBOTS, ["http://a"])
        assert db.execute("UPDATE robots SET status = 404").rowcount == 1
    with pytest.raises(REFUSED), store.backend.pipelined(db), db.atomic():
        db.execute(ROBOTS, ["http://c"])
        db.execute(ROBOTS, ["http://a"])
    with store.backend.pipelined(db), db.atomic():
        rows = db.execute("SELECT origin, status FROM robots ORDER BY origin").fetchall()
    assert [tuple(row) for row in rows] == [("http://a", 404)]
    db.close()
