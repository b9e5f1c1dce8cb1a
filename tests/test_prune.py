"""Retention (`newsmon prune`) on real SQLite files built through the crawler's own path."""

from __future__ import annotations

import random
import re
import sqlite3
from collections import Counter
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlite_utils

from crawler import config, ingest, prune, store
from crawler.lock import poll_lock
from crawler.loopback import Reply
from crawler.model import ArticleRecord, Entry
from crawler.parse.articles import _utc
from crawler.store.prune import PruneCounts
from crawler.stories.minhash import band_keys, unpack
from crawler.text import text_hash
from monitors import build
from monitors.base import MonitorConfig
from tests.builders import Item, page, rss
from tests.conftest import newsmon, write_config

NOW = datetime(2026, 6, 30, tzinfo=UTC)
CUTOFF = NOW - timedelta(days=180)  # 2026-01-01
MONITORS = [
    build(MonitorConfig("launches", "keywords", {"include": ["launch"], "fields": ["title"]}))
]
DERIVED = (
    "articles",
    "entries",
    "stories",
    "story_terms",
    "minhash_bands",
    "title_terms",
    "term_df",
    "article_links",
    "events",
    "event_articles",
)
WORDS = [
    "harbour",
    "council",
    "river",
    "bridge",
    "ministry",
    "budget",
    "school",
    "storm",
    "railway",
    "factory",
    "election",
    "court",
    "farmers",
    "hospital",
    "museum",
    "festival",
    "drought",
    "tariff",
    "airport",
    "reservoir",
    "vaccine",
    "mayor",
    "union",
    "strike",
    "port",
    "wildfire",
    "satellite",
    "summit",
    "treaty",
    "rally",
    "border",
    "coast",
]


def words(rng: random.Random, count: int) -> str:
    return " ".join(f"{rng.choice(WORDS)}{rng.randint(0, 40)}" for _ in range(count))


def add(db, key: str, title: str, text: str, when: datetime, html: bytes | None = None) -> int:
    """One article with its entry, stored and processed as the crawler does at `when`."""
    published = when.isoformat()
    link = f"https://wire.example/{key}"
    with db.atomic():
        entry_id = db.execute(
            "INSERT INTO entries (feed_id, entry_key, link, title, first_seen, last_seen)"
            " VALUES (1, ?, ?, ?, ?, ?)",
            [key, link, title, published, published],
        ).lastrowid
    entry = store.entries.pending_entries(db, 1, 1_000)
    entry = next(e for e in entry if e.id == entry_id)
    record = ArticleRecord(
        link, link, title, None, published, _utc(published), "en", None, None, text,
        "trafilatura", text_hash(text), html,
    )  # fmt: skip
    return ingest.add_article(db, entry, record, MONITORS, now=when).article_id


def archive(tmp_path: Path) -> tuple[sqlite_utils.Database, dict[str, int]]:
    """Old and new articles: event sources and what they copy, a story across the
    cutoff, HTML, a revision, an entry the feed still lists, logs and runs."""
    cfg = write_config(tmp_path, [{"name": "Wire", "feeds": ["http://127.0.0.1:9/wire.xml"]}])
    db = store.db.open_db(tmp_path / "newsmon.db")
    store.feeds.sync_outlets(db, config.load(cfg), datetime(2025, 11, 1, tzinfo=UTC))
    rng = random.Random(14)
    ids: dict[str, int] = {}
    day = datetime(2025, 12, 1, 6, tzinfo=UTC)
    for i in range(8):
        html = b"<html>" + b"x" * 5000 + b"</html>" if i == 2 else None
        ids[f"old{i}"] = add(db, f"old{i}", words(rng, 6), words(rng, 80), day + timedelta(i), html)
    shared = words(rng, 60)
    ids["orig"] = add(db, "orig", "Wire report from the coast", shared, day + timedelta(18))
    ids["copy"] = add(db, "copy", "Launch seen over the sea", shared, day + timedelta(19))
    near = words(rng, 120)
    ids["near_old"] = add(
        db, "near_old", words(rng, 5), near, datetime(2025, 12, 31, 12, tzinfo=UTC)
    )
    ids["near_new"] = add(
        db, "near_new", words(rng, 5), near + " update", datetime(2026, 1, 1, 6, tzinfo=UTC)
    )
    for i in range(3):
        ids[f"new{i}"] = add(
            db, f"new{i}", words(rng, 6), words(rng, 80), datetime(2026, 2, 1 + i, tzinfo=UTC)
        )
    ids["ev_new"] = add(
        db, "ev_new", "Second launch reported", words(rng, 50), datetime(2026, 3, 1, tzinfo=UTC)
    )
    store.entries.record_revision(
        db, ids["old3"], "A new headline for old3", now=day + timedelta(5)
    )
    with db.atomic():  # refused and pending entries from long ago
        db.execute(
            "INSERT INTO entries (feed_id, entry_key, first_seen, last_seen, state, last_error)"
            " VALUES (1, 'refused', '2025-12-02T00:00:00Z', '2025-12-02T00:00:00Z', 'failed',"
            " 'title is an object, not text')"
        )
        db.execute(
            "INSERT INTO entries (feed_id, entry_key, link, first_seen, last_seen) VALUES"
            " (1, 'waiting', 'https://wire.example/waiting', '2025-12-02T00:00:00Z',"
            " '2025-12-02T00:00:00Z')"
        )
    # The feed's latest parse (yesterday) still lists old5 and new2.
    feed = store.feeds.due_feeds(db, NOW, every=True)[0]
    listed = [
        Entry(key, f"https://wire.example/{key}", title=title)
        for key, title in db.execute("SELECT entry_key, title FROM entries WHERE entry_key IN"
                                     " ('old5', 'new2')")
    ]  # fmt: skip
    store.feeds.record_feed_success(
        db, feed, now=NOW - timedelta(days=1), status=200, next_due=NOW, entries=listed
    )
    for when in (datetime(2025, 12, 3, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC)):
        for n in range(3):
            store.fetches.log_fetch(
                db,
                feed_id=1,
                url=f"https://wire.example/{n}",
                kind="page",
                status=200,
                size=1,
                duration=0.1,
                error=None,
                now=when,
            )
        store.runs.start_run(db, when, 1)
    return db, ids


def rows(db, sql: str) -> list[tuple]:
    return [tuple(row) for row in db.execute(sql).fetchall()]


def assert_consistent(db) -> None:
    """Every derived row agrees with the articles left, as a fresh index of them would."""
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    assert rows(db, "PRAGMA foreign_key_check") == []
    features = rows(db, "SELECT article_id, at, minhash, terms FROM article_features")
    assert {f[0] for f in features} == {r[0] for r in rows(db, "SELECT id FROM articles")}
    bands = Counter(
        (key, at, article) for article, at, blob, _ in features if blob
        for key in band_keys(unpack(blob))
    )  # fmt: skip
    assert Counter(rows(db, "SELECT band_key, at, article_id FROM minhash_bands")) == bands
    terms = [(t, at, article) for article, at, _, text in features for t in text.split()]
    assert Counter(rows(db, "SELECT term, at, article_id FROM title_terms")) == Counter(terms)
    df = Counter(t for t, _, _ in terms)
    df[""] = len(features)
    assert dict(rows(db, "SELECT term, df FROM term_df")) == {t: n for t, n in df.items() if n}
    for story, size, first, first_at, last_at in rows(
        db, "SELECT id, size, first_article, first_at, last_at FROM stories"
    ):
        members = rows(
            db,
            "SELECT a.id, f.at FROM articles a JOIN article_features f ON f.article_id = a.id"
            f" WHERE a.story_id = {story}",
        )
        assert size == len(members) and first == min(m[0] for m in members)
        assert (first_at, last_at) == (min(m[1] for m in members), max(m[1] for m in members))
    assert rows(db, "SELECT count(*) FROM story_terms WHERE story_id NOT IN"
                    " (SELECT id FROM stories)") == [(0,)]  # fmt: skip
    assert rows(db, "SELECT count(*) FROM article_links WHERE original_id NOT IN"
                    " (SELECT id FROM articles)") == [(0,)]  # fmt: skip
    assert rows(db, "SELECT count(*) FROM articles_fts") == rows(
        db, "SELECT count(*) FROM articles"
    )


def test_prune_keeps_what_events_stand_on_and_every_index_exact(tmp_path):
    db, ids = archive(tmp_path)
    events_before = rows(db, "SELECT * FROM events ORDER BY id")
    assert len(events_before) == 2
    assert_consistent(db)
    story = rows(db, f"SELECT story_id FROM articles WHERE id = {ids['near_new']}")[0][0]
    assert rows(db, f"SELECT size FROM stories WHERE id = {story}") == [(2,)]  # across the cutoff

    expected = prune.prune(db, CUTOFF, dry_run=True)
    assert rows(db, "SELECT count(*) FROM articles") == [(16,)]  # a dry run deletes nothing
    counts = prune.prune(db, CUTOFF, batch=3)
    assert counts == expected
    assert counts == PruneCounts(
        articles=9,  # old0-7 and near_old
        kept=2,  # the event's source and the article it copies
        entries=9,  # 8 of the pruned articles' entries and the refused item
        entry_keys=1,  # old5: the feed still lists it
        fetches=3,
        runs=1,
        html=1,
        revisions=1,
        index=9,
        stories=8,
    )
    assert_consistent(db)
    left = {r[0] for r in rows(db, "SELECT id FROM articles")}
    keep = {"orig", "copy", "near_new", "new0", "new1", "new2", "ev_new"}
    assert left == {ids[k] for k in keep}
    assert rows(db, "SELECT * FROM events ORDER BY id") == events_before
    assert rows(db, f"SELECT original_id FROM article_links WHERE article_id = {ids['copy']}") == [
        (ids["orig"],)
    ]
    assert rows(db, f"SELECT size, first_article FROM stories WHERE id = {story}") == [
        (1, ids["near_new"])
    ]
    assert rows(db, "SELECT state, article_id, summary FROM entries WHERE entry_key = 'old5'") == [
        ("done", None, None)
    ]
    assert rows(db, "SELECT state FROM entries WHERE entry_key = 'waiting'") == [("pending",)]
    assert prune.prune(db, CUTOFF) == PruneCounts(kept=2, entry_keys=0)  # nothing left to do
    assert rows(db, "SELECT name FROM sqlite_master WHERE name LIKE 'prune_%'") == []
    db.close()


def test_a_prune_that_fails_midway_leaves_whole_batches_and_the_next_one_finishes(tmp_path):
    db, ids = archive(tmp_path)
    reference = tmp_path / "reference.db"
    with closing(sqlite3.connect(reference)) as copy:
        db.conn.backup(copy)
    db.execute(  # the database failing under the third batch (a full disk, an I/O error)
        f"""CREATE TRIGGER boom BEFORE DELETE ON articles WHEN old.id = {ids["old4"]}
            BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"""
    )
    with pytest.raises(sqlite3.IntegrityError, match="disk I/O error"):
        prune.prune(db, CUTOFF, batch=2)
    assert_consistent(db)
    assert rows(db, "SELECT count(*) FROM articles") == [(12,)]  # two batches of two went
    assert rows(db, "SELECT name FROM sqlite_master WHERE name LIKE 'prune_%'") == []
    db.execute("DROP TRIGGER boom")
    rest = prune.prune(db, CUTOFF, batch=2)
    assert rest.articles == 5
    assert_consistent(db)

    whole = store.db.open_db(reference)
    prune.prune(whole, CUTOFF, batch=2)
    for table in DERIVED:
        assert rows(db, f"SELECT * FROM {table} ORDER BY 1, 2") == rows(
            whole, f"SELECT * FROM {table} ORDER BY 1, 2"
        ), table
    whole.close()
    db.close()


def test_the_command_waits_for_no_poll_and_refuses_a_bare_number(tmp_path):
    db, _ = archive(tmp_path)
    db.close()
    cfg = tmp_path / "config.yaml"
    with poll_lock(tmp_path / "newsmon.db"):
        busy = newsmon("prune", "--older-than", "180d", "--now", NOW.isoformat(), config=cfg)
        assert busy.returncode == 3 and "another newsmon process" in busy.stderr
        dry = newsmon(
            "prune", "--older-than", "180d", "--dry-run", "--now", NOW.isoformat(), config=cfg
        )
        assert dry.returncode == 0, dry.stderr
        assert dry.stdout.startswith("would delete what was stored before 2026-01-01 00:00 UTC:")
        assert "9 articles (2 older ones kept: events stand on them)" in dry.stdout
    seconds = newsmon("prune", "--older-than", "180", config=cfg)
    assert seconds.returncode == 2 and "shorter than 1d" in seconds.stderr
    size = (tmp_path / "newsmon.db").stat().st_size
    done = newsmon(
        "prune", "--older-than", "180d", "--vacuum", "--now", NOW.isoformat(), config=cfg
    )
    assert done.returncode == 0, done.stderr
    assert re.search(r"^deleted .*: 9 articles .* in \d+\.\d s$", done.stdout, re.MULTILINE)
    assert "vacuumed:" in done.stdout and (tmp_path / "newsmon.db").stat().st_size < size


def test_an_entry_the_feed_still_lists_is_not_fetched_again_after_a_prune(server, tmp_path):
    for n in (1, 2):
        server.routes[f"/a/{n}.html"] = Reply.static(page(f"Story {n}", f"topic {n}"), "text/html")
    first = [Item("Story 1", server.url("/a/1.html"), guid="s1")]
    server.routes["/feed.xml"] = Reply.static(rss(first), "application/rss+xml")
    cfg = write_config(tmp_path, [{"name": "Site", "feeds": [server.url("/feed.xml")]}])
    assert newsmon("run", "--now", "2025-06-01T00:00:00Z", config=cfg).returncode == 0
    assert newsmon("prune", "--older-than", "30d", config=cfg).returncode == 0
    server.routes["/feed.xml"] = Reply.static(
        rss([*first, Item("Story 2", server.url("/a/2.html"), guid="s2")]), "application/rss+xml"
    )
    result = newsmon("run", "--all", config=cfg)
    assert result.returncode == 0, result.stderr
    assert "1 new entry, 1 new article" in result.stdout
    assert len(server.hits("/a/1.html")) == 1  # only the first run fetched it
