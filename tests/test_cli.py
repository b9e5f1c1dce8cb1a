import json

import click
import pytest

from crawler.cli import cli
from tests.conftest import newsmon


def commands():
    return sorted(cli.commands.items())


@pytest.mark.parametrize(("name", "command"), commands())
def test_every_command_is_documented_with_an_example(name, command: click.Command):
    assert command.help and "Example:" in command.help, f"newsmon {name} lacks an Example"


def test_every_command_appears_on_the_commands_page():
    from tests.conftest import ROOT

    page = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    for name, _ in commands():
        assert f"newsmon {name}" in page, f"docs/commands.md does not document newsmon {name}"


def test_module_entry_point_and_version():
    result = newsmon("--version")
    assert result.returncode == 0 and result.stdout.startswith("newsmon, version")


def test_a_missing_config_is_a_clear_exit_2(tmp_path):
    result = newsmon("--config", str(tmp_path / "nope.yaml"), "feeds")
    assert result.returncode == 2
    assert "nope.yaml: no such configuration file" in result.stderr


def test_bad_now_is_a_usage_error(tmp_path):
    result = newsmon("run", "--now", "yesterday-ish", env={"NEWSMON_CONFIG": str(tmp_path / "x")})
    assert result.returncode == 2


def test_demo_runs_the_whole_pipeline_offline(tmp_path):
    result = newsmon("demo", "--dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "First poll:  polled 6 feeds" in result.stdout
    assert "Second poll: polled 6 feeds: 6 not modified" in result.stdout
    assert "0 feed errors, 0 page errors" in result.stdout
    config = tmp_path / "config.yaml"

    listed = json.loads(newsmon("articles", "--json", "--limit", "100", config=config).stdout)
    methods = sorted(row["text_method"] for row in listed)
    # 14 pages extracted; the paywalled page from its feed content; the page
    # robots.txt forbids from the feed's own summary, never fetched
    assert methods == ["feed_content", "feed_summary"] + ["trafilatura"] * 14
    found = json.loads(
        newsmon("articles", "--json", "--search", "hypersonic", config=config).stdout
    )
    assert [row["outlet"] for row in found][:1] == ["Seoul Morning Ledger"]

    health = json.loads(newsmon("feeds", "--json", config=config).stdout)
    assert {row["last_status"] for row in health} == {304}
    table = newsmon("feeds", config=config).stdout
    assert "Tokyo Evening Post" in table and "sitemap" in table


def test_articles_table_never_prints_control_characters(tmp_path):
    from crawler.report.table import cell

    assert cell("a\x1b[31mred\u202eevil\x07") == "a?[31mred?evil?"


def test_notify_without_targets_reports_nothing_to_send(tmp_path):
    from crawler import config, store
    from tests.conftest import write_config

    cfg = write_config(tmp_path, [{"name": "A", "feeds": ["http://127.0.0.1:9/a.xml"]}])
    store.db.open_db(config.load(cfg).database).close()  # as the first poll leaves it
    result = newsmon("notify", config=cfg)
    assert result.returncode == 0, result.stderr
    assert "alerts: 0 queued, 0 sent, 0 to retry, 0 failed, 0 unknown" in result.stdout


UNSAFE = "\x9b\x85\x7f\u202e\u2066\x1b\x07\r"


def test_every_json_output_strips_controls_and_bidi_overrides(tmp_path):
    """JSON strips C1 controls (U+0080-U+009F), DEL and bidi overrides as well as C0
    controls, as the docs say every format does."""
    from datetime import datetime

    from crawler import config, ingest, store
    from monitors import build
    from tests.builders import entry_with_record, story
    from tests.conftest import write_config

    cfg = write_config(tmp_path, [{"name": "Wire\u202e", "feeds": ["http://127.0.0.1:9/r.xml"]}])
    db = store.db.open_db(tmp_path / "newsmon.db")
    store.feeds.sync_outlets(
        db, config.load(cfg), datetime.fromisoformat("2026-01-04T00:00:00+00:00")
    )
    title, published, paragraphs = story("wire")
    hostile = title.replace("North Korea", "North\x9b31m Korea\x85\x7f\u202e\u2066\x1b[2J\x07\r")
    entry, record = entry_with_record(
        db, "k", "https://wire.example/x", hostile, "\n".join(paragraphs), published
    )
    from monitors.base import MonitorConfig

    monitors = [build(MonitorConfig("launches", "missile_launch"))]
    ingest.add_article(db, entry, record, monitors, now=datetime.fromisoformat(published))
    db.close()
    for command in (
        ["digest", "--format", "json", "--since", "2000-01-01"],
        ["events", "--json"],
        ["event", "1", "--json"],
        ["articles", "--json"],
        ["feeds", "--json"],
        ["status", "--json"],
    ):
        result = newsmon(*command, config=cfg)
        assert result.returncode == 0, result.stderr
        decoded = json.dumps(json.loads(result.stdout), ensure_ascii=False)
        assert not set(UNSAFE) & set(decoded), command
        assert ("North31m Korea[2J" in decoded) or ("Wire" in decoded), command
