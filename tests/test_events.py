"""Events end to end: hand-written reports through the real crawler, one event each."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from crawler import ingest, store
from crawler.config import MonitorConfig
from crawler.loopback import Reply
from monitors import build
from tests.builders import (
    Item,
    add_article,
    add_story_article,
    article_page,
    outlets_database,
    rss,
    story,
)
from tests.conftest import newsmon, query, write_config

pytestmark = pytest.mark.usefixtures("backend")

OUTLETS = {
    "Wire Agency": ["wire", "next-week"],
    "Copy Daily": ["wire-copy", "unrelated"],
    "Peninsula Post": ["reworded", "followup"],
    "Strategy Review": ["analysis"],
}


def publish_all(server) -> list[dict]:
    outlets = []
    for outlet, names in OUTLETS.items():
        slug = outlet.split()[0].lower()
        items = []
        for name in names:
            title, published, paragraphs = story(name)
            path = f"/{slug}/{name}.html"
            server.routes[path] = Reply.static(
                article_page(title, paragraphs, published), "text/html"
            )
            items.append(Item(title, server.url(path), published=datetime.fromisoformat(published)))
        server.routes[f"/{slug}/rss.xml"] = Reply.static(rss(items), "application/rss+xml")
        outlets.append({"name": outlet, "feeds": [server.url(f"/{slug}/rss.xml")]})
    return outlets


def digest(cfg) -> dict:
    result = newsmon("digest", "--format", "json", "--since", "2026-01-01", config=cfg)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def names(event: dict) -> set[str]:
    """The fixture names of an event's articles."""
    return {a["url"].rsplit("/", 1)[1].removesuffix(".html") for a in event["articles"]}


def test_reports_land_where_a_human_would_put_them(server, tmp_path):
    cfg = write_config(tmp_path, publish_all(server))
    with cfg.open("a") as handle:
        handle.write("monitors:\n  - name: launches\n    type: missile_launch\n")
    result = newsmon("run", "--all", config=cfg)
    assert result.returncode == 0, result.stderr
    assert "7 new articles, 2 new events" in result.stdout

    document = digest(cfg)
    events = sorted(document["events"], key=lambda e: e["event_time"])
    assert [len(e["articles"]) for e in events] == [4, 1]
    first, second = events
    # the wire, its verbatim copy, the re-worded report and the next-day follow-up
    assert names(first) == {"wire", "wire-copy", "reworded", "followup"}
    # a different launch a week later, worded almost identically, is another event
    assert names(second) == {"next-week"}
    # 06:20 KST on Sunday 8 March is 21:20 UTC on the 7th
    assert first["event_time_start"] <= "2026-03-07T21:20:00Z" <= first["event_time_end"]
    assert second["event_time_start"] <= "2026-03-14T21:40:00Z" <= second["event_time_end"]
    assert first["outlet_count"] == 3
    assert first["facts"]["distance_km"] == 450
    assert "Hwasong-11" in first["facts"]["missile_types"]  # added by the follow-up
    copies = {a["url"].rsplit("/", 1)[1]: a for a in first["articles"]}
    assert copies["wire-copy.html"]["copy_of"] == copies["wire.html"]["id"]
    assert copies["wire-copy.html"]["copy_relation"] in ("exact", "near")
    assert copies["wire.html"]["copy_of"] is None
    for event in events:  # the documented schema
        assert {"id", "monitor", "title", "event_time", "first_seen", "facts", "articles"} <= set(
            event
        )
        for article in event["articles"]:
            assert {"url", "outlet", "title", "published"} <= set(article)

    before = digest(cfg)["events"]
    again = newsmon("reprocess", config=cfg)
    assert again.returncode == 0 and "7 articles" in again.stdout
    assert digest(cfg)["events"] == before  # the same result as the original run
    stories = {
        url.rsplit("/", 1)[1]: story_id
        for url, story_id in query(cfg, "SELECT url, story_id FROM articles")
    }
    assert stories["wire-copy.html"] == stories["wire.html"]  # a copy shares the wire's story
    assert stories["next-week.html"] != stories["wire.html"]


def test_an_amp_or_tracked_variant_of_a_stored_article_is_not_fetched_again(server, tmp_path):
    title, published, paragraphs = story("unrelated")
    server.routes["/markets/close.html"] = Reply.static(
        article_page(title, paragraphs, published), "text/html"
    )
    server.routes["/markets/close.html/amp"] = server.routes["/markets/close.html"]
    server.routes["/a.xml"] = Reply.static(
        rss([Item(title, server.url("/markets/close.html"))]), "application/rss+xml"
    )
    server.routes["/b.xml"] = Reply.static(
        rss([Item(title, server.url("/markets/close.html/amp?utm_source=x"))]),
        "application/rss+xml",
    )
    cfg = write_config(tmp_path, [{"name": "A", "feeds": [server.url("/a.xml")]}])
    newsmon("run", "--all", config=cfg)
    cfg = write_config(
        tmp_path,
        [
            {"name": "A", "feeds": [server.url("/a.xml")]},
            {"name": "B", "feeds": [server.url("/b.xml")]},
        ],
    )
    result = newsmon("run", "--all", config=cfg)
    assert "0 new articles" in result.stdout
    assert server.hits("/markets/close.html/amp") == []
    assert query(cfg, "SELECT count(*) FROM articles") == [(1,)]
    assert query(cfg, "SELECT state, article_id FROM entries ORDER BY id") == [
        ("done", 1),
        ("done", 1),
    ]


def test_event_and_events_commands(server, tmp_path):
    cfg = write_config(tmp_path, publish_all(server))
    with cfg.open("a") as handle:
        handle.write("monitors:\n  - name: launches\n    type: missile_launch\n")
    newsmon("run", "--all", config=cfg)
    listing = newsmon("events", "--monitor", "launches", config=cfg)
    assert listing.returncode == 0 and listing.stdout.count("launches") == 2
    other = newsmon("events", "--monitor", "other", config=cfg)  # no such monitor: a typo
    assert other.returncode == 2 and "known: launches" in other.stderr and not other.stdout
    listed = json.loads(newsmon("events", "--json", config=cfg).stdout)
    event_id = max(listed, key=lambda e: e["article_count"])["id"]
    shown = newsmon("event", str(event_id), config=cfg)
    assert shown.returncode == 0
    assert "sources:" in shown.stdout and "Copy Daily" in shown.stdout
    missing = newsmon("event", "999", config=cfg)
    assert missing.returncode == 1 and "no event with id 999" in missing.stderr
    later = newsmon("events", "--since", "2100-01-01", config=cfg)
    assert later.stdout == "(no events since 2100-01-01 00:00 UTC)\n"


def test_a_bad_monitor_block_is_a_config_error_before_any_fetch(server, tmp_path):
    cfg = write_config(tmp_path, [{"name": "A", "feeds": [server.url("/a.xml")]}])
    with cfg.open("a") as handle:
        handle.write("monitors:\n  - name: quakes\n    type: earthquake_detector\n")
    result = newsmon("run", "--all", config=cfg)
    assert result.returncode == 2
    assert "monitors[0] (quakes): unknown monitor type 'earthquake_detector'" in result.stderr
    assert server.requests == []


# -- grouping on a real SQLite file, in-process (issue #10) ---------------------------

MONITORS = [build(MonitorConfig("launches", "missile_launch"))]
LIST_SUMMARY = "{lead}\xa0\xa0Google News{second}\xa0\xa0Other Outlet{third}\xa0\xa0Third Outlet"


@pytest.fixture
def db(tmp_path):
    """A wire (feed 1) and an aggregator (feed 2), as a first crawl leaves them."""
    _, database = outlets_database(tmp_path, "Wire", "Aggregator")
    yield database
    database.close()


def members(db, event_id: int) -> dict[str, str]:
    """article URL tail -> role"""
    return {m["url"].rsplit("/", 1)[1]: m["role"] for m in store.events.event_members(db, event_id)}


def only_event(db) -> dict:
    rows = store.events.list_events(db)
    assert len(rows) == 1, [r["title"] for r in rows]
    return rows[0]


def test_next_day_state_media_accounts_join_the_launch_they_describe(db):
    """Their only time word ("today") dates the account, not the launch."""
    add_story_article(db, "wire", MONITORS)
    add_story_article(db, "confirm-today", MONITORS)
    add_story_article(db, "test-launches", MONITORS)
    event = only_event(db)
    assert members(db, event["id"]) == {
        "wire": "first report",
        "confirm-today": "confirmation",
        "test-launches": "confirmation",
    }
    # the wire's "6:20 a.m." stays the event's time: later accounts never move it
    assert event["precision"] == "minute"
    assert event["time_start"] <= "2026-03-07T21:20:00Z" <= event["time_end"]
    assert "hypersonic" in event["facts"]["missile_types"]


def test_vague_reports_never_shift_or_widen_a_sharp_time(db):
    add_story_article(db, "wire", MONITORS)
    before = only_event(db)
    add_article(
        db,
        "summary-only",
        "North Korea fires missiles as allies hold air drills",
        "2026-03-08T11:00:00+09:00",
        "North Korea fired missiles on Sunday, officials said.",
        MONITORS,
    )
    after = only_event(db)
    assert (after["time_start"], after["time_end"], after["precision"]) == (
        before["time_start"],
        before["time_end"],
        before["precision"],
    )
    assert after["article_count"] == 2


def test_a_report_that_fits_two_events_joins_the_better_reported_one(db):
    """A misdated copy opened a second event the next morning; a vague report published
    after it, whose time and title fit both, belongs to the launch outlets cover."""
    add_story_article(db, "wire", MONITORS)
    add_story_article(db, "reworded", MONITORS, feed_id=2)
    add_article(
        db,
        "misdated",
        "N. Korea fires ballistic missile: coast guard",
        "2026-03-09T10:00:00+09:00",
        "North Korea fired a ballistic missile on Monday morning, Japan's coast guard said.",
        MONITORS,
    )
    assert len(store.events.list_events(db)) == 2
    add_article(
        db,
        "vague",
        "Defence ministry urges a return to dialogue",
        "2026-03-09T15:00:00+09:00",
        "North Korea launched ballistic missiles, Seoul's defence ministry said, urging "
        "Pyongyang to return to talks.",
        MONITORS,
    )
    by_member = {
        name: event["id"]
        for event in store.events.list_events(db)
        for name in members(db, event["id"])
    }
    assert by_member["vague"] == by_member["wire"] != by_member["misdated"]


def test_a_headline_list_never_opens_an_event(db):
    """An aggregator's list led by another story, with one launch headline in it."""
    summary = LIST_SUMMARY.format(
        lead="Nuclear submarine arms race heats up",
        second="North Korea fires two ballistic missiles",
        third="Allies hold talks",
    )
    add_article(
        db,
        "agg-1",
        "Nuclear submarine arms race heats up - Google News",
        "2026-03-08T08:30:00+09:00",
        summary.replace("\xa0\xa0", " "),
        MONITORS,
        feed_id=2,
        summary=summary,
    )
    assert store.events.list_events(db) == []


def test_a_list_led_by_a_launch_headline_waits_for_a_report_then_joins(db):
    summary = LIST_SUMMARY.format(
        lead="N. Korea launches 2 missiles toward sea",
        second="Submarine news",
        third="Talks",
    )
    add_article(
        db,
        "agg-2",
        "N. Korea launches 2 missiles toward sea - Google News",
        "2026-03-08T07:50:00+09:00",
        summary.replace("\xa0\xa0", " "),
        MONITORS,
        feed_id=2,
        summary=summary,
    )
    assert store.events.list_events(db) == []  # held: a list opens nothing
    add_story_article(db, "wire", MONITORS)
    event = only_event(db)
    assert members(db, event["id"]) == {"agg-2": "listed", "wire": "first report"}
    assert (
        event["title"] == "North Korea fires two ballistic missiles off its east coast, Seoul says"
    )


def test_a_held_list_never_joins_an_event_about_another_launcher(db):
    """The held list's facts were checked against the new event before the event had
    any (its facts are filled by the refresh after): an Iranian launch took in a list
    about North Korea's and was then relabelled North Korea's."""
    watching = [
        build(MonitorConfig("launches", "missile_launch", {"actors": ["North Korea", "Iran"]}))
    ]
    summary = LIST_SUMMARY.format(
        lead="N. Korea launches 2 missiles toward sea", second="Submarine news", third="Talks"
    )
    add_article(
        db,
        "agg-nk",
        "N. Korea launches 2 missiles toward sea - Google News",
        "2026-03-08T07:50:00+09:00",
        summary.replace("\xa0\xa0", " "),
        watching,
        feed_id=2,
        summary=summary,
    )
    add_article(
        db,
        "iran",
        "Iran fires two ballistic missiles in a drill, state media says",
        "2026-03-08T08:10:00+09:00",
        "Iran fired two ballistic missiles early Sunday in a military drill, state media said.",
        watching,
    )
    event = only_event(db)
    assert members(db, event["id"]) == {"iran": "first report"}
    assert event["facts"]["actor"] == "Iran"


def test_an_outlet_marked_aggregator_is_read_as_a_list(db):
    add_story_article(db, "wire", MONITORS)
    add_article(
        db,
        "agg-3",
        "Analysts weigh Seoul's options - Aggregator",
        "2026-03-08T09:00:00+09:00",
        "North Korea fired two ballistic missiles off its east coast early Sunday, "
        "South Korea's military said.",
        MONITORS,
        feed_id=2,
        aggregators=frozenset({"Aggregator"}),
    )
    assert members(db, only_event(db)["id"]) == {"wire": "first report"}


def test_reprocess_rebuilds_roles_held_lists_and_times(db):
    summary = LIST_SUMMARY.format(lead="N. Korea launches 2 missiles", second="x", third="y")
    add_article(
        db,
        "agg-4",
        "N. Korea launches 2 missiles - Google News",
        "2026-03-08T07:50:00+09:00",
        summary,
        MONITORS,
        feed_id=2,
        summary=summary,
    )
    for name in ("wire", "confirm-today", "next-week"):
        add_story_article(db, name, MONITORS)
    before = [(e, members(db, e["id"])) for e in store.events.list_events(db)]
    ingest.reprocess(db, MONITORS)
    after = [(e, members(db, e["id"])) for e in store.events.list_events(db)]
    strip = lambda rows: [  # noqa: E731
        ({k: v for k, v in e.items() if not k.endswith("_seq")}, m) for e, m in rows
    ]
    assert strip(after) == strip(before)
    assert len(after) == 2


def test_a_live_story_retitled_to_report_the_launch_joins_it(db):
    """Bloomberg kept one URL for "North Korea May Have Up to 120 Nuclear Warheads" and
    retitled it "North Korea Fires Missiles After Dismissing Trump Overtures"."""
    url = "https://news.example/live/korea"
    add_article(
        db,
        "live-v1",
        "North Korea may have up to 120 nuclear warheads, Seoul says",
        "2026-03-08T06:00:00+09:00",
        "North Korea may possess as many as 120 nuclear weapons, the defence minister said.",
        MONITORS,
        link=url,
    )
    assert store.events.list_events(db) == []
    add_story_article(db, "wire", MONITORS)
    add_article(
        db,
        "live-v2",
        "North Korea fires missiles after dismissing Trump overtures",
        "2026-03-08T09:00:00+09:00",
        "North Korea fired a barrage of short-range ballistic missiles on Sunday.",
        MONITORS,
        link=url,
    )
    event = only_event(db)
    roles = {m["title"]: m["role"] for m in store.events.event_members(db, event["id"])}
    assert roles["North Korea fires missiles after dismissing Trump overtures"] == "report"
    # the same headline again is not read twice, and reprocess replays the revision
    before = members(db, event["id"])
    ingest.reprocess(db, MONITORS)
    assert (
        members(db, only_event(db)["id"]) == before == {"wire": "first report", "korea": "report"}
    )


def test_a_retitled_page_speaks_from_its_new_headline_for_facts_as_for_roles(db):
    """A page first published days before the launch and retitled to report it ranks
    after the wire both as "first report" and when two values of a fact tie (the tie
    went to the page's old publication time while the roles used the new headline's)."""
    url = "https://news.example/live/korea"
    add_article(
        db,
        "live-v1",
        "North Korea may have up to 120 nuclear warheads, Seoul says",
        "2026-03-05T06:00:00+09:00",
        "North Korea may possess as many as 120 nuclear weapons, the defence minister said.",
        MONITORS,
        link=url,
    )
    add_story_article(db, "wire", MONITORS)
    add_article(
        db,
        "live-v2",
        "North Korea fires two ballistic missiles, they flew about 500 km",
        "2026-03-08T09:00:00+09:00",
        "North Korea fired two ballistic missiles on Sunday that flew about 500 km.",
        MONITORS,
        link=url,
    )
    event = only_event(db)
    assert members(db, event["id"]) == {"wire": "first report", "korea": "report"}
    assert event["facts"]["distance_km"] == 450  # the first report's, not the old page's


def test_a_feed_item_retitled_between_polls_is_read_again(server, tmp_path):
    """The same guid, a new headline: the page is not fetched again, the headline is read."""
    title, published, paragraphs = story("unrelated")
    server.routes["/live.html"] = Reply.static(
        article_page(title, paragraphs, published), "text/html"
    )
    item = Item(title, server.url("/live.html"), guid="live-1", published=datetime(2026, 3, 8))
    server.routes["/rss.xml"] = Reply.static(rss([item]), "application/rss+xml")
    cfg = write_config(tmp_path, [{"name": "Live", "feeds": [server.url("/rss.xml")]}])
    with cfg.open("a") as handle:
        handle.write("monitors:\n  - name: launches\n    type: missile_launch\n")
    first = newsmon("run", "--all", "--now", "2026-03-08T01:00:00Z", config=cfg)
    assert "0 new events" in first.stdout, first.stderr
    retitled = Item(
        "North Korea fires two ballistic missiles toward sea",
        server.url("/live.html"),
        guid="live-1",
        published=datetime(2026, 3, 8),
        description="North Korea fired two ballistic missiles on Sunday, Seoul said.",
    )
    server.routes["/rss.xml"] = Reply.static(rss([retitled]), "application/rss+xml")
    second = newsmon("run", "--all", "--now", "2026-03-08T02:00:00Z", config=cfg)
    assert "1 new event," in second.stdout, second.stderr
    assert len(server.hits("/live.html")) == 1  # read from the feed, not fetched again
    shown = json.loads(newsmon("event", "1", "--json", config=cfg).stdout)
    assert [a["title"] for a in shown["articles"]] == [retitled.title]
    assert shown["facts"]["count"] == 2
