"""`newsmon add`: finding a site's feed on a real loopback site, through the real CLI."""

from __future__ import annotations

import re
import time
from pathlib import Path

import yaml

from crawler import config, discover
from crawler.loopback import Reply
from tests.builders import Item, page, rss
from tests.conftest import FAST_FETCH, newsmon, query

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Desk</title><id>urn:x</id>
<updated>2026-01-04T00:00:00Z</updated>
<entry><title>Atom story</title><id>urn:x:1</id><link href="{base}/a/1.html"/>
<updated>2026-01-04T00:00:00Z</updated></entry></feed>"""

NEWS_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>{base}/a/1.html</loc><news:news><news:publication><news:name>Desk</news:name>
<news:language>en</news:language></news:publication>
<news:publication_date>2026-01-04T00:00:00Z</news:publication_date>
<news:title>Sitemap story</news:title></news:news></url></urlset>"""


def home(*links: str, title: str = "Example Desk") -> Reply:
    head = "".join(links)
    body = f"<html><head><title>{title}</title>{head}</head><body><p>hi</p></body></html>"
    return Reply.static(body.encode(), "text/html; charset=utf-8")


def alternate(href: str, kind: str = "application/rss+xml", title: str = "") -> str:
    return f'<link rel="alternate" type="{kind}" title="{title}" href="{href}">'


def setup(tmp_path: Path, private: bool = True) -> Path:
    path = tmp_path / "config.yaml"
    text = yaml.safe_dump(
        {"database": "newsmon.db", "allow_private_networks": private, "fetch": FAST_FETCH}
    )
    path.write_text("# the desk's config\n" + text, encoding="utf-8")
    return path


def test_the_feed_a_page_advertises_is_added_and_then_polled(server, tmp_path):
    items = [Item(f"Story {i}", server.url(f"/a/{i}.html"), guid=f"s{i}") for i in range(2)]
    server.routes["/"] = home(
        alternate("/comments/feed", title="Comments Feed"),
        alternate("/empty.xml"),
        alternate("/news.xml", title="Main"),
    )
    server.routes["/comments/feed"] = Reply.static(rss(items, "Comments"), "application/rss+xml")
    server.routes["/empty.xml"] = Reply.static(rss([], "Nothing"), "application/rss+xml")
    server.routes["/news.xml"] = Reply.static(rss(items, "Example News"), "application/rss+xml")
    for i in range(2):
        server.routes[f"/a/{i}.html"] = Reply.static(page(f"Story {i}", "x"), "text/html")
    cfg = setup(tmp_path)

    dry = newsmon("add", server.url("/"), "--dry-run", config=cfg)
    assert dry.returncode == 0, dry.stderr
    assert "would add 1 outlet (1 feed)" in dry.stdout and not (tmp_path / "outlets.yaml").exists()

    result = newsmon("add", server.url("/"), "--interval", "20m", config=cfg)
    assert result.returncode == 0, result.stderr
    assert "rss20 feed without readable entries" in result.stdout  # /empty.xml, tried first
    assert f"+ Example News: {server.url('/news.xml')}" in result.stdout
    assert "/comments/feed" not in result.stdout  # comment feeds only after every other one
    (outlet,) = config.load(cfg).outlets
    assert outlet.name == "Example News" and outlet.interval.total_seconds() == 1200
    assert [s.url for s in outlet.sources] == [server.url("/news.xml")]
    assert all(seen.headers["User-Agent"].startswith("newsmon/") for seen in server.requests)

    polled = newsmon("run", config=cfg)
    assert polled.returncode == 0, polled.stderr
    assert query(cfg, "SELECT count(*) FROM articles")[0][0] == 2

    again = newsmon("add", server.url("/news.xml"), config=cfg)
    assert again.returncode == 0 and "already configured (outlet 'Example News')" in again.stdout
    taken = newsmon("add", server.url("/comments/feed"), "--name", "example news", config=cfg)
    assert taken.returncode == 2 and "an outlet named 'example news' exists" in taken.stderr


def test_usual_paths_then_robots_txt_news_sitemaps(server, tmp_path):
    cfg = setup(tmp_path)
    server.routes["/"] = home()  # advertises nothing
    base = server.base_url
    server.routes["/atom.xml"] = Reply.static(
        ATOM.format(base=base).encode(), "application/atom+xml"
    )
    found = newsmon("add", server.url("/"), config=cfg)
    assert found.returncode == 0, found.stderr
    assert "tried " + server.url("/rss.xml") + " (a usual path): HTTP 404" in found.stdout
    assert "+ Atom Desk: " + server.url("/atom.xml") in found.stdout

    other = tmp_path / "other"
    other.mkdir()
    cfg = setup(other)
    del server.routes["/atom.xml"]
    server.routes["/robots.txt"] = Reply.static(
        b"User-agent: *\nAllow: /\nSitemap: /sitemap-index.xml\n"
        b"Sitemap: " + server.url("/maps/news-today.xml").encode() + b"\n",
        "text/plain",
    )
    server.routes["/maps/news-today.xml"] = Reply.static(
        NEWS_SITEMAP.format(base=base).encode(), "application/xml"
    )
    result = newsmon("add", server.url("/"), "--name", "Desk", config=cfg)
    assert result.returncode == 0, result.stderr
    assert "(robots.txt Sitemap:): news sitemap, 1 entries" in result.stdout
    assert not server.hits("/sitemap-index.xml")  # not named as news
    (outlet,) = config.load(cfg).outlets
    assert [(s.kind, s.url) for s in outlet.sources] == [
        ("sitemap", server.url("/maps/news-today.xml"))
    ]


def test_nothing_that_works_is_exit_1_with_every_try_listed(server, tmp_path):
    cfg = setup(tmp_path)
    server.routes["/"] = home(alternate("/blocked.xml"), alternate("/page.xml"))
    server.routes["/robots.txt"] = Reply.static(b"User-agent: *\nDisallow: /blocked", "text/plain")
    server.routes["/blocked.xml"] = Reply.static(rss([Item("x", "http://x/")]), "application/xml")
    server.routes["/page.xml"] = home()  # HTML where a feed was promised
    result = newsmon("add", server.url("/"), config=cfg)
    assert result.returncode == 1
    assert "disallowed by robots.txt" in result.stdout
    assert "the response is an HTML page, not a feed" in result.stdout
    assert result.stdout.count("(a usual path)") == 10
    assert "no feed or news sitemap with entries found" in result.stderr
    assert not server.hits("/blocked.xml")  # robots.txt obeyed
    assert not (tmp_path / "outlets.yaml").exists()
    assert "outlets_file" not in (tmp_path / "config.yaml").read_text(encoding="utf-8")


def test_a_hostile_page_is_bounded_and_private_networks_stay_closed(server, tmp_path):
    links = "".join(alternate(f"/f{i}.xml") for i in range(500))
    server.routes["/"] = home(links)
    result = newsmon("add", server.url("/"), config=setup(tmp_path))
    assert result.returncode == 1
    assert result.stdout.count("(advertised by the page)") == 20  # MAX_LINKS
    assert len([s for s in server.requests if re.fullmatch(r"/f\d+\.xml", s.path)]) == 20

    closed = tmp_path / "closed"
    closed.mkdir()
    before = len(server.requests)
    refused = newsmon("add", server.url("/"), config=setup(closed, private=False))
    assert refused.returncode == 1
    assert "blocked: 127.0.0.1 is a private, loopback or link-local address" in refused.stdout
    assert len(server.requests) == before


def test_a_trickling_site_stops_add_within_its_time_limit(server, tmp_path):
    """Every usual path answers one byte every half second, each to the edge of its
    timeout: `add` stops after 4 x fetch.timeout with a clear message."""
    path = tmp_path / "config.yaml"
    fetch = {**FAST_FETCH, "timeout": "2s"}
    path.write_text(
        yaml.safe_dump({"database": "newsmon.db", "allow_private_networks": True, "fetch": fetch}),
        encoding="utf-8",
    )
    server.routes["/"] = home()
    slow = Reply(200, b"<rss>" + b" " * 1000, {"Content-Type": "application/xml"}, fault="trickle")
    for usual in (*discover.COMMON_PATHS, "/robots.txt"):
        server.routes[usual] = slow
    started = time.monotonic()
    result = newsmon("add", server.url("/"), config=path)
    took = time.monotonic() - started
    assert result.returncode == 1
    assert "stopped after 8s (4 times fetch.timeout)" in result.stderr
    assert "Traceback" not in result.stderr
    assert took < 30
    assert not (tmp_path / "outlets.yaml").exists()
