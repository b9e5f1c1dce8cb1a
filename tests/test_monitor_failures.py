"""A monitor that raises while reading an article costs only that reading: the article is
stored, the other monitors read it, and the failure is counted where an operator looks
(the run's summary, `newsmon status`, the daemon's metrics)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler import config, store
from crawler.clock import Clock
from crawler.loopback import Reply
from crawler.metrics import Metrics
from crawler.model import (
    Entry,
    FailureKind,
    FeedAnswer,
    FetchFailure,
    MonitorFailure,
    Parsed,
    PollReport,
)
from crawler.refresh import Refresh
from monitors import build
from monitors.base import MonitorConfig
from tests.builders import Item, rss
from tests.conftest import newsmon, write_config

NOW = datetime(2026, 3, 8, 0, 0, tzinfo=UTC)
LAUNCH = (
    "North Korea fired two ballistic missiles off its east coast early Sunday, "
    "South Korea's military said. The missiles flew about 450 kilometers. " * 3
)
RIVER = "The river authority said the new locks would open to barges in the spring. " * 6
# A monitor written outside newsmon, with a bug: it trips over every article it reads.
FLAKY = """
class Flaky:
    def __init__(self, name):
        self.name = name

    def match(self, article):
        raise RuntimeError(f"cannot read {article.title[:20]!r}")


def from_config(config):
    return Flaky(config.name)
"""


@pytest.fixture
def plugin(tmp_path: Path) -> Path:
    folder = tmp_path / "plugins"
    (folder / "buggy").mkdir(parents=True)
    (folder / "buggy" / "__init__.py").write_text("", encoding="utf-8")
    (folder / "buggy" / "flaky.py").write_text(FLAKY, encoding="utf-8")
    return folder


def test_a_raising_monitor_is_counted_and_the_others_still_read(tmp_path, plugin, monkeypatch):
    monkeypatch.syspath_prepend(str(plugin))
    feed = "http://127.0.0.1:9/feed.xml"
    cfg = config.load(write_config(tmp_path, [{"name": "Wire", "feeds": [feed]}]))
    db = store.db.open_db(cfg.database)
    store.feeds.sync_outlets(db, cfg, NOW)
    monitors = [
        build(MonitorConfig("flaky", "buggy.flaky")),
        build(MonitorConfig("launches", "missile_launch")),
    ]
    refresh = Refresh(db, cfg, Clock(NOW), store.feeds.due_feeds(db, NOW, every=True), monitors)
    [state] = refresh.feeds
    parsed = Parsed(
        format="rss20",
        entries=(
            Entry("launch", "http://127.0.0.1:9/launch.html", "Missiles fired", summary=LAUNCH),
            Entry("river", "http://127.0.0.1:9/river.html", "Locks to open", summary=RIVER),
        ),
    )
    answer = FeedAnswer(url=feed, status=200, body=b"<rss/>", body_hash="h")
    _, pages = refresh.feed_parsed(state, answer, parsed, child=False)
    for page in pages:  # each page is gone: the feed's own text is stored
        refresh.page_failed(page, FetchFailure(FailureKind.HTTP, "HTTP 404", 404))

    report = refresh.report
    assert [(f.monitor, f.url) for f in report.monitor_errors] == [
        ("flaky", "http://127.0.0.1:9/launch.html"),
        ("flaky", "http://127.0.0.1:9/river.html"),
    ]
    assert report.monitor_errors[0].error == "RuntimeError: cannot read 'Missiles fired'"
    assert report.new_articles == 2 and report.new_events == 1  # the launch monitor read on
    assert "2 monitor failures" in report.summary()
    assert "error: monitor flaky: http://127.0.0.1:9/river.html: RuntimeError: cannot read" in (
        "\n".join(report.error_lines())
    )
    db.close()


def test_monitor_failures_are_kept_per_monitor(tmp_path):
    db = store.db.open_db(tmp_path / "newsmon.db")
    store.monitor_failures.record_monitor_failures(
        db, [MonitorFailure("a", "http://x.test/1", "KeyError: 'x'")], NOW
    )
    store.monitor_failures.record_monitor_failures(
        db,
        [
            MonitorFailure("a", "http://x.test/2", "ValueError: bad"),
            MonitorFailure("b", "http://x.test/3", "TypeError: no"),
        ],
        NOW.replace(hour=1),
    )
    assert store.monitor_failures.monitor_failures(db) == [
        {
            "monitor": "a",
            "failures": 2,
            "last_at": "2026-03-08T01:00:00Z",
            "last_url": "http://x.test/2",
            "last_error": "ValueError: bad",
        },
        {
            "monitor": "b",
            "failures": 1,
            "last_at": "2026-03-08T01:00:00Z",
            "last_url": "http://x.test/3",
            "last_error": "TypeError: no",
        },
    ]
    db.close()


def test_the_metrics_count_monitor_failures(tmp_path):
    store.db.open_db(tmp_path / "newsmon.db").close()
    metrics = Metrics(tmp_path / "newsmon.db")
    failures = [MonitorFailure("flaky", f"http://x.test/{n}", "RuntimeError: x") for n in (1, 2)]
    metrics.poll_done(PollReport(feeds_polled=1, monitor_errors=failures), 0.5)
    try:
        text = metrics.render()
    finally:
        metrics.close()
    assert 'newsmon_poll_errors_total{kind="monitor"} 2\n' in text
    assert 'newsmon_poll_errors_total{kind="feed"} 0\n' in text


@pytest.mark.system
def test_a_run_with_a_raising_monitor_goes_on_and_status_shows_it(server, tmp_path, plugin):
    server.routes["/feed.xml"] = Reply.static(
        rss([Item("Locks to open", server.url("/river.html"), guid="river", description=RIVER)]),
        "application/rss+xml",
    )
    cfg = write_config(tmp_path, [{"name": "Wire", "feeds": [server.url("/feed.xml")]}])
    with cfg.open("a") as handle:
        handle.write("monitors:\n  - name: flaky\n    type: buggy.flaky\n")
    env = {"PYTHONPATH": str(plugin)}

    run = newsmon("run", config=cfg, env=env)
    assert run.returncode == 0, run.stderr  # a monitor's bug is no failed run
    assert "1 new article" in run.stdout and "1 monitor failure" in run.stdout
    assert f"error: monitor flaky: {server.url('/river.html')}: RuntimeError" in run.stderr

    status = newsmon("status", config=cfg, env=env)
    assert status.returncode == 0, status.stderr
    assert "monitor flaky: 1 failure reading articles, last " in status.stdout
    assert f"on {server.url('/river.html')}: RuntimeError: cannot read" in status.stdout
