"""The conventions of sqlite-utils, Datasette and Miniflux: `--since 7d`, `--csv` and
`--nl` beside `--json`, `articles --outlet/--since`, and `newsmon article ID`.

A real SQLite file filled through the crawler's own path (`ingest.add_article`), read
by the real CLI in subprocesses.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from monitors import build
from monitors.base import MonitorConfig
from tests.builders import add_article, add_story_article, outlets_database, story
from tests.conftest import newsmon

MONITORS = [build(MonitorConfig("missile-launches", "missile_launch"))]
OUTLETS = ("Wire", "Copy Daily", "Tokyo Desk")
NOW = {"NEWSMON_NOW": "2026-03-08T12:00:00Z"}  # half a day after the launch's reports
FORMULA = '=HYPERLINK("http://evil.example","Quake") hits coast'


@pytest.fixture(scope="module")
def cfg(tmp_path_factory):
    """Wire (the launch, and a headline a spreadsheet would run), Copy Daily (a copy of
    the wire's report) and Tokyo Desk (its own report of the launch)."""
    path, db = outlets_database(tmp_path_factory.mktemp("listings"), *OUTLETS)
    add_story_article(db, "wire", MONITORS)
    add_story_article(db, "wire-copy", MONITORS, feed_id=2)
    add_story_article(db, "tokyo", MONITORS, feed_id=3)
    add_article(db, "quake", FORMULA, "2026-03-01T09:00:00+00:00", "A quake.", MONITORS)
    db.close()
    return path


def run(cfg, *args: str) -> str:
    result = newsmon(*args, config=cfg, env=NOW)
    assert result.returncode == 0, result.stderr
    return result.stdout


def as_json(cfg, *args: str) -> list[dict]:
    return json.loads(run(cfg, *args, "--json"))


def test_since_takes_a_span_back_from_now_as_well_as_a_date(cfg):
    assert len(as_json(cfg, "events", "--since", "1d")) == 1
    assert as_json(cfg, "events", "--since", "30m") == []
    assert len(as_json(cfg, "events", "--since", "2026-03-07")) == 1
    assert [a["outlet"] for a in as_json(cfg, "articles", "--since", "7d")] == [
        "Copy Daily",
        "Tokyo Desk",
        "Wire",
    ]  # latest stored first; the quake was stored on 1 March
    assert len(as_json(cfg, "articles", "--since", "2w")) == 4
    for span, shown in (("1d", ["new"]), ("12h", [])):  # the last report came 12h45m ago
        digest = run(
            cfg, "digest", "--format", "json", "--since", span, "--now", NOW["NEWSMON_NOW"]
        )
        assert [e["status"] for e in json.loads(digest)["events"]] == shown
    for command in ("events", "articles", "digest"):
        result = newsmon(command, "--since", "5 fortnights", config=cfg, env=NOW)
        assert result.returncode == 2, command
        assert "'5 fortnights' is neither a span such as 7d, 2h or 30m" in result.stderr


@pytest.mark.parametrize("command", ["events", "articles", "feeds"])
def test_csv_and_nl_carry_the_rows_json_prints(cfg, command):
    rows = as_json(cfg, command)
    assert rows
    lines = run(cfg, command, "--nl").splitlines()
    assert [json.loads(line) for line in lines] == rows
    table = list(csv.DictReader(io.StringIO(run(cfg, command, "--csv"))))
    assert len(table) == len(rows)
    assert list(table[0]) == list(rows[0])
    for row, printed in zip(rows, table, strict=True):
        for key, value in row.items():
            cell = printed[key]
            if isinstance(value, dict | list):
                assert json.loads(cell) == value
            elif isinstance(value, bool):
                assert cell == str(value).lower()
            elif value is None:
                assert cell == ""
            elif str(value).startswith("="):
                assert cell == "'" + value  # a spreadsheet shows it, never runs it
            else:
                assert cell == str(value), key


def test_articles_of_one_outlet(cfg):
    assert {a["outlet"] for a in as_json(cfg, "articles", "--outlet", "copy daily")} == {
        "Copy Daily"
    }
    both = as_json(cfg, "articles", "--outlet", "Wire", "--search", "missiles")
    assert [a["outlet"] for a in both] == ["Wire"]
    unknown = newsmon("articles", "--outlet", "Nowhere Post", config=cfg)
    assert unknown.returncode == 2
    assert "no outlet named 'Nowhere Post' (known: Copy Daily, Tokyo Desk, Wire)" in (
        unknown.stderr
    )


def test_article_shows_text_story_copies_and_events(cfg):
    [wire] = as_json(cfg, "articles", "--outlet", "Wire", "--search", "missiles")
    record = json.loads(run(cfg, "article", str(wire["id"]), "--json"))
    assert {key: record[key] for key in wire if key != "excerpt"} == {
        key: value for key, value in wire.items() if key != "excerpt"
    }  # the same fields as the listing
    title, _, paragraphs = story("wire")
    assert record["text"] == "\n".join(paragraphs)
    [copy] = record["copies"]
    assert copy["outlet"] == "Copy Daily" and copy["copy_of"] == wire["id"]
    assert record["story"]["article_count"] == len(record["story"]["articles"]) >= 2
    assert {"Wire", "Copy Daily"} <= {a["outlet"] for a in record["story"]["articles"]}
    [event] = record["events"]
    assert (event["role"], event["monitor"], event["outlet_count"]) == (
        "first report",
        "missile-launches",
        3,
    )
    assert event["event_time"] == "2026-03-07T21:20:00Z"
    assert event["evidence"].startswith("SEOUL — North Korea fired two")
    text = run(cfg, "article", str(wire["id"]), "--tz", "Asia/Seoul")
    assert text.startswith(f"Article {wire['id']}: {title}\n")
    assert "  published:  2026-03-08 07:40 KST" in text
    assert f"  copied by:  {copy['id']}  Copy Daily: " in text
    assert "        first report · missile-launches · 2026-03-08 06:20 KST (minute)" in text
    assert paragraphs[-1] in text.splitlines()
    missing = newsmon("article", "999", config=cfg)
    assert missing.returncode == 1 and "no article with id 999" in missing.stderr
