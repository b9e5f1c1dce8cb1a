"""Event-time phrases, resolved against publication time in the event's zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from monitors.language.timeexpr import (
    lead_paragraphs,
    mask_stamps,
    period_mentioned,
    resolve_event_time,
)

SEOUL = ZoneInfo("Asia/Seoul")
SUN_0912_KST = datetime(2026, 1, 4, 0, 12, tzinfo=UTC)  # Saturday in UTC, Sunday in Seoul
MON_0830_KST = datetime(2026, 1, 5, 8, 30, tzinfo=SEOUL)
TUE_1625_KST = datetime(2026, 1, 27, 7, 25, tzinfo=UTC)
TUE_1000_KST = datetime(2026, 1, 6, 10, 0, tzinfo=SEOUL)


def z(text: str) -> datetime:
    """Shorthand for a UTC instant: '01-03 22:50' → 2026-01-03T22:50Z (2025 for '12-..')."""
    year = 2025 if text.startswith("12-") else 2026
    return datetime.strptime(f"{year}-{text}", "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


KST_DAY_4 = (z("01-03 15:00"), z("01-04 15:00"))

CASES = [
    # (text, published, zone, start, end, precision)
    ("fired around 7:50 a.m.", SUN_0912_KST, SEOUL, z("01-03 22:35"), z("01-03 23:05"), "minute"),
    ("fired at 7:50 a.m.", SUN_0912_KST, SEOUL, z("01-03 22:45"), z("01-03 22:55"), "minute"),
    ("launched at about 07:50", SUN_0912_KST, SEOUL, z("01-03 22:35"), z("01-03 23:05"), "minute"),
    (
        "at 7.50am, officials said",
        SUN_0912_KST,
        SEOUL,
        z("01-03 22:45"),
        z("01-03 22:55"),
        "minute",
    ),
    ("fired missiles Sunday", SUN_0912_KST, SEOUL, *KST_DAY_4, "day"),  # same weekday: that day
    ("fired missiles Sunday", MON_0830_KST, SEOUL, *KST_DAY_4, "day"),
    ("fired missiles on Monday", SUN_0912_KST, SEOUL, z("12-28 15:00"), z("12-29 15:00"), "day"),
    ("the launch yesterday", MON_0830_KST, SEOUL, *KST_DAY_4, "day"),
    ("launched today", MON_0830_KST, SEOUL, z("01-04 15:00"), z("01-05 15:00"), "day"),
    ("launched on Jan. 4", MON_0830_KST, SEOUL, *KST_DAY_4, "day"),
    ("launched on January 4", MON_0830_KST, SEOUL, *KST_DAY_4, "day"),
    ("launched on Jan 4th", MON_0830_KST, SEOUL, *KST_DAY_4, "day"),
    ("launched on 4 January 2026", None, SEOUL, *KST_DAY_4, "day"),
    ("launched on Dec. 30", MON_0830_KST, SEOUL, z("12-29 15:00"), z("12-30 15:00"), "day"),
    (
        "fired early Thursday",
        MON_0830_KST,
        SEOUL,
        z("12-31 15:00"),
        z("01-01 00:00"),
        "part_of_day",
    ),
    (
        "on Tuesday afternoon",
        TUE_1625_KST,
        SEOUL,
        z("01-27 03:00"),
        z("01-27 09:00"),
        "part_of_day",
    ),
    ("late Monday night", TUE_1000_KST, SEOUL, z("01-05 11:00"), z("01-05 19:00"), "part_of_day"),
    ("fired last night", SUN_0912_KST, SEOUL, z("01-03 11:00"), z("01-03 19:00"), "part_of_day"),
    ("fired this morning", SUN_0912_KST, SEOUL, z("01-03 20:00"), z("01-04 03:00"), "part_of_day"),
    (
        "fired early in the morning",
        SUN_0912_KST,
        SEOUL,
        z("01-03 15:00"),
        z("01-04 00:00"),
        "part_of_day",
    ),
    ("detected at 0750 GMT", MON_0830_KST, SEOUL, z("01-04 07:45"), z("01-04 07:55"), "minute"),
    (
        "at 6:35 a.m. (2135 GMT Saturday)",
        SUN_0912_KST,
        SEOUL,
        z("01-03 21:30"),
        z("01-03 21:40"),
        "minute",
    ),
    ("at 7:50 a.m. (KST)", SUN_0912_KST, UTC, z("01-03 22:45"), z("01-03 22:55"), "minute"),
    (
        "at 10 a.m. ET Monday",
        datetime(2026, 1, 5, 20, 0, tzinfo=UTC),
        SEOUL,
        z("01-05 14:55"),
        z("01-05 15:05"),
        "minute",
    ),
    ("at 3:50 p.m. on Tuesday", TUE_1625_KST, SEOUL, z("01-27 06:45"), z("01-27 06:55"), "minute"),
    (
        "early Sunday.\nThe JCS said the launch was at about 7:50 a.m.",
        MON_0830_KST,
        SEOUL,
        z("01-03 22:35"),
        z("01-03 23:05"),
        "minute",
    ),
    # a bare clock later than publication is the previous day's
    ("fired at 11 p.m.", SUN_0912_KST, SEOUL, z("01-03 13:55"), z("01-03 14:05"), "minute"),
    # a clock that would be after publication on the named day is ignored
    ("fired Sunday at 9 p.m.", SUN_0912_KST, SEOUL, *KST_DAY_4, "day"),
    # a clock outside the part of day is not this event's clock
    (
        "fired early Sunday; the president left at 3 p.m.",
        MON_0830_KST,
        SEOUL,
        z("01-03 15:00"),
        z("01-04 00:00"),
        "part_of_day",
    ),
    # the day something was said is not the event's day
    (
        "North Korea said Monday it had fired the missiles on Sunday",
        MON_0830_KST,
        SEOUL,
        *KST_DAY_4,
        "day",
    ),
    (
        "North Korea said Monday it had test-fired a missile the previous day",
        MON_0830_KST,
        SEOUL,
        *KST_DAY_4,
        "day",
    ),
    # photo captions above the story are not the story
    (
        "In this photo provided by the state, Kim visits a factory Saturday, Jan. 3, 2026. (AP)"
        "\nNorth Korea fired missiles Sunday",
        MON_0830_KST,
        SEOUL,
        *KST_DAY_4,
        "day",
    ),
]


@pytest.mark.parametrize(("text", "published", "zone", "start", "end", "precision"), CASES)
def test_resolves(text, published, zone, start, end, precision) -> None:
    found = resolve_event_time(text, published, zone)
    assert found is not None
    assert (found.start, found.end, found.precision) == (start, end, precision)
    assert found.start.utcoffset() == timedelta(0)
    assert found.phrase


def test_nothing_found_defaults_to_two_days_before_publication() -> None:
    found = resolve_event_time("Missiles were fired, officials said.", MON_0830_KST, SEOUL)
    assert found is not None
    assert found.precision == "days"
    assert found.phrase is None
    assert found.end == MON_0830_KST
    assert found.start == MON_0830_KST - timedelta(days=2)


@pytest.mark.parametrize("text", ["Missiles were fired.", "fired on Sunday", "at 7:50 a.m."])
def test_no_publication_and_nothing_absolute_gives_none(text: str) -> None:
    assert resolve_event_time(text, None, SEOUL) is None


def test_explicit_date_is_never_more_than_a_day_after_publication() -> None:
    found = resolve_event_time("fired on Dec. 31", datetime(2026, 1, 2, tzinfo=UTC), UTC)
    assert found is not None
    assert found.start == datetime(2025, 12, 31, tzinfo=UTC)


def test_weekday_is_never_after_publication() -> None:
    found = resolve_event_time("fired on Saturday", SUN_0912_KST, SEOUL)
    assert found is not None
    assert found.end <= SUN_0912_KST


def test_falls_back_to_the_whole_text_when_the_lead_has_no_time() -> None:
    filler = "Officials gave no details about the weapons or their range. " * 8
    text = "\n".join([filler, filler, filler, "The launch took place on Saturday."])
    assert len("\n".join(lead_paragraphs(text))) < len(text)
    found = resolve_event_time(text, SUN_0912_KST, SEOUL)
    assert found is not None
    assert (found.start, found.precision) == (z("01-02 15:00"), "day")


def test_lead_is_a_few_paragraphs_and_skips_captions() -> None:
    text = "Photo: Kim at a factory.\nOne.\nTwo.\nThree.\nFour."
    assert lead_paragraphs(text) == ["One.", "Two.", "Three.", "Four."]
    long = "\n".join(["x" * 500] * 5)
    assert len(lead_paragraphs(long)) == 3


# -- whose time is it: stamps, datelines, statements, quotes -------------------------

MON_1841_KST = datetime(2025, 12, 29, 9, 41, 35, tzinfo=UTC)
SUNDAY_28_DEC = (z("12-27 15:00"), z("12-28 15:00"))


@pytest.mark.parametrize(
    "text",
    [
        # a page's byline stamp is when it was written, not when the missiles flew
        "December 29, 2025 09:41 GMT\nNorth Korea test-fired two cruise missiles, KCNA said.",
        "Published On 29 Dec 2025\nNorth Korea test-fired two cruise missiles.",
        "29 Dec 2025 06:40PM (Updated: 29 Dec 2025 07:02PM)\nNorth Korea fired missiles.",
        "By Jane Reporter\nUpdated 09:41 GMT, 29 December 2025\nNorth Korea fired missiles.",
        # a wire dateline dates the story
        "SEOUL, Dec 29 (Reuters) - North Korea tested cruise missiles, state media said.",
        # the day of a statement is not the day of the launch, wherever it stands
        "North Korea's state media said today that the missiles were hypersonic.",
        "Today, KCNA said the missiles flew for close to three hours.",
        "On Monday, the official news agency released photos of the launch.",
        # relative words quoted from a statement belong to the speaker's day
        'KCNA called it "today\'s launching drill" and praised the crews.',
        # a programme's bracketed name is a label, not a time word
        "[News Today] NK fires long-range cruise missiles\n[LEAD]North Korea fired missiles.",
    ],
)
def test_stamps_statements_and_quotes_are_not_the_event_time(text) -> None:
    found = resolve_event_time(text, MON_1841_KST, SEOUL)
    assert found is not None
    assert found.precision == "days", found.phrase


@pytest.mark.parametrize(
    ("text", "window", "precision"),
    [
        # "Sunday's drill" names the drill's day even after "said"
        ("KCNA said Sunday's drill was a test of the nuclear deterrent.", SUNDAY_28_DEC, "day"),
        # a time word followed by a launch verb dates the launch
        ("On Sunday, North Korea fired two cruise missiles, KCNA said.", SUNDAY_28_DEC, "day"),
        # a bracketed label does not hide the day in the story
        (
            "[News Today] NK fires missiles\n[LEAD]KCNA said it test-fired missiles.[REPORT]"
            "The regime test-fired cruise missiles into the West Sea on Sunday.",
            SUNDAY_28_DEC,
            "day",
        ),
        # a stamp does not hide the real clock time further down
        (
            "December 29, 2025 09:41 GMT\nThe JCS said it detected the launch around "
            "8 a.m. Sunday.",
            (z("12-27 22:45"), z("12-27 23:15")),
            "minute",
        ),
    ],
)
def test_event_days_survive_around_statements_and_stamps(text, window, precision) -> None:
    found = resolve_event_time(text, MON_1841_KST, SEOUL)
    assert found is not None
    assert (found.start, found.end, found.precision) == (*window, precision)


def test_mask_stamps_keeps_offsets_and_prose() -> None:
    text = "December 29, 2025 09:41 GMT\nNorth Korea fired at 7:50 a.m. Sunday."
    masked = mask_stamps(text)
    assert len(masked) == len(text)
    assert masked.splitlines()[0].strip() == ""
    assert masked.splitlines()[1] == "North Korea fired at 7:50 a.m. Sunday."


@pytest.mark.parametrize(
    ("sentence", "first_day", "last_day"),
    [
        ("In December, the country tested cruise missiles.", "2025-12-01", "2025-12-31"),
        ("It was the first launch since the test in early January.", "2026-01-01", "2026-01-10"),
        ("North Korea fired two missiles on Tuesday.", "2026-01-27", "2026-01-27"),
    ],
)
def test_period_a_sentence_points_at(sentence, first_day, last_day) -> None:
    published = datetime(2026, 1, 27, 9, 0, tzinfo=UTC)  # Tuesday evening in Seoul
    start, end = period_mentioned(sentence, published, SEOUL)
    assert start.astimezone(SEOUL).date().isoformat() == first_day
    assert (end - timedelta(seconds=1)).astimezone(SEOUL).date().isoformat() == last_day


def test_a_statement_day_or_no_time_points_nowhere() -> None:
    published = datetime(2026, 1, 27, 9, 0, tzinfo=UTC)
    assert period_mentioned("KCNA said Monday it was a test.", published, SEOUL) is None
    assert period_mentioned("The missiles flew 350 km.", published, SEOUL) is None
    _start, end = period_mentioned("It fired missiles last month.", published, SEOUL)
    assert end < published - timedelta(days=3)


@pytest.mark.parametrize(
    "stamp",
    [
        "Updated 06:41 PM GMT+9, December 29, 2025",  # AP
        "29 December 2025",  # BBC: a bare date above the text
        "Last updated: 2025-12-29 09:41 UTC",
    ],
)
def test_more_stamp_styles_are_not_event_times(stamp) -> None:
    text = f"{stamp}\nNorth Korea test-fired two cruise missiles, KCNA said."
    found = resolve_event_time(text, MON_1841_KST, SEOUL)
    assert found is not None and found.precision == "days"
