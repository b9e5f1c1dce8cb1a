"""The CI guard's verdicts and the event benchmark's figures that feed it."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from datetime import UTC, datetime

from bench.events_replay import (
    LABELS,
    NOT_A_QUAKE,
    Launch,
    Sighting,
    due_at,
    load_quakes,
    magnitude_agrees,
    place_agrees,
    subject,
    time_error,
)
from bench.guard import ROOT, check
from monitors import build
from monitors.base import MonitorConfig


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 8, 20, hour, minute, tzinfo=UTC)


def scores(**totals) -> dict:
    base = {"labelled": 2, "found": 2, "with_place": 2, "with_magnitude": 1}
    return {"totals": base | totals}


def test_a_figure_worse_than_its_threshold_fails_and_an_equal_one_passes():
    results = {"aug2026": {"quake-keywords": scores(recall=0.5, merges=1, false_events=0)}}
    thresholds = {"aug2026": {"quake-keywords": {"recall": 0.9, "merges": 0, "false_events": 0}}}
    verdicts = {v.figure: v for v in check(results, thresholds)}
    assert not verdicts["recall"].ok
    assert not verdicts["merges"].ok
    assert verdicts["false_events"].ok
    assert verdicts["recall"].line().startswith("FAIL aug2026 quake-keywords recall 0.50")
    assert verdicts["merges"].line() == "FAIL aug2026 quake-keywords merges 1 (threshold <= 0)"


def test_shares_are_over_found_events_and_an_unmeasured_figure_fails():
    results = {"dec2025": {"earthquake": scores(max_time_error_hours=None)}}
    thresholds = {
        "dec2025": {
            "earthquake": {"place_share": 1.0, "magnitude_share": 0.9, "max_time_error_hours": 1}
        }
    }
    verdicts = {v.figure: v for v in check(results, thresholds)}
    assert verdicts["place_share"].ok
    assert not verdicts["magnitude_share"].ok  # 1 of 2
    assert not verdicts["max_time_error_hours"].ok
    assert "not measured" in verdicts["max_time_error_hours"].line()


def test_a_monitor_without_results_gives_no_verdict():
    thresholds = {"dec2025": {"earthquake": {"recall": 0.95}}}
    assert check({"dec2025": {}}, thresholds) == []


def test_the_guard_skips_with_one_line_without_the_datasets(tmp_path):
    env = {**os.environ, "NEWSMON_DATASETS": str(tmp_path / "absent")}
    done = subprocess.run(
        [sys.executable, "-m", "bench.guard"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0
    assert done.stdout.strip().startswith("skipped:")
    assert len(done.stdout.strip().splitlines()) == 1


def test_one_headline_list_is_not_due_and_a_second_lead_outlet_is():
    lists = ("google_news_reuters_pool",)
    first = Sighting("a", "google_news_reuters_pool", "Quake strikes Peru - Reuters", at(10))
    same = Sighting("b", "google_news_reuters_pool", "Peru quake kills two - Reuters", at(11))
    other = Sighting("c", "google_news_reuters_pool", "Peru jolted - BBC", at(12))
    direct = Sighting("d", "reuters_official_msn", "Quake strikes Peru", at(13))
    assert due_at([first, same], lists) is None
    assert due_at([first, same, other], lists) == at(12)
    assert due_at([direct, first], lists) == at(13)  # the list alone was not enough
    assert due_at([direct], lists) == at(13)


def test_time_error_is_from_the_instant_else_from_the_interval():
    point = Launch("Q", at(8, 37), True)
    interval = Launch("R", None, False, earliest=at(5), latest=at(17))
    assert time_error(point, at(9, 37)) == 1.0
    assert time_error(interval, at(12)) == 0.0
    assert time_error(interval, at(3)) == -2.0
    assert time_error(interval, at(19)) == 2.0
    assert time_error(Launch("S", None, False), at(12)) is None


def test_every_quake_label_names_a_labelled_quake():
    quakes = load_quakes()
    for name in ("quakes-dec2025.csv", "quakes-aug2026.csv"):
        with (LABELS / name).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                assert row["label"] == NOT_A_QUAKE or row["label"] in quakes, row
    for quake in quakes.values():
        assert quake.place and (quake.main_shock is None or quake.main_shock in quakes)
        assert quake.earliest is not None and quake.earliest <= quake.latest


def test_the_keyword_monitor_file_is_a_valid_keywords_block():
    chosen = subject("quake-keywords")
    block = dict(chosen.block)
    monitor = build(MonitorConfig(block.pop("name"), block.pop("type"), block))
    assert chosen.labels == "quakes" and monitor.name == "quake-keywords"


def test_aplace_agrees_on_its_common_levels_and_a_magnitude_within_half_a_unit():
    taiwan = ("Taiwan", "Yilan County")
    assert place_agrees(taiwan, ["Taiwan"]) is True
    assert place_agrees(taiwan, ["Taiwan", "Hualien County"]) is False
    assert place_agrees(("Indonesia", "Sumatra"), ["Indonesia", "Flores"]) is False
    assert place_agrees(taiwan, None) is None
    assert magnitude_agrees(6.6, 7.0) is True
    assert magnitude_agrees(6.6, 5.8) is False
    assert magnitude_agrees(None, 7.0) is None
