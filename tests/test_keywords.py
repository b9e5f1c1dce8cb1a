"""The config-only keyword monitor and the monitor registry."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitors import build
from monitors.base import ArticleView, MonitorConfig
from monitors.keywords import KeywordMonitor, from_config

PUBLISHED = datetime(2026, 1, 20, 4, 15, tzinfo=UTC)
TYPHOON = ArticleView(
    url="test:typhoon",
    title="Rare January typhoon makes landfall in the Alon Islands",
    text="Typhoon Kalen made landfall early on Tuesday with winds of 150 km/h.\n"
    "Forty thousand people were evacuated. A Category 3 storm is rare in January.",
    published=PUBLISHED,
)


def monitor(**options: object) -> KeywordMonitor:
    return from_config(MonitorConfig("storms", "keywords", options))


def test_include_terms_match_case_insensitively_and_are_reported_sorted() -> None:
    found = monitor(include=["Typhoon", "evacuated", "flood"]).match(TYPHOON)
    assert found is not None
    assert found.kind == "storms"
    assert found.facts == {"terms": ["Typhoon", "evacuated"]}
    assert found.evidence and "typhoon" in found.evidence.lower()


def test_terms_are_whole_words() -> None:
    assert monitor(include=["phoon"]).match(TYPHOON) is None
    assert monitor(include=["made   landfall"]).match(TYPHOON) is not None


def test_exclude_and_require() -> None:
    assert monitor(include=["typhoon"], exclude=["evacuated"]).match(TYPHOON) is None
    assert monitor(include=["typhoon"], require=["landfall", "winds"]).match(TYPHOON) is not None
    assert monitor(include=["typhoon"], require=["landfall", "tsunami"]).match(TYPHOON) is None


def test_regex_alone_or_with_include() -> None:
    assert monitor(regex=[r"\bcategory [1-5]\b"]).match(TYPHOON) is not None
    assert monitor(include=["typhoon"], regex=[r"\bcategory 5\b"]).match(TYPHOON) is None


def test_fields_restrict_where_terms_are_looked_for() -> None:
    assert monitor(include=["Kalen"], fields=["title"]).match(TYPHOON) is None
    assert monitor(include=["Kalen"], fields="text").match(TYPHOON) is not None


def test_kind_and_event_time_in_the_configured_zone() -> None:
    found = monitor(include=["typhoon"], kind="typhoon", zone="Asia/Manila").match(TYPHOON)
    assert found is not None and found.kind == "typhoon"
    assert found.time is not None
    assert found.time.precision == "part_of_day"  # early Tuesday, Manila time
    assert found.time.start == datetime(2026, 1, 19, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"include": ["x"], "inclde": ["y"]}, "unknown option 'inclde'"),
        ({}, "option 'include'"),
        ({"include": []}, "option 'include'"),
        ({"regex": ["("]}, "option 'regex'"),
        ({"include": "x", "fields": ["body"]}, "option 'fields'"),
        ({"include": [3]}, "option 'include'"),
        ({"include": ["x"], "zone": "Nowhere/Else"}, "option 'zone'"),
        ({"include": ["x"], "kind": ""}, "option 'kind'"),
    ],
)
def test_invalid_options_name_the_option(options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        monitor(**options)
    assert "\n" not in str(info.value)


def test_registry_builds_builtin_and_dotted_types() -> None:
    assert isinstance(build(MonitorConfig("k", "keywords", {"include": ["x"]})), KeywordMonitor)
    dotted = build(MonitorConfig("k", "monitors.keywords", {"include": ["x"]}))
    assert isinstance(dotted, KeywordMonitor)


@pytest.mark.parametrize("kind", ["nope", "timeexpr", "monitors.base", "no_such.module", "a b"])
def test_registry_rejects_unknown_types(kind: str) -> None:
    with pytest.raises(ValueError, match="unknown monitor type"):
        build(MonitorConfig("k", kind, {}))


QUAKE = {
    "include": {"en": ["earthquake", "quake"], "ja": ["地震"], "ko": ["지진"]},
    "exclude": ["political earthquake"],
    "facts": {
        "magnitude": {
            "pattern": [r"magnitude[- ](?P<value>\d(?:\.\d)?)", r"규모\s*(?P<value>\d\.\d)"]
        },
        "depth_km": {"pattern": r"(?P<value>\d+) ?(?P<unit>km|miles) deep", "unit": "km"},
        "deaths": {"pattern": r"(?P<value>\d+) (?:people )?(?:were )?killed", "merge": "max"},
    },
    "identity": ["place", {"fact": "magnitude", "tolerance": 0.5}],
}


def article(title: str, text: str, language: str | None = "en") -> ArticleView:
    return ArticleView("test:quake", title, text, PUBLISHED, language)


def test_terms_are_read_per_language_and_as_each_script_writes_words() -> None:
    quakes = monitor(**QUAKE)
    japanese = article("台湾東部で強い地震", "台湾東部で強い地震があった。", "ja")
    korean = article("대만서 강한 지진이 발생", "대만 동부에서 규모 6.6 지진이 발생했다.", "ko")
    assert quakes.match(japanese) is not None  # 地震 inside a sentence
    found = quakes.match(korean)  # 지진이: a particle attached
    assert found is not None and found.facts["magnitude"] == 6.6
    # English terms are not looked for in a Japanese article, nor Japanese in English
    assert quakes.match(article("Big quake in Tokyo", "A quake hit.", "ja")) is None
    assert quakes.match(article("Tokyo news", "地震", "en")) is None


def test_facts_are_read_with_their_units_and_the_place_is_a_fact() -> None:
    found = monitor(**QUAKE).match(
        article(
            "Magnitude 6.5 earthquake strikes southern Mexico",
            "A magnitude-6.5 earthquake struck near Acapulco in Guerrero state on Friday. "
            "It was 6 miles deep, and 3 people were killed.",
        )
    )
    assert found is not None
    assert found.facts["magnitude"] == 6.5
    assert found.facts["depth_km"] == 9.65  # 6 miles
    assert found.facts["deaths"] == 3
    assert found.facts["place"][0] == "Mexico"
    assert found.fact_evidence["deaths"].startswith("It was 6 miles deep")


def test_identity_is_declared_in_config() -> None:
    identity = monitor(**QUAKE).identity
    assert set(identity.agree) == {"place", "magnitude"}
    assert identity.agree["magnitude"].agrees(6.6, 6.9)
    assert not identity.agree["magnitude"].agrees(7.7, 6.1)
    assert identity.merge["deaths"] == "max"
    assert set(monitor(include=["flood"]).identity.agree) == {"place"}  # the default


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"identity": ["magnitude"]}, "neither 'place' nor a fact"),
        ({"facts": {"Bad-Name": "x"}}, "not a usable fact name"),
        ({"facts": {"n": {"pattern": "(", "type": "number"}}}, "not a valid regex"),
        ({"facts": {"n": {"pattern": "x", "type": "date"}}}, "expected one of number, text"),
        ({"facts": {"n": {"pattern": "x", "merge": "sum"}}}, "expected one of majority"),
        ({"min_similarity": 2}, "from 0 to 1"),
        ({"include": {"english": ["quake"]}}, "not a language code"),
    ],
)
def test_a_bad_facts_or_identity_option_is_refused_with_its_key(options, message) -> None:
    with pytest.raises(ValueError, match=message):
        from_config(MonitorConfig("quakes", "keywords", {"include": ["quake"], **options}))


def test_a_latin_term_matches_its_plural_but_not_other_words() -> None:
    quakes = monitor(include=["quake", "séisme"])
    assert quakes.match(article("Two quakes hit Peru", "")) is not None
    assert quakes.match(article("Deux séismes au Pérou", "", "fr")) is not None
    assert quakes.match(article("Earthquaker band tours Peru", "")) is None


def _docs_example() -> KeywordMonitor:
    """The keyword example of docs/writing-a-monitor.md, as a user copies it."""
    import re
    from pathlib import Path

    import yaml

    docs = Path(__file__).resolve().parents[1] / "docs" / "writing-a-monitor.md"
    block = re.search(r"```yaml\n(monitors:\n.*?)```", docs.read_text(encoding="utf-8"), re.S)
    assert block is not None
    (config,) = yaml.safe_load(block.group(1))["monitors"]
    options = {k: v for k, v in config.items() if k not in ("name", "type")}
    return from_config(MonitorConfig(config["name"], config["type"], options))


@pytest.mark.parametrize(
    ("title", "language", "magnitude"),
    [
        ("Strong 6.3 quake shakes northern Chile", "en", 6.3),
        ("A 5.2-magnitude earthquake hits Crete", "en", 5.2),
        ("Magnitude 7.1 earthquake strikes off Alaska", "en", 7.1),
        ("Terremoto de magnitude 5,9 atinge o sul do Peru", "pt", 5.9),
    ],
)
def test_the_docs_keyword_example_reads_the_magnitude_however_it_is_written(
    title, language, magnitude
) -> None:
    article = ArticleView("test:quake", title, "", PUBLISHED, language)
    found = _docs_example().match(article)
    assert found is not None
    assert found.facts["magnitude"] == magnitude


FOLLOWING = {
    **QUAKE,
    "include": {"en": ["earthquake", "quake", "aftershock"]},
    "facts": {**QUAKE["facts"], "aftershock": {"pattern": "aftershocks?", "type": "flag"}},
    "follows": {"fact": "aftershock", "within": "14d", "rank": "magnitude"},
}


def test_a_flag_fact_is_read_from_the_headline_alone() -> None:
    quakes = monitor(**FOLLOWING)
    fresh = quakes.match(article("Quake kills 12 in Peru", "Residents fear aftershocks."))
    follower = quakes.match(article("Strong aftershock rattles Peru", "It was magnitude 5.1."))
    assert fresh is not None and "aftershock" not in fresh.facts
    assert follower is not None and follower.facts["aftershock"] is True
    parent = quakes.identity.parent
    assert parent is not None and parent.flag == "aftershock" and parent.rank == "magnitude"
    assert monitor(**QUAKE).identity.parent is None


@pytest.mark.parametrize(
    ("follows", "message"),
    [
        ({"fact": "magnitude"}, "not a fact of 'type: flag'"),
        ({"fact": "aftershock", "within": "two weeks"}, "not a span such as 14d"),
        ({"fact": "aftershock", "rank": "aftershock"}, "not a fact of 'type: number'"),
        ({"fact": "aftershock", "after": "14d"}, "unknown key 'after'"),
    ],
)
def test_a_bad_follows_option_is_refused_with_its_key(follows, message) -> None:
    with pytest.raises(ValueError, match=message):
        monitor(**{**FOLLOWING, "follows": follows})


def test_one_list_naming_an_aftershock_of_a_known_quake_opens_its_own_linked_event(
    tmp_path,
) -> None:
    from crawler import store
    from tests.builders import add_article, outlets_database

    quakes = monitor(**FOLLOWING)
    _, db = outlets_database(tmp_path, "Wire", "Aggregator")
    add_article(
        db,
        "main",
        "Magnitude 7.7 earthquake strikes Indonesia's Flores island",
        "2026-03-06T10:00:00+00:00",
        "A magnitude 7.7 earthquake struck the island of Flores in Indonesia on Friday.",
        [quakes],
    )
    lead = "Strong aftershock of magnitude 6.0 hits Flores, Indonesia"
    summary = f"{lead}\xa0\xa0Outlet One Markets rally\xa0\xa0Outlet Two Election results"
    add_article(
        db,
        "aftershock-list",
        f"{lead} - News Pool",
        "2026-03-08T12:00:00+00:00",
        summary.replace("\xa0\xa0", " "),
        [quakes],
        feed_id=2,
        summary=summary,
    )
    events = {e["title"]: e for e in store.events.list_events(db, limit=10)}
    db.close()
    assert len(events) == 2
    main = next(e for t, e in events.items() if t.startswith("Magnitude 7.7"))
    follower = next(e for e in events.values() if e is not main)
    assert follower["parent_id"] == main["id"]


@pytest.mark.parametrize(
    ("title", "language", "follower"),
    [
        ("Strong aftershock rattles central Chile", "en", True),
        ("New tremor jolts Crete days after magnitude 6.4 quake", "en", True),
        ("Second quake shakes Peru, a week after the 7.0 earthquake", "en", True),
        ("Fuerte réplica del sismo sacude el sur de México", "es", True),
        ("Rescuers search for survivors after deadly Chile quake", "en", False),
        ("Magnitude 6.1 earthquake strikes off Sumatra", "en", False),
    ],
)
def test_the_docs_keyword_example_marks_a_shock_after_another_as_a_follower(
    title, language, follower
) -> None:
    found = _docs_example().match(article(title, "", language))
    assert found is not None
    assert bool(found.facts.get("aftershock")) is follower
