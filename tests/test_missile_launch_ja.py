"""The missile-launch monitor on Japanese reports: NHK- and Kyodo-style fixtures written for
these tests (tests/data/monitors/ja-*.txt), and short headlines."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitors.base import ArticleView, Match, MonitorConfig
from monitors.missile_launch import from_config
from tests.test_missile_launch import fixture_article

MONITOR = from_config(MonitorConfig("missiles", "missile_launch", {}))
LAUNCH_4_JAN = datetime(2026, 1, 3, 22, 50, tzinfo=UTC)  # 07:50 JST/KST Sunday 4 Jan
LAUNCH_28_DEC = datetime(2025, 12, 27, 23, 0, tzinfo=UTC)  # about 08:00 KST 28 Dec


def headline(title: str, text: str = "") -> ArticleView:
    return ArticleView("test:ja", title, text, datetime(2026, 1, 4, 9, 0, tzinfo=UTC))


def launch(view: ArticleView) -> Match:
    found = MONITOR.match(view)
    assert found is not None, view.url
    assert found.facts["actor"] == "North Korea"
    return found


def test_nhk_flash_ballistic_missile_outside_the_eez() -> None:
    found = launch(fixture_article("ja-nhk-jan4"))
    assert found.account == "report"
    assert found.facts["missile_types"] == ["ballistic"]
    assert found.facts["landing_area"] == "outside Japan's exclusive economic zone"
    assert found.time is not None and found.time.precision == "minute"
    assert found.time.start <= LAUNCH_4_JAN <= found.time.end
    assert found.time.phrase == "きょう午前; 午前7時50分ごろ"


def test_kyodo_lead_with_time_count_distance_and_places() -> None:
    found = launch(fixture_article("ja-kyodo-jan4"))
    assert found.time is not None and found.time.start <= LAUNCH_4_JAN <= found.time.end
    assert found.facts["count_text"] == "several"
    assert found.facts["distance_km"] == 900
    assert found.facts["landing_area"] == "outside Japan's exclusive economic zone"
    assert "約900キロ飛行" in found.fact_evidence["distance_km"]


@pytest.mark.parametrize("name", ["ja-nhk-dec28", "ja-kyodo-dec28"])
def test_japanese_reports_of_the_28_december_launch_agree_with_the_korean_ones(
    name: str,
) -> None:
    found = launch(fixture_article(name))
    assert found.account == "confirmation"  # state media's account, Kim watching
    assert found.time is not None and found.time.precision == "minute"
    assert found.time.start <= LAUNCH_28_DEC <= found.time.end
    assert found.facts["missile_types"] == ["cruise"]
    assert found.facts["landing_area"] == "Yellow Sea"


def test_full_width_digits_and_the_speakers_day() -> None:
    text = (
        "【ソウル聯合ニュース】北朝鮮の朝鮮中央通信は２９日、黄海上で２８日に長距離戦略巡航"
        "ミサイルの発射実験を実施したと報じた。"
    )
    view = ArticleView(
        "test:ja",
        "北朝鮮　２８日に巡航ミサイル発射",
        text,
        datetime(2025, 12, 28, 23, 16, tzinfo=UTC),
    )
    found = launch(view)
    assert found.time is not None and found.time.precision == "day"
    assert found.time.start == datetime(2025, 12, 27, 15, 0, tzinfo=UTC)  # 28 Dec JST/KST


@pytest.mark.parametrize(
    "title",
    ["北朝鮮が弾道ミサイル発射", "北朝鮮、日本海に向けて弾道ミサイル1発を発射", "北ミサイル発射"],
)
def test_japanese_headlines_report_a_launch(title: str) -> None:
    assert launch(headline(title)).evidence == title


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("中国軍、台湾周辺で大規模演習　弾道ミサイルを発射", ""),
        ("韓国軍、玄武ミサイルの発射訓練を公開", ""),
        ("北朝鮮、ICBM発射の可能性　米韓が警戒強める", ""),
        ("金正恩氏、ミサイル工場を視察　量産を指示", ""),
        ("防衛省、長射程ミサイルを熊本に配備へ", ""),
        ("ロシア軍、キーウに大規模ミサイル攻撃", ""),
        ("米軍、トマホークでIS拠点を攻撃　巡航ミサイル発射", ""),
        (
            "【解説】北朝鮮はなぜミサイル発射を繰り返すのか",
            "北朝鮮は過去に多くのミサイルを発射してきた。専門家は体制の誇示だと分析する。",
        ),
        ("北朝鮮、2017年にICBM発射　当時の緊張振り返る", ""),
    ],
)
def test_japanese_articles_that_are_not_north_korean_launch_reports(title: str, text: str) -> None:
    assert MONITOR.match(headline(title, text)) is None


def test_a_reuters_item_with_a_latin_byline_is_read_as_japanese() -> None:
    view = headline(
        "北朝鮮、短距離弾道ミサイル10発超発射　日本海に向け300キロ飛行",
        "Joyce Lee　Kyu-seok Shim  ［東京／ソウル　２０日　ロイター］ -",
    )
    found = launch(view)
    assert found.facts["count_text"] == "more than 10"
    assert found.facts["distance_km"] == 300
    assert found.facts["landing_area"] == "Sea of Japan"


def test_a_headline_about_what_followed_a_launch_is_a_follow_up() -> None:
    found = launch(headline("日米韓が電話協議、北朝鮮のミサイル発射受け－挑発行動の停止要求"))
    assert found.account == "follow-up"
