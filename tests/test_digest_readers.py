"""Digest cursors: each reader sees every event once, new and updated apart."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from crawler import config, store
from crawler.report import digest, records
from monitors import build
from tests.builders import add_story_article
from tests.conftest import database_at, newsmon, write_config

pytestmark = pytest.mark.usefixtures("backend")

MONITORS = [build(config.MonitorConfig("launches", "missile_launch"))]


@pytest.fixture
def setup(tmp_path):
    cfg = write_config(tmp_path, [{"name": "Wire", "feeds": ["http://127.0.0.1:9/rss.xml"]}])
    db = store.db.open_db(database_at(tmp_path))
    store.feeds.sync_outlets(db, config.load(cfg), datetime(2026, 3, 8, tzinfo=UTC))
    yield cfg, db
    db.close()


def add(db, name: str) -> None:
    add_story_article(db, name, MONITORS)


def read(cfg, *args: str) -> list[dict]:
    result = newsmon("digest", "--format", "json", "--reader", "ana", *args, config=cfg)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["events"]


def test_each_reader_sees_each_change_once(setup):
    cfg, db = setup
    add(db, "wire")
    first = read(cfg, "--since", "2026-01-01")
    assert [(e["title"][:11], e["status"]) for e in first] == [("North Korea", "new")]
    assert read(cfg) == []  # nothing since
    add(db, "followup")  # joins the same event: an update, not a new event
    update = read(cfg)
    assert [(e["id"], e["status"], e["article_count"]) for e in update] == [
        (first[0]["id"], "updated", 2)
    ]
    add(db, "next-week")  # a different launch
    assert [e["status"] for e in read(cfg)] == ["new"]
    other = newsmon(
        "digest", "--format", "json", "--reader", "bo", "--since", "2026-01-01", config=cfg
    )
    assert len(json.loads(other.stdout)["events"]) == 2  # readers are independent


def test_an_event_committed_while_a_digest_is_produced_is_not_skipped(setup):
    _, db = setup
    add(db, "wire")
    now = datetime(2026, 3, 9, tzinfo=UTC)
    selection = records.select(db, now=now, reader="ana", since=datetime(2026, 1, 1, tzinfo=UTC))
    add(db, "next-week")  # lands after the snapshot, before the cursor is saved
    store.readers.save_reader_cursor(db, "ana", selection.covers, "2026-03-09T00:00:00Z")
    later = records.select(db, now=now, reader="ana")
    assert len(later.events) == 1 and later.events[0]["status"] == "new"
    assert records.select(db, now=now, reader="ana").events  # not yet saved: shown again
    store.readers.save_reader_cursor(db, "ana", later.covers, "2026-03-09T00:00:00Z")
    assert records.select(db, now=now, reader="ana").events == []


@pytest.mark.parametrize("fmt", digest.FORMATS)
def test_every_format_writes_its_file_atomically(setup, fmt):
    cfg, db = setup
    add(db, "wire")
    target = cfg.parent / "out" / f"digest.{fmt}"
    result = newsmon(
        "digest", "--format", fmt, "--since", "2026-01-01", "--output", str(target), config=cfg
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "North Korea" in target.read_text(encoding="utf-8")
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temp file left


def test_an_unwritable_output_is_a_clear_error_and_keeps_the_cursor(setup):
    cfg, db = setup
    add(db, "wire")
    blocker = cfg.parent / "file"
    blocker.write_text("x")
    result = newsmon(
        "digest",
        "--reader",
        "ana",
        "--since",
        "2026-01-01",
        "--output",
        str(blocker / "digest.html"),
        config=cfg,
    )
    assert result.returncode == 1 and "cannot write the digest" in result.stderr
    assert store.readers.reader_cursor(db, "ana") is None  # the events will be shown again


def test_a_reader_far_behind_gets_the_rest_next_time_and_is_told(setup):
    """The cursor moves only past what was shown: nothing beyond the limit is lost."""
    _, db = setup
    add(db, "wire")
    add(db, "next-week")  # a second event
    now = datetime(2026, 3, 9, tzinfo=UTC)
    store.readers.save_reader_cursor(db, "ana", 0, "2026-01-01T00:00:00Z")
    seen = []
    for _ in range(3):
        selection = records.select(db, now=now, reader="ana", limit=1)
        seen.append(([e["id"] for e in selection.events], selection.more))
        store.readers.save_reader_cursor(db, "ana", selection.covers, "2026-03-09T00:00:00Z")
    (first, more_first), (second, more_second), (third, _) = seen
    assert len(first) == 1 and more_first == 1
    assert len(second) == 1 and second != first and more_second == 0
    assert third == []
    text = digest.render("text", [], since=now, generated=now, more=3)
    assert "3 more events not shown" in text
    since = records.select(db, now=now, since=datetime(2026, 1, 1, tzinfo=UTC), limit=1)
    assert len(since.events) == 1 and since.more == 1


def add_events(db, count: int, at: str) -> list[int]:
    """`count` events written as the crawler writes them (each takes a change number)."""
    with db.atomic():
        return [
            store.events.create_event(
                db,
                {
                    "monitor": "launches",
                    "kind": "missile_launch",
                    "title": f"Launch {i}",
                    "time_start": at,
                    "time_end": at,
                    "precision": "day",
                    "first_seen": at,
                    "last_updated": at,
                    "article_count": 1,
                    "outlet_count": 1,
                },
            )
            for i in range(count)
        ]


def shown(cfg, reader: str, now: str = "2026-03-09T00:00:00Z") -> tuple[list[int], int]:
    result = newsmon("digest", "--format", "json", "--reader", reader, "--now", now, config=cfg)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    return [event["id"] for event in document["events"]], document["more_events"]


def test_a_new_readers_first_digest_pages_like_any_other(setup):
    """#11.4: a new reader's first digest over 620 events showed 500 and moved the cursor
    past all 620: 120 were never shown."""
    cfg, db = setup
    ids = add_events(db, 620, "2026-03-08T12:00:00Z")
    first, more = shown(cfg, "new")
    assert len(first) == 500 and more == 120
    second, more = shown(cfg, "new")
    assert len(second) == 120 and more == 0
    assert shown(cfg, "new") == ([], 0)
    assert sorted(first + second) == ids


def test_two_digests_of_one_reader_at_once_show_each_event_once(setup):
    """#11.4: both read the same cursor and showed the same events (2-4 of 5 trials).
    Real concurrent processes, five trials, new events before each. Their output is
    larger than a pipe holds and is read only after a pause, as a slow consumer would:
    each digest stalls writing, after it has read the cursor and before it saves it."""
    import subprocess
    import sys
    import time
    from concurrent.futures import ThreadPoolExecutor

    cfg, db = setup
    everything: list[int] = []
    command = [sys.executable, "-m", "crawler", "--config", str(cfg), "digest"]
    command += ["--format", "json", "--reader", "ana", "--now", "2026-03-09T00:00:00Z"]
    for trial in range(5):
        everything += add_events(db, 200, f"2026-03-08T0{trial}:00:00Z")  # > 64 KiB of JSON
        pair = [
            subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=cfg.parent)
            for _ in range(2)
        ]
        time.sleep(1.5)
        with ThreadPoolExecutor(2) as readers:  # read both at once: either may go first
            outputs = list(readers.map(lambda p: p.communicate(timeout=60)[0], pair))
        assert [process.returncode for process in pair] == [0, 0]
        seen = [[e["id"] for e in json.loads(out)["events"]] for out in outputs]
        assert not set(seen[0]) & set(seen[1]), f"trial {trial}: shown twice"
        assert sorted(seen[0] + seen[1]) == everything[-200:], f"trial {trial}"


def atom(cfg, *args: str, now: str = "2026-03-09T00:00:00Z") -> list[tuple[str, str, list[str]]]:
    """(id, updated, status categories) of each entry of the reader's Atom file."""
    import feedparser

    target = cfg.parent / "feed.atom"
    result = newsmon(
        "digest", "--reader", "feedreader", "--format", "atom", "--output", str(target),
        "--now", now, *args, config=cfg,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    feed = feedparser.parse(target.read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    return [
        (
            entry.id,
            entry.updated,
            [tag.term for tag in entry.get("tags", []) if tag.scheme == "urn:newsmon:status"],
        )
        for entry in feed.entries
    ]


def test_an_atom_digest_keeps_the_latest_events_for_feed_readers(setup):
    """#14.3: regenerated a few minutes later, the reader's Atom file had 0 entries, so
    a feed reader polling less often than cron missed every event. It is a rolling
    window of the latest events with stable ids and times; the cursor only says new."""
    cfg, db = setup
    ids = add_events(db, 3, "2026-03-08T12:00:00Z")
    urn = [f"urn:newsmon:event:{i}" for i in reversed(ids)]  # newest first
    first = atom(cfg)
    assert first == [(u, "2026-03-08T12:00:00Z", ["new"]) for u in urn]
    again = atom(cfg, now="2026-03-09T00:05:00Z")  # cron, five minutes later
    assert again == [(u, "2026-03-08T12:00:00Z", []) for u in urn]  # same ids, same times
    [later] = add_events(db, 1, "2026-03-09T00:07:00Z")
    third = atom(cfg, now="2026-03-09T00:10:00Z")
    assert third[0] == (f"urn:newsmon:event:{later}", "2026-03-09T00:07:00Z", ["new"])
    assert third[1:] == again
    assert [entry[0] for entry in atom(cfg, "--atom-entries", "2")] == [third[0][0], urn[0]]
    with cfg.open("a", encoding="utf-8") as handle:
        handle.write("display:\n  atom_entries: 1\n")
    assert [entry[0] for entry in atom(cfg)] == [third[0][0]]
    wrong = newsmon("digest", "--atom-entries", "5", config=cfg)
    assert wrong.returncode == 2 and "--atom-entries applies to --format atom" in wrong.stderr
