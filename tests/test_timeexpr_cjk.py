"""Korean and Japanese event-time phrases: the same resolver, the words from the lexicons."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitors.language.timeexpr import mask_stamps, resolve_event_time
from monitors.launchrules import BUILTIN, load_folder

SEOUL = ZoneInfo("Asia/Seoul")
KO = load_folder(BUILTIN)["ko"].time
JA = load_folder(BUILTIN)["ja"].time
NEXT_MORNING = datetime(2025, 12, 29, 6, 45, tzinfo=SEOUL)  # the day after the launch
SUNDAY_0900 = datetime(2026, 1, 4, 9, 0, tzinfo=SEOUL)


def z(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


DAY_28 = (z("2025-12-27T15:00"), z("2025-12-28T15:00"))

KOREAN = [
    # (text, published, start, end, precision)
    ("28일 오전 8시께 발사", NEXT_MORNING, z("2025-12-27T22:45"), z("2025-12-27T23:15"), "minute"),
    (
        "12월 28일 오전 8시 발사",
        NEXT_MORNING,
        z("2025-12-27T22:55"),
        z("2025-12-27T23:05"),
        "minute",
    ),
    (
        "어제 오후 3시 반쯤 발사",
        SUNDAY_0900,
        z("2026-01-03T06:15"),
        z("2026-01-03T06:45"),
        "minute",
    ),
    ("북한은 28일 미사일 발사훈련을 진행했다고 29일 밝혔다.", NEXT_MORNING, *DAY_28, "day"),
    # the speaker's day: "통신은 29일 ... 전날 ..."
    (
        "조선중앙통신은 29일 김 위원장이 참석한 가운데 전날 미사일 발사 훈련을 "
        "진행했다고 보도했다.",
        NEXT_MORNING,
        *DAY_28,
        "day",
    ),
    # "오늘(29일)" is one day, said twice; the military's statement of the same day
    ("통신은 오늘(29일) 전날 미사일 발사훈련을 했다고 보도했습니다.", NEXT_MORNING, *DAY_28, "day"),
    # the JCS flash: the day after the speaker is the launch's, a clock follows it
    (
        "합참은 4일 오전 7시 50분께 북한이 동해상으로 탄도미사일을 발사했다고 밝혔다.",
        SUNDAY_0900,
        z("2026-01-03T22:35"),
        z("2026-01-03T23:05"),
        "minute",
    ),
    # "이날" is the report's own day; the launch is the day before it
    (
        "국방부는 29일 북한의 미사일 발사를 규탄했다. 대변인은 이날 북한이 전날 "
        "순항미사일을 발사했다고 말했다.",
        NEXT_MORNING,
        *DAY_28,
        "day",
    ),
    # the day of a disclosure, an object between it and the verb: the launch is the day before
    (
        "북한은 29일에는 장거리전략순항미사일 발사훈련을 공개했다. 합참은 전날 오전 8시께 "
        "발사된 미사일을 포착했다.",
        NEXT_MORNING.replace(hour=18),
        z("2025-12-27T22:45"),
        z("2025-12-27T23:15"),
        "minute",
    ),
    ("새벽 발사", SUNDAY_0900, z("2026-01-03T15:00"), z("2026-01-03T22:00"), "part_of_day"),
    # a clock later than publication is the day before's
    ("오후 11시 발사", SUNDAY_0900, z("2026-01-03T13:55"), z("2026-01-03T14:05"), "minute"),
]


@pytest.mark.parametrize(("text", "published", "start", "end", "precision"), KOREAN)
def test_korean_time_phrases(text, published, start, end, precision) -> None:
    found = resolve_event_time(text, published, SEOUL, KO)
    assert found is not None
    assert (found.start, found.end, found.precision) == (start, end, precision), found.phrase


@pytest.mark.parametrize(
    "text",
    [
        "미사일은 2시간 50분 동안 비행했다.",  # a duration, not a clock
        "훈련은 3일간 이어졌다.",  # a span of days, not a date
        "나흘 만에 또 발사했다.",
    ],
)
def test_korean_durations_are_not_times(text: str) -> None:
    found = resolve_event_time(text, SUNDAY_0900, SEOUL, KO)
    assert found is not None and found.precision == "days"


def test_a_korean_disclosure_day_is_not_the_launch_day() -> None:
    # "29일에는 ... 발사훈련을 공개했다": the drill was made public on the 29th
    text = "북한은 29일에는 장거리전략순항미사일 발사훈련을 공개했다."
    found = resolve_event_time(text, NEXT_MORNING.replace(hour=18), SEOUL, KO)
    assert found is not None and found.precision == "days", found.phrase


def test_a_korean_byline_stamp_is_not_the_launch_time() -> None:
    text = "입력 2025.12.29. 오전 7:31\n북한이 장거리순항미사일을 시험 발사했다고 밝혔다."
    assert "7:31" not in mask_stamps(text, KO)
    found = resolve_event_time(text, NEXT_MORNING, SEOUL, KO)
    assert found is not None and found.precision == "days"


JAPANESE = [
    (
        "4日午前7時50分ごろ、弾道ミサイル数発を発射した。",
        SUNDAY_0900,
        z("2026-01-03T22:35"),
        z("2026-01-03T23:05"),
        "minute",
    ),
    (
        "きょう午前7時50分ごろ、北朝鮮から弾道ミサイルが発射されました。",
        SUNDAY_0900,
        z("2026-01-03T22:35"),
        z("2026-01-03T23:05"),
        "minute",
    ),
    # full-width digits; the speaker's day is not the launch's
    (
        "朝鮮中央通信は２９日、黄海上で２８日に巡航ミサイルの発射実験を実施したと報じた。",
        NEXT_MORNING,
        *DAY_28,
        "day",
    ),
    (
        "北朝鮮は28日、巡航ミサイルを発射した。同日午前8時ごろだった。",
        NEXT_MORNING,
        z("2025-12-27T22:45"),
        z("2025-12-27T23:15"),
        "minute",
    ),
    ("きのう未明に発射", SUNDAY_0900, z("2026-01-02T15:00"), z("2026-01-02T21:00"), "part_of_day"),
]


@pytest.mark.parametrize(("text", "published", "start", "end", "precision"), JAPANESE)
def test_japanese_time_phrases(text, published, start, end, precision) -> None:
    found = resolve_event_time(text, published, SEOUL, JA)
    assert found is not None
    assert (found.start, found.end, found.precision) == (start, end, precision), found.phrase


def test_japanese_durations_are_not_times() -> None:
    found = resolve_event_time("約2時間50分飛行した。3日間の演習。", SUNDAY_0900, SEOUL, JA)
    assert found is not None and found.precision == "days"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(
            [
                "28일",
                "오전",
                "8시께",
                "오후 3시 반",
                "어제",
                "전날",
                "이날",
                "29일 밝혔다",
                "통신은",
                "(",
                ")",
                "합참은",
                "발사",
                "4日",
                "午前7時50分ごろ",
                "きょう",
                "同日",
                "２８日",
                "朝鮮中央通信は",
                "と発表した",
                "。",
                ". ",
                "31일",
                "12월",
                "2시간",
            ]
        ),
        max_size=12,
    ),
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1)),
    st.sampled_from(["ko", "ja"]),
)
def test_the_resolver_never_raises_on_korean_and_japanese_pieces(pieces, published, language):
    rules = KO if language == "ko" else JA
    found = resolve_event_time(" ".join(pieces), published.replace(tzinfo=UTC), SEOUL, rules)
    assert found is not None and found.start <= found.end
