"""What an analyst reads in every digest format: the monitor, local times, facts
with labels and units, who disagrees with whom, every source's URL, one time everywhere.

Events are built through the crawler's own path (`ingest.add_article`) into a real
SQLite file; the digests come from the real CLI in a subprocess.
"""

from __future__ import annotations

import json

import feedparser
import pytest

from crawler import store
from crawler.report import labels
from crawler.report.table import table
from monitors import build
from monitors.base import MonitorConfig
from tests.builders import add_story_article, outlets_database
from tests.conftest import newsmon, write_config

MONITORS = [build(MonitorConfig("missile-launches", "missile_launch"))]
NOW = "2026-03-09T00:00:00Z"


@pytest.fixture
def two_outlets(tmp_path):
    """One launch: Wire says two missiles, 450 km; Tokyo Desk says three, 400 km."""
    cfg, db = outlets_database(tmp_path, "Wire", "Tokyo Desk")
    add_story_article(db, "wire", MONITORS)
    add_story_article(db, "tokyo", MONITORS, feed_id=2)
    assert [row["outlet_count"] for row in store.events.list_events(db)] == [2]
    yield cfg
    db.close()


def digest(cfg, fmt: str, *args: str) -> str:
    result = newsmon(
        "digest", "--format", fmt, "--since", "2026-03-01", "--now", NOW, *args, config=cfg
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_text_digest_names_the_monitor_local_times_labels_disagreements_and_urls(
    two_outlets,
):
    lines = digest(two_outlets, "text", "--tz", "Asia/Seoul").splitlines()
    assert lines[0].startswith("newsmon digest: 1 new, 0 updated since 2026-03-01 09:00 KST")
    assert "    missile-launches · 2026-03-08 06:20 KST (minute) · 2 outlets, 2 articles" in lines
    facts = next(line for line in lines if line.startswith("    Actor: "))
    assert "Count: 3" in facts and "Distance: 450 km" in facts
    assert "Missile types: ballistic, short-range ballistic" in facts
    assert "    Reports differ on Count: 3 (Tokyo Desk); 2 (Wire)" in lines
    assert "    Reports differ on Distance: 450 km (Wire); 400 km (Tokyo Desk)" in lines
    assert not [line for line in lines if "Reports differ on Missile types" in line]  # a union
    assert "      https://wire.example/wire" in lines
    assert "      https://wire.example/tokyo" in lines


def test_every_format_shows_the_same_labels_and_zone_and_json_stays_data(two_outlets):
    with two_outlets.open("a", encoding="utf-8") as handle:
        handle.write("display:\n  timezone: Asia/Seoul\n")  # the default for every command
    markdown = digest(two_outlets, "markdown")
    assert "missile-launches · 2026-03-08 06:20 KST \\(minute\\)" in markdown
    assert "- **Count:** 3 \\(reports differ: 3 \\(Tokyo Desk\\); 2 \\(Wire\\)\\)" in markdown
    page = digest(two_outlets, "html")
    assert '<tr><th>Distance</th><td>450 km<div class="differ">reports differ: ' in page
    assert "2026-03-08 06:20 KST (minute)" in page
    feed = feedparser.parse(digest(two_outlets, "atom"))
    assert feed.bozo == 0
    [entry] = feed.entries
    assert "urn:newsmon:monitor" in {tag.scheme for tag in entry.tags}
    assert "Flight time" not in entry.content[0].value  # only facts the reports gave
    assert "<th>Count</th><td>3<div" in entry.content[0].value
    [event] = json.loads(digest(two_outlets, "json"))["events"]
    assert event["event_time"] == "2026-03-07T21:20:00Z"  # JSON keeps UTC and raw keys
    assert event["facts"]["distance_km"] == 450 and event["facts"]["count"] == 3
    utc = digest(two_outlets, "text", "--tz", "UTC")  # the option beats the config
    assert "missile-launches · 2026-03-07 21:20 UTC (minute)" in utc
    shown = newsmon("event", str(event["id"]), config=two_outlets).stdout
    assert "2026-03-08 06:20 KST (minute)" in shown
    assert "Count:          3   (reports differ: 3 (Tokyo Desk); 2 (Wire))" in shown


def test_a_bad_zone_is_a_usage_error_naming_it(two_outlets):
    for command in (["digest"], ["events"], ["event", "1"], ["articles"], ["article", "1"]):
        result = newsmon(*command, "--tz", "Mars/Olympus", config=two_outlets)
        assert result.returncode == 2, command
        assert "'Mars/Olympus' is not a time zone name" in result.stderr, command
    with two_outlets.open("a", encoding="utf-8") as handle:
        handle.write("display:\n  timezone: Korea Time\n")
    result = newsmon("events", config=two_outlets)
    assert result.returncode == 2
    assert "display.timezone: 'Korea Time' is not a time zone name" in result.stderr


def test_events_and_the_digest_show_the_same_instant(tmp_path):
    """`events` showed the interval's start (22:35) where the digest showed its middle
    (22:50) for an event stored before `time_point` existed."""
    cfg = write_config(tmp_path, [{"name": "Wire", "feeds": ["http://127.0.0.1:9/r.xml"]}])
    db = store.db.open_db(tmp_path / "newsmon.db")
    with db.atomic():
        store.events.create_event(
            db,
            {
                "monitor": "launches",
                "kind": "missile_launch",
                "title": "An old launch",
                "time_start": "2026-01-03T22:35:00Z",
                "time_end": "2026-01-03T23:05:00Z",
                "precision": "minute",
                "first_seen": "2026-01-04T00:00:00Z",
                "last_updated": "2026-01-04T00:00:00Z",
                "article_count": 1,
                "outlet_count": 1,
            },
        )
    db.close()
    listed = newsmon("events", config=cfg).stdout
    digested = newsmon("digest", "--since", "2026-01-01", "--now", NOW, config=cfg).stdout
    shown = newsmon("event", "1", config=cfg).stdout
    for output in (listed, digested, shown):
        assert "2026-01-03 22:50 UTC (minute)" in output
    assert json.loads(newsmon("events", "--json", config=cfg).stdout)[0]["event_time"] == (
        "2026-01-03T22:50:00Z"
    )


@pytest.mark.parametrize(
    ("key", "value", "label", "text"),
    [
        ("distance_km", 300, "Distance", "300 km"),
        ("apogee_km", 1500, "Apogee", "1,500 km"),
        ("flight_seconds", 10199, "Flight time", "2 h 50 min"),
        ("flight_seconds", 10200, "Flight time", "2 h 50 min"),
        ("flight_seconds", 3600, "Flight time", "1 h"),
        ("flight_seconds", 2700, "Flight time", "45 min"),
        ("flight_seconds", 45, "Flight time", "45 s"),
        ("missile_types", ["ballistic", "SRBM"], "Missile types", "ballistic, SRBM"),
        ("count_text", "several", "Count", "several"),
        ("launch_area", "Sinpo", "Launch area", "Sinpo"),
        ("distance_km", "about 300", "Distance", "about 300"),  # not a number: as given
        ("magnitude", 6.8, "Magnitude", "6.8"),
    ],
)
def test_fact_labels_and_units(key, value, label, text):
    assert (labels.fact_label(key), labels.fact_text(key, value)) == (label, text)


def test_a_cut_title_ends_with_an_ellipsis():
    long = "North Korea fires several ballistic missiles into sea as South Korean president"
    [_, row] = table([{"id": 1, "title": long}], [("id", "id"), ("title", "title")])
    assert row.endswith("…") and len(row.split("  ", 1)[1].strip()) == 70
    assert long[:60] in row
    [_, short] = table([{"id": 1, "title": "Short"}], [("id", "id"), ("title", "title")])
    assert short.endswith("Short")
