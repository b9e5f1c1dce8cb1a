"""The analyst's pages of `newsmon serve` (crawler/report/web), loaded over HTTP.

A real `newsmon serve` process on loopback serves the demo's database (built by `newsmon
demo`, as a user would), to which a hostile event, article and failing feed are added:
markup in every text a feed controls, a `javascript:` URL. Pages are parsed as HTML and
compared with what the database holds, so a page that drops a source, a role or a
reported value fails here; markup from a feed must arrive as text, never as markup.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest

from crawler.report.web import fields, pages
from tests.conftest import newsmon
from tests.test_serve import free_port, get_json, stop, wait_until_up

DB = "newsmon"
NOW = "2026-01-28T00:10:00Z"  # ten minutes after the demo's polls
HOSTILE_EVENT = 'Hostile launch <script>alert("event")</script>'
HOSTILE_TITLE = '<script>alert("title")</script> test missile'
HOSTILE_OUTLET = "<i>Hostile</i> Wire"
HOSTILE_FACT = "<img src=x onerror=alert(1)>"
HOSTILE_ERROR = '<script>alert("feed")</script> HTTP 503'
HOSTILE_MONITOR = "hostile-watch"
MARKUP = ("<script>alert", "<img src=x", "<i>Hostile", 'href="javascript:')


@dataclass
class Node:
    """An element of a parsed page: enough of a DOM to read tables, links and text."""

    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return " ".join("".join(parts).split())

    def find_all(self, tag: str, cls: str | None = None) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if child.tag == tag and (
                    cls is None or cls in child.attrs.get("class", "").split()
                ):
                    found.append(child)
                found += child.find_all(tag, cls)
        return found

    def links(self) -> list[tuple[str, str]]:
        return [(a.text(), a.attrs.get("href", "")) for a in self.find_all("a")]


class TreeBuilder(HTMLParser):
    """HTML → Node tree; void elements have no children, stray end tags are ignored."""

    VOID = frozenset({"br", "meta", "link", "img", "input", "hr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append("\n" if tag == "br" else node)
        if tag not in self.VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


@dataclass
class Page:
    html: str
    root: Node

    def text(self) -> str:
        return self.root.text()


def pairs(node: Node) -> list[tuple[Node, Node]]:
    """The (dt, dd) pairs of the definition lists under `node`."""
    return list(zip(node.find_all("dt"), node.find_all("dd"), strict=True))


def load(base: str, path: str) -> Page:
    with urlopen(f"{base}{path}", timeout=10) as answer:
        assert answer.status == 200
        html = answer.read().decode("utf-8")
    builder = TreeBuilder()
    builder.feed(html)
    return Page(html, builder.root)


def add_hostile_rows(path: Path) -> int:
    """A hostile outlet's article in an event of its own, newest of all, and a feed whose
    last error is markup and which failed four times in a row. Returns the event id."""
    with closing(sqlite3.connect(path)) as conn, conn:
        outlet = conn.execute("INSERT INTO outlets (name) VALUES (?)", [HOSTILE_OUTLET]).lastrowid
        article = conn.execute(
            """INSERT INTO articles (url, outlet_id, title, published, published_utc, language,
                                     text, text_method, text_hash, word_count, fetched_at)
               VALUES ('javascript:alert(1)', ?, ?, '2026-01-28T09:00:00+09:00',
                       '2026-01-28T00:00:00Z', 'ko', 'text', 'feed_summary', 'h', 1, ?)""",
            [outlet, HOSTILE_TITLE, NOW],
        ).lastrowid
        facts = {"actor": HOSTILE_FACT, "distance_km": 500}
        sources = {
            "actor": [{"value": HOSTILE_FACT, "articles": [article]}],
            "distance_km": [{"value": 500, "articles": [article]}],
        }
        event = conn.execute(
            """INSERT INTO events (monitor, kind, title, time_start, time_end, precision,
                                   time_point, first_seen, last_updated, facts, fact_sources,
                                   article_count, outlet_count, created_seq, change_seq)
               VALUES (?, 'keywords', ?, '2026-01-27T15:00:00Z', '2026-01-28T15:00:00Z', 'day',
                       '2026-01-28T03:00:00Z', ?, ?, ?, ?, 1, 1, 0, 0)""",
            [HOSTILE_MONITOR, HOSTILE_EVENT, NOW, NOW, json.dumps(facts), json.dumps(sources)],
        ).lastrowid
        conn.execute(
            """INSERT INTO event_articles (event_id, article_id, monitor, facts, evidence,
                                           matched_at, role, fact_evidence)
               VALUES (?, ?, ?, ?, '<script>alert("evidence")</script>', ?, 'first report', ?)""",
            [event, article, HOSTILE_MONITOR, json.dumps(facts), NOW, json.dumps(facts)],
        )
        conn.execute(
            """UPDATE feeds SET consecutive_errors = 4, last_status = 503, last_error = ?
               WHERE id = (SELECT max(id) FROM feeds)""",
            [HOSTILE_ERROR],
        )
    return event


@dataclass(frozen=True)
class Site:
    base: str
    database: Path
    hostile_event: int


def start_serve(
    directory: Path, config_path: Path, *args: str
) -> tuple[subprocess.Popen[bytes], str]:
    """`newsmon serve` (with `args`) on a free loopback port, with the clock at NOW."""
    port = free_port()
    log = directory / "serve.log"
    command = [sys.executable, "-m", "crawler", "--config", str(config_path)]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*command, "serve", "--port", str(port), *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=directory,
            env={**os.environ, "NEWSMON_NOW": NOW},
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, proc, log)
    except BaseException:
        stop(proc)
        raise
    return proc, base


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """`newsmon serve` on the demo's database with the hostile rows added."""
    directory = tmp_path_factory.mktemp("web")
    demo = newsmon("demo", "--dir", str(directory), timeout=120)
    assert demo.returncode == 0, demo.stderr
    database = directory / "newsmon.db"
    hostile = add_hostile_rows(database)
    proc, base = start_serve(directory, directory / "config.yaml")
    try:
        yield Site(base, database, hostile)
    finally:
        stop(proc)


def rows(database: Path, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
    with closing(sqlite3.connect(database)) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql, params).fetchall()


def best_covered(database: Path) -> sqlite3.Row:
    """The demo's 4 January launch: the event with the most sources."""
    return rows(database, "SELECT * FROM events ORDER BY article_count DESC, id LIMIT 1")[0]


def test_landing_page_lists_the_latest_events_with_readable_facts(site: Site) -> None:
    page = load(site.base, "/")
    events = page.root.find_all("article", "newsmon-event")
    stored = rows(site.database, "SELECT * FROM events ORDER BY last_updated DESC, id DESC")
    assert [e.find_all("h2")[0].text() for e in events] == [row["title"] for row in stored]
    assert [e.find_all("h2")[0].links()[0][1] for e in events] == [
        f"/-/event/{row['id']}" for row in stored
    ]
    launch = next(
        e for e in events if e.find_all("h2")[0].text() == best_covered(site.database)["title"]
    )
    text = launch.text()
    assert "2026-01-03 22:50 UTC (minute)" in text
    assert "4 outlets, 5 articles" in text and "1 confirmation" in text
    facts = {dt.text(): dd.text() for dt, dd in pairs(launch)}
    assert facts["Distance"] == "900 km"
    assert facts["Missile types"] == "ballistic, hypersonic"
    assert facts["Actor"] == "North Korea"
    outlets = rows(
        site.database,
        """SELECT DISTINCT o.name FROM event_articles ea JOIN articles a ON a.id = ea.article_id
           JOIN outlets o ON o.id = a.outlet_id WHERE ea.event_id = ?""",
        (best_covered(site.database)["id"],),
    )
    for (name,) in outlets:
        assert name in text
    assert '{"' not in page.text()  # no JSON blob anywhere
    nav = dict(page.root.find_all("p", "newsmon-nav")[0].links())
    assert nav["Events"] == "/" and nav["Tables"] == f"/{DB}"
    assert nav["Feed health 1 failing"] == "/-/feeds"


def test_landing_page_filters_by_monitor(site: Site) -> None:
    page = load(site.base, "/?monitor=missile-launches")
    titles = [e.find_all("h2")[0].text() for e in page.root.find_all("article", "newsmon-event")]
    stored = rows(site.database, "SELECT title FROM events WHERE monitor = 'missile-launches'")
    assert sorted(titles) == sorted(row["title"] for row in stored)
    assert HOSTILE_EVENT not in titles


def test_event_page_shows_every_source_with_its_role(site: Site) -> None:
    event = best_covered(site.database)
    page = load(site.base, f"/-/event/{event['id']}")
    assert page.root.find_all("h1")[0].text() == event["title"]
    members = rows(
        site.database,
        """SELECT a.id, a.url, coalesce(ea.headline, a.title) AS title, a.language, ea.role,
                  o.name AS outlet, l.original_id, l.relation
           FROM event_articles ea JOIN articles a ON a.id = ea.article_id
           JOIN outlets o ON o.id = a.outlet_id LEFT JOIN article_links l ON l.article_id = a.id
           WHERE ea.event_id = ? ORDER BY coalesce(a.published_utc, a.fetched_at), a.id""",
        (event["id"],),
    )
    table = page.root.find_all("table", "newsmon-sources")[0]
    shown = table.find_all("tbody")[0].find_all("tr")
    assert len(shown) == len(members) == event["article_count"]
    number = {member["id"]: n for n, member in enumerate(members, start=1)}
    for n, (row, member) in enumerate(zip(shown, members, strict=True), start=1):
        cells = row.find_all("td")
        assert row.attrs["id"] == f"source-{n}"
        assert cells[1].text() == member["role"]
        assert cells[2].text() == member["outlet"]
        assert cells[3].links()[0] == (member["title"], member["url"])
        assert cells[5].text() == member["language"]
        if member["original_id"] is not None:
            original = members[number[member["original_id"]] - 1]
            link = (
                f"{original['outlet']} [{number[original['id']]}]",
                f"#source-{number[original['id']]}",
            )
            assert f"{member['relation']} copy of" in cells[3].text()
            assert link in cells[3].links()
    roles = [row["role"] for row in members]
    assert roles[0] == "first report" and "confirmation" in roles  # the demo still has both
    assert any(row["original_id"] for row in members)  # and a copy
    first = shown[0].find_all("td")[4].text()
    assert first == "2026-01-04 00:12 UTC"  # published, in the source's own offset (+00:00)


def test_event_page_shows_every_value_each_fact_was_given(site: Site) -> None:
    event = best_covered(site.database)
    page = load(site.base, f"/-/event/{event['id']}")
    table = page.root.find_all("table", "newsmon-facts")[0]
    facts = {row.find_all("th")[0].text(): row for row in table.find_all("tbody")[0].find_all("tr")}
    sources = [
        row.find_all("td")[2].text()
        for row in page.root.find_all("table", "newsmon-sources")[0]
        .find_all("tbody")[0]
        .find_all("tr")
    ]
    ids = [
        r["article_id"]
        for r in rows(
            site.database,
            """SELECT ea.article_id FROM event_articles ea JOIN articles a ON a.id = ea.article_id
           WHERE ea.event_id = ? ORDER BY coalesce(a.published_utc, a.fetched_at), a.id""",
            (event["id"],),
        )
    ]
    given = json.loads(event["fact_sources"])
    differing = [key for key, options in given.items() if len(options) > 1]
    assert differing, "the demo's launch should have facts its reports disagree on"
    keys_by_label: dict[str, list[str]] = {}  # "count" and "count_text" read as one fact
    for key in [*json.loads(event["facts"]), *given]:
        keys = keys_by_label.setdefault(fields.fact_label(key), [])
        if key in given and key not in keys:
            keys.append(key)
    for label, keys in keys_by_label.items():
        options = [(key, option) for key in keys for option in given[key]]
        union = isinstance(json.loads(event["facts"]).get(keys[0]), list)  # types add up
        heading = f"{label} reports differ" if len(options) > 1 and not union else label
        row = facts[heading]
        values = [li.text() for li in row.find_all("li")]
        expected = []
        for key, option in options:
            refs = [f"{sources[ids.index(a)]} [{ids.index(a) + 1}]" for a in option["articles"]]
            expected.append(f"{fields.fact_text(key, option['value'])} — {', '.join(refs)}")
        assert values == expected
    assert len(facts["Missile types"].find_all("li")) == 2  # ballistic; hypersonic: no dispute
    landed = facts["Landing area reports differ"].find_all("td")[0].text()
    assert landed.startswith("sea")


def test_feed_health_lists_failing_feeds_first(site: Site) -> None:
    page = load(site.base, "/-/feeds")
    table = page.root.find_all("table", "newsmon-feeds")[0]
    shown = table.find_all("tbody")[0].find_all("tr")
    stored = rows(site.database, "SELECT url, consecutive_errors FROM feeds")
    assert len(shown) == len(stored)
    first = [cell.text() for cell in shown[0].find_all("td")]
    assert first[0] == "FAILING"
    assert first[4] == "4"
    assert f"Last error: {HOSTILE_ERROR}" in first[2]
    assert first[3] == "503"
    healthy = [[cell.text() for cell in row.find_all("td")] for row in shown[1:]]
    assert {row[0] for row in healthy} == {"ok"}
    assert all(row[5] == "2026-01-28 00:00 UTC 10 min ago" for row in healthy)
    assert {row[2].split(" (")[0] for row in [first, *healthy]} == {row["url"] for row in stored}


def test_feed_text_arrives_as_text_never_as_markup(site: Site) -> None:
    event = f"/-/event/{site.hostile_event}"
    for path in ("/", event, "/-/feeds", f"/{DB}/events", f"/{DB}/events/{site.hostile_event}"):
        page = load(site.base, path)
        for markup in MARKUP:
            assert markup not in page.html, f"{path}: {markup!r} unescaped"
    page = load(site.base, event)
    text = page.text()
    for hostile in (HOSTILE_EVENT, HOSTILE_TITLE, HOSTILE_OUTLET, HOSTILE_FACT):
        assert hostile in text
    title = page.root.find_all("table", "newsmon-sources")[0].find_all("td")[3]
    assert [text for text, _ in title.links()] == ["stored text"]  # javascript: is no link
    assert "(unlinked: javascript:alert(1))" in title.text()
    assert HOSTILE_ERROR in load(site.base, "/-/feeds").text()


def test_newsmon_pages_forbid_scripts_frames_and_other_sites(site: Site) -> None:
    """Defence in depth behind the escaping: had markup slipped through, the browser
    would run no inline script, load nothing from elsewhere, and refuse to be framed."""
    for path in ("/", f"/-/event/{site.hostile_event}", "/-/feeds"):
        with urlopen(f"{site.base}{path}", timeout=10) as answer:
            policy = answer.headers["Content-Security-Policy"] or ""
            assert answer.headers["X-Content-Type-Options"] == "nosniff", path
        directives = dict(d.strip().partition(" ")[::2] for d in policy.split(";"))
        assert directives["default-src"] == "'none'", path
        assert directives["script-src"] == "'self'", path  # no 'unsafe-inline'
        assert directives["frame-ancestors"] == "'none'", path
        assert directives["base-uri"] == "'none'", path


def test_datasette_tables_and_json_api_still_work(site: Site) -> None:
    tables = {t["name"] for t in get_json(site.base, f"/{DB}.json")["tables"]}
    assert {"events", "event_articles", "articles", "feeds"} <= tables
    assert DB in get_json(site.base, "/.json")  # Datasette's own index, as JSON
    events = get_json(site.base, f"/{DB}/events.json", _shape="array")
    assert {row["id"] for row in events} == {
        row["id"] for row in rows(site.database, "SELECT id FROM events")
    }
    raw = next(row for row in events if row["id"] == site.hostile_event)
    assert json.loads(raw["facts"]) == {
        "actor": HOSTILE_FACT,
        "distance_km": 500,
    }  # JSON stays JSON
    latest = get_json(site.base, f"/{DB}/latest_events.json", _shape="array")
    assert latest[0]["id"] == site.hostile_event
    database_page = load(site.base, f"/{DB}")
    assert ("events", f"/{DB}/events") in database_page.root.links()


def test_datasette_shows_json_columns_as_fields(site: Site) -> None:
    event = best_covered(site.database)
    page = load(site.base, f"/{DB}/events/{event['id']}")
    cells = page.root.find_all("dl", "newsmon-cell")
    assert len(cells) == 2  # facts and fact_sources
    facts, given = ({dt.text(): dd.text() for dt, dd in pairs(cell)} for cell in cells)
    assert facts["Distance"] == "900 km"
    assert given["Distance"].startswith("900 km (articles ")
    landed = json.loads(event["fact_sources"])["landing_area"]
    assert given["Landing area"] == "; ".join(
        f"{o['value']} (article{'s' if len(o['articles']) > 1 else ''} "
        f"{', '.join(map(str, o['articles']))})"
        for o in landed
    )
    assert '"distance_km"' not in page.text()
    menu = dict(page.root.find_all("details", "nav-menu")[0].links())
    assert menu["Events"] == "/" and menu["Feed health"] == "/-/feeds"


def test_pages_answer_while_the_crawler_writes(site: Site) -> None:
    """A writer mid-transaction blocks no page (WAL), and what it commits shows at once."""
    title = "Committed while the page was served"
    with closing(sqlite3.connect(site.database, isolation_level=None)) as writer:
        writer.execute("BEGIN IMMEDIATE")
        event = writer.execute(
            """INSERT INTO events (monitor, kind, title, time_start, time_end, precision,
                                   first_seen, last_updated, article_count, outlet_count)
               VALUES (?, 'keywords', ?, '2025-11-30T00:00:00Z', '2025-11-30T01:00:00Z',
                       'hour', '2025-12-01T00:00:00Z', '2025-12-01T00:00:00Z', 0, 0)""",
            [HOSTILE_MONITOR, title],
        ).lastrowid
        assert title not in load(site.base, "/").text()
        writer.execute("COMMIT")
    assert title in load(site.base, "/").text()
    assert load(site.base, f"/-/event/{event}").root.find_all("h1")[0].text() == title


def test_unknown_event_is_not_found(site: Site) -> None:
    with pytest.raises(HTTPError) as caught:
        urlopen(f"{site.base}/-/event/999999", timeout=10)
    caught.value.close()
    assert caught.value.code == 404


def test_fact_values_read_as_words() -> None:
    assert fields.fact_text("distance_km", 900) == "900 km"
    assert fields.fact_text("distance_km", "about 900") == "about 900"
    assert fields.fact_text("flight_seconds", 500) == "8 min"
    assert fields.fact_text("missile_types", ["ballistic", "cruise"]) == "ballistic, cruise"
    assert fields.fact_label("launch_area") == "Launch area"
    assert fields.fact_label("burn_time_s") == "Burn time s"
    assert fields.json_fields("facts", "not json") is None
    assert fields.json_fields("title", '{"a": 1}') is None
    assert fields.json_fields("fact_evidence", '{"actor": "North Korea fired."}') == [
        fields.Field("actor", "Actor", "North Korea fired.")
    ]


def test_relative_times() -> None:
    now = datetime(2026, 1, 28, 12, 0, tzinfo=UTC)
    assert pages.relative("2026-01-28T11:50:00Z", now) == "10 min ago"
    assert pages.relative("2026-01-28T15:00:00Z", now) == "in 3 h"
    assert pages.relative("2026-01-25T12:00:00Z", now) == "3 d ago"
    assert pages.relative("2026-01-28T09:00:00Z", now, past=pages.OVERDUE) == "overdue by 3 h"
    assert pages.relative("garbage", now) == ""
