"""Events end to end: hand-written reports through the real crawler, one event each."""

from __future__ import annotations

import json
from datetime import datetime

from crawler.loopback import Reply
from tests.builders import Item, article_page, rss, story
from tests.conftest import newsmon, query, write_config

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
    assert "launches" not in newsmon("events", "--monitor", "other", config=cfg).stdout
    listed = json.loads(newsmon("events", "--json", config=cfg).stdout)
    event_id = max(listed, key=lambda e: e["article_count"])["id"]
    shown = newsmon("event", str(event_id), config=cfg)
    assert shown.returncode == 0
    assert "sources:" in shown.stdout and "Copy Daily" in shown.stdout
    missing = newsmon("event", "999", config=cfg)
    assert missing.returncode == 1 and "no event with id 999" in missing.stderr
    later = newsmon("events", "--since", "2100-01-01", config=cfg)
    assert "(none)" in later.stdout


def test_a_bad_monitor_block_is_a_config_error_before_any_fetch(server, tmp_path):
    cfg = write_config(tmp_path, [{"name": "A", "feeds": [server.url("/a.xml")]}])
    with cfg.open("a") as handle:
        handle.write("monitors:\n  - name: quakes\n    type: earthquake_detector\n")
    result = newsmon("run", "--all", config=cfg)
    assert result.returncode == 2
    assert "monitors[0] (quakes): unknown monitor type 'earthquake_detector'" in result.stderr
    assert server.requests == []
