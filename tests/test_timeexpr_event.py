"""Event time from a clock stated about the event, in every usual wording and language.

Classes: a clock in the event's sentence anywhere in the text dates it (not a byline
stamp, not a clock of another sentence); a day word or part of day with its own zone
word is read in that zone; an outlet's day word in its own zone does not push out the
event's clock; the phrase recorded is the one that gave the time. The sentences are
written for these tests; the event words are an earthquake's, to show the rules know
no monitor.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from monitors.language import EventWords, languages, resolve_event_time
from monitors.launchrules import load_folder

SEOUL = ZoneInfo("Asia/Seoul")
MEXICO = ZoneInfo("America/Mexico_City")
# the event: 07:50 in Seoul on Sunday 4 January 2026, reported at noon there
EVENT = datetime(2026, 1, 3, 22, 50, tzinfo=UTC)
PUBLISHED = datetime(2026, 1, 4, 3, 0, tzinfo=UTC)
QUAKE = {
    "en": EventWords(body_clock=re.compile(r"(?i)\b(?:struck|hit|quake|earthquake|shook)\b")),
    "ko": EventWords(clause=re.compile("지진|발생"), body_clock=re.compile("지진|발생|흔들")),
    "ja": EventWords(clause=re.compile("地震|発生"), body_clock=re.compile("地震|発生|揺れ")),
    "fr": EventWords(body_clock=re.compile(r"(?i)\b(?:séisme|frappé|secousse)\b")),
    "es": EventWords(body_clock=re.compile(r"(?i)\b(?:sismo|terremoto|sacudió)\b")),
}


def read(code: str, text: str, zone: ZoneInfo = SEOUL, published: datetime = PUBLISHED):
    found = resolve_event_time(text, published, zone, languages()[code].time, QUAKE[code])
    assert found is not None
    return found


def at_minute(found, when: datetime = EVENT) -> bool:
    return found.precision == "minute" and found.start <= when <= found.end


@pytest.mark.parametrize(
    ("code", "text", "clock"),
    [
        ("en", "An earthquake struck the coast at 7:50 a.m. Sunday, officials said.", "7:50 a.m."),
        (
            "en",
            "A quake hit the region around 7:50 a.m. local time on Sunday.",
            "7:50 a.m. local time",
        ),
        ("en", "A strong earthquake struck off the coast (2250 GMT Saturday).", "2250 GMT"),
        ("en", "The quake hit shortly before 8 a.m. on Sunday, the agency said.", "8 a.m."),
        ("en", "An earthquake struck at 2250 GMT on Saturday, the survey said.", "2250 GMT"),
        ("ko", "4일 오전 7시50분께 동해 해역에서 규모 5.0 지진이 발생했다.", "오전 7시50분께"),
        (
            "ko",
            "기상청은 한국시간 오전 7시 50분께 지진이 발생했다고 밝혔다.",
            "한국시간 오전 7시 50분께",
        ),
        ("ja", "4日午前7時50分ごろ、東北地方で地震が発生した。", "午前7時50分ごろ"),
        ("ja", "日本時間午前7時50分ごろ、強い地震が発生した。", "日本時間午前7時50分ごろ"),
        ("fr", "Un séisme a frappé la côte dimanche vers 7h50, selon les autorités.", "7h50"),
        (
            "es",
            "Un sismo sacudió la costa el domingo a las 7.50 horas, informó el servicio.",
            "7.50 horas",
        ),
    ],
)
def test_a_clock_stated_about_the_event_dates_it_in_every_wording(
    code: str, text: str, clock: str
) -> None:
    found = read(code, text)
    assert at_minute(found)
    assert found.phrase is not None and clock in found.phrase
    assert found.phrase.count("(") == found.phrase.count(")")


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (
            "en",
            "An earthquake struck the coast on Sunday, officials said.\n\nSchools were shut.\n\n"
            "Roads were closed across the province.\n\n"
            "The quake hit at 7:50 a.m., the agency said.",
        ),
        (
            "en",
            "A quake shook the city on Sunday. Officials met at 10 a.m. to assess damage. "
            "It struck at about 7:50 a.m., the agency said.",
        ),
        (
            "fr",
            "Un séisme a frappé la côte dimanche.\n\nLes écoles sont fermées.\n\n"
            "Les routes aussi.\n\nLa secousse a été ressentie vers 7h50, selon l'institut.",
        ),
    ],
)
def test_the_events_clock_is_found_beyond_the_lead_and_past_other_clocks(
    code: str, text: str
) -> None:
    found = read(code, text)
    assert at_minute(found)


def test_a_byline_stamp_is_never_the_events_clock() -> None:
    text = (
        "Published January 4, 2026 11:41 a.m. KST\n"
        "An earthquake struck the coast on Sunday, officials said."
    )
    found = read("en", text)
    assert found.precision == "day"
    assert found.start <= EVENT <= found.end
    assert "11:41" not in (found.phrase or "")


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        (
            "An earthquake struck the region Saturday evening ET, officials said.",
            "Saturday evening ET",
        ),
        ("An earthquake struck the region Saturday afternoon (EST).", "Saturday afternoon (EST)"),
        ("A quake hit the region Saturday evening Eastern time.", "Saturday evening Eastern time"),
    ],
)
def test_a_day_word_with_its_own_zone_is_read_in_that_zone(text: str, phrase: str) -> None:
    # 17:50 Saturday in New York is 07:50 Sunday in Seoul
    found = read("en", text)
    assert found.precision == "part_of_day"
    assert found.start <= EVENT <= found.end
    assert found.phrase == phrase
    # the same words without the zone are Saturday night in Seoul, a day early
    bare = read("en", re.sub(r" \(?(?:ET|EST|Eastern time)\)?", "", text))
    assert not bare.start <= EVENT <= bare.end


@pytest.mark.parametrize(
    "text",
    [
        "An earthquake struck the region late Saturday, officials said. "
        "The quake hit at 7:50 a.m. local time Sunday.",
        "A quake hit the region Saturday night, Seoul said.\n\n"
        "The earthquake struck at 7:50 a.m. local time, the agency said.",
    ],
)
def test_an_outlets_day_word_does_not_push_out_the_events_clock(text: str) -> None:
    """A US outlet's "Saturday night" is Sunday morning in Seoul: the clock about the event
    stands, on the day that word means somewhere outlets write from."""
    found = read("en", text)
    assert at_minute(found)
    assert found.phrase is not None and "7:50 a.m." in found.phrase


def test_a_clock_of_another_sentence_does_not_date_the_event() -> None:
    text = "An earthquake struck the coast on Sunday. The minister spoke at 3 p.m. in Seoul."
    found = read("en", text)
    assert found.precision == "day"
    assert found.start <= EVENT <= found.end


def test_the_zone_of_the_events_place_reads_a_bare_clock() -> None:
    """A monitor passes the place's zone: 7:50 a.m. in Mexico City is 13:50 UTC."""
    published = datetime(2026, 1, 4, 20, 0, tzinfo=UTC)
    found = read("en", "An earthquake struck at 7:50 a.m. Sunday.", MEXICO, published)
    assert at_minute(found, datetime(2026, 1, 4, 13, 50, tzinfo=UTC))
    explicit = read("en", "An earthquake struck at 7:50 a.m. Sunday (1350 GMT).", MEXICO, published)
    assert at_minute(explicit, datetime(2026, 1, 4, 13, 50, tzinfo=UTC))


@pytest.mark.parametrize("code", ["en", "ko", "ja", "fr", "es"])
def test_zone_abbreviations_are_honoured_in_every_language(code: str) -> None:
    rules = languages()[code].time
    for word, offset in (("KST", 9), ("JST", 9), ("UTC", 0), ("GMT", 0), ("EST", -5)):
        zone = rules.zones[word]
        assert zone is not None
        assert zone.utcoffset(datetime(2026, 1, 4)) == timedelta(hours=offset)


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (
            "en",
            "North Korea fired a ballistic missile toward the sea on Sunday, South Korea's "
            "military said.\n\nThe launch drew swift condemnation.\n\nJapan lodged a protest."
            "\n\nThe missile was launched from near Pyongyang at around 7:50 a.m., the Joint "
            "Chiefs of Staff said.",
        ),
        (
            "en",
            "North Korea fired missiles Saturday evening ET, officials in Seoul said.",
        ),
        (
            "fr",
            "La Corée du Nord a tiré un missile dimanche, selon Séoul.\n\nTokyo a protesté.\n\n"
            "Washington aussi.\n\nLe missile a été tiré vers 7h50 depuis Pyongyang.",
        ),
        ("es", "Corea del Norte lanzó un misil el domingo a las 7.50 horas, informó Seúl."),
        ("ko", "합참은 북한이 한국시간 오전 7시 50분께 동해상으로 탄도미사일을 발사했다고 밝혔다."),
    ],
)
def test_a_launch_lexicon_gives_the_resolver_its_event_words(code: str, text: str) -> None:
    lexicon = load_folder()[code]
    found = resolve_event_time(text, PUBLISHED, SEOUL, lexicon.time, lexicon.event)
    assert found is not None and found.start <= EVENT <= found.end
    assert found.precision in ("minute", "part_of_day")
