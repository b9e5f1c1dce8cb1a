"""The crawler end to end: the real CLI, a real loopback server, a real SQLite file."""

from __future__ import annotations

import gzip
import threading
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from crawler.lock import poll_lock
from crawler.loopback import Reply, Seen
from tests.builders import Item, page, rss
from tests.conftest import newsmon, query, write_config

T0 = datetime(2026, 1, 4, 1, 0, tzinfo=UTC)
ROBOTS_ALLOW = Reply(
    body=b"User-agent: *\nDisallow: /private/\n", headers={"Content-Type": "text/plain"}
)


def publish(server, path: str, items: list[Item], **headers: str) -> None:
    reply = Reply.static(rss(items), "application/rss+xml")
    reply.headers.update(headers)
    server.routes[path] = reply


def add_page(server, path: str, topic: str, **kw) -> None:
    server.routes[path] = Reply.static(page(f"Story about {topic}", topic, **kw), "text/html")


def test_first_poll_stores_articles_then_a_304_costs_one_request(server, tmp_path):
    server.routes["/robots.txt"] = ROBOTS_ALLOW
    publish(
        server,
        "/feed.xml",
        [
            Item("Dam repairs", server.url("/a"), guid="g-a", published=T0),
            Item("Harbour dredging", server.url("/b?utm_source=rss&utm_medium=feed"), guid="g-b"),
        ],
    )
    add_page(server, "/a", "dam repairs")
    add_page(server, "/b", "harbour dredging", canonical=server.url("/b"))
    cfg = write_config(tmp_path, [{"name": "Test", "feeds": [server.url("/feed.xml")]}])

    first = newsmon("run", "--all", config=cfg)
    assert first.returncode == 0, first.stderr
    assert "2 new articles" in first.stdout
    urls = {row[0] for row in query(cfg, "SELECT url FROM articles")}
    assert urls == {server.url("/a"), server.url("/b")}  # tracking parameters gone
    assert all("newsmon" in seen.headers["User-Agent"] for seen in server.requests)

    second = newsmon("run", "--all", config=cfg)
    assert second.returncode == 0, second.stderr
    assert "1 not modified" in second.stdout and "0 new articles" in second.stdout
    feed_hits = server.hits("/feed.xml")
    assert len(feed_hits) == 2
    assert feed_hits[1].headers.get("If-None-Match", "").startswith('"')
    assert feed_hits[1].headers.get("If-Modified-Since")
    assert len(server.hits("/robots.txt")) == 1  # cached in the database for a day
    # pages are requested by their canonical link: no tracking parameters sent
    assert len(server.hits("/a")) == len(server.hits("/b")) == 1
    assert query(cfg, "SELECT count(*) FROM articles") == [(2,)]
    assert query(cfg, "SELECT last_status, consecutive_errors FROM feeds") == [(304, 0)]


def test_only_new_entries_are_fetched_and_a_retitled_entry_is_the_same(server, tmp_path):
    publish(
        server,
        "/feed.xml",
        [
            Item("Dam repairs", server.url("/a"), guid="g-a"),
            Item("Harbour dredging", server.url("/b")),
        ],
    )
    for path, topic in (("/a", "dam repairs"), ("/b", "harbour dredging"), ("/c", "bridge")):
        add_page(server, path, topic)
    cfg = write_config(tmp_path, [{"name": "Test", "feeds": [server.url("/feed.xml")]}])
    assert newsmon("run", "--all", config=cfg).returncode == 0

    publish(
        server,
        "/feed.xml",
        [
            Item("Dam repairs finished early", server.url("/a?x=1"), guid="g-a"),
            Item("Harbour dredging", server.url("/b")),
            Item("Bridge reopens", server.url("/c")),
        ],
    )
    result = newsmon("run", "--all", config=cfg)
    assert "1 new entry, 1 new article" in result.stdout, result.stdout
    assert [len(server.hits(p)) for p in ("/a", "/b", "/c")] == [1, 1, 1]
    assert query(cfg, "SELECT title FROM entries WHERE entry_key = 'g-a'") == [
        ("Dam repairs finished early",)
    ]
    assert query(cfg, "SELECT count(*) FROM entries") == [(3,)]


def test_an_unchanged_body_without_validators_is_not_parsed_again(server, tmp_path):
    body = rss([Item("Dam repairs", server.url("/a"))])
    server.routes["/feed.xml"] = Reply(body=body, headers={"Content-Type": "application/rss+xml"})
    add_page(server, "/a", "dam repairs")
    cfg = write_config(tmp_path, [{"name": "T", "feeds": [server.url("/feed.xml")]}])
    newsmon("run", "--all", config=cfg)
    result = newsmon("run", "--all", config=cfg)
    assert "1 unchanged" in result.stdout, result.stdout
    assert not server.hits("/feed.xml")[1].headers.get("If-None-Match")


def test_ignore_validators_for_servers_that_answer_304_wrongly(server, tmp_path):
    publish(server, "/feed.xml", [Item("Dam repairs", server.url("/a"))])
    add_page(server, "/a", "dam repairs")
    cfg = write_config(
        tmp_path,
        [{"name": "T", "feeds": [{"url": server.url("/feed.xml"), "ignore_validators": True}]}],
    )
    newsmon("run", "--all", config=cfg)
    result = newsmon("run", "--all", config=cfg)
    second = server.hits("/feed.xml")[1]
    assert "If-None-Match" not in second.headers and "If-Modified-Since" not in second.headers
    assert "1 unchanged" in result.stdout  # the body hash still saves the parse


def test_each_failure_is_recorded_against_its_own_feed_and_the_rest_completes(server, tmp_path):
    server.routes["/robots.txt"] = ROBOTS_ALLOW
    publish(server, "/good.xml", [Item("Dam repairs", server.url("/good"))])
    add_page(server, "/good", "dam repairs")
    server.routes["/500.xml"] = Reply(500, b"oops", {"Content-Type": "text/plain"})
    server.routes["/html.xml"] = Reply(
        body=b"<!DOCTYPE html><html><body>home</body></html>", headers={"Content-Type": "text/html"}
    )
    server.routes["/broken.xml"] = Reply(body=b"<rss><channel><item><title>cut off")
    publish(server, "/slow.xml", [Item("Slow", server.url("/slow"))])
    server.routes["/slow"] = Reply(body=page("Slow", "slow"), delay=3.0)
    publish(server, "/big.xml", [Item("Big", server.url("/big"))])
    server.routes["/big"] = Reply(body=page("Big", "big", paragraphs=400), gzip=False)
    publish(
        server,
        "/blocked.xml",
        [Item("Blocked", server.url("/private/x"), description="What the feed itself says.")],
    )
    add_page(server, "/private/x", "secret")
    outlets = [
        {"name": n, "feeds": [server.url(f"/{n}.xml")]}
        for n in ("good", "500", "html", "broken", "slow", "big", "blocked")
    ]
    outlets.append({"name": "refused", "feeds": ["http://127.0.0.1:9/feed.xml"]})
    cfg = write_config(tmp_path, outlets, timeout="1s", max_bytes="64KB")

    result = newsmon("run", "--all", config=cfg)
    assert result.returncode == 1
    assert "4 feed errors" in result.stdout
    assert f"error: feed 500: {server.url('/500.xml')}: HTTP 500" in result.stderr
    assert "html.xml: the response is an HTML page, not a feed" in result.stderr
    assert "broken.xml: malformed feed with no readable entries" in result.stderr
    assert "refused: http://127.0.0.1:9/feed.xml: connection refused" in result.stderr
    feeds = dict(query(cfg, "SELECT url, consecutive_errors FROM feeds"))
    assert feeds[server.url("/500.xml")] == 1 and feeds[server.url("/good.xml")] == 0
    assert query(cfg, "SELECT url FROM articles WHERE text_method = 'trafilatura'") == [
        (server.url("/good"),)
    ]
    errors = dict(query(cfg, "SELECT link, last_error FROM entries WHERE last_error IS NOT NULL"))
    assert "timed out" in errors[server.url("/slow")]
    assert "too large" in errors[server.url("/big")]
    assert server.hits("/private/x") == []  # robots.txt obeyed
    blocked = query(
        cfg, "SELECT text, text_method FROM articles WHERE url = ?", (server.url("/private/x"),)
    )
    assert blocked == [("What the feed itself says.", "feed_summary")]
    logged = query(
        cfg, "SELECT status, error FROM fetches WHERE url = ?", (server.url("/500.xml"),)
    )
    assert logged == [(500, "HTTP 500")]


def test_a_failing_feed_backs_off_and_recovers(server, tmp_path):
    server.routes["/feed.xml"] = Reply(500, b"down", {"Content-Type": "text/plain"})
    cfg = write_config(
        tmp_path, [{"name": "T", "feeds": [server.url("/feed.xml")], "interval": "10m"}]
    )
    now = "2026-01-04T01:00:00Z"
    assert newsmon("run", "--now", now, config=cfg).returncode == 1
    assert query(cfg, "SELECT consecutive_errors, next_due FROM feeds") == [
        (1, "2026-01-04T01:20:00Z")
    ]  # twice the interval
    idle = newsmon("run", "--now", "2026-01-04T01:15:00Z", "--tz", "Asia/Seoul", config=cfg)
    assert idle.returncode == 0, idle.stderr
    lines = idle.stdout.splitlines()
    assert lines[0].startswith("polled 0 feeds")
    assert lines[1] == (
        f"nothing was due: the next poll is due 2026-01-04 10:20 KST (in 5 min), "
        f"T {server.url('/feed.xml')}"
    )
    assert "in backoff after failed polls: 1 of 1 feed;" in lines[2]
    assert "(1 failure in a row;" in lines[2]
    assert lines[3] == "  `newsmon run --all` polls every feed now"

    publish(server, "/feed.xml", [Item("Dam repairs", server.url("/a"))])
    add_page(server, "/a", "dam repairs")
    result = newsmon("run", config=cfg, env={"NEWSMON_NOW": "2026-01-04T01:20:00Z"})
    assert result.returncode == 0, result.stderr
    assert query(cfg, "SELECT consecutive_errors, last_error, next_due FROM feeds") == [
        (0, None, "2026-01-04T01:30:00Z")
    ]


def test_a_permanent_redirect_updates_the_stored_feed_url(server, tmp_path):
    server.routes["/old.xml"] = Reply(301, headers={"Location": server.url("/new.xml")})
    publish(server, "/new.xml", [Item("Dam repairs", server.url("/a"))])
    add_page(server, "/a", "dam repairs")
    cfg = write_config(tmp_path, [{"name": "T", "feeds": [server.url("/old.xml")]}])
    assert newsmon("run", "--all", config=cfg).returncode == 0
    assert query(cfg, "SELECT config_url, url FROM feeds") == [
        (server.url("/old.xml"), server.url("/new.xml"))
    ]
    newsmon("run", "--all", config=cfg)
    assert len(server.hits("/old.xml")) == 1 and len(server.hits("/new.xml")) == 2


def test_a_temporary_redirect_does_not(server, tmp_path):
    server.routes["/feed.xml"] = Reply(302, headers={"Location": server.url("/today.xml")})
    publish(server, "/today.xml", [])
    cfg = write_config(tmp_path, [{"name": "T", "feeds": [server.url("/feed.xml")]}])
    newsmon("run", "--all", config=cfg)
    assert query(cfg, "SELECT url FROM feeds") == [(server.url("/feed.xml"),)]


def test_retry_after_on_429_is_honoured_and_not_retried(server, tmp_path):
    server.routes["/feed.xml"] = Reply(429, b"slow down", {"Retry-After": "7200"})
    cfg = write_config(tmp_path, [{"name": "T", "feeds": [server.url("/feed.xml")]}], retries=2)
    result = newsmon("run", "--now", "2026-01-04T01:00:00Z", config=cfg)
    assert result.returncode == 1 and "HTTP 429" in result.stderr
    assert len(server.hits("/feed.xml")) == 1
    assert query(cfg, "SELECT next_due FROM feeds") == [("2026-01-04T03:00:00Z",)]


def test_retries_wait_longer_each_time(server, tmp_path):
    answers = iter([Reply(503, b"busy"), Reply(503, b"busy")])
    good = Reply.static(rss([]), "application/rss+xml")
    server.routes["/feed.xml"] = lambda seen: next(answers, good)
    cfg = write_config(
        tmp_path,
        [{"name": "T", "feeds": [server.url("/feed.xml")]}],
        retries=2,
        retry_backoff="0.4s",
    )
    result = newsmon("run", "--all", config=cfg)
    assert result.returncode == 0, result.stderr
    times = [seen.at for seen in server.hits("/feed.xml")]
    assert len(times) == 3
    assert times[1] - times[0] >= 0.4 and times[2] - times[1] >= 0.8


def test_news_sitemap_index_and_gzipped_children(server, tmp_path):
    server.routes["/sitemap.xml"] = Reply.static(
        b"""<?xml version="1.0"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>/news-1.xml.gz</loc></sitemap></sitemapindex>""",
        "application/xml",
    )
    child = f"""<?xml version="1.0"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>{server.url("/a")}</loc><news:news><news:title>Dam repairs</news:title>
<news:publication_date>2026-01-04T10:00:00+09:00</news:publication_date></news:news></url>
</urlset>""".encode()
    server.routes["/news-1.xml.gz"] = Reply(
        body=gzip.compress(child), gzip=False, headers={"Content-Type": "application/gzip"}
    )
    add_page(server, "/a", "dam repairs", published="2026-01-04")
    cfg = write_config(tmp_path, [{"name": "T", "sitemaps": [server.url("/sitemap.xml")]}])
    result = newsmon("run", "--all", config=cfg)
    assert result.returncode == 0, result.stderr
    assert query(cfg, "SELECT url, published, published_utc FROM articles") == [
        (server.url("/a"), "2026-01-04T10:00:00+09:00", "2026-01-04T01:00:00Z")
    ]


def test_a_page_that_keeps_failing_is_kept_from_the_feed_after_the_last_attempt(server, tmp_path):
    publish(server, "/feed.xml", [Item("Dam", server.url("/a"), content="<p>Feed text.</p>")])
    server.routes["/a"] = Reply(500, b"broken")
    cfg = write_config(
        tmp_path, [{"name": "T", "feeds": [server.url("/feed.xml")]}], max_article_attempts=2
    )
    first = newsmon("run", "--all", config=cfg)
    assert first.returncode == 0 and first.stdout.rstrip().endswith("1 page error")
    assert "error: page " + server.url("/a") + ": HTTP 500" in first.stderr
    assert query(cfg, "SELECT state, attempts FROM entries") == [("pending", 1)]
    # not due for 15 minutes, but it holds a pending entry: polled (304) and the page retried
    newsmon("run", config=cfg)
    assert len(server.hits("/a")) == 2
    assert query(cfg, "SELECT text, text_method FROM articles") == [("Feed text.", "feed_content")]
    assert query(cfg, "SELECT state FROM entries") == [("done",)]


def test_keep_html_stores_the_compressed_page(server, tmp_path):
    publish(server, "/feed.xml", [Item("Dam", server.url("/a"))])
    add_page(server, "/a", "dam repairs")
    cfg = write_config(
        tmp_path, [{"name": "T", "feeds": [server.url("/feed.xml")]}], keep_html=True
    )
    newsmon("run", "--all", config=cfg)
    (blob,) = query(cfg, "SELECT html_gz FROM article_html")[0]
    assert gzip.decompress(blob) == server.routes["/a"].body


def test_due_feeds_and_outlet_selection(server, tmp_path):
    publish(server, "/one.xml", [])
    publish(server, "/two.xml", [])
    cfg = write_config(
        tmp_path,
        [
            {"name": "One", "feeds": [server.url("/one.xml")], "interval": "15m"},
            {"name": "Two", "feeds": [server.url("/two.xml")], "interval": "1h"},
        ],
    )
    assert "polled 2 feeds" in newsmon("run", "--now", "2026-01-04T00:00:00Z", config=cfg).stdout
    assert "polled 0 feeds" in newsmon("run", "--now", "2026-01-04T00:10:00Z", config=cfg).stdout
    assert "polled 1 feed:" in newsmon("run", "--now", "2026-01-04T00:16:00Z", config=cfg).stdout
    result = newsmon("run", "--outlet", "two", "--now", "2026-01-04T00:17:00Z", config=cfg)
    assert "polled 1 feed:" in result.stdout
    assert len(server.hits("/two.xml")) == 2
    unknown = newsmon("run", "--outlet", "Three", config=cfg)
    assert unknown.returncode == 2 and "no outlet named 'Three'" in unknown.stderr


def test_a_second_run_exits_at_once_while_the_lock_is_held(server, tmp_path):
    publish(server, "/feed.xml", [])
    cfg = write_config(tmp_path, [{"name": "T", "feeds": [server.url("/feed.xml")]}])
    with poll_lock(tmp_path / "newsmon.db"):
        result = newsmon("run", "--all", config=cfg, timeout=20)
    assert result.returncode == 3
    assert "another newsmon process" in result.stderr and "newsmon.db.lock" in result.stderr
    assert server.requests == []
    assert newsmon("run", "--all", config=cfg).returncode == 0  # released


def test_two_runs_at_once_do_no_double_work(server, tmp_path):
    publish(server, "/feed.xml", [Item("Dam", server.url("/a"))])
    server.routes["/a"] = Reply.static(page("Dam", "dam"), "text/html")
    server.routes["/a"].delay = 1.0
    cfg = write_config(tmp_path, [{"name": "T", "feeds": [server.url("/feed.xml")]}])
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(newsmon("run", "--all", config=cfg)))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.returncode for r in results) == [0, 3]
    assert len(server.hits("/a")) == 1
    assert query(cfg, "SELECT count(*) FROM articles") == [(1,)]


def test_bad_config_exits_2_before_any_network_io(server, tmp_path):
    cfg = write_config(
        tmp_path, [{"name": "T", "feeds": [server.url("/feed.xml")], "interval": "often"}]
    )
    result = newsmon("run", "--all", config=cfg)
    assert result.returncode == 2
    assert "outlets[0].interval: 'often' is not a duration" in result.stderr
    assert "Traceback" not in result.stderr
    assert server.requests == []
    assert not (tmp_path / "newsmon.db").exists()


def _seen(seen: Seen) -> None:  # keeps the import used for type readers
    del seen


def test_next_due_is_judged_by_the_injected_clock(server, tmp_path):
    publish(server, "/feed.xml", [])
    cfg = write_config(
        tmp_path, [{"name": "T", "feeds": [server.url("/feed.xml")], "interval": "30m"}]
    )
    newsmon("run", "--now", "2026-01-04T09:00:00+09:00", config=cfg)
    due = datetime.fromisoformat(
        query(cfg, "SELECT next_due FROM feeds")[0][0].replace("Z", "+00:00")
    )
    assert due == datetime(2026, 1, 4, 0, 30, tzinfo=UTC) == T0 - timedelta(minutes=30)


def test_database_trouble_fails_the_run_loudly_and_loses_nothing(server, tmp_path):
    publish(server, "/feed.xml", [])
    cfg = write_config(tmp_path, [{"name": "T", "feeds": [server.url("/feed.xml")]}])
    assert newsmon("run", "--all", config=cfg).returncode == 0
    # A real SQLite failure at the worst moment: while an article is being stored.
    query(
        cfg,
        """CREATE TRIGGER fail_insert BEFORE INSERT ON articles
                  BEGIN SELECT RAISE(ABORT, 'simulated disk I/O error'); END""",
    )
    publish(server, "/feed.xml", [Item("Dam", server.url("/a")), Item("Bridge", server.url("/b"))])
    add_page(server, "/a", "dam repairs")
    add_page(server, "/b", "bridge")
    failed = newsmon("run", "--all", config=cfg)
    assert failed.returncode == 1
    assert "database error while storing" in failed.stderr
    assert "simulated disk I/O error" in failed.stderr
    assert query(cfg, "SELECT count(*) FROM articles") == [(0,)]
    assert query(cfg, "SELECT state FROM entries") == [("pending",), ("pending",)]

    query(cfg, "DROP TRIGGER fail_insert")
    healed = newsmon("run", "--all", config=cfg)
    assert healed.returncode == 0, healed.stderr
    assert "2 new articles" in healed.stdout
    assert query(cfg, "PRAGMA integrity_check") == [("ok",)]


def test_per_host_concurrency_holds_even_without_a_delay(server, tmp_path):
    """Scrapy 2.19 alone would send all four at once when DOWNLOAD_DELAY is 0."""
    items = []
    for i in range(4):
        reply = Reply.static(page(f"Story {i}", f"topic {i}"), "text/html")
        reply.delay = 0.4
        server.routes[f"/p{i}"] = reply
        items.append(Item(f"Story {i}", server.url(f"/p{i}")))
    publish(server, "/feed.xml", items)
    cfg = write_config(
        tmp_path,
        [{"name": "T", "feeds": [server.url("/feed.xml")]}],
        per_host_concurrency=1,
        per_host_delay="0s",
    )
    assert newsmon("run", "--all", config=cfg).returncode == 0
    starts = sorted(seen.at for seen in server.requests if seen.path.startswith("/p"))
    assert len(starts) == 4
    assert all(later - earlier >= 0.35 for earlier, later in pairwise(starts))


def test_a_page_over_max_bytes_once_decompressed_is_final_after_one_request(server, tmp_path):
    """Small on the wire, past max_bytes unpacked: one request, and the feed's own text."""
    publish(server, "/feed.xml", [Item("Bomb", server.url("/bomb"), description="Feed text.")])
    server.routes["/bomb"] = Reply(body=page("Bomb", "big", paragraphs=400), gzip=True)
    cfg = write_config(
        tmp_path,
        [{"name": "Wire", "feeds": [server.url("/feed.xml")]}],
        max_bytes="64KB",
        retries=2,
        retry_backoff="0s",
    )
    newsmon("run", "--all", config=cfg)
    assert len(server.hits("/bomb")) == 1
    [(error,)] = query(cfg, "SELECT error FROM fetches WHERE url = ?", (server.url("/bomb"),))
    assert error.startswith("too large")
    stored = query(cfg, "SELECT text_method FROM articles WHERE url = ?", (server.url("/bomb"),))
    assert stored == [("feed_summary",)]
