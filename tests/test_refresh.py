"""The poll's decisions, in-process: no Scrapy, no subprocess, a real SQLite file.

Each test hands `Refresh` what a feed or a page answered (the values the spider builds
from Scrapy's responses) and checks what was stored and what it asks to fetch next. The
subprocess tests in test_poll.py prove the same decisions through the whole system.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawler import config, store
from crawler.clock import Clock, parse_instant
from crawler.fetch.answers import ROBOTS_DISALLOWED
from crawler.model import (
    Entry,
    Extracted,
    FailureKind,
    FeedAnswer,
    FetchFailure,
    PageAnswer,
    Parsed,
)
from crawler.refresh import Refresh
from monitors import build
from monitors.base import MonitorConfig
from tests.conftest import write_config

NOW = datetime(2026, 3, 8, 0, 0, tzinfo=UTC)
FEED = "http://127.0.0.1:9/feed.xml"
TEXT = "The river authority said the new locks would open to barges in the spring. " * 8
LAUNCH = (
    "North Korea fired two ballistic missiles off its east coast early Sunday, "
    "South Korea's military said. The missiles flew about 450 kilometers. " * 3
)


def setup(tmp_path, **outlet):
    cfg_path = write_config(tmp_path, [{"name": "Wire", "feeds": [FEED], **outlet}])
    with cfg_path.open("a") as handle:
        handle.write("monitors:\n  - name: launches\n    type: missile_launch\n")
    cfg = config.load(cfg_path)
    db = store.db.open_db(cfg.database)
    store.feeds.sync_outlets(db, cfg, NOW)
    return cfg, db


def refresh_of(cfg, db, now: datetime = NOW) -> Refresh:
    feeds = store.feeds.due_feeds(db, now, every=True)
    monitors = [build(MonitorConfig("launches", "missile_launch"))]
    return Refresh(db, cfg, Clock(now), feeds, monitors)


def answer(status: int = 200, body: bytes = b"<rss/>", **headers) -> FeedAnswer:
    return FeedAnswer(url=FEED, status=status, body=body, body_hash="h" + str(len(body)), **headers)


def entries(*names: str, link: str | None = None, summary: str = TEXT) -> Parsed:
    return Parsed(
        format="rss20",
        entries=tuple(
            Entry(
                key=name,
                link=link or f"http://127.0.0.1:9/{name}.html",
                title=name,
                summary=summary,
            )
            for name in names
        ),
    )


def feed_row(db) -> dict:
    return dict(next(db.query("SELECT * FROM feeds")))


def entry_states(db) -> dict[str, tuple]:
    rows = db.execute("SELECT entry_key, state, attempts, article_id FROM entries").fetchall()
    return {key: (state, attempts, article) for key, state, attempts, article in rows}


@pytest.fixture
def wire(tmp_path):
    cfg, db = setup(tmp_path)
    yield cfg, db
    db.close()


def test_new_entries_are_pending_with_the_validators_and_one_request_serves_a_link(wire):
    cfg, db = wire
    refresh = refresh_of(cfg, db)
    [feed] = refresh.feeds
    parsed = Parsed(
        format="rss20",
        entries=(
            Entry("a", "http://127.0.0.1:9/a.html", "A"),
            Entry("a-again", "http://127.0.0.1:9/a.html", "A, from another item"),
            Entry("b", "http://127.0.0.1:9/b.html", "B"),
        ),
    )
    children, pages = refresh.feed_parsed(feed, answer(etag='"v1"'), parsed, child=False)
    assert children == []
    assert [entry.link for entry in pages] == [
        "http://127.0.0.1:9/a.html",
        "http://127.0.0.1:9/b.html",
    ]
    assert {key: state for key, (state, _, _) in entry_states(db).items()} == {
        "a": "pending",
        "a-again": "pending",
        "b": "pending",
    }
    assert feed_row(db)["etag"] == '"v1"' and refresh.report.new_entries == 3
    # the page answers once; both entries of that link get the one article
    refresh.page_answered(pages[0], PageAnswer(pages[0].link, 200, b"<html/>"), Extracted(TEXT))
    states = entry_states(db)
    assert states["a"][0] == states["a-again"][0] == "done"
    assert states["a"][2] == states["a-again"][2] is not None
    assert refresh.report.new_articles == 1


def test_a_304_costs_nothing_but_pending_entries_still_get_their_pages(wire):
    cfg, db = wire
    first = refresh_of(cfg, db)
    first.feed_parsed(first.feeds[0], answer(etag='"v1"'), entries("left"), child=False)
    # the run was killed before the page came: the next poll's 304 still asks for it
    second = refresh_of(cfg, db, NOW + timedelta(minutes=15))
    pages = second.feed_not_modified(second.feeds[0], answer(304, b""))
    assert [entry.title for entry in pages] == ["left"]
    assert second.report.not_modified == 1 and second.report.new_entries == 0


def test_an_unchanged_body_is_not_parsed_again(wire):
    cfg, db = wire
    refresh = refresh_of(cfg, db)
    refresh.feed_parsed(refresh.feeds[0], answer(), entries("x"), child=False)
    again = refresh_of(cfg, db, NOW + timedelta(minutes=15))
    [feed] = again.feeds
    assert again.is_unchanged(feed, answer(), child=False)
    assert not again.is_unchanged(feed, answer(body=b"<rss>new</rss>"), child=False)
    assert not again.is_unchanged(feed, answer(), child=True)  # children are always read


def test_failures_back_off_and_retry_after_is_a_floor(wire):
    cfg, db = wire
    refresh = refresh_of(cfg, db)
    refresh.feed_failed(refresh.feeds[0], 500, "HTTP 500")
    row = feed_row(db)
    assert row["consecutive_errors"] == 1 and row["last_error"] == "HTTP 500"
    assert parse_instant(row["next_due"]) == NOW + timedelta(minutes=30)  # 15 min × 2
    later = refresh_of(cfg, db)
    later.feed_failed(later.feeds[0], 429, "HTTP 429", retry_after=timedelta(hours=5))
    assert parse_instant(feed_row(db)["next_due"]) == NOW + timedelta(hours=5)
    assert refresh.report.feed_errors == [f"Wire: {FEED}: HTTP 500"]


def test_max_age_and_ttl_delay_the_next_poll_and_a_success_resets_the_errors(wire):
    cfg, db = wire
    refresh = refresh_of(cfg, db)
    refresh.feed_failed(refresh.feeds[0], 500, "HTTP 500")
    again = refresh_of(cfg, db)
    ttl = Parsed(format="rss20", entries=(), ttl=timedelta(hours=2))
    again.feed_parsed(again.feeds[0], answer(cache_control="max-age=3600"), ttl, child=False)
    row = feed_row(db)
    assert row["consecutive_errors"] == 0 and row["last_error"] is None
    assert parse_instant(row["next_due"]) == NOW + timedelta(hours=2)


def test_a_permanent_redirect_moves_the_feed(wire):
    cfg, db = wire
    refresh = refresh_of(cfg, db)
    moved = "http://127.0.0.1:9/new-feed.xml"
    refresh.feed_parsed(refresh.feeds[0], answer(moved=moved), entries(), child=False)
    assert feed_row(db)["url"] == moved and feed_row(db)["config_url"] == FEED


def test_child_sitemaps_are_fetched_and_too_long_ones_reported(wire):
    cfg, db = wire
    refresh = refresh_of(cfg, db)
    index = Parsed(
        format="sitemapindex",
        entries=(),
        sitemaps=("http://127.0.0.1:9/s1.xml", "http://127.0.0.1:9/" + "x" * 2_100),
    )
    children, _ = refresh.feed_parsed(refresh.feeds[0], answer(), index, child=False)
    assert children == ["http://127.0.0.1:9/s1.xml"]
    assert len(refresh.report.page_errors) == 1


def test_a_child_sitemap_adds_entries_and_leaves_the_index_row_alone(wire):
    """A child's answer wiped the index's ETag and Last-Modified (no conditional GET
    on the next poll), replaced its refusal note and its next poll time."""
    cfg, db = wire
    refresh = refresh_of(cfg, db)
    index = Parsed(format="sitemapindex", entries=(), sitemaps=("http://127.0.0.1:9/s1.xml",))
    validators = {"etag": '"v1"', "last_modified": "Sun, 08 Mar 2026 00:00:00 GMT"}
    refresh.feed_parsed(refresh.feeds[0], answer(**validators), index, child=False)
    before = feed_row(db)
    child = entries("one", "two")
    _, pages = refresh.feed_parsed(
        refresh.feeds[0], answer(cache_control="max-age=86400"), child, child=True
    )
    after = feed_row(db)
    assert len(pages) == 2 and after["entries_total"] == 2
    same = ("etag", "last_modified", "body_hash", "next_due", "last_error", "last_success")
    assert {k: after[k] for k in same} == {k: before[k] for k in same}


def test_a_page_failure_is_retried_then_the_feeds_own_text_is_kept(wire):
    cfg, db = wire  # max_article_attempts: 3
    first = refresh_of(cfg, db)
    _, [page] = first.feed_parsed(first.feeds[0], answer(), entries("slow"), child=False)
    first.page_failed(page, FetchFailure(FailureKind.TIMEOUT, "timed out: 30 s"))
    assert entry_states(db)["slow"][:2] == ("pending", 1)
    for attempt in (2, 3):
        later = refresh_of(cfg, db, NOW + timedelta(hours=attempt))
        [page] = later.pages_to_fetch(later.feeds[0])  # a 304 poll asks again
        later.page_failed(page, FetchFailure(FailureKind.TIMEOUT, "timed out: 30 s"))
    assert entry_states(db)["slow"][0] == "done"  # the feed's summary, after the third try
    assert db.execute("SELECT text_method FROM articles").fetchall() == [("feed_summary",)]


@pytest.mark.parametrize(
    "why",
    [
        FetchFailure(FailureKind.ROBOTS, ROBOTS_DISALLOWED),
        FetchFailure(FailureKind.HTTP, "HTTP 404", 404),
        FetchFailure(FailureKind.HTTP, "HTTP 410", 410),
        FetchFailure(FailureKind.BLOCKED, "blocked: 10.0.0.5 is a private address"),
        FetchFailure(FailureKind.TOO_LARGE, "too large: 11 MiB"),
    ],
)
def test_a_refusal_retrying_cannot_change_is_final_at_once(wire, why):
    cfg, db = wire
    refresh = refresh_of(cfg, db)
    _, [page] = refresh.feed_parsed(
        refresh.feeds[0], answer(), entries("gone", summary=""), child=False
    )
    refresh.page_failed(page, why)
    assert entry_states(db)["gone"][:2] == ("failed", 1)
    assert db.execute("SELECT last_error FROM entries").fetchall() == [(why.text,)]


def test_fetch_pages_off_stores_the_feeds_own_text_and_requests_nothing(tmp_path):
    cfg, db = setup(tmp_path, fetch_pages=False)
    refresh = refresh_of(cfg, db)
    _, pages = refresh.feed_parsed(refresh.feeds[0], answer(), entries("inline"), child=False)
    assert pages == []
    assert entry_states(db)["inline"][0] == "done" and refresh.report.new_articles == 1


def test_fetch_pages_off_keeps_a_headline_only_item_as_its_headline(tmp_path):
    cfg, db = setup(tmp_path, fetch_pages=False)
    refresh = refresh_of(cfg, db)
    headlines = Parsed(
        format="rss20",
        entries=(
            Entry("launch", "http://127.0.0.1:9/launch.html", "North Korea fires a missile"),
            Entry("untitled", "http://127.0.0.1:9/untitled.html", "  "),
        ),
    )
    _, pages = refresh.feed_parsed(refresh.feeds[0], answer(), headlines, child=False)
    assert pages == [] and refresh.report.new_articles == 1
    states = entry_states(db)
    assert states["launch"][0] == "done" and states["untitled"][0] == "failed"
    [(text, method)] = db.execute("SELECT text, text_method FROM articles").fetchall()
    assert (text, method) == ("North Korea fires a missile", "feed_title")


def test_with_fetch_pages_on_a_headline_only_item_waits_for_its_page(wire):
    cfg, db = wire
    refresh = refresh_of(cfg, db)
    _, [page] = refresh.feed_parsed(
        refresh.feeds[0], answer(), entries("bare", summary=""), child=False
    )
    assert page.link.endswith("/bare.html") and refresh.report.new_articles == 0


def test_entries_without_a_usable_link_fail_at_once(wire):
    cfg, db = wire
    refresh = refresh_of(cfg, db)
    parsed = Parsed(
        format="rss20",
        entries=(
            Entry("nolink", None, "No link", summary=TEXT),
            Entry("long", "http://127.0.0.1:9/?" + "q=1&" * 600, "Long", summary=TEXT),
        ),
    )
    _, pages = refresh.feed_parsed(refresh.feeds[0], answer(), parsed, child=False)
    assert pages == []
    states = entry_states(db)
    assert states["nolink"][0] == "failed"
    assert states["long"][0] == "done"  # not requestable: the feed's text, at once


def test_a_link_already_stored_is_linked_not_fetched_again(wire):
    cfg, db = wire
    refresh = refresh_of(cfg, db)
    _, [page] = refresh.feed_parsed(refresh.feeds[0], answer(), entries("first"), child=False)
    refresh.page_answered(page, PageAnswer(page.link, 200), Extracted(TEXT))
    same = Parsed(format="rss20", entries=(Entry("second", page.link, "first"),))
    _, pages = refresh.feed_parsed(
        refresh.feeds[0], answer(body=b"<rss>2</rss>"), same, child=False
    )
    assert pages == [] and refresh.report.known == 1
    assert entry_states(db)["second"][2] == entry_states(db)["first"][2]


def test_two_variants_of_one_link_in_one_poll_cost_one_fetch(wire):
    """Variants of one URL were fetched once across polls (the stored article's URL
    identity) but twice within one poll (the waiting list keyed the raw link)."""
    cfg, db = wire
    refresh = refresh_of(cfg, db)
    both = Parsed(
        format="rss20",
        entries=(
            Entry("plain", "http://127.0.0.1:9/a.html", "Locks open", summary=TEXT),
            Entry("amp", "http://127.0.0.1:9/a.html?amp=1", "Locks open", summary=TEXT),
        ),
    )
    _, [page] = refresh.feed_parsed(refresh.feeds[0], answer(), both, child=False)
    refresh.page_answered(page, PageAnswer(page.link, 200), Extracted(TEXT))
    states = entry_states(db)
    assert states["plain"][0] == states["amp"][0] == "done"
    assert states["plain"][2] == states["amp"][2] is not None


def test_an_entry_linked_to_a_stored_article_keeps_no_stale_error(wire):
    """Linking an entry to an article already stored left the error of its failed
    attempt on it: `done`, yet still reporting "timed out"."""
    cfg, db = wire
    refresh = refresh_of(cfg, db)
    _, [page] = refresh.feed_parsed(refresh.feeds[0], answer(), entries("first"), child=False)
    refresh.page_answered(page, PageAnswer(page.link, 200), Extracted(TEXT))
    article_id = entry_states(db)["first"][2]
    store.entries.record_entry_failure(db, page.id, "timed out: 30 s", give_up=False)
    store.entries.link_entry(db, page.id, article_id, page.link)
    row = dict(next(db.query("SELECT state, last_error FROM entries WHERE entry_key = 'first'")))
    assert row == {"state": "done", "last_error": None}


def test_refused_items_are_noted_on_the_feed_and_the_poll_goes_on(wire):
    cfg, db = wire
    refresh = refresh_of(cfg, db)
    parsed = Parsed(
        format="json",
        entries=(
            Entry("refused:1", None, problem="title is an object, not text"),
            Entry("fine", "http://127.0.0.1:9/fine.html", "Fine"),
        ),
    )
    _, pages = refresh.feed_parsed(refresh.feeds[0], answer(), parsed, child=False)
    assert [page.title for page in pages] == ["Fine"]
    assert feed_row(db)["last_error"] == "1 of 2 items refused: title is an object, not text"
    assert refresh.report.item_errors and not refresh.report.feed_errors


def test_a_launch_report_opens_an_event_and_a_retitled_item_is_read_again(wire):
    cfg, db = wire
    refresh = refresh_of(cfg, db)
    _, [page] = refresh.feed_parsed(refresh.feeds[0], answer(), entries("live"), child=False)
    refresh.page_answered(page, PageAnswer(page.link, 200), Extracted(TEXT, title="Locks open"))
    assert refresh.report.new_events == 0
    retitled = Parsed(
        format="rss20",
        entries=(Entry("live", page.link, "North Korea fires two missiles", summary=LAUNCH),),
    )
    later = refresh_of(cfg, db, NOW + timedelta(hours=1))
    later.feed_parsed(later.feeds[0], answer(body=b"<rss>2</rss>"), retitled, child=False)
    assert later.report.new_events == 1
    event = store.events.list_events(db)[0]
    assert event["title"] == "North Korea fires two missiles"


def test_the_robots_cache_keeps_a_hosts_file_for_a_day(wire):
    cfg, db = wire
    refresh = refresh_of(cfg, db)
    refresh.robots.save("http://127.0.0.1:9", b"User-agent: *\nDisallow: /x", 200)
    assert refresh.robots.get("http://127.0.0.1:9").startswith(b"User-agent")
    tomorrow = refresh_of(cfg, db, NOW + timedelta(hours=25))
    assert tomorrow.robots.get("http://127.0.0.1:9") is None  # newsmon's clock decides


def test_keep_html_stores_the_page_compressed(tmp_path):
    cfg_path = write_config(tmp_path, [{"name": "Wire", "feeds": [FEED]}], keep_html=True)
    cfg = config.load(cfg_path)
    db = store.db.open_db(cfg.database)
    store.feeds.sync_outlets(db, cfg, NOW)
    refresh = refresh_of(cfg, db)
    _, [page] = refresh.feed_parsed(refresh.feeds[0], answer(), entries("kept"), child=False)
    refresh.page_answered(page, PageAnswer(page.link, 200, b"<html>page</html>"), Extracted(TEXT))
    assert db.execute("SELECT count(*) FROM article_html").fetchone() == (1,)


def test_a_feed_url_too_long_to_request_and_a_failed_child_sitemap(wire):
    cfg, db = wire
    refresh = refresh_of(cfg, db)
    [feed] = refresh.feeds
    assert refresh.feed_unreachable(feed) is None
    long = type(feed)(**{**feed.__dict__, "url": FEED + "?" + "x" * 2_100})
    assert "2,083" in refresh.feed_unreachable(long)
    refresh.child_failed(feed, "http://127.0.0.1:9/child.xml", "HTTP 404")
    assert refresh.report.page_errors and not refresh.report.feed_errors
    assert feed_row(db)["consecutive_errors"] == 0  # a child's failure is not the feed's


def test_database_trouble_stops_the_poll_and_a_bug_costs_only_its_page(wire):
    import sqlite3

    cfg, db = wire
    refresh = refresh_of(cfg, db)
    _, [page] = refresh.feed_parsed(refresh.feeds[0], answer(), entries("p"), child=False)
    full = sqlite3.OperationalError("database or disk is full")
    assert refresh.callback_failed(page.link, full, entry=page, feed=None) is True
    assert refresh.report.fatal
    bug = KeyError("oops")
    assert refresh.callback_failed(page.link, bug, entry=page, feed=None) is False
    assert entry_states(db)["p"][:2] == ("pending", 1)  # one attempt, retried next time
