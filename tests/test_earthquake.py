"""The earthquake monitor: what reads as a shock that happened, its facts, its grouping.

Every sentence here is written for the test, several per class of wording, in each
language the monitor reads.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler import store
from monitors import build
from monitors.base import ArticleView, MonitorConfig
from monitors.earthquake import EarthquakeMonitor, from_config
from tests.builders import add_article, outlets_database

PUBLISHED = datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
QUAKES = build(MonitorConfig("quakes", "earthquake"))


def read(title: str, text: str = "", language: str | None = "en"):
    return QUAKES.match(ArticleView("test:q", title, text, PUBLISHED, language))


@pytest.mark.parametrize(
    ("title", "text", "language"),
    [
        # a verb of striking, shaking or killing beside the noun
        ("Strong earthquake hits eastern Taiwan", "", "en"),
        ("Quake jolts Tokyo, no tsunami warning issued", "", "en"),
        ("Powerful temblor rocks southern Mexico", "", "en"),
        ("Earthquake kills dozens in western Nepal", "", "en"),
        # a magnitude is itself the sign a shock happened
        ("Magnitude 6.1 earthquake off Sumatra", "", "en"),
        ("M5.8 quake near Honshu's east coast", "", "en"),
        ("Breaking news", "A magnitude-7.7 earthquake struck Myanmar on Friday.", "en"),
        ("대만 동부서 규모 6.6 지진", "", "ko"),
        ("페루 남부에 강진 발생…최소 3명 사망", "", "ko"),
        ("台湾東部でM6.6の地震", "", "ja"),
        ("インドネシアで強い地震、死者多数", "", "ja"),
        ("Un séisme de magnitude 6,7 frappe le Pérou", "", "fr"),
        ("Un tremblement de terre secoue le nord du Japon", "", "fr"),
        ("Sismo de magnitud 6,1 sacude Colombia", "", "es"),
        ("Un terremoto deja al menos 20 muertos en Indonesia", "", "es"),
    ],
)
def test_a_shock_that_happened_matches(title, text, language):
    assert read(title, text, language) is not None


@pytest.mark.parametrize(
    ("title", "text", "language"),
    [
        # figures of speech
        ("Political earthquake in Berlin as the coalition collapses", "", "en"),
        ("Election result is a political earthquake for the ruling party", "", "en"),
        ("Un séisme politique secoue Paris", "", "fr"),
        ("정치권 지진…여당 참패", "", "ko"),
        # preparedness, drills, building codes
        ("Schools hold earthquake drill across the country", "", "en"),
        ("City tests new quake-resistant design", "", "en"),
        ("全国で地震の避難訓練", "", "ja"),
        # history and anniversaries
        ("Japan marks the anniversary of the 2011 earthquake", "", "en"),
        ("Ten years after the quake, the town rebuilds", "", "en"),
        ("Chile conmemora el aniversario del terremoto", "", "es"),
        # quakes in general, forecasts
        ("Why earthquakes are so hard to predict", "", "en"),
        ("Scientists say a big quake could strike the region", "", "en"),
        # no shock at all
        ("Typhoon makes landfall in the Philippines", "", "en"),
    ],
)
def test_what_is_not_a_shock_that_happened_does_not_match(title, text, language):
    assert read(title, text, language) is None


def test_magnitude_agency_depth_and_deaths_are_read_with_their_sentences():
    found = read(
        "Magnitude 6.6 earthquake strikes off Taiwan's east coast",
        "A magnitude 6.6 earthquake struck off Taiwan's east coast near Hualien on Sunday, "
        "the Central Weather Administration said. It struck at a depth of 9 miles. "
        "Two people were killed.",
    )
    assert found is not None
    assert found.facts["magnitude"] == 6.6
    assert found.facts["agency"] == "CWA"
    assert found.facts["depth_km"] == 14  # 9 miles
    assert found.facts["deaths"] == 2
    assert found.facts["place"][0] == "Taiwan"
    assert "Central Weather Administration" in found.fact_evidence["agency"]


@pytest.mark.parametrize(
    ("title", "text", "language", "magnitude", "agency"),
    [
        (
            "Quake shakes Alaska",
            "The USGS said the magnitude 7.0 quake hit at sea.",
            "en",
            7.0,
            "USGS",
        ),
        ("Japan quake", "Japan Meteorological Agency put it at magnitude 5.8.", "en", 5.8, "JMA"),
        ("일본 혼슈 지진", "일본 기상청은 규모 5.8의 지진이 발생했다고 밝혔다.", "ko", 5.8, "JMA"),
        (
            "地震",
            "気象庁によると、地震の規模はマグニチュード５．８と推定される。",
            "ja",
            5.8,
            "JMA",
        ),
        (
            "Séisme",
            "Un séisme de magnitude 6,7 a frappé le Pérou, selon l'USGS.",
            "fr",
            6.7,
            "USGS",
        ),
    ],
)
def test_the_agency_is_the_one_named_with_the_magnitude(title, text, language, magnitude, agency):
    found = read(title, text, language)
    assert found is not None
    assert found.facts["magnitude"] == magnitude
    assert found.facts["agency"] == agency


@pytest.mark.parametrize(
    ("title", "text", "language"),
    [
        ("Strong aftershock rattles Sulawesi", "", "en"),
        ("Magnitude 6.1 aftershock hits Indonesia", "", "en"),
        ("인도네시아서 규모 6.1 여진", "", "ko"),
        ("インドネシアで余震、M6.1", "", "ja"),
    ],
)
def test_an_aftershock_says_so(title, text, language):
    found = read(title, text, language)
    assert found is not None and found.facts.get("aftershock") is True


def test_a_report_of_the_main_shock_that_mentions_aftershocks_is_not_one():
    found = read(
        "Magnitude 7.7 earthquake kills 20 in Indonesia",
        "A magnitude 7.7 earthquake struck Sulawesi, followed by several aftershocks.",
    )
    assert found is not None and "aftershock" not in found.facts


def test_the_place_is_the_shocks_not_the_datelines():
    found = read(
        "Strong quake hits Taiwan",
        "TOKYO (AP) — A strong earthquake struck eastern Taiwan on Sunday, officials said.",
    )
    assert found is not None and found.facts["place"][0] == "Taiwan"


def test_a_minimum_magnitude_leaves_smaller_shocks_out():
    monitor = from_config(MonitorConfig("big", "earthquake", {"min_magnitude": 6}))
    assert isinstance(monitor, EarthquakeMonitor)
    small = ArticleView("q", "Magnitude 4.2 quake shakes Lima", "", PUBLISHED, "en")
    big = ArticleView("q", "Magnitude 6.8 quake shakes Lima", "", PUBLISHED, "en")
    assert monitor.match(small) is None and monitor.match(big) is not None


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"min_magnitude": "six"}, "min_magnitude"),
        ({"zone": "UTC"}, "unknown option 'zone'"),
        ({"lexicons": 3}, "folder"),
    ],
)
def test_bad_options_are_refused_with_their_name(options, message):
    with pytest.raises(ValueError, match=message):
        from_config(MonitorConfig("q", "earthquake", options))


# -- grouping, through the engine, on a real SQLite file ---------------------------------


@pytest.fixture
def db(tmp_path):
    """A wire (feed 1) and an aggregator (feed 2), as a first crawl leaves them."""
    _, database = outlets_database(tmp_path, "Wire", "Aggregator")
    yield database
    database.close()


def put(db, key, title, text="", published="2026-03-08T12:00:00+00:00", **options):
    return add_article(db, key, title, published, text, [QUAKES], **options)


def events_of(db) -> dict[str, int]:
    return {
        m["url"].rsplit("/", 1)[1]: event["id"]
        for event in store.events.list_events(db, limit=1000)
        for m in store.events.event_members(db, event["id"])
    }


def test_two_quakes_the_same_day_in_different_places_are_two_events(db):
    put(db, "japan", "Magnitude 6.0 quake strikes off northern Japan")
    put(db, "chile", "Magnitude 6.0 quake strikes central Chile")
    put(db, "japan-2", "Strong earthquake jolts northern Japan, no tsunami")
    found = events_of(db)
    assert found["japan"] == found["japan-2"] != found["chile"]


def test_one_quake_in_three_languages_is_one_event_with_its_place(db):
    put(db, "en", "Magnitude 6.6 earthquake strikes eastern Taiwan")
    put(db, "ko", "대만 동부 화롄서 규모 6.6 지진 발생")
    put(db, "ja", "台湾東部でM6.6の地震")
    found = events_of(db)
    assert found["en"] == found["ko"] == found["ja"]
    (event,) = store.events.list_events(db)
    assert event["facts"]["place"][0] == "Taiwan"
    assert event["facts"]["magnitude"] == 6.6


def test_a_report_with_no_time_word_joins_the_shock_it_reports(db):
    put(
        db,
        "timed",
        "Magnitude 6.7 earthquake hits southern Peru",
        "A magnitude 6.7 earthquake struck southern Peru at 10:15 a.m. local time on Sunday.",
    )
    put(
        db,
        "untimed",
        "Peru quake: buildings damaged in Arequipa",
        published="2026-03-08T18:00:00+00:00",
    )
    found = events_of(db)
    assert found["timed"] == found["untimed"]


def test_an_aftershock_is_its_own_event_linked_to_its_main_shock(db):
    put(db, "main", "Magnitude 7.7 earthquake kills dozens in Indonesia's Sulawesi")
    put(db, "after", "Magnitude 6.1 aftershock rattles Sulawesi, Indonesia")
    found = events_of(db)
    assert found["main"] != found["after"]
    assert store.events.get_event(db, found["after"])["parent_id"] == found["main"]


LIST = "{lead}\xa0\xa0Outlet One{second}\xa0\xa0Outlet Two"


def headline_list(db, key, lead):
    summary = LIST.format(lead=lead, second="Stocks rally")
    return put(
        db, key, f"{lead} - News Pool", summary.replace("\xa0\xa0", " "), feed_id=2, summary=summary
    )


def test_lists_that_agree_open_the_event_and_one_list_alone_does_not(db):
    headline_list(db, "list-a", "Magnitude 6.6 earthquake strikes Taiwan")
    assert store.events.list_events(db) == []
    headline_list(db, "list-b", "Strong quake shakes eastern Taiwan, buildings sway")
    (event,) = store.events.list_events(db)
    assert event["origin"] == "lists"
    put(db, "direct", "Taiwan earthquake: magnitude 6.6 quake hits Hualien")
    assert set(events_of(db).values()) == {event["id"]}


def test_a_place_reads_narrow_to_broad_in_every_digest():
    from crawler.report.labels import fact_lines

    lines = fact_lines({"facts": {"place": ["Taiwan", "Hualien"], "magnitude": 6.6}})
    assert [(line.label, line.value) for line in lines] == [
        ("Place", "Hualien, Taiwan"),
        ("Magnitude", "6.6"),
    ]


@pytest.mark.parametrize(
    ("title", "text", "language", "deaths"),
    [
        ("Quake kills 12 in Peru", "", "en", 12),
        (
            "Earthquake in Peru",
            "The quake killed at least 1,200 people, officials said.",
            "en",
            1200,
        ),
        ("Peru earthquake", "Three people were killed when the quake struck Lima.", "en", 3),
        ("페루 지진", "페루 남부에서 규모 6.7 지진이 발생해 두 명이 숨졌다.", "ko", 2),
        ("ペルー地震", "ペルー南部で地震があり、死者は少なくとも5人にのぼった。", "ja", 5),
        ("Séisme au Pérou", "Le séisme a fait au moins 8 morts dimanche.", "fr", 8),
    ],
)
def test_deaths_are_read_in_digits_or_words(title, text, language, deaths):
    found = read(title, text, language)
    assert found is not None and found.facts["deaths"] == deaths


@pytest.mark.parametrize(
    ("title", "text", "language"),
    [
        # what followed the shock, in the headline: losses, rescue, aid, rebuilding
        ("Chile counts quake losses in the billions", "", "en"),
        ("Rescuers dig through rubble after Ecuador quake", "", "en"),
        ("Aid reaches villages in Nepal two days after the earthquake", "", "en"),
        # the headline names a shock, the first sentence says what followed it
        (
            "Turkey declares a state of emergency",
            "Turkey declared a state of emergency to cope with the fallout from a devastating "
            "earthquake in its south-east.",
            "en",
        ),
        # dated before the account
        ("Death toll from last week's quake in Peru reaches 40", "", "en"),
        ("Pérdidas del terremoto en Ecuador superan lo previsto", "", "es"),
        ("Ajuda chega ao Chile após terremoto", "", "pt"),
        ("ネパール地震の損失、500億円規模に", "", "ja"),
        ("네팔 지진 복구 지원 본격화", "", "ko"),
    ],
)
def test_a_follow_up_of_a_named_shock_is_read_as_an_account_of_it(title, text, language):
    found = read(title, text, language)
    assert found is not None
    assert found.account == "follow-up"
    assert found.facts.get("place")
    # its time words date the account: the shock is somewhere in the days before it
    assert found.time.precision == "days"
    assert found.time.end <= PUBLISHED


@pytest.mark.parametrize(
    ("title", "text", "language"),
    [
        ("Earthquake strikes Ecuador, rescuers search the rubble", "", "en"),
        ("Magnitude 6.4 earthquake hits Chile; no damage reported", "", "en"),
        ("Terremoto atinge o norte do Chile, sem danos", "", "pt"),
    ],
)
def test_a_report_of_the_shock_itself_is_a_report_whatever_followed(title, text, language):
    found = read(title, text, language)
    assert found is not None
    assert found.account == "report"


def test_a_follow_up_that_names_no_place_is_not_matched():
    assert read("Insurers count quake losses", "") is None


@pytest.mark.parametrize(
    ("title", "text", "language"),
    [
        # a story about something else that mentions a quake further down
        (
            "Hotel bookings climb to a record in July",
            "Travel agencies reported strong demand. Hotels were full. A rumour of an "
            "earthquake striking Japan spread last year.",
            "en",
        ),
        (
            "７月の宿泊客、過去最多",
            "旅行会社によると需要は強かった。ホテルは満室だった。昨年は地震が発生するとのうわさが広がった。",
            "ja",
        ),
        # history: a shock dated in an earlier year, a decade on
        ("Rebuilding the city cost billions after the 1999 quake in Armenia", "", "en"),
        ("Lo que costó reconstruir la ciudad tras el terremoto de 1999", "", "es"),
        ("A decade after the earthquake, a mountain town struggles", "", "en"),
        ("Duas décadas após o terremoto, a cidade ainda se reconstrói", "", "pt"),
    ],
)
def test_a_mention_further_down_or_a_shock_long_past_is_not_a_report(title, text, language):
    assert read(title, text, language) is None


@pytest.mark.parametrize(
    ("title", "language", "magnitude"),
    [
        ("Strong 6.2 quake hits southern Chile", "en", 6.2),
        ("A 5.4-magnitude earthquake rattles Crete", "en", 5.4),
        # "after the 7.1 quake": the earlier shock's number, not this one's
        ("New 5.6 quake strikes Ecuador days after deadly 7.1 quake", "en", 5.6),
        ("Terremoto de magnitude 5,6 atinge o sul do Peru", "pt", 5.6),
    ],
)
def test_a_magnitude_written_before_the_noun_is_read(title, language, magnitude):
    found = read(title, "", language)
    assert found is not None
    assert found.facts["magnitude"] == magnitude


def test_a_shock_reported_after_another_is_an_aftershock():
    found = read("New 5.6 quake strikes Ecuador days after deadly 7.1 quake", "")
    assert found is not None
    assert found.facts.get("aftershock") is True
    assert read("Strong 6.2 quake hits southern Chile", "").facts.get("aftershock") is None


@pytest.mark.parametrize(
    ("title", "language"),
    [
        ("Strongest quake since 2011 jolts northern Japan", "en"),
        ("Terremoto más fuerte desde 1999 sacude Colombia", "es"),
        ("2011年以来の強い地震、東北で震度6弱", "ja"),
    ],
)
def test_a_year_a_new_shock_is_compared_with_does_not_make_it_history(title, language):
    assert read(title, "", language) is not None


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Terremoto de magnitude 6,1 atinge a costa do Chile", ""),
        ("Forte tremor sacode o centro do México", ""),
        ("Sismo", "Um sismo de magnitude 5,2 atingiu o sul da Espanha nesta terça-feira."),
    ],
)
def test_portuguese_reports_are_read(title, text):
    found = read(title, text, "pt")
    assert found is not None
    assert found.account == "report"
