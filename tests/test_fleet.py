"""Several daemons on one database, as separate processes against real loopback hosts.

Each outlet lives on a host of its own (127.0.0.1, 127.0.0.2, ...), so the daemons'
host leases decide who polls what. The server side counts: every feed requested once
in its interval, no host ever answering two requests at once (per-host politeness
across daemons); the database side: every article once, every event opened once,
every alert sent once. A daemon killed with kill -9 loses its hosts to the others.
"""

from __future__ import annotations

import json
import os
import random
import signal
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from crawler import store
from crawler.loopback import LoopbackServer, Reply
from tests.builders import Item, add_story_article, article_page, page, rss, story
from tests.conftest import query, write_config
from tests.test_daemon import start, stop, wait_for

# the launch stories of tests/test_events.py: 7 articles, 2 events
OUTLETS = {
    "Wire Agency": ["wire", "next-week"],
    "Copy Daily": ["wire-copy", "unrelated"],
    "Peninsula Post": ["reworded", "followup"],
    "Strategy Review": ["analysis"],
}
FILLER_FEEDS = 1  # more feeds per host, two plain pages each
HOOK = "/hook"
FEED_HOSTS = 5  # the sixth host only serves the page two feeds link to


@pytest.fixture
def hosts() -> Iterator[list[LoopbackServer]]:
    with ExitStack() as stack:
        yield [stack.enter_context(LoopbackServer(f"127.0.0.{n}")) for n in range(1, 7)]


def publish(hosts: list[LoopbackServer]) -> tuple[list[dict], int]:
    """Each launch outlet on a host of its own, filler feeds on every feed host, and one
    page (on a host of its own: a page's host is not leased) that two hosts' feeds both
    link to, so two daemons store it at once: (outlets for config.yaml, articles)."""
    outlets, expected = [], 1  # the shared page
    column, hosts = hosts[FEED_HOSTS], hosts[:FEED_HOSTS]
    shared = column.url("/shared.html")
    column.routes["/shared.html"] = slow(page("Shared column", "a column two outlets carry"))
    for server, (outlet, names) in zip(hosts, OUTLETS.items(), strict=False):
        items = []
        for name in names:
            title, published, paragraphs = story(name)
            server.routes[f"/{name}.html"] = slow(article_page(title, paragraphs, published))
            published_at = datetime.fromisoformat(published)
            items.append(Item(title, server.url(f"/{name}.html"), published=published_at))
        if len(outlets) < 2:
            items.append(Item("Shared column", shared, guid=f"shared-{len(outlets)}"))
        server.routes["/rss.xml"] = Reply.static(rss(items), "application/rss+xml")
        outlets.append({"name": outlet, "feeds": [server.url("/rss.xml")], "interval": "1m"})
        expected += len(names)
    for number, server in enumerate(hosts):
        feeds = []
        for feed in range(FILLER_FEEDS):
            items = []
            for i in range(2):
                path = f"/f{feed}/{i}.html"
                server.routes[path] = slow(page(f"Notes {number}-{feed}-{i}", f"topic {i}"))
                items.append(Item(f"Notes {number}-{feed}-{i}", server.url(path), guid=path))
            server.routes[f"/f{feed}.xml"] = Reply.static(rss(items), "application/rss+xml")
            feeds.append(server.url(f"/f{feed}.xml"))
            expected += 2
        outlets.append({"name": f"Notes {number}", "feeds": feeds, "interval": "1m"})
    return outlets, expected


def slow(body: bytes) -> Reply:
    """A page that takes a moment: two daemons on one host at once would overlap."""
    reply = Reply.static(body, "text/html")
    reply.delay = 0.15
    return reply


def fleet_config(tmp_path: Path, outlets: list[dict], receiver: LoopbackServer) -> Path:
    cfg = write_config(tmp_path, outlets, per_host_concurrency=1)
    document = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    document["monitors"] = [{"name": "launches", "type": "missile_launch"}]
    hook = f"json://{receiver.base_url.removeprefix('http://')}{HOOK}"
    document["notify"] = [{"name": "ops", "url": hook}]
    cfg.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return cfg


def feed_requests(hosts: list[LoopbackServer]) -> dict[str, int]:
    """How often each feed was requested, by URL: the server's own log."""
    counts = {}
    for server in hosts:
        for seen in server.requests:
            if seen.path.endswith(".xml"):
                key = server.url(seen.path)
                counts[key] = counts.get(key, 0) + 1
    return counts


def stored(cfg: Path) -> int:
    try:
        return query(cfg, "SELECT count(*) FROM articles")[0][0]
    except Exception:  # the schema is not there yet
        return 0


def sent(cfg: Path) -> int:
    try:
        return query(cfg, "SELECT count(*) FROM outbox WHERE state = 'sent'")[0][0]
    except Exception:
        return 0


def check_archive(cfg: Path, expected: int) -> None:
    """Every article once, every entry done, two events (each opened once)."""
    assert query(cfg, "SELECT count(DISTINCT url), count(*) FROM articles") == [
        (expected, expected)
    ]
    assert query(cfg, "SELECT count(*) FROM entries WHERE state != 'done'") == [(0,)]
    assert query(cfg, "SELECT count(*) FROM events") == [(2,)]
    assert query(cfg, "SELECT count(*) FROM event_articles GROUP BY event_id ORDER BY 1") == [
        (1,),
        (4,),
    ]
    if not os.environ.get("NEWSMON_DATABASE"):  # SQLite: the file is whole
        assert query(cfg, "PRAGMA integrity_check") == [("ok",)]


def test_three_daemons_share_the_hosts_and_do_everything_once(hosts, tmp_path, backend):
    with LoopbackServer() as receiver:
        receiver.routes[HOOK] = Reply(200, b"ok")
        outlets, expected = publish(hosts)
        cfg = fleet_config(tmp_path, outlets, receiver)
        daemons = [start(cfg)[0] for _ in range(3)]
        try:
            wait_for(lambda: stored(cfg) == expected and sent(cfg) == 2, "every article, alert")
        finally:
            codes = [stop(process) for process in daemons]
        assert codes == [0, 0, 0]
        polled = feed_requests(hosts)
        assert len(polled) == len(OUTLETS) + FILLER_FEEDS * FEED_HOSTS
        assert set(polled.values()) == {1}, polled  # each feed once in its interval
        assert [server.max_in_flight for server in hosts[:FEED_HOSTS]] == [1] * FEED_HOSTS
        check_archive(cfg, expected)
        ids = [json.loads(seen.body)["message"].rsplit(" ", 1)[1] for seen in receiver.hits(HOOK)]
        assert len(ids) == 2 and len(set(ids)) == 2  # each alert sent once
        assert query(cfg, "SELECT count(*) FROM fleet") == [(0,)]  # each left on SIGTERM
        log = (tmp_path / "daemon.log").read_text()
        assert log.count("daemon started") == 3


@pytest.mark.parametrize("seed", [3])
def test_a_daemon_killed_mid_poll_loses_its_hosts_to_the_others(hosts, tmp_path, seed, backend):
    with LoopbackServer() as receiver:
        receiver.routes[HOOK] = Reply(200, b"ok")
        outlets, expected = publish(hosts)
        cfg = fleet_config(tmp_path, outlets, receiver)
        doomed = start(cfg)[0]
        wait_for(lambda: stored(cfg) >= 1, "the first article")
        daemons = [start(cfg)[0] for _ in range(2)]
        time.sleep(random.Random(seed).uniform(0.0, 1.5))  # a random moment of its poll
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=10)
        held = {host for host, holder, _ in leases(cfg) if holder and f":{doomed.pid}:" in holder}
        try:
            # its leases last 3 request timeouts (15 s): its hosts are polled again then
            wait_for(lambda: stored(cfg) == expected, "every article", timeout=40)
            wait_for(lambda: sent(cfg) + claimed_by(cfg, doomed.pid) == 2, "the alerts")
        finally:
            codes = [stop(process) for process in daemons]
        assert codes == [0, 0]
        polled = feed_requests(hosts)
        for url, count in polled.items():  # a killed poll's feeds are polled once more
            limit = 2 if any(f"//{host}:" in url for host in held) else 1
            assert count <= limit, (url, count, held)
        assert [server.max_in_flight for server in hosts[:FEED_HOSTS]] == [1] * FEED_HOSTS
        check_archive(cfg, expected)
        ids = [json.loads(seen.body)["message"].rsplit(" ", 1)[1] for seen in receiver.hits(HOOK)]
        assert len(set(ids)) == len(ids) == sent(cfg)


def test_a_claimed_alert_is_sent_by_no_one_else_until_its_claim_expires(tmp_path, backend):
    from crawler.alerts import deliver, enqueue
    from crawler.config import load
    from monitors import build
    from monitors.base import MonitorConfig

    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    cfg_path = write_config(tmp_path, [{"name": "Wire", "feeds": ["http://127.0.0.1:9/a"]}])
    document = yaml.safe_load(cfg_path.read_text(encoding="utf-8"))
    document["monitors"] = [{"name": "launches", "type": "missile_launch"}]
    document["notify"] = [{"name": "ops", "url": "json://127.0.0.1:9/hook"}]
    cfg_path.write_text(yaml.safe_dump(document), encoding="utf-8")
    cfg = load(cfg_path)
    first, second = (store.db.open_db(cfg.database) for _ in range(2))  # two daemons
    store.feeds.sync_outlets(first, cfg, now)
    add_story_article(first, "wire", [build(MonitorConfig("launches", "missile_launch"))])
    assert enqueue.enqueue(first, cfg, now) == 1
    until = now + deliver.CLAIM
    row = store.outbox.claim_next(first, now, ["ops"], "a:1", until)
    assert row is not None and row.attempts == 0
    assert store.outbox.claim_next(second, now, ["ops"], "b:2", until) is None
    late = now + deliver.CLAIM - timedelta(seconds=1)
    assert store.outbox.mark_interrupted(second, late, "interrupted", 8) == 0  # still a's
    assert store.outbox.claim_next(second, late, ["ops"], "b:2", late + deliver.CLAIM) is None
    expired = until + timedelta(seconds=1)  # a was killed: its claim lapses
    assert store.outbox.mark_interrupted(second, expired, "interrupted", 8) == 1
    again = store.outbox.claim_next(second, expired, ["ops"], "b:2", expired + deliver.CLAIM)
    assert again is not None and again.id == row.id and again.attempts == 1


def test_a_lease_is_the_holders_until_it_expires_and_a_round_is_shared(tmp_path, backend):
    cfg_path = write_config(
        tmp_path,
        [{"name": f"O{n}", "feeds": [f"http://h{n}.test/feed.xml"]} for n in range(6)],
    )
    from crawler.config import load

    cfg = load(cfg_path)
    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    a, b = (store.db.open_db(cfg.database) for _ in range(2))
    store.feeds.sync_outlets(a, cfg, now)
    ttl = timedelta(seconds=30)

    def due(db):
        return lambda: store.feeds.due_feeds(db, now)

    for other in ("b", "c"):  # b and c are alive: six hosts, three pollers, two each
        store.leases.renew(b, other, now, ttl)
    mine = store.leases.claim(a, "a", now, ttl, due(a))
    theirs = store.leases.claim(b, "b", now, ttl, due(b))
    assert len(mine) == len(theirs) == 2
    assert not {f.id for f in mine} & {f.id for f in theirs}
    rest = store.leases.claim(b, "b", now, ttl, due(b), share=False)  # b's own, and the free
    assert len(rest) == 4 and not {f.id for f in mine} & {f.id for f in rest}
    assert store.leases.claim(a, "a", now, ttl, due(a), share=False) == mine
    later = now + ttl  # a was killed: its leases lapse
    taken = store.leases.claim(b, "b", later, ttl, lambda: store.feeds.due_feeds(b, later))
    assert {f.id for f in taken} >= {f.id for f in mine}
    store.leases.leave(b, "b")
    assert [holder for _, holder, _ in store.leases.leases(a)] == [None] * 6


def leases(cfg: Path) -> list[tuple]:
    try:
        return query(cfg, "SELECT host, holder, expires_at FROM host_leases")
    except Exception:
        return []


def claimed_by(cfg: Path, pid: int) -> int:
    """Alerts a killed daemon was sending: due again once their claim expires."""
    return query(
        cfg,
        "SELECT count(*) FROM outbox WHERE state = 'sending' AND claimed_by LIKE ?",
        (f"%:{pid}",),
    )[0][0]
