"""The missile-launch monitor on Korean headlines and leads (written for these tests in
the style of Yonhap, KBS and Newsis; none is copied from a dataset)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitors.base import ArticleView, Match, MonitorConfig
from monitors.missile_launch import from_config

MONITOR = from_config(MonitorConfig("missiles", "missile_launch", {}))
SUNDAY_0802_KST = "2026-01-04T08:02:00+09:00"
NEXT_DAY_KST = "2025-12-29T06:45:00+09:00"


def article(title: str, text: str = "", published: str = SUNDAY_0802_KST) -> ArticleView:
    return ArticleView(
        url="test:ko", title=title, text=text, published=datetime.fromisoformat(published)
    )


def launch(view: ArticleView) -> Match:
    found = MONITOR.match(view)
    assert found is not None, view.title
    assert found.facts["actor"] == "North Korea"
    return found


@pytest.mark.parametrize(
    ("title", "facts", "account"),
    [
        (
            '[속보] 합참 "북, 동해상으로 탄도미사일 발사"',
            {"missile_types": ["ballistic"], "landing_area": "East Sea"},
            "report",
        ),
        (
            "북한, 서해상으로 순항미사일 수발 발사…김정은 참관",
            {"count_text": "several", "missile_types": ["cruise"], "landing_area": "West Sea"},
            "confirmation",
        ),
        (
            "北, 동해상으로 SRBM 2발 쐈다",
            {"count": 2, "missile_types": ["SRBM"], "landing_area": "East Sea"},
            "report",
        ),
        (
            "북측, 단거리탄도미사일 발사",
            {"missile_types": ["ballistic", "short-range ballistic"]},
            "report",
        ),
        ("北 화성-18형 ICBM 시험발사", {"missile_types": ["Hwasong-18", "ICBM"]}, "report"),
        ('北 미상 발사체 발사…합참 "분석 중"', {}, "report"),
        # "여러 발" (several rounds): its 러 is not Russia's short form
        (
            "북한, 서해상으로 순항미사일 여러 발 발사",
            {"count_text": "several", "missile_types": ["cruise"], "landing_area": "West Sea"},
            "report",
        ),
    ],
)
def test_korean_headlines_report_a_launch(title: str, facts: dict, account: str) -> None:
    found = launch(article(title))
    assert {k: v for k, v in found.facts.items() if k != "actor"} == facts
    assert found.account == account
    assert found.evidence == title


def test_a_jcs_flash_gives_the_minute_count_distance_and_places() -> None:
    text = (
        "합동참모본부는 4일 오전 7시 50분께 북한이 평양 일대에서 동해상으로 단거리탄도미사일 "
        "2발을 발사했다고 밝혔다. 미사일은 약 900㎞를 비행했다고 합참은 설명했다."
    )
    found = launch(article("북한, 동해상으로 탄도미사일 발사", text))
    assert found.time is not None and found.time.precision == "minute"
    assert found.time.start <= datetime(2026, 1, 3, 22, 50, tzinfo=UTC) <= found.time.end
    assert found.time.end - found.time.start <= MINUTES_30
    assert found.facts["count"] == 2
    assert found.facts["distance_km"] == 900
    assert found.facts["launch_area"] == "평양 일대"
    assert found.facts["landing_area"] == "East Sea"
    assert "900㎞" in found.fact_evidence["distance_km"]


def test_the_next_day_state_media_account_is_a_confirmation_dated_the_day_before() -> None:
    title = '북 "전략순항미사일 발사훈련"…김정은 참관'
    text = (
        "북한은 28일 서해상에서 김정은 국무위원장이 참관한 가운데 전략순항미사일 발사훈련을 "
        "진행했다고 조선중앙통신이 29일 보도했다. 통신은 미사일들이 1만199초 동안 비행해 "
        "표적을 명중했다고 주장했다."
    )
    found = launch(article(title, text, NEXT_DAY_KST))
    assert found.account == "confirmation"
    assert found.time is not None and found.time.precision == "day"
    assert found.time.start == datetime(2025, 12, 27, 15, 0, tzinfo=UTC)  # 28 Dec KST
    assert found.facts["flight_seconds"] == 10199
    assert found.facts["missile_types"] == ["cruise"]


def test_the_militarys_clock_time_far_down_a_state_media_report_sharpens_the_day() -> None:
    title = "북한, 장거리순항미사일 시험발사"
    text = "\n".join(
        [
            "북한이 서해상에서 장거리순항미사일을 시험 발사했다고 29일 밝혔다.",
            "조선중앙통신은 전날 진행된 훈련에서 미사일들이 궤도를 따라 비행했다고 보도했다.",
            "김 위원장은 결과에 만족을 표시했다.",
            "합동참모본부는 전날 오전 8시께 순안 일대에서 발사된 미사일 수발을 포착했다고 밝혔다.",
        ]
    )
    found = launch(article(title, text, NEXT_DAY_KST))
    assert found.time is not None and found.time.precision == "minute"
    assert found.time.start <= datetime(2025, 12, 27, 23, 0, tzinfo=UTC) <= found.time.end


@pytest.mark.parametrize(
    ("text", "published", "launch_utc", "phrase"),
    [
        # the wrong day ("29일", written for the next morning's paper) while the
        # military's words give the day and the clock: the clock is not set on the 29th
        (
            "북한이 29일 서해상에서 순항미사일을 시험 발사했다. 합동참모본부 관계자는 전날 "
            "오전 8시께 평양 인근에서 발사된 미사일 수발을 포착했다고 밝혔다.",
            "2025-12-29T15:00:00+09:00",
            datetime(2025, 12, 27, 23, 0, tzinfo=UTC),
            "전날 오전; 오전 8시께",
        ),
        # a lead with its own clock keeps it beside an earlier launch
        (
            "합동참모본부는 북한이 29일 오전 7시께 동해상으로 탄도미사일 1발을 발사했다고 "
            "밝혔다. 북한은 전날에도 순항미사일을 발사했다.",
            "2025-12-29T09:00:00+09:00",
            datetime(2025, 12, 28, 22, 0, tzinfo=UTC),
            "29일; 오전 7시께",
        ),
    ],
)
def test_a_day_word_with_its_own_clock_outweighs_one_without(
    text: str, published: str, launch_utc: datetime, phrase: str
) -> None:
    found = launch(article("북, 순항미사일 시험 발사", text, published))
    assert found.time is not None and found.time.precision == "minute"
    assert found.time.start <= launch_utc <= found.time.end
    assert found.time.phrase == phrase


@pytest.mark.parametrize(
    ("title", "text"),
    [
        # South Korea's export of Chunmoo guided missiles to Poland
        (
            "한화에어로, 폴란드에 천무 유도미사일 공급 계약",
            "한화에어로스페이스는 폴란드와 천무 유도미사일 공급 계약을 맺었다고 29일 밝혔다.",
        ),
        # China's, Israel's, Russia's missiles
        ("중국군, 대만 인근 해상에서 탄도미사일 발사 훈련", ""),
        ("[포토] 대만 코앞에서 발사한 중국군 미사일", ""),
        ("이스라엘, 레이저로 미사일 요격하는 '아이언빔' 실전 배치", ""),
        ("러시아, 극초음속 미사일 '오레시니크' 벨라루스 배치 영상 공개", ""),
        ("이란군 훈련 중 발사된 미사일", ""),
        # South Korea's own test
        ("국방과학연구소, 현무 탄도미사일 시험발사 성공", ""),
        # an award, a factory visit, a launcher on a ship
        ("탄도미사일 전문가 김 연구원, '올해의 국방과학연구소인' 상 수상", ""),
        ('김정은, 미사일 생산 공장 방문…"생산 능력 확대"', ""),
        ("미사일 발사대 장착한 中 화물선 포착", ""),
        # analysis of a launch to come, speculation
        ("北 ICBM 도발 가능성…한미 감시 강화", ""),
        ("北, 연말 '화성-20형' 시험발사는?", ""),
        ("북한, 추가 미사일 발사 준비 징후", ""),
        # history
        ("북한, 2017년 화성-15형 발사 이후 ICBM 개발 가속", ""),
    ],
)
def test_korean_articles_that_are_not_north_korean_launch_reports(title: str, text: str) -> None:
    assert MONITOR.match(article(title, text)) is None


def test_south_koreas_test_is_south_koreas_when_it_is_watched() -> None:
    seoul = from_config(MonitorConfig("rok", "missile_launch", {"actors": ["South Korea"]}))
    found = seoul.match(article("국방과학연구소, 현무-5 탄도미사일 시험발사 성공"))
    assert found is not None and found.facts["actor"] == "South Korea"
    assert found.facts["missile_types"] == ["Hyunmoo-5", "ballistic"]


def test_particles_and_short_forms_name_north_korea_but_not_other_words() -> None:
    for title in ("북한이 탄도미사일 발사", "북한은 탄도미사일 발사", "北탄도미사일 발사"):
        assert launch(article(title)).facts["actor"] == "North Korea"
    # 남북 (the two Koreas), 북미 (North America) are not "북"
    assert MONITOR.match(article("남북 해역에서 탄도미사일 발사")) is None


MINUTES_30 = datetime(2026, 1, 1, 0, 30) - datetime(2026, 1, 1, 0, 0)


@pytest.mark.parametrize(
    ("sentence", "seconds"),
    [
        (
            '통신은 "전략순항미사일들은 1만199초(2시간49분59초) 간 비행해 명중했다"고 밝혔다.',
            10199,
        ),
        ("통신은 전략순항미사일들은 각각 만 203초 간 서해상공을 비행했다고 보도했다.", 10203),
        ("미사일은 약 2시간 50분 동안 날아가 표적을 명중했다고 통신은 주장했다.", 10200),
    ],
)
def test_the_flight_of_this_launch_in_later_sentences(sentence: str, seconds: int) -> None:
    text = "북한은 28일 서해상에서 전략순항미사일 발사훈련을 진행했다고 29일 밝혔다.\n" + sentence
    found = launch(article("북한, 순항미사일 발사", text, NEXT_DAY_KST))
    assert found.facts["flight_seconds"] == seconds
    assert found.fact_evidence["flight_seconds"] == sentence
