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
