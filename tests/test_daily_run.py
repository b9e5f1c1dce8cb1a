"""Setting newsmon up and leaving it running: config mistakes found at load, alerts
that cannot be delivered, the demo run twice, and the daemon's log (real subprocesses,
loopback servers, SQLite files, Apprise)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler import config, store
from crawler.alerts import deliver, enqueue
from crawler.clock import Clock
from crawler.config import ConfigError
from monitors import build
from tests.builders import add_story_article
from tests.conftest import newsmon, write_config
from tests.test_daemon import publish, start, stop, wait_for

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
SECRET = "SECRET123"
BASE = """
outlets:
  - name: Wire
    feeds: [https://wire.example/rss.xml]
  - name: Copy Daily
    feeds:
      - https://copy.example/rss.xml
      - url: https://wire.example/rss.xml
monitors:
  - name: launches
    type: missile_launch
"""


def parse(text: str, **options: bool) -> config.Config:
    return config.parse(text, Path("/etc/newsmon/config.yaml"), **options)


# -- 7. config mistakes found when the file is read ------------------------------------


def test_one_feed_url_under_two_outlets_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as failure:
        parse(BASE)
    assert str(failure.value) == (
        "/etc/newsmon/config.yaml:8: outlets[1].feeds[1].url: this URL is already listed "
        "at outlets[0].feeds[0] (line 4)"
    )
    with pytest.raises(ConfigError, match=r":5: outlets\[0\].sitemaps\[0\]: this URL is alr"):
        parse(
            BASE.replace(
                "    feeds: [https://wire.example/rss.xml]",
                "    feeds: [https://w.example/a]\n    sitemaps: [https://w.example/a]",
            )
        )
    parse(BASE.replace("url: https://wire.example/rss.xml", "url: https://copy.example/b.xml"))


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (f"jsn://hooks.example.org/x?token={SECRET}", "Apprise has no jsn:// service"),
        (f"discord://{SECRET}", "Apprise cannot use this discord:// URL"),
        (f"mailto://user:{SECRET}@127.0.0.1", "Apprise cannot use this mailto:// URL"),
    ],
)
def test_a_notify_url_apprise_cannot_use_is_a_config_error(
    tmp_path: Path, url: str, reason: str
) -> None:
    text = BASE.replace("      - url: https://wire.example/rss.xml\n", "")
    text += f"notify:\n  - name: ops\n    url: {url}\n"
    with pytest.raises(ConfigError) as failure:
        parse(text)
    assert f"/etc/newsmon/config.yaml:13: notify[0].url: {reason}" in str(failure.value)
    assert SECRET not in str(failure.value)
    assert parse(text, check_targets=False).notify[0].url == url  # what reading commands load
    cfg = tmp_path / "config.yaml"
    cfg.write_text(text)
    for command in (["run"], ["notify"], ["daemon"]):
        result = newsmon(*command, config=cfg, timeout=30)
        assert result.returncode == 2 and reason in result.stderr, command
        assert SECRET not in result.stderr
    assert not (tmp_path / "newsmon.db").exists()  # refused before anything started


def test_an_alert_apprise_cannot_send_fails_at_once_without_retries(tmp_path: Path) -> None:
    """A URL that slipped past the config check (a config read without it) fails for good
    at the first attempt: retrying it eight times over two hours could never help."""
    text = BASE.replace("      - url: https://wire.example/rss.xml\n", "")
    text += f"database: {tmp_path / 'newsmon.db'}\nnotify:\n  - name: ops\n"
    text += f"    url: discord://{SECRET}\n"
    cfg = config.parse(text, tmp_path / "config.yaml", check_targets=False)
    with closing(store.db.open_db(cfg.database)) as db:
        store.feeds.sync_outlets(db, cfg, T0)
        add_story_article(db, "wire", [build(config.MonitorConfig("launches", "missile_launch"))])
        enqueue.enqueue(db, cfg, T0)
        report = asyncio.run(deliver.deliver(db, cfg, Clock(T0)))
        [row] = [dict(r) for r in db.query("SELECT state, attempts, last_error FROM outbox")]
    assert (report.failed, report.retrying) == (1, 0)
    assert (row["state"], row["attempts"]) == ("failed", 1)
    assert "Apprise cannot use this discord:// URL" in row["last_error"]
    assert "permanent: not retried" in report.errors[0] and SECRET not in report.errors[0]


# -- 6. the demo, run again ------------------------------------------------------------


def test_running_the_demo_again_starts_it_over(tmp_path: Path) -> None:
    first = newsmon("demo", "--dir", str(tmp_path))
    assert first.returncode == 0, first.stderr
    second = newsmon("demo", "--dir", str(tmp_path))
    assert second.returncode == 0, second.stderr
    assert "First poll:  polled 6 feeds:" in second.stdout and "16 new articles" in second.stdout
    cfg = tmp_path / "config.yaml"
    feeds = json.loads(newsmon("feeds", "--json", "--all", config=cfg).stdout)
    assert len(feeds) == 6 and {row["last_status"] for row in feeds} == {304}
    events = json.loads(newsmon("events", "--json", config=cfg).stdout)
    assert sorted(e["article_count"] for e in events) == [1, 5]
    # the demo's clock is in January 2026: its output gives the options that find its events
    assert "--since 2026-01-01 --now 2026-01-28T00:00:00Z" in second.stdout
    digest = newsmon("digest", "--since", "2026-01-01", "--now", "2026-01-28T00:00:00Z", config=cfg)
    assert "2 new, 0 updated" in digest.stdout


def test_the_demo_leaves_no_temporary_folder_and_its_commands_run_without_a_venv(
    tmp_path: Path,
) -> None:
    temporary, cache = tmp_path / "tmp", tmp_path / "cache"
    temporary.mkdir()
    shell = {"PATH": "/usr/bin:/bin", "TMPDIR": str(temporary), "XDG_CACHE_HOME": str(cache)}
    result = newsmon("demo", env=shell)
    assert result.returncode == 0, result.stderr
    assert list(temporary.iterdir()) == []
    assert (cache / "newsmon" / "demo" / "config.yaml").is_file()
    commands = [line.strip() for line in result.stdout.splitlines() if " --config " in line]
    assert len(commands) == 4, result.stdout
    for command in commands:
        ran = subprocess.run(
            command, shell=True, capture_output=True, text=True, timeout=60,
            env={**os.environ, **shell}, cwd=tmp_path,
        )  # fmt: skip
        assert ran.returncode == 0 and ran.stdout, (command, ran.stderr)


def test_the_demo_never_overwrites_a_config_it_did_not_write(tmp_path: Path) -> None:
    mine = write_config(tmp_path, [{"name": "Mine", "feeds": ["https://mine.example/rss"]}])
    before = mine.read_text()
    result = newsmon("demo", "--dir", str(tmp_path))
    assert result.returncode == 2
    assert f"{mine}: not written by `newsmon demo`; choose another --dir" in result.stderr
    assert mine.read_text() == before and not (tmp_path / "newsmon.db").exists()


# -- 11. the daemon's log: one line per poll ---------------------------------------------


def test_the_daemons_info_log_is_one_line_per_poll(server, tmp_path: Path) -> None:
    publish(server, "a", 2)
    publish(server, "b", 1)
    outlets = [
        {"name": "A", "feeds": [server.url("/a.xml")], "interval": "1m"},
        {"name": "B", "feeds": [server.url("/b.xml")], "interval": "1m"},
    ]
    cfg = write_config(tmp_path, outlets)
    process, log = start(cfg)
    try:
        wait_for(lambda: "poll done:" in log.read_text(), "the first poll")
    finally:
        assert stop(process) == 0
    lines = log.read_text().splitlines()
    assert not [line for line in lines if "apscheduler" in line]
    [poll] = [line for line in lines if "poll done:" in line]
    assert "polled 2 feeds:" in poll and "3 new articles" in poll and "0 feed errors" in poll
    assert "outlets: A, B; next due 20" in poll
    assert [line.split(" INFO ")[1][:20] for line in lines] == [
        "crawler.daemon: daem",
        "crawler.daemon: poll",
        "crawler.daemon: daem",
        "crawler.daemon: daem",
    ]


def test_the_daemon_reads_the_log_level_after_its_name(server, tmp_path: Path) -> None:
    """`newsmon daemon --log-level DEBUG` as a unit file might say it: APScheduler's
    account of its jobs is there when debugging."""
    publish(server, "a", 1)
    cfg = write_config(tmp_path, [{"name": "A", "feeds": [server.url("/a.xml")]}])
    process, log = start(cfg, "--log-level", "DEBUG")
    try:
        wait_for(lambda: "poll done:" in log.read_text(), "the first poll")
    finally:
        assert stop(process) == 0
    text = log.read_text()
    assert "apscheduler" in text and "poll outlet='A'" in text
