"""The daemon as it runs in production: a subprocess, real signals, a loopback server."""

from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from crawler.loopback import Reply
from tests.builders import Item, page, rss
from tests.conftest import newsmon, query, write_config

WAIT = 45.0


def start(cfg: Path, *after: str) -> tuple[subprocess.Popen, Path]:
    """The daemon at --log-level INFO; `after`: options after its name."""
    log = cfg.parent / "daemon.log"
    with log.open("ab") as handle:  # the child keeps its own descriptor
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "crawler",
                "--config",
                str(cfg),
                "--log-level",
                "INFO",
                "daemon",
                *after,
            ],
            stdout=handle,
            stderr=subprocess.STDOUT,
            cwd=cfg.parent,
        )
    return process, log


def wait_for(condition, what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def articles(cfg: Path) -> int:
    try:
        return query(cfg, "SELECT count(*) FROM articles")[0][0]
    except sqlite3.OperationalError:  # the daemon has not created the schema yet
        return 0


def stop(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=30)


def publish(server, prefix: str, count: int, delay: float = 0.0) -> None:
    items = []
    for i in range(count):
        path = f"/{prefix}/{i}.html"
        reply = Reply.static(page(f"{prefix} story {i}", f"{prefix} topic {i}"), "text/html")
        reply.delay = delay
        server.routes[path] = reply
        items.append(Item(f"{prefix} story {i}", server.url(path), guid=f"{prefix}-{i}"))
    server.routes[f"/{prefix}.xml"] = Reply.static(rss(items), "application/rss+xml")


def test_the_daemon_polls_holds_the_lock_and_stops_on_sigterm(server, tmp_path):
    publish(server, "a", 2)
    cfg = write_config(tmp_path, [{"name": "A", "feeds": [server.url("/a.xml")], "interval": "1m"}])
    process, log = start(cfg)
    try:
        wait_for(lambda: articles(cfg) == 2, "the first poll")
        beside = newsmon("run", "--all", config=cfg)
        assert beside.returncode == 3 and "another newsmon process" in beside.stderr
        shown = newsmon("status", config=cfg)
        assert shown.returncode == 0 and "daemon: running" in shown.stdout
    finally:
        assert stop(process) == 0
    assert "daemon: stopped" in newsmon("status", config=cfg).stdout
    text = log.read_text()
    assert "poll done: polled 1 feed:" in text and "2 new articles" in text
    assert newsmon("run", "--all", config=cfg).returncode == 0  # the lock is free again


def test_sigterm_mid_poll_then_restart_loses_and_doubles_nothing(server, tmp_path):
    publish(server, "slow", 6, delay=1.0)  # slow enough that SIGTERM lands mid-poll
    cfg = write_config(
        tmp_path,
        [{"name": "Slow", "feeds": [server.url("/slow.xml")], "interval": "1m"}],
        per_host_concurrency=1,
    )
    process, _ = start(cfg)
    wait_for(lambda: articles(cfg) >= 1, "the first article")
    assert stop(process) == 0
    stored = articles(cfg)
    assert 1 <= stored < 6, "SIGTERM should have landed mid-poll"
    assert query(cfg, "PRAGMA integrity_check") == [("ok",)]
    assert query(cfg, "SELECT count(*) FROM entries WHERE state = 'pending'")[0][0] == 6 - stored

    process, _ = start(cfg)
    try:
        wait_for(lambda: articles(cfg) == 6, "the rest after a restart")
    finally:
        assert stop(process) == 0
    assert query(cfg, "SELECT count(DISTINCT url), count(*) FROM articles") == [(6, 6)]
    assert query(cfg, "SELECT count(*) FROM entries WHERE state = 'done'") == [(6,)]


def test_sighup_reloads_a_good_config_and_rejects_a_bad_one(server, tmp_path):
    publish(server, "a", 1)
    publish(server, "b", 1)
    outlets = [{"name": "A", "feeds": [server.url("/a.xml")], "interval": "1m"}]
    cfg = write_config(tmp_path, outlets)
    process, log = start(cfg)
    try:
        wait_for(lambda: articles(cfg) == 1, "outlet A")
        good = cfg.read_text()
        cfg.write_text(good.replace("interval: 1m", "interval: soon"))
        process.send_signal(signal.SIGHUP)
        wait_for(lambda: "config reload rejected" in log.read_text(), "the rejection")
        assert process.poll() is None  # still running on the old configuration
        document = yaml.safe_load(good)
        document["outlets"].append({"name": "B", "feeds": [server.url("/b.xml")], "interval": "1m"})
        cfg.write_text(yaml.safe_dump(document))
        process.send_signal(signal.SIGHUP)
        wait_for(lambda: articles(cfg) == 2, "outlet B after the reload")
    finally:
        assert stop(process) == 0
    assert "config reloaded: 2 feeds;" in log.read_text()


def test_status_flags_a_feed_that_keeps_failing_and_a_silent_daemon():
    from datetime import UTC, datetime

    from crawler.report.status import daemon_summary
    from crawler.store.feeds import is_failing

    now = datetime(2026, 1, 4, 12, 0, tzinfo=UTC)
    assert not is_failing(True, 0)
    assert not is_failing(True, 2)  # one rule everywhere: 3 failed polls in a row
    assert is_failing(True, 3)
    assert not is_failing(False, 9)  # a retired feed (no longer configured) is history
    beat = {"pid": 7, "started": "2026-01-04T00:00:00Z", "config": "c", "stopped": None}
    assert daemon_summary({**beat, "heartbeat": "2026-01-04T11:59:50Z"}, now)["state"] == "running"
    assert daemon_summary({**beat, "heartbeat": "2026-01-04T11:50:00Z"}, now)["state"] == (
        "not responding"
    )
    assert daemon_summary(None, now) == {"state": "never started"}


@pytest.mark.timeout(180)
def test_sighup_with_a_shorter_interval_polls_by_the_new_one(server, tmp_path):
    publish(server, "a", 1)
    cfg = write_config(tmp_path, [{"name": "A", "feeds": [server.url("/a.xml")], "interval": "1h"}])
    process, log = start(cfg)
    try:
        wait_for(lambda: articles(cfg) == 1, "the first poll")
        assert len(server.hits("/a.xml")) == 1
        cfg.write_text(cfg.read_text().replace("interval: 1h", "interval: 1m"))
        process.send_signal(signal.SIGHUP)
        wait_for(lambda: "config reloaded" in log.read_text(), "the reload")
        line = next(line for line in log.read_text().splitlines() if "config reloaded" in line)
        assert "config reloaded: 1 feed;" in line
        wait = int(re.search(r"\(in (\d+) s\)", line).group(1))
        assert wait <= 66, line  # 1m after the first poll plus jitter, not 1h
        wait_for(lambda: len(server.hits("/a.xml")) == 2, "the poll by the new interval", 90)
    finally:
        assert stop(process) == 0
