"""Digest cursors: each reader sees every event once, new and updated apart."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from crawler import config, digest, eventstore, store
from monitors import build
from tests.builders import add_story_article
from tests.conftest import newsmon, write_config

MONITORS = [build(config.MonitorConfig("launches", "missile_launch"))]


@pytest.fixture
def setup(tmp_path):
    cfg = write_config(tmp_path, [{"name": "Wire", "feeds": ["http://127.0.0.1:9/rss.xml"]}])
    db = store.open_db(tmp_path / "newsmon.db")
    store.sync_outlets(db, config.load(cfg), datetime(2026, 3, 8, tzinfo=UTC))
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
    selection = digest.select(db, now=now, reader="ana", since=datetime(2026, 1, 1, tzinfo=UTC))
    add(db, "next-week")  # lands after the snapshot, before the cursor is saved
    eventstore.save_reader_cursor(db, "ana", selection.covers, "2026-03-09T00:00:00Z")
    later = digest.select(db, now=now, reader="ana")
    assert len(later.events) == 1 and later.events[0]["status"] == "new"
    assert digest.select(db, now=now, reader="ana").events  # not yet saved: shown again
    eventstore.save_reader_cursor(db, "ana", later.covers, "2026-03-09T00:00:00Z")
    assert digest.select(db, now=now, reader="ana").events == []


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
    assert eventstore.reader_cursor(db, "ana") is None  # the events will be shown again


def test_a_reader_far_behind_gets_the_rest_next_time_and_is_told(setup):
    """The cursor moves only past what was shown: nothing beyond the limit is lost."""
    _, db = setup
    add(db, "wire")
    add(db, "next-week")  # a second event
    now = datetime(2026, 3, 9, tzinfo=UTC)
    eventstore.save_reader_cursor(db, "ana", 0, "2026-01-01T00:00:00Z")
    seen = []
    for _ in range(3):
        selection = digest.select(db, now=now, reader="ana", limit=1)
        seen.append(([e["id"] for e in selection.events], selection.more))
        eventstore.save_reader_cursor(db, "ana", selection.covers, "2026-03-09T00:00:00Z")
    (first, more_first), (second, more_second), (third, _) = seen
    assert len(first) == 1 and more_first == 1
    assert len(second) == 1 and second != first and more_second == 0
    assert third == []
    text = digest.render("text", [], since=now, generated=now, more=3)
    assert "3 more events not shown" in text
    since = digest.select(db, now=now, since=datetime(2026, 1, 1, tzinfo=UTC), limit=1)
    assert len(since.events) == 1 and since.more == 1
