"""`newsmon check`: one feed and one article through the real pipeline, nothing stored."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from crawler.loopback import Reply
from tests.builders import Item, page, rss
from tests.conftest import FAST_FETCH, newsmon


def setup(tmp_path: Path, **extra: object) -> Path:
    path = tmp_path / "config.yaml"
    document = {
        "database": "newsmon.db",
        "allow_private_networks": True,
        "fetch": FAST_FETCH,
        "monitors": [{"name": "storms", "type": "keywords", "include": ["inspectors"]}],
        **extra,
    }
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def json_feed(base: str) -> bytes:
    items = [
        {"id": "1", "url": f"{base}/a/1.html", "title": {"oops": "an object"}},
        {"id": "2", "url": f"{base}/a/2.html", "title": "Inspectors return to the dam",
         "date_published": "2026-01-04T09:00:00+09:00"},
        {"id": "3", "url": f"{base}/gone.html", "title": "A page that went away",
         "summary": "Only the feed still says what happened at the harbour on Sunday."},
    ]  # fmt: skip
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Dam Watch",
        "language": "en",
        "items": items,
    }
    return json.dumps(document).encode()


def serve(server) -> None:
    server.routes["/feed.json"] = Reply.static(json_feed(server.base_url), "application/feed+json")
    server.routes["/a/2.html"] = Reply.static(
        page("Inspectors return to the dam", "the flood"), "text/html"
    )


def test_check_shows_the_feed_the_article_and_the_monitors_and_stores_nothing(server, tmp_path):
    serve(server)
    cfg = setup(tmp_path)
    result = newsmon("check", server.url("/feed.json"), config=cfg)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "format: json  title: Dam Watch  language: en" in out
    assert "entries: 2  refused: 1" in out
    assert "entry 1 refused: title is an object, not text" in out
    assert "entry 2: Inspectors return to the dam" in out  # the first readable one
    assert "  title: Inspectors return to the dam" in out
    assert "  text_method: trafilatura" in out and "  language: en" in out
    assert "  | The regional authority said on day 0" in out
    assert "monitors: 1 monitor matched" in out and "storms: storms, report" in out
    window = next(line for line in out.splitlines() if line.startswith("  storms:"))
    assert window.count(" UTC") == 2, window  # the matched time, its zone named
    seoul = newsmon("check", server.url("/feed.json"), "--tz", "Asia/Seoul", config=cfg).stdout
    assert next(line for line in seoul.splitlines() if "storms:" in line).count(" KST") == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.yaml"]  # no database

    as_json = newsmon("check", server.url("/feed.json"), "--json", config=cfg)
    report = json.loads(as_json.stdout)
    assert report["format"] == "json" and report["entry_count"] == 2
    assert report["refused"] == [{"entry": 1, "problem": "title is an object, not text"}]
    assert report["article"]["word_count"] > 100
    assert report["article"]["published"] == "2026-01-04T09:00:00+09:00"
    assert [m["monitor"] for m in report["monitors"]] == ["storms"]
    assert report["monitors"][0]["facts"] == {"terms": ["inspectors"]}


def test_a_page_that_fails_shows_the_feeds_own_text_as_a_poll_keeps_it(server, tmp_path):
    serve(server)
    cfg = setup(tmp_path)
    result = newsmon("check", server.url("/feed.json"), "--entry", "3", "--json", config=cfg)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["page"]["error"] == "HTTP 404" and report["page"]["fallback"] == "at once"
    assert report["article"]["text_method"] == "feed_summary"
    assert report["article"]["text_lines"] == [
        "Only the feed still says what happened at the harbour on Sunday."
    ]
    assert report["monitors"] == []

    refused = newsmon("check", server.url("/feed.json"), "--entry", "1", config=cfg)
    assert refused.returncode == 0
    assert "refused: title is an object, not text" in refused.stdout
    beyond = newsmon("check", server.url("/feed.json"), "--entry", "4", config=cfg)
    assert beyond.returncode == 2 and "the feed has 3 entries" in beyond.stderr


def test_a_feed_that_cannot_be_fetched_or_parsed_is_exit_1(server, tmp_path):
    cfg = setup(tmp_path)
    missing = newsmon("check", server.url("/nope.xml"), config=cfg)
    assert missing.returncode == 1
    assert missing.stderr.strip() == f"Error: {server.url('/nope.xml')}: HTTP 404"
    server.routes["/page.html"] = Reply.static(page("Not a feed", "x"), "text/html")
    html = newsmon("check", server.url("/page.html"), config=cfg)
    assert html.returncode == 1 and "the response is an HTML page, not a feed" in html.stderr
    closed = newsmon("check", server.url("/page.html"), config=setup(tmp_path, **{
        "allow_private_networks": False}))  # fmt: skip
    assert closed.returncode == 1 and "blocked: 127.0.0.1" in closed.stderr
    assert not (tmp_path / "newsmon.db").exists()


def test_a_sitemap_index_is_checked_through_its_first_child(server, tmp_path):
    base = server.base_url
    server.routes["/index.xml"] = Reply.static(
        f"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
        <sitemap><loc>{base}/day.xml</loc></sitemap></sitemapindex>""".encode(),
        "application/xml",
    )
    server.routes["/day.xml"] = Reply.static(
        f"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
        <url><loc>{base}/a/2.html</loc><lastmod>2026-01-04</lastmod></url></urlset>""".encode(),
        "application/xml",
    )
    server.routes["/a/2.html"] = Reply.static(page("Inspectors at the dam", "x"), "text/html")
    items = [Item("One", server.url("/a/2.html"))]
    server.routes["/rss.xml"] = Reply.static(rss(items), "application/rss+xml")
    result = newsmon("check", server.url("/index.xml"), config=setup(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "format: sitemapindex" in result.stdout and "sitemaps: 1" in result.stdout
    assert f"first child sitemap {base}/day.xml" in result.stdout
    assert "article " + server.url("/a/2.html") in result.stdout


def test_nothing_a_feed_sends_can_steer_the_terminal(server, tmp_path):
    """The feed is one nobody has vetted yet: escape sequences and bidi overrides in its
    titles and text reach the screen as nothing."""
    hostile = "Inspectors \x1b[2J\x1b]0;owned\x07return \u202eto the dam"
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Dam \x1b[31mWatch\u202e",
        "items": [
            {"id": "1", "url": server.url("/gone.html"), "title": hostile,
             "content_text": f"{hostile}. The flood inspectors came back on Sunday."},
        ],
    }  # fmt: skip
    server.routes["/feed.json"] = Reply.static(
        json.dumps(document).encode(), "application/feed+json"
    )
    result = newsmon("check", server.url("/feed.json"), config=setup(tmp_path))
    assert "Inspectors" in result.stdout, result.stderr
    for unsafe in ("\x1b", "\x07", "\u202e"):
        assert unsafe not in result.stdout
