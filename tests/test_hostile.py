"""Hostile XML: entity bombs and external entities are neither expanded nor fetched."""

from __future__ import annotations

import contextlib
import json
import resource
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.loopback import LoopbackServer, Reply
from crawler.parse import feeds
from tests.conftest import newsmon, query, write_config


def bomb(root: bytes, body: bytes) -> bytes:
    levels = b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    return (
        b'<?xml version="1.0"?>\n<!DOCTYPE '
        + root
        + b' [<!ENTITY lol "lol">'
        + levels
        + b"]>\n"
        + body
    )


RSS_BOMB = bomb(
    b"rss",
    b'<rss version="2.0"><channel><title>t</title><item><title>&lol9;'
    b"</title><link>http://news.example/a</link></item></channel></rss>",
)
SITEMAP_BOMB = bomb(
    b"urlset",
    b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    b"<url><loc>http://news.example/&lol9;</loc></url></urlset>",
)


def test_an_entity_bomb_in_a_feed_is_not_expanded():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    try:
        parsed = feeds.parse(RSS_BOMB, "http://news.example/feed.xml")
        assert all(len(entry.title or "") < 100 for entry in parsed.entries)
    except feeds.FeedError:
        pass
    assert time.monotonic() - started < 2
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 50_000  # a billion "lol"s would be gigabytes


def test_an_entity_bomb_in_a_sitemap_is_refused():
    with pytest.raises(feeds.FeedError, match=r"amplification|entit"):
        feeds.parse(SITEMAP_BOMB, "http://news.example/sitemap.xml")


@pytest.mark.parametrize("root", [b"rss", b"urlset"])
def test_external_entities_are_neither_read_nor_fetched(server, root):
    server.routes["/evil.dtd"] = Reply(body=b'<!ENTITY stolen "pwned">')
    dtd = server.url("/evil.dtd").encode()
    if root == b"rss":
        body = (
            b'<rss version="2.0"><channel><title>t</title><item><title>&xxe;&ext;</title>'
            b"<link>http://news.example/a</link></item></channel></rss>"
        )
    else:
        body = (
            b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url>'
            b"<loc>http://news.example/&xxe;</loc></url></urlset>"
        )
    document = (
        b'<?xml version="1.0"?>\n<!DOCTYPE ' + root + b' SYSTEM "' + dtd + b'" ['
        b'<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY ext SYSTEM "' + dtd + b'">'
        b"]>\n" + body
    )
    try:
        parsed = feeds.parse(document, "http://news.example/feed.xml")
        for entry in parsed.entries:
            assert "root:" not in (entry.title or "") + (entry.link or "")
            assert "pwned" not in (entry.title or "")
    except feeds.FeedError:
        pass
    assert server.requests == []  # the DTD was never fetched


def test_a_bomb_served_as_a_feed_costs_one_clear_outcome(server, tmp_path):
    server.routes["/bomb.xml"] = Reply.static(RSS_BOMB, "application/rss+xml")
    server.routes["/sitemap.xml"] = Reply.static(SITEMAP_BOMB, "application/xml")
    cfg = write_config(
        tmp_path,
        [
            {
                "name": "Bomb",
                "feeds": [server.url("/bomb.xml")],
                "sitemaps": [server.url("/sitemap.xml")],
                "fetch_pages": False,
            }
        ],
    )
    result = newsmon("run", "--all", config=cfg, timeout=60)
    assert result.returncode == 1  # the sitemap is refused, the run goes on
    assert "malformed sitemap XML" in result.stderr
    titles = [row[0] for row in query(cfg, "SELECT title FROM entries")]
    assert all(len(title or "") < 100 for title in titles)


REAL_FEEDS = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "real-feeds" / "input"


@pytest.mark.skipif(not REAL_FEEDS.is_dir(), reason="../shared/datasets/real-feeds absent")
def test_every_real_feed_goes_through_a_whole_run_without_a_crash(server, tmp_path):
    outlets = []
    for path in sorted(REAL_FEEDS.iterdir()):
        server.routes[f"/{path.name}"] = Reply.static(path.read_bytes(), "application/xml")
        outlets.append(
            {"name": path.name, "feeds": [server.url(f"/{path.name}")], "fetch_pages": False}
        )  # their links point at the real outlets
    cfg = write_config(tmp_path, outlets)
    result = newsmon("run", "--all", config=cfg, timeout=300)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    statuses = query(cfg, "SELECT last_status, last_error FROM feeds")
    assert len(statuses) == len(outlets)
    failed = [error for _, error in statuses if error]
    assert len(failed) <= 2 and all("\n" not in error for error in failed)
    assert query(cfg, "SELECT count(*) FROM articles")[0][0] > 500
    assert query(cfg, "PRAGMA integrity_check") == [("ok",)]


def test_duplicate_guids_future_and_missing_dates_and_hostile_titles(server, tmp_path):
    from datetime import UTC, datetime

    from tests.builders import Item, page, rss

    hostile = "<script>alert(1)</script>\u202eevil\x1b[31m"
    items = [
        Item("First", server.url("/a"), guid="same", published=datetime(2026, 1, 4, tzinfo=UTC)),
        Item("First again", server.url("/b"), guid="same"),
        Item(hostile, server.url("/c"), guid="c", published=datetime(2099, 1, 1, tzinfo=UTC)),
        Item("No date", server.url("/d"), guid="d"),
    ]
    for path in ("/a", "/b", "/d"):
        server.routes[path] = Reply.static(page(f"Page {path}", f"topic {path}"), "text/html")
    server.routes["/c"] = Reply.static(page(hostile, "topic c"), "text/html")
    server.routes["/feed.xml"] = Reply.static(rss(items), "application/rss+xml")
    cfg = write_config(tmp_path, [{"name": "T", "feeds": [server.url("/feed.xml")]}])
    result = newsmon("run", "--all", config=cfg)
    assert result.returncode == 0, result.stderr
    assert query(cfg, "SELECT count(*) FROM entries") == [(3,)]  # one entry per GUID
    assert server.hits("/b") == []
    (stored,) = query(cfg, "SELECT title FROM entries WHERE entry_key = 'c'")[0]
    assert stored == hostile  # kept as data
    # a date a century ahead does not become the story's clock
    future = query(
        cfg,
        """SELECT f.at, a.fetched_at FROM article_features f
                           JOIN articles a ON a.id = f.article_id WHERE a.url LIKE '%/c'""",
    )
    assert future and future[0][0] == future[0][1]
    titles = [title for (title,) in query(cfg, "SELECT title FROM articles")]
    assert any("<script>alert(1)</script>" in title for title in titles)  # data, not markup
    listing = newsmon("articles", config=cfg).stdout  # the terminal never gets them raw
    assert "<script>" in listing and "\u202e" not in listing and "\x1b" not in listing


def test_deeply_nested_and_mislabeled_pages_in_one_run(server, tmp_path):
    """A page nested 50,000 deep yields no text (the parser's depth limit), so the
    feed's own text is kept; pages whose charset label lies are read correctly; a
    placeholder date (year 1, found among the benchmark's real pages) is no instant."""
    from tests.builders import Item, page, rss

    summary = "The valley dam will be repaired over the summer, the council said. " * 8
    deep = b"<html><head><title>Deep</title></head><body>" + b"<div>" * 50_000
    deep += b"<p>hidden</p>" + b"</div>" * 50_000 + b"</body></html>"
    zurich = page("Brücke in Zürich", "the Zürich bridge")
    server.routes["/deep"] = Reply.static(deep, "text/html")
    # labelled utf-8 (header and meta) but written in windows-1252
    server.routes["/cp1252"] = Reply.static(zurich.decode().encode("cp1252"), "text/html")
    # labelled iso-8859-1 in the header but written in UTF-8
    server.routes["/utf8"] = Reply(
        body=zurich.replace(b"Z\xc3\xbcrich", b"Z\xc3\xbcrich!"),
        headers={"Content-Type": "text/html; charset=iso-8859-1"},
    )
    server.routes["/undated"] = Reply.static(
        page("Undated", "an undated story", published="0001-01-01T00:00:00+09:00"), "text/html"
    )
    items = [
        Item("Undated", server.url("/undated")),
        Item("Deep", server.url("/deep"), description=summary),
        Item("Latin", server.url("/cp1252")),
        Item("Unicode", server.url("/utf8")),
    ]
    server.routes["/feed.xml"] = Reply.static(rss(items), "application/rss+xml")
    cfg = write_config(tmp_path, [{"name": "T", "feeds": [server.url("/feed.xml")]}])
    started = time.monotonic()
    result = newsmon("run", "--all", config=cfg)
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 60
    stored = dict(query(cfg, "SELECT fetched_url, text FROM articles"))
    assert stored[server.url("/cp1252")].count("Zürich") >= 3
    assert stored[server.url("/utf8")].count("Zürich!") >= 3
    assert "Ã" not in stored[server.url("/utf8")] and "\ufffd" not in stored[server.url("/cp1252")]
    # a CMS placeholder date is kept as written but never becomes an instant
    assert query(
        cfg, "SELECT published, published_utc FROM articles WHERE url LIKE '%undated'"
    ) == [("0001-01-01T00:00:00+09:00", None)]
    methods = dict(query(cfg, "SELECT url, text_method FROM articles"))
    assert methods[server.url("/deep")].startswith("feed")


# -- one poison item costs only itself ---------------------------------------------

NORMAL_OUTLETS = 30


@contextlib.contextmanager
def normal_outlets(count: int) -> Iterator[list[tuple[dict, str]]]:
    """`count` ordinary outlets, each on a host of its own (127.0.0.2, .3, ...): one feed
    and one page each. Yields (outlet config, page URL) pairs."""
    from tests.builders import Item, page, rss

    with contextlib.ExitStack() as stack:
        outlets = []
        for i in range(count):
            srv = stack.enter_context(LoopbackServer(host=f"127.0.0.{i + 2}"))
            srv.routes["/story"] = Reply.static(
                page(f"Normal story {i}", f"normal matter {i}"), "text/html"
            )
            srv.routes["/feed.xml"] = Reply.static(
                rss([Item(f"Normal story {i}", srv.url("/story"))]), "application/rss+xml"
            )
            outlets.append(
                ({"name": f"normal-{i}", "feeds": [srv.url("/feed.xml")]}, srv.url("/story"))
            )
        yield outlets


def json_feed(items: list[dict]) -> bytes:
    """A JSON Feed; `ensure_ascii` writes a lone surrogate as the escape "\\ud800"."""
    document = {"version": "https://jsonfeed.org/version/1.1", "title": "H", "items": items}
    return json.dumps(document, ensure_ascii=True).encode()


def test_poison_items_cost_only_themselves_and_are_recorded_on_their_feed(server, tmp_path):
    """Titles that are objects, lists, 2 MB of distinct words, numbers past
    SQLite's integers or lone surrogates, and a numeric url, beside 30 ordinary outlets."""
    from tests.builders import page

    body = "The harbour authority said the new pier would open in the spring. " * 8
    words = " ".join(f"w{i}" for i in range(300_000))  # ~2 MB, every word distinct
    server.routes["/fine"] = Reply.static(page("Fine", "an innocent story"), "text/html")
    server.routes["/surrogate"] = Reply.static(page("Surrogate", "the odd title"), "text/html")
    items = [
        {"id": "object", "title": {"a": 1}, "url": server.url("/x1")},
        {"id": "list", "title": ["a", "b"], "url": server.url("/x2")},
        {"id": "number", "title": 2**70, "url": server.url("/x3")},
        {"id": "numeric-url", "title": "A number for a link", "url": 12345},
        {"id": "huge", "title": words, "url": server.url("/gone"), "content_text": body},
        {"id": "surrogate", "title": "Odd \ud800 title", "url": server.url("/surrogate")},
        {"id": "fine", "title": "Innocent", "url": server.url("/fine")},
    ]
    server.routes["/feed.json"] = Reply.static(json_feed(items), "application/feed+json")
    with normal_outlets(NORMAL_OUTLETS) as normal:
        outlets = [outlet for outlet, _ in normal]
        outlets.append({"name": "Hostile", "feeds": [server.url("/feed.json")]})
        cfg = write_config(tmp_path, outlets)
        result = newsmon("run", "--all", config=cfg, timeout=120)
        status = newsmon("status", config=cfg)
    assert "Traceback" not in result.stderr + status.stderr
    assert result.returncode == 0, result.stderr  # item and page errors do not fail a run
    stored = {url for (url,) in query(cfg, "SELECT url FROM articles")}
    assert {story for _, story in normal} <= stored  # every ordinary article, first run
    assert {server.url("/fine"), server.url("/surrogate"), server.url("/gone")} <= stored
    assert query(cfg, "SELECT title FROM entries WHERE entry_key = 'surrogate'") == [
        ("Odd \ufffd title",)
    ]
    titles = dict(query(cfg, "SELECT url, title FROM articles"))
    assert len(titles[server.url("/gone")]) <= 1000  # kept from the feed, cut to size
    refused = dict(query(cfg, "SELECT last_error, state FROM entries WHERE state = 'failed'"))
    assert set(refused) == {
        "title is an object, not text",
        "title is a list, not text",
        "title is a number, not text",
        "link is a number, not text",
    }
    (note, errors), *_ = query(
        cfg, "SELECT last_error, consecutive_errors FROM feeds WHERE url LIKE '%feed.json'"
    )
    assert note.startswith("4 of 7 items refused: ") and errors == 0
    assert "4 items refused" in result.stdout
    assert f"error: item Hostile: {server.url('/feed.json')}: refused: title is an" in (
        result.stderr
    )
    assert "4 of 7 items refused" in status.stdout  # status no longer calls it plainly ok


def test_bad_characters_and_bad_nesting_cost_only_their_feed(server, tmp_path):
    """`&#xD800;` in RSS, a 200,000-deep JSON array; each beside an innocent feed."""
    from tests.builders import Item, page, rss

    feed = rss([Item("Odd &#xD800; here", server.url("/a")), Item("Plain", server.url("/b"))])
    server.routes["/odd.xml"] = Reply.static(
        feed.replace(b"&amp;#xD800;", b"&#xD800;"), "application/rss+xml"
    )
    server.routes["/a"] = Reply.static(page("Odd", "odd characters"), "text/html")
    server.routes["/b"] = Reply.static(page("Plain", "plain characters"), "text/html")
    deep = b'{"version": "https://jsonfeed.org/version/1", "items": [' + b"[" * 200_000
    server.routes["/deep.json"] = Reply.static(
        deep + b"]" * 200_001 + b"}", "application/feed+json"
    )
    cfg = write_config(
        tmp_path,
        [
            {"name": "Odd", "feeds": [server.url("/odd.xml")]},
            {"name": "Deep", "feeds": [server.url("/deep.json")]},
        ],
    )
    result = newsmon("run", "--all", config=cfg)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1  # the deep feed failed, and says so
    assert f"error: feed Deep: {server.url('/deep.json')}: invalid JSON: nested too deeply" in (
        result.stderr
    )
    assert query(cfg, "SELECT count(*) FROM articles") == [(2,)]
    assert query(cfg, "SELECT title FROM entries ORDER BY id") == [
        ("Odd \ufffd here",),
        ("Plain",),
    ]
    feeds = dict(query(cfg, "SELECT url, consecutive_errors FROM feeds"))
    assert feeds == {server.url("/odd.xml"): 0, server.url("/deep.json"): 1}
