"""The web view for daily work: search, filters, paging, charts, stored text, one time
zone, retired feeds, and what a visitor may ask of Datasette.

Two real `newsmon serve` processes on loopback: the demo's database with its hostile
rows (tests/test_web.py's `site`, default settings), and a copy of it with 130 more
events, one of them found only through a member article's text, served with
`display.timezone: Asia/Seoul`, visitors' SQL turned on with a short time limit, and one
failing feed removed from config.yaml (retired, though no `run` has marked it so yet).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import urlopen
from zoneinfo import ZoneInfo

import pytest
import yaml

from crawler import config, store
from crawler.clock import isoformat
from crawler.report.web import filters
from crawler.store.browse import EventQuery
from crawler.store.db import open_db
from crawler.store.feeds import state_counts
from tests.conftest import newsmon, write_config
from tests.test_serve import free_port, stop
from tests.test_web import DB, Site, load, rows, site, start_serve  # noqa: F401

BULK = 130  # events beside the demo's: two pages of the events page
BULK_MONITOR = "bulk-watch"
NEEDLE = "zeppelinquartz"  # only in one member article's text
# 2026-02-10 16:30 UTC is 11 February, 01:30 in Seoul: a date filter must use Seoul's day.
LATE_EVENT_AT = "2026-02-10T16:30:00Z"
RECURSIVE = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
ATTACKERS = 6
PAGE_BOUND_S = 2.0  # the events page answers within this while the attackers run


@dataclass(frozen=True)
class Desk:
    base: str
    database: Path
    needle_event: int
    late_event: int


def add_bulk_events(path: Path) -> tuple[int, int]:
    """BULK events, one a day back from 5 February; the needle article joins one of them.
    Returns (the needle's event, the late event)."""
    with closing(sqlite3.connect(path)) as conn, conn:
        ids = []
        for n in range(BULK):
            day = f"2026-02-{5 - n % 5:02d}T0{n % 10}:00:00Z"
            ids.append(
                conn.execute(
                    """INSERT INTO events (monitor, kind, title, time_start, time_end, precision,
                                           time_point, first_seen, last_updated,
                                           article_count, outlet_count)
                       VALUES (?, 'keywords', ?, ?, ?, 'minute', ?, ?, ?, 0, 0)""",
                    [BULK_MONITOR, f"Bulk event {n}", day, day, day, NOW_FIRST, f"{day}"],
                ).lastrowid
            )
        late = conn.execute(
            """INSERT INTO events (monitor, kind, title, time_start, time_end, precision,
                                   time_point, first_seen, last_updated, article_count,
                                   outlet_count)
               VALUES (?, 'keywords', 'Late event', ?, ?, 'minute', ?, ?, ?, 0, 0)""",
            [BULK_MONITOR, LATE_EVENT_AT, LATE_EVENT_AT, LATE_EVENT_AT, NOW_FIRST, NOW_FIRST],
        ).lastrowid
        outlet = conn.execute("SELECT id FROM outlets ORDER BY id LIMIT 1").fetchone()[0]
        article = conn.execute(
            """INSERT INTO articles (url, outlet_id, title, published, published_utc, language,
                                     text, text_method, text_hash, word_count, fetched_at)
               VALUES ('https://needle.example/1', ?, 'A plain headline', '2026-02-03T01:00:00Z',
                       '2026-02-03T01:00:00Z', 'en', ?, 'trafilatura', 'needle', 3, ?)""",
            [outlet, f"First paragraph.\nThe {NEEDLE} was seen.", NOW_FIRST],
        ).lastrowid
        conn.execute(
            """INSERT INTO event_articles (event_id, article_id, monitor, facts, matched_at, role)
               VALUES (?, ?, ?, '{}', ?, 'first report')""",
            [ids[7], article, BULK_MONITOR, NOW_FIRST],
        )
    return ids[7], late


NOW_FIRST = "2026-01-28T00:00:00Z"


def seoul_config(demo_config: Path, target: Path) -> Path:
    """The demo's config in Seoul time, visitors' SQL on, Tokyo's sitemap removed."""
    data = yaml.safe_load(demo_config.read_text(encoding="utf-8"))
    data["display"] = {"timezone": "Asia/Seoul"}
    data["web"] = {"allow_sql": True, "sql_time_limit_ms": 200}
    for outlet in data["outlets"]:
        outlet.pop("sitemaps", None)
    path = target / "config.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def desk(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:  # noqa: F811
    directory = tmp_path_factory.mktemp("desk")
    database = directory / "newsmon.db"
    with (
        closing(sqlite3.connect(site.database)) as source,
        closing(sqlite3.connect(database)) as copy,
    ):
        source.backup(copy)
    needle, late = add_bulk_events(database)
    cfg = seoul_config(site.database.parent / "config.yaml", directory)
    proc, base = start_serve(directory, cfg)
    try:
        yield Desk(base, database, needle, late)
    finally:
        stop(proc)


def titles(base: str, query: dict[str, str]) -> list[str]:
    page = load(base, f"/?{urlencode(query)}")
    return [e.find_all("h2")[0].text() for e in page.root.find_all("article", "newsmon-event")]


def test_events_page_finds_by_outlet(site: Site) -> None:  # noqa: F811
    expected = rows(
        site.database,
        """SELECT DISTINCT e.title FROM events e JOIN event_articles ea ON ea.event_id = e.id
           JOIN articles a ON a.id = ea.article_id JOIN outlets o ON o.id = a.outlet_id
           WHERE o.name = 'Pacific Monitor'""",
    )
    found = titles(site.base, {"outlet": "pacific monitor"})
    assert sorted(found) == sorted(row["title"] for row in expected) and found
    assert len(found) < len(rows(site.database, "SELECT id FROM events"))


def test_events_page_finds_words_in_member_text(desk: Desk) -> None:
    assert titles(desk.base, {"q": NEEDLE}) == ["Bulk event 7"]
    assert titles(desk.base, {"q": "bulk EVENT 99"}) == ["Bulk event 99"]
    assert titles(desk.base, {"q": "100%_"}) == []  # LIKE's wildcards are text
    page = load(desk.base, f"/?q={NEEDLE}&monitor=missile-launches")
    assert "No event matches" in page.text()


def test_date_filter_uses_the_display_zone_days(desk: Desk) -> None:
    assert titles(desk.base, {"from": "2026-02-11", "to": "2026-02-11"}) == ["Late event"]
    assert "Late event" not in titles(desk.base, {"from": "2026-02-10", "to": "2026-02-10"})
    swapped = load(desk.base, "/?from=2026-02-11&to=2026-02-01")
    assert "wrong way round" in swapped.text()
    bad = load(desk.base, "/?from=yesterday")
    assert "'yesterday' is no date" in bad.text()


def test_events_page_pages_past_the_latest_hundred(desk: Desk) -> None:
    stored = [
        row["id"]
        for row in rows(desk.database, "SELECT id FROM events ORDER BY last_updated DESC, id DESC")
    ]
    assert len(stored) > 100
    shown = []
    page_number = 1
    while True:
        page = load(desk.base, f"/?page={page_number}")
        ids = [int(e.attrs["id"].split("-")[1]) for e in page.root.find_all("article")]
        shown += ids
        older = [href for text, href in page.root.links() if text == "Older →"]
        if not older:
            break
        assert older[0] == f"/?page={page_number + 1}"
        page_number += 1
    assert shown == stored
    assert page_number == 2
    assert f"Events 101–{len(stored)} of {len(stored)}" in load(desk.base, "/?page=2").text()
    assert "No events on this page" in load(desk.base, "/?page=99").text()
    filtered = load(desk.base, f"/?monitor={BULK_MONITOR}&page=2")
    assert ("← Newer", f"/?monitor={BULK_MONITOR}") in filtered.root.links()


def test_chart_counts_events_and_reports_per_day(desk: Desk) -> None:
    page = load(desk.base, f"/?monitor={BULK_MONITOR}&from=2026-02-01&to=2026-02-11")
    chart = page.root.find_all("svg", "newsmon-events-chart")[0]
    tips = [t.text() for t in chart.find_all("title")]
    assert len(tips) == 11  # one bar per day asked for
    per_day = {tip.split(": ")[0]: int(tip.split(": ")[1].split()[0]) for tip in tips}
    assert per_day["2026-02-11"] == 1  # the late event, on Seoul's day
    assert sum(per_day.values()) == BULK + 1
    # each bulk event at T0n:00Z is 09:00-18:00 in Seoul: the same date as in UTC
    assert per_day["2026-02-05"] == BULK // 5
    reports = page.root.find_all("svg", "newsmon-reports-chart")[0]
    counts = {t.text() for t in reports.find_all("title")}
    assert "2026-02-03: 1 report" in counts
    assert "<script" not in page.html.split("<svg", 1)[1].split("</figure>", 1)[0]


def test_activity_page_charts_each_outlet(site: Site) -> None:  # noqa: F811
    page = load(site.base, "/-/activity?from=2025-12-01&to=2026-01-31")
    table = page.root.find_all("table", "newsmon-activity")[0]
    shown = {}
    for row in table.find_all("tbody")[0].find_all("tr"):
        cells = row.find_all("td")
        outlet = row.find_all("th")[0].find_all("a")[0].text()
        shown[outlet] = (int(cells[1].text()), int(cells[2].text()))
        assert len(row.find_all("rect")) == 62
    stored = rows(
        site.database,
        """SELECT o.name, count(*) AS n,
                  sum(a.id IN (SELECT article_id FROM event_articles)) AS in_events
           FROM articles a JOIN outlets o ON o.id = a.outlet_id
           WHERE coalesce(a.published_utc, a.fetched_at) >= '2025-12-01'
             AND coalesce(a.published_utc, a.fetched_at) < '2026-02-01'
           GROUP BY o.name""",
    )
    assert shown == {row["name"]: (row["n"], row["in_events"]) for row in stored}


def test_each_source_links_to_its_stored_text(site: Site) -> None:  # noqa: F811
    event = rows(site.database, "SELECT * FROM events ORDER BY article_count DESC LIMIT 1")[0]
    page = load(site.base, f"/-/event/{event['id']}")
    links = [href for text, href in page.root.links() if text == "stored text"]
    members = rows(
        site.database, "SELECT article_id FROM event_articles WHERE event_id = ?", (event["id"],)
    )
    assert sorted(links) == sorted(f"/-/article/{m['article_id']}" for m in members)
    article = rows(
        site.database, "SELECT * FROM articles WHERE id = ?", (int(links[0].rsplit("/", 1)[1]),)
    )[0]
    text_page = load(site.base, links[0])
    assert text_page.root.find_all("h1")[0].text() == article["title"]
    paragraphs = [p.text() for p in text_page.root.find_all("div", "newsmon-text")[0].find_all("p")]
    assert paragraphs == [" ".join(p.split()) for p in article["text"].split("\n") if p.strip()]
    assert (event["title"], f"/-/event/{event['id']}") in text_page.root.links()
    with pytest.raises(HTTPError) as caught:
        urlopen(f"{site.base}/-/article/999999", timeout=10)
    caught.value.close()
    assert caught.value.code == 404


def test_times_are_shown_in_the_display_zone(desk: Desk) -> None:
    launch = rows(desk.database, "SELECT id FROM events ORDER BY article_count DESC LIMIT 1")[0]
    page = load(desk.base, f"/-/event/{launch['id']}")
    assert page.root.find_all("p", "newsmon-when")[0].text() == "2026-01-04 07:50 KST (minute)"
    assert "UTC" not in page.root.find_all("table", "newsmon-sources")[0].text()
    assert "Times in Asia/Seoul (KST)" in page.root.find_all("p", "newsmon-zone")[0].text()
    feeds = load(desk.base, "/-/feeds")
    assert "Times in KST; now 2026-01-28 09:10 KST" in feeds.text()
    assert "2026-01-28 09:00 KST" in feeds.text()


def test_banner_leaves_out_a_feed_removed_from_config(desk: Desk) -> None:
    failing = rows(desk.database, "SELECT config_url FROM feeds WHERE consecutive_errors >= 3")
    assert [r["config_url"] for r in failing] == [
        r["config_url"]
        for r in rows(
            desk.database, "SELECT config_url FROM feeds WHERE config_url LIKE '%sitemap%'"
        )
    ]
    page = load(desk.base, "/")
    nav = dict(page.root.find_all("p", "newsmon-nav")[0].links())
    assert "Feed health" in nav  # no "1 failing": the failing feed left config.yaml
    assert not page.root.find_all("p", "newsmon-alert")
    table = load(desk.base, "/-/feeds").root.find_all("table", "newsmon-feeds")[0]
    states = {
        row.find_all("td")[2].text().split(" (")[0]: row.find_all("td")[0].text()
        for row in table.find_all("tbody")[0].find_all("tr")
    }
    assert states[failing[0]["config_url"]] == "inactive"


def test_state_counts_judge_feeds_against_config(tmp_path: Path) -> None:
    db = open_db(tmp_path / "n.db")
    db.execute("INSERT INTO outlets (id, name) VALUES (1, 'W')")
    db.execute(
        """INSERT INTO feeds (outlet_id, config_url, url, kind, interval_s, next_due,
                              consecutive_errors, last_polled)
           VALUES (1, 'https://w.example/a', 'https://w.example/a', 'feed', 60, '', 5, 'x'),
                  (1, 'https://w.example/b', 'https://w.example/b', 'feed', 60, '', 0, 'x')"""
    )
    assert state_counts(db)["failing"] == 1
    judged = state_counts(db, {"https://w.example/b", "https://w.example/c"})
    assert (judged["failing"], judged["inactive"], judged["ok"], judged["new"]) == (0, 1, 1, 1)
    assert judged["total"] == 3


def forbidden(base: str, path: str) -> int:
    try:
        with urlopen(f"{base}{path}", timeout=10) as answer:
            return answer.status
    except HTTPError as exc:
        exc.close()
        return exc.code


def test_visitors_sql_is_refused_by_default(site: Site) -> None:  # noqa: F811
    query = urlencode({"sql": "select 1"})
    assert forbidden(site.base, f"/{DB}?{query}") == 403
    assert forbidden(site.base, f"/{DB}.json?{query}") == 403
    assert forbidden(site.base, f"/{DB}/events?_where=1%3D1") == 403
    assert forbidden(site.base, f"/{DB}.db") == 403  # nor the whole file
    assert forbidden(site.base, f"/{DB}/latest_events.json") == 200  # canned queries stay


def test_every_datasette_page_sends_the_security_headers(site: Site) -> None:  # noqa: F811
    paths = (
        f"/{DB}",
        f"/{DB}/events",
        f"/{DB}/events/{site.hostile_event}",
        f"/{DB}/latest_events",
        f"/{DB}/events.json",
        "/-/metadata.json",
        "/-/activity",
        f"/{DB}/no_such_table",
        f"/{DB}?sql=select+1",
    )
    for path in paths:
        try:
            answer = urlopen(f"{site.base}{path}", timeout=10)
        except HTTPError as exc:
            answer = exc
        with answer:
            policy = answer.headers.get("Content-Security-Policy") or ""
            assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy, path
            assert answer.headers["X-Content-Type-Options"] == "nosniff", path
            assert len(answer.headers.get_all("Content-Security-Policy")) == 1, path


def test_table_pages_keep_their_column_menus_under_the_policy(site: Site) -> None:  # noqa: F811
    """The flag Datasette sets inline (blocked) comes from a script of newsmon's own."""
    page = load(site.base, f"/{DB}/events")
    scripts = [node.attrs.get("src", "") for node in page.root.find_all("script")]
    ours = next(src for src in scripts if src.endswith("newsmon.js"))
    assert scripts.index(ours) < scripts.index("/-/static/table.js")
    with urlopen(f"{site.base}{ours}", timeout=10) as answer:
        assert "javascript" in answer.headers["Content-Type"]
        assert "window.DATASETTE_ALLOW_FACET = true;" in answer.read().decode()


def test_recursive_queries_cannot_stall_the_events_page(desk: Desk) -> None:
    """With visitors' SQL turned on, six visitors running endless recursive queries
    are each stopped by the time limit, and the events page keeps answering."""
    load(desk.base, "/")  # templates compiled before the attack
    stop_at = time.monotonic() + 4
    codes: list[int] = []

    def attack() -> None:
        while time.monotonic() < stop_at:
            codes.append(forbidden(desk.base, f"/{DB}.json?{urlencode({'sql': RECURSIVE})}"))

    attackers = [threading.Thread(target=attack) for _ in range(ATTACKERS)]
    for thread in attackers:
        thread.start()
    try:
        time.sleep(0.5)  # the attackers' queries are running
        took = []
        for _ in range(3):
            started = time.monotonic()
            load(desk.base, "/")
            took.append(time.monotonic() - started)
    finally:
        for thread in attackers:
            thread.join()
    assert codes and set(codes) == {400}, codes  # "interrupted": the time limit
    assert max(took) < PAGE_BOUND_S, took


def test_web_settings_are_checked(tmp_path: Path) -> None:
    def load_web(web: object) -> config.WebSettings:
        path = tmp_path / "config.yaml"
        path.write_text(
            yaml.safe_dump(
                {"outlets": [{"name": "W", "feeds": ["https://w.example/rss"]}], "web": web}
            )
        )
        return config.load(path).web

    assert load_web({}) == config.WebSettings(allow_sql=False, sql_time_limit_ms=1000)
    assert load_web({"allow_sql": True, "sql_time_limit_ms": 250}).sql_time_limit_ms == 250
    for bad in (
        {"sql_time_limit_ms": 5},
        {"sql_time_limit_ms": 600000},
        {"allow_sql": "yes please"},
        {"sql": True},
    ):
        with pytest.raises(config.ConfigError, match="web"):
            load_web(bad)


def test_serve_refuses_an_unknown_zone(tmp_path: Path) -> None:
    cfg = write_config(tmp_path, [{"name": "W", "feeds": ["https://w.example/rss"]}])
    open_db(tmp_path / "newsmon.db").conn.close()
    result = newsmon("serve", "--port", str(free_port()), "--tz", "Mars/Olympus", config=cfg)
    assert result.returncode == 2
    assert "--tz" in result.stderr and "Mars/Olympus" in result.stderr
    assert "Serving" not in result.stderr


def test_an_edited_config_shows_at_the_next_page(desk: Desk, site: Site) -> None:  # noqa: F811
    """Put the failing sitemap back in config.yaml: the badge counts it at once."""
    path = desk.database.parent / "config.yaml"
    served = path.read_text(encoding="utf-8")
    try:
        path.write_text((site.database.parent / "config.yaml").read_text(encoding="utf-8"))
        nav = dict(load(desk.base, "/").root.find_all("p", "newsmon-nav")[0].links())
        assert "Feed health 1 failing" in nav
        path.write_text("outlets: [oops", encoding="utf-8")  # half-done: the last good one
        nav = dict(load(desk.base, "/").root.find_all("p", "newsmon-nav")[0].links())
        assert "Feed health 1 failing" in nav
    finally:
        path.write_text(served, encoding="utf-8")
    nav = dict(load(desk.base, "/").root.find_all("p", "newsmon-nav")[0].links())
    assert "Feed health" in nav


@pytest.mark.parametrize("zone_name", ["UTC", "Asia/Seoul", "Asia/Kathmandu", "Europe/Berlin"])
def test_charts_count_each_day_of_the_display_zone(tmp_path: Path, zone_name: str) -> None:
    """Every minute of a week (across Berlin's change to summer time) counted per day
    of the zone, as Python's own zone arithmetic dates them."""
    tz = ZoneInfo(zone_name)
    db = open_db(tmp_path / "n.db")
    start = datetime(2026, 3, 26, tzinfo=UTC)
    times = [start + timedelta(minutes=7 * n) for n in range(7 * 24 * 60 // 7)]
    with db.conn:
        for n, moment in enumerate(times):
            at = isoformat(moment)
            db.execute(
                """INSERT INTO events (monitor, kind, title, time_start, time_end, precision,
                                       time_point, first_seen, last_updated, article_count,
                                       outlet_count)
                   VALUES ('m', 'k', ?, ?, ?, 'minute', ?, ?, ?, 0, 0)""",
                [f"e{n}", at, at, at, at, at],
            )
    days = filters.days(date(2026, 3, 27), date(2026, 3, 31), tz)
    span = filters.window(days, tz)
    counted = filters.per_day(store.browse.events_per_bucket(db, EventQuery(), span), tz)
    expected: dict[str, int] = {}
    for moment in times:
        label = moment.astimezone(tz).date().isoformat()
        if days[0].label <= label <= days[-1].label:
            expected[label] = expected.get(label, 0) + 1
    assert counted == expected
    assert span.minutes == {"UTC": 1440, "Asia/Seoul": 180, "Asia/Kathmandu": 15}.get(zone_name, 60)
