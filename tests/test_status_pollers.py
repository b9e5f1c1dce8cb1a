"""`newsmon status` with several daemons on one database: each one listed, with what it
holds and whether it still renews. Real CLI, real SQLite file."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from crawler import store
from tests.builders import outlets_database
from tests.conftest import newsmon

NOW = datetime(2026, 3, 8, 12, 0, tzinfo=UTC)


def test_status_lists_every_daemon_sharing_the_database(tmp_path):
    cfg, db = outlets_database(tmp_path, "Wire", "Copy Daily")
    live, killed = "alpha:101:aa", "beta:202:bb"
    ttl = timedelta(seconds=30)
    seen = NOW - timedelta(seconds=5)
    store.leases.claim(db, live, seen, ttl, lambda: store.feeds.due_feeds(db, seen, every=True))
    store.leases.renew(db, killed, NOW - timedelta(minutes=10), ttl)
    db.close()
    env = {"NEWSMON_NOW": NOW.isoformat()}

    shown = json.loads(newsmon("status", "--format", "json", config=cfg, env=env).stdout)
    pollers = {p["holder"]: p for p in shown["pollers"]}
    assert pollers[live]["state"] == "polling"
    assert pollers[live]["hosts_held"] == 1  # both feeds are on one host
    assert pollers[live]["last_seen_age_seconds"] == 5
    assert pollers[killed]["state"] == "not responding"
    assert pollers[killed]["hosts_held"] == 0

    text = newsmon("status", config=cfg, env=env).stdout
    line = next(line for line in text.splitlines() if line.startswith("daemons:"))
    assert "2 share this database" in line
    assert f"{live} polling, 1 host held" in line
    assert f"{killed} not responding" in line


def test_status_of_one_daemon_adds_no_line(tmp_path):
    cfg, db = outlets_database(tmp_path, "Wire")
    store.leases.renew(db, "alpha:101:aa", NOW, timedelta(seconds=30))
    db.close()
    text = newsmon("status", config=cfg, env={"NEWSMON_NOW": NOW.isoformat()}).stdout
    assert "daemons:" not in text
