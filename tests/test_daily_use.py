"""What an analyst running newsmon every day runs into: the real CLI in subprocesses
on real SQLite files (files served by web servers, pipes to jq and head, typos, health
checks, feeds removed from the config)."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from crawler import config, store
from crawler.files import replace_atomically
from monitors import build
from tests.builders import add_story_article
from tests.conftest import newsmon, write_config

MONITORS = [build(config.MonitorConfig("launches", "missile_launch"))]
T0 = datetime(2026, 3, 8, tzinfo=UTC)
SINCE = ("--since", "2026-01-01")


def feeds_of(outlets: dict[str, list[str]]) -> list[dict]:
    return [{"name": name, "feeds": urls} for name, urls in outlets.items()]


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    """A config with one outlet and a configured monitor that has found nothing, over a
    database holding two events of a monitor no longer configured ("launches")."""
    cfg = write_config(tmp_path, feeds_of({"Wire": ["http://127.0.0.1:9/rss.xml"]}))
    document = yaml.safe_load(cfg.read_text())
    document["monitors"] = [{"name": "typhoons", "type": "keywords", "include": ["typhoon"]}]
    cfg.write_text(yaml.safe_dump(document))
    db = store.db.open_db(tmp_path / "newsmon.db")
    store.feeds.sync_outlets(db, config.load(cfg), T0)
    add_story_article(db, "wire", MONITORS)
    add_story_article(db, "next-week", MONITORS)
    db.close()
    return cfg


def fail_feed(cfg: Path, url: str, times: int) -> None:
    """`times` failed polls of one feed, written as the crawler writes them."""
    with closing(store.db.open_db(cfg.parent / "newsmon.db")) as db:
        feed = next(f for f in store.feeds.due_feeds(db, T0, every=True) if f.url == url)
        for _ in range(times):
            store.feeds.record_feed_failure(
                db, feed, now=T0, status=503, error="HTTP 503", next_due=T0
            )


# -- 1. digest --output is readable by the web server that serves it ------------------


def test_digest_output_keeps_the_replaced_files_mode_else_the_umask(desk: Path) -> None:
    served = desk.parent / "www" / "newsmon.html"
    served.parent.mkdir()
    served.write_text("yesterday's digest")
    served.chmod(0o644)
    fresh = desk.parent / "www" / "newsmon.atom"
    previous = os.umask(0o027)  # the subprocess inherits it
    try:
        for path, fmt in ((served, "html"), (fresh, "atom")):
            result = newsmon("digest", *SINCE, "--format", fmt, "--output", str(path), config=desk)
            assert result.returncode == 0, result.stderr
    finally:
        os.umask(previous)
    assert stat.S_IMODE(served.stat().st_mode) == 0o644  # as it was: the server reads it
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o640  # 0666 less the umask, as open() does
    assert "North Korea" in served.read_text()
    assert [p.name for p in served.parent.iterdir() if p.name.startswith(".")] == []


def test_replace_atomically_honours_the_umask_for_a_new_file(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        replace_atomically(tmp_path / "digest.txt", "text")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "digest.txt").stat().st_mode) == 0o644


# -- 2. machine-readable output is the document alone ----------------------------------


def test_every_json_output_is_the_document_alone(desk: Path) -> None:
    fail_feed(desk, "http://127.0.0.1:9/rss.xml", 1)  # a last_error that was printed after
    for command in (
        ["feeds", "--format", "json"],
        ["feeds", "--format", "json", "--all"],
        ["status", "--format", "json"],
        ["events", "--format", "json"],
        ["event", "1", "--format", "json"],
        ["articles", "--format", "json"],
        ["article", "1", "--format", "json"],
        ["digest", "--format", "json", *SINCE],
        ["digest", "--format", "json", "--reader", "jq", *SINCE],
    ):
        result = newsmon(*command, config=desk)
        assert result.returncode == 0, (command, result.stderr)
        json.loads(result.stdout)  # nothing before or after the document
    shown = json.loads(newsmon("feeds", "--format", "json", config=desk).stdout)
    assert [row["last_error"] for row in shown] == ["HTTP 503"]
    table = newsmon("feeds", config=desk).stdout  # people still see the error under the table
    assert "Wire: http://127.0.0.1:9/rss.xml: HTTP 503" in table


# -- 4. a missing database is an error, and nothing is created --------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["events"],
        ["articles"],
        ["digest"],
        ["digest", "--reader", "analyst"],
        ["feeds"],
        ["status"],
        ["event", "1"],
        ["article", "1"],
        ["notify"],  # nothing to send: a mistyped `database:` must not start a new one
    ],
)
def test_reading_a_database_that_does_not_exist_creates_nothing(
    tmp_path: Path, command: list[str]
) -> None:
    cfg = write_config(tmp_path, feeds_of({"Wire": ["http://127.0.0.1:9/rss.xml"]}))
    cfg.write_text(cfg.read_text().replace("database: newsmon.db", "database: data/newsmn.db"))
    result = newsmon(*command, config=cfg)
    assert result.returncode == 5, result.stderr
    assert f"{tmp_path / 'data' / 'newsmn.db'}: no such database" in result.stderr
    assert "run `newsmon run` first" in result.stderr and str(cfg) in result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.yaml"]


# -- 9. an unknown monitor is a typo, not an empty result ---------------------------------


@pytest.mark.parametrize("command", [["events"], ["digest", *SINCE], ["events", "--json"]])
def test_an_unknown_monitor_is_an_error_naming_the_known_ones(
    desk: Path, command: list[str]
) -> None:
    result = newsmon(*command, "--monitor", "lanches", config=desk)
    assert result.returncode == 2 and result.stdout == ""
    assert "no monitor named 'lanches' (known: launches, typhoons)" in result.stderr
    # known: from the database (no longer configured), or configured (no events yet)
    found = newsmon(*command, "--monitor", "launches", config=desk)
    assert found.returncode == 0 and "North Korea" in found.stdout
    assert newsmon(*command, "--monitor", "typhoons", config=desk).returncode == 0


# -- 11. conventions: options anywhere, status as a health check, pipes, logs -------------


def test_global_options_may_follow_the_command(desk: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for options in (["--config", str(desk)], ["--config", str(desk), "-v"]):
        result = subprocess.run(
            [sys.executable, "-m", "crawler", "events", *options],
            capture_output=True,
            text=True,
            cwd=elsewhere,  # no config.yaml here: only the option can find it
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert "launches" in result.stdout
    debug = newsmon("run", "--all", "--log-level", "DEBUG", config=desk)
    assert " DEBUG " in debug.stderr  # the level after the command took effect
    later = newsmon("status", "--config", str(tmp_path / "nope.yaml"), config=desk)
    assert later.returncode == 2 and "nope.yaml: no such configuration file" in later.stderr


def test_status_exit_code_is_a_health_check(desk: Path) -> None:
    healthy = newsmon("status", config=desk)
    assert healthy.returncode == 0 and healthy.stderr == ""
    fail_feed(desk, "http://127.0.0.1:9/rss.xml", 3)
    failing = newsmon("status", "--json", config=desk)
    assert failing.returncode == 1
    assert json.loads(failing.stdout)["feeds"][0]["failing"] is True
    assert "1 feed FAILING" in failing.stderr and "http://127.0.0.1:9/rss.xml" in failing.stderr
    with closing(store.db.open_db(desk.parent / "newsmon.db")) as db:
        gone = datetime.now(UTC) - timedelta(minutes=10)  # crashed without saying so
        store.daemon.daemon_started(db, 4242, gone, desk)
    silent = newsmon("status", config=desk)
    assert silent.returncode == 6
    assert "daemon: not responding" in silent.stdout
    assert "the daemon (pid 4242) is not responding" in silent.stderr


@pytest.mark.parametrize(
    "command",
    [["events"], ["articles"], ["feeds", "--json"], ["status"], ["event", "1"], ["digest", *SINCE]],
)
def test_a_reader_that_goes_away_ends_the_command_quietly(desk: Path, command: list[str]) -> None:
    assert cut_short(["--config", str(desk), *command]) == (141, "")


def cut_short(args: list[str]) -> tuple[int, str]:
    """Run newsmon with its stdout's reader gone, as `head -1` leaves it once it has its
    line: (exit code, stderr)."""
    with subprocess.Popen(
        [sys.executable, "-m", "crawler", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        process.stdout.close()
        stderr = process.stderr.read().decode()
        return process.wait(timeout=60), stderr


def test_a_digest_cut_short_by_its_reader_is_shown_again(desk: Path) -> None:
    assert cut_short(["--config", str(desk), "digest", "--reader", "ana", *SINCE]) == (141, "")
    again = newsmon("digest", "--reader", "ana", "--format", "json", *SINCE, config=desk)
    assert len(json.loads(again.stdout)["events"]) == 2  # the cursor did not move
    assert (
        json.loads(newsmon("digest", "--reader", "ana", "--format", "json", config=desk).stdout)[
            "events"
        ]
        == []
    )  # ... until a digest was delivered


# -- 5. feeds removed from the config: retired, and one definition of failing ------------


def test_removed_feeds_are_retired_and_failing_means_the_same_everywhere(tmp_path: Path) -> None:
    urls = {name: f"http://127.0.0.1:9/{name}.xml" for name in ("ok", "once", "thrice", "old")}
    outlets = {"Wire": [urls["ok"], urls["once"], urls["thrice"], urls["old"]]}
    cfg = write_config(tmp_path, feeds_of(outlets))
    with closing(store.db.open_db(tmp_path / "newsmon.db")) as db:
        store.feeds.sync_outlets(db, config.load(cfg), T0)
    fail_feed(cfg, urls["once"], 1)  # never succeeded: not failing after one error
    fail_feed(cfg, urls["thrice"], 3)
    fail_feed(cfg, urls["old"], 5)
    outlets["Wire"].remove(urls["old"])  # the outlet moved its feed
    outlets["Wire"].append("http://127.0.0.1:9/new.xml")
    cfg = write_config(tmp_path, feeds_of(outlets))
    with closing(store.db.open_db(tmp_path / "newsmon.db")) as db:  # as `run` does first
        store.feeds.sync_outlets(db, config.load(cfg), T0)

    status = newsmon("status", "--json", config=cfg)
    shown = json.loads(status.stdout)["feeds"]
    assert urls["old"] not in {row["url"] for row in shown}
    assert json.loads(status.stdout)["retired_feed_count"] == 1
    failing = {
        "status": {row["url"] for row in shown if row["failing"]},
        "feeds": {
            row["url"]
            for row in json.loads(newsmon("feeds", "--json", config=cfg).stdout)
            if row["failing"]
        },
        "serve": {row[2] for row in canned(cfg, store.canned.FAILING_FEEDS)},
    }
    assert failing == {
        "status": {urls["thrice"]},
        "feeds": {urls["thrice"]},
        "serve": {urls["thrice"]},
    }
    assert status.returncode == 1

    table = newsmon("status", config=cfg).stdout
    assert urls["old"] not in table and "1 retired" in table
    assert table.count("FAILING") == 1
    everything = newsmon("feeds", "--all", config=cfg).stdout
    retired = [line for line in everything.splitlines() if line.endswith(f"  {urls['old']}")]
    assert len(retired) == 1 and " retired " in retired[0] and "FAILING" not in retired[0]
    assert urls["old"] not in newsmon("feeds", config=cfg).stdout


def canned(cfg: Path, sql: str) -> list[tuple]:
    """A canned query as Datasette runs it: read-only SQL on the database file."""
    with closing(sqlite3.connect(f"file:{cfg.parent / 'newsmon.db'}?mode=ro", uri=True)) as conn:
        return conn.execute(sql).fetchall()


def test_feeds_and_status_show_times_in_the_display_zone_and_each_feed_by_url(
    tmp_path: Path,
) -> None:
    urls = ["http://127.0.0.1:9/a.xml", "http://127.0.0.1:9/b.xml"]
    cfg = write_config(tmp_path, feeds_of({"Wire": urls}))
    document = yaml.safe_load(cfg.read_text())
    document["display"] = {"timezone": "Asia/Seoul"}
    cfg.write_text(yaml.safe_dump(document))
    with closing(store.db.open_db(tmp_path / "newsmon.db")) as db:
        store.feeds.sync_outlets(db, config.load(cfg), T0)
    fail_feed(cfg, urls[0], 1)  # next due T0: 09:00 in Seoul
    now = {"NEWSMON_NOW": "2026-03-08T00:30:00Z"}
    shown = newsmon("status", config=cfg, env=now).stdout
    assert "2026-03-08 09:00 KST" in shown and "T00:00:00Z" not in shown
    wire = [line for line in shown.splitlines() if line.startswith("Wire ")]
    assert [next(u for u in urls if u in line) for line in wire] == urls
    listed = newsmon("feeds", "--tz", "Europe/Berlin", config=cfg, env=now).stdout
    assert "2026-03-08 01:00 CET" in listed and "KST" not in listed
    machine = json.loads(newsmon("feeds", "--json", config=cfg, env=now).stdout)
    assert {row["next_due"] for row in machine if row["url"] == urls[0]} == {"2026-03-08T00:00:00Z"}


@pytest.mark.parametrize(
    "command", [["feeds"], ["status"], ["events"], ["event", "1"], ["articles"], ["article", "1"]]
)
def test_one_json_option_everywhere_and_the_old_flag_is_a_hidden_alias(
    desk: Path, command: list[str]
) -> None:
    now = {"NEWSMON_NOW": "2026-03-08T00:00:00Z"}
    spelt = newsmon(*command, "--format", "json", config=desk, env=now)
    alias = newsmon(*command, "--json", config=desk, env=now)
    assert spelt.returncode == alias.returncode and spelt.stdout == alias.stdout, alias.stderr
    json.loads(spelt.stdout)
    shown = newsmon(*command, "--help", config=desk).stdout
    assert "--format" in shown and "--json" not in shown
    both = newsmon(*command, "--json", "--format", "csv", config=desk)
    assert both.returncode == 2, both.stderr  # two formats asked for


def test_listings_take_csv_and_nl_through_format(desk: Path) -> None:
    csv = newsmon("events", "--format", "csv", config=desk).stdout
    assert (
        csv.splitlines()[0].startswith("id,")
        and csv == newsmon("events", "--csv", config=desk).stdout
    )
    lines = newsmon("events", "--format", "nl", config=desk).stdout.splitlines()
    listed = json.loads(newsmon("events", "--format", "json", config=desk).stdout)
    assert [json.loads(line) for line in lines] == listed and len(listed) == 2
    both = newsmon("events", "--csv", "--format", "json", config=desk)
    assert both.returncode == 2 and "--csv and --format json ask for two formats" in both.stderr


def test_an_empty_window_is_named_and_a_cut_list_says_so(desk: Path) -> None:
    now = {"NEWSMON_NOW": "2026-04-01T00:00:00Z"}
    quiet = newsmon("events", "--since", "2d", "--tz", "Asia/Seoul", config=desk, env=now)
    assert quiet.stdout == "(no events since 2026-03-30 09:00 KST)\n", quiet.stderr
    none = newsmon("articles", "--since", "2d", config=desk, env=now).stdout
    assert none == "(no articles stored since 2026-03-30 00:00 UTC)\n"
    cut = newsmon("articles", "--search", "missile", "--limit", "1", config=desk).stdout
    assert cut.splitlines()[-1] == "(1 shown, best matches first; more match: --limit 5 shows more)"
    whole = newsmon("articles", "--search", "missile", "--limit", "2", config=desk).stdout
    assert "more match" not in whole and len(whole.splitlines()) == 3


def test_every_command_that_prints_times_takes_tz() -> None:
    from crawler.cli import cli

    printing = {"run", "notify", "feeds", "status", "articles", "events", "event", "article"}
    printing |= {"digest", "prune", "check"}
    for name in sorted(printing):
        command = cli.commands[name]
        shown = command.commands["show"] if name == "event" else command  # `event ID` is `show`
        options = {opt for param in shown.params for opt in param.opts}
        assert "--tz" in options, name
